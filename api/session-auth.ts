import type { FastifyRequest } from 'fastify';
import '@fastify/cookie';
import type { Pool } from 'pg';
import { accountOfSession, claimsOfAccount, SESSION_COOKIE } from './accounts';
import { unauthorized, verifyRequest } from './auth';

/**
 * `app.authenticate`: a machine client's bearer token (api/auth.ts), or a person's session cookie
 * (POST /v1/session). An Authorization header always wins, so a bad token is never rescued by a cookie.
 */
export function authenticateBearerOrSession(pool: Pool) {
  return async (request: FastifyRequest): Promise<void> => {
    const secret = request.headers.authorization === undefined ? request.cookies?.[SESSION_COOKIE] : undefined;
    if (!secret) {
      await verifyRequest(request);
      return;
    }
    const session = await accountOfSession(pool, secret);
    if (!session) throw unauthorized('the session has ended (signed out, expired or the account disabled); sign in again');
    request.user = claimsOfAccount(session.account);
  };
}

import type { FastifyReply, FastifyRequest } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { Pool } from 'pg';
import { z } from 'zod';
import {
  accountOfSession,
  claimsOfAccount,
  openSession,
  revokeSession,
  SESSION_COOKIE,
  SESSION_TOKEN_TTL_SECONDS,
  signIn,
} from '../accounts';
import { meSchema, sessionSchema } from '../session-schemas';
import { HttpError } from '../errors';
import { errorResponses } from '../openapi-responses';

/** Sign-in for people (workbench.md "Sign-in"): POST/DELETE /v1/session, GET /v1/me. */

const signInSchema = z
  .object({
    username: z.string().trim().toLowerCase().min(1).max(64),
    password: z.string().min(1).max(256),
  })
  .strict();

function setSessionCookie(request: FastifyRequest, reply: FastifyReply, secret: string, expiresAt: string): void {
  reply.setCookie(SESSION_COOKIE, secret, {
    path: '/',
    httpOnly: true,
    sameSite: 'strict',
    secure: request.protocol === 'https',
    expires: new Date(expiresAt),
  });
}

const sessionRoutes: FastifyPluginAsyncZod<{ pool: Pool }> = async (app, { pool }) => {
  app.post(
    '/v1/session',
    {
      schema: {
        tags: ['session'],
        summary: 'Sign in with username and password',
        description:
          'Sets an HttpOnly, SameSite=Strict session cookie and answers a bearer token of ' +
          `${SESSION_TOKEN_TTL_SECONDS / 60} minutes with the account's claims. 401 for a wrong username or password (the same answer for both); ` +
          '429 with Retry-After after repeated failures for the same username from the same address.',
        body: signInSchema,
        // No token needed, but 401 answers wrong credentials.
        response: { 200: sessionSchema, ...errorResponses(400, 401, 413, 415, 429, 503) },
      },
    },
    async (request, reply) => {
      const { username, password } = request.body;
      const result = await signIn(pool, username, password, request.ip);
      if (!result.ok) {
        if (result.retryAfterSeconds !== undefined) {
          reply.header('retry-after', String(result.retryAfterSeconds));
          throw new HttpError(429, 'rate_limited', `too many failed sign-ins for ${username}; try again in ${result.retryAfterSeconds} s`, [
            { path: 'body.username', message: 'too many failed sign-ins' },
          ]);
        }
        throw new HttpError(401, 'invalid_credentials', 'wrong username or password', [{ path: 'body.password', message: '用户名或密码错误' }]);
      }
      const { account } = result;
      const claims = claimsOfAccount(account);
      const session = await openSession(pool, account.username);
      setSessionCookie(request, reply, session.secret, session.expiresAt);
      const token = app.jwt.sign({ ...claims }, { expiresIn: SESSION_TOKEN_TTL_SECONDS });
      return {
        account,
        claims,
        token,
        tokenExpiresAt: new Date(Date.now() + SESSION_TOKEN_TTL_SECONDS * 1000).toISOString(),
        sessionExpiresAt: session.expiresAt,
      };
    },
  );

  app.delete(
    '/v1/session',
    {
      schema: {
        tags: ['session'],
        summary: 'Sign out: revoke the session of the cookie and clear it (204, also when there was none)',
        // 503: revoking the session of a cookie needs PostgreSQL.
        response: { 204: z.null(), ...errorResponses(503) },
      },
    },
    async (request, reply) => {
      const secret = request.cookies[SESSION_COOKIE];
      if (secret) await revokeSession(pool, secret);
      reply.clearCookie(SESSION_COOKIE, { path: '/' });
      return reply.code(204).send(null);
    },
  );

  app.get(
    '/v1/me',
    {
      onRequest: app.authenticate,
      schema: {
        tags: ['session'],
        summary: 'Who am I: the claims of the token or session, and the account when signed in',
        security: [{ bearerAuth: [] }],
        // 503: a session cookie is looked up in PostgreSQL (a bearer token is not).
        response: { 200: meSchema, ...errorResponses(401, 503) },
      },
    },
    async (request) => {
      const secret = request.headers.authorization === undefined ? request.cookies[SESSION_COOKIE] : undefined;
      const session = secret ? await accountOfSession(pool, secret) : undefined;
      return {
        claims: request.user,
        ...(session ? { account: session.account, sessionExpiresAt: session.expiresAt } : {}),
      };
    },
  );
};

export default sessionRoutes;

import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Actor, CaseView } from '../domain/case';
import { claimsSchema, type Claims, type Role } from './claims';
import { forbidden, HttpError } from './errors';

/**
 * Authentication and jurisdiction rules shared by the API's routes (domain.md "Roles").
 * `app.authenticate` (decorated in api/app.ts) verifies the HS256 token and validates its claims;
 * routes use it as an `onRequest` hook so a missing token is a 401 before any input is looked at.
 */
declare module 'fastify' {
  interface FastifyInstance {
    /** onRequest/preHandler hook: verifies the bearer token and its claims; 401 otherwise. */
    authenticate: (request: FastifyRequest, reply: FastifyReply) => Promise<void>;
  }
}

export const unauthorized = (message = 'a valid bearer token is required') =>
  new HttpError(401, 'unauthorized', message);

/** The 401 for a token @fastify/jwt refused: says "token expired" and names a missing exp; other reasons stay generic. */
function unauthorizedFor(err: unknown): HttpError {
  const code = (err as { code?: unknown }).code;
  const message = err instanceof Error ? err.message : '';
  if (code === 'FST_JWT_AUTHORIZATION_TOKEN_EXPIRED') {
    return new HttpError(401, 'unauthorized', 'token expired', [{ path: 'token.exp', message: 'in the past: get a new token' }]);
  }
  if (/The exp claim is required/.test(message)) {
    return new HttpError(401, 'unauthorized', 'the token has no exp claim; tokens must expire', [
      { path: 'token.exp', message: 'required' },
    ]);
  }
  return unauthorized();
}

/** Verifies the request's token (HS256) and validates the claims; sets `request.user`. */
export async function verifyRequest(request: FastifyRequest): Promise<Claims> {
  let payload: unknown;
  try {
    payload = await request.jwtVerify();
  } catch (err) {
    throw unauthorizedFor(err);
  }
  const parsed = claimsSchema.safeParse(payload);
  if (!parsed.success) {
    throw new HttpError(
      401,
      'unauthorized',
      'the token does not carry valid claims',
      parsed.error.issues.map((i) => ({ path: ['token', ...i.path].join('.'), message: i.message })),
    );
  }
  request.user = parsed.data;
  return parsed.data;
}

/** The authenticated caller; routes run after `app.authenticate`. */
export function claimsOf(request: FastifyRequest): Claims {
  const user = request.user as Claims | undefined;
  if (!user) throw unauthorized();
  return user;
}

export function requireRole(claims: Claims, ...roles: Role[]): void {
  if (!roles.includes(claims.role)) {
    throw forbidden(`role ${claims.role} may not do this (allowed: ${roles.join(', ')})`);
  }
}

/** Who did something, as the workflow records it. */
export function actorFromClaims(claims: Claims): Actor {
  const unit = claims.townshipCode ?? claims.departmentCode ?? claims.countyCode;
  return unit ? { sub: claims.sub, role: claims.role, unit } : { sub: claims.sub, role: claims.role };
}

type CaseLike = Pick<CaseView, 'countyCode' | 'townshipCode' | 'handler' | 'createdBy' | 'timeline'>;

/** True when a county department has been involved with the case (handler now, or a transfer/response in the timeline). */
export function departmentInvolved(c: CaseLike, departmentCode: string): boolean {
  if (c.handler?.departmentCode === departmentCode) return true;
  return (c.timeline ?? []).some((e) => {
    const d = e.data as Record<string, unknown> | undefined;
    return d?.departmentCode === departmentCode || (e.actor?.role === 'county' && e.actor.unit === departmentCode);
  });
}

/** May the caller read this case? (domain.md roles; api.md "GET /v1/cases/{caseId}") */
export function canReadCase(claims: Claims, c: CaseLike): boolean {
  switch (claims.role) {
    case 'admin':
      return true;
    case 'supervisor':
      return claims.countyCode === undefined || claims.countyCode === c.countyCode;
    case 'upstream':
      return c.createdBy?.sub === claims.sub;
    case 'township':
      return claims.townshipCode === c.townshipCode && claims.countyCode === c.countyCode;
    case 'county':
      return claims.countyCode === c.countyCode && claims.departmentCode !== undefined && departmentInvolved(c, claims.departmentCode);
    default:
      return false;
  }
}

/** May the caller open a case in this county and township? */
export function canOpenCase(claims: Claims, countyCode: string, townshipCode: string): boolean {
  switch (claims.role) {
    case 'admin':
      return true;
    case 'township':
      return claims.countyCode === countyCode && claims.townshipCode === townshipCode;
    case 'upstream':
      return (
        claims.countyCode === countyCode && (claims.townshipCodes === undefined || claims.townshipCodes.includes(townshipCode))
      );
    default:
      return false;
  }
}

/** May the caller take a human step on this case? Township: its own cases. County: a transfer it holds. */
export function canActOnCase(claims: Claims, c: Pick<CaseView, 'countyCode' | 'townshipCode' | 'handler'>): boolean {
  if (claims.role === 'township') return claims.townshipCode === c.townshipCode && claims.countyCode === c.countyCode;
  if (claims.role === 'county') {
    return (
      claims.countyCode === c.countyCode &&
      c.handler?.level === 'county' &&
      claims.departmentCode !== undefined &&
      c.handler.departmentCode === claims.departmentCode
    );
  }
  return false;
}

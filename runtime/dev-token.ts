import { createSigner } from 'fast-jwt';
import type { Claims } from '../api/claims';

/**
 * An HS256 JWT for local use (npm start's demo tokens, `npm run token`, tests, the bench), signed with
 * fast-jwt — the library @fastify/jwt verifies with. Always with `exp` (the API refuses tokens
 * without it): valid for `ttlSeconds` (default 12 hours, a working day); a non-positive ttl gives a
 * token that has already expired (for tests).
 */
export const DEV_TOKEN_TTL_SECONDS = 12 * 3600;

export function signDevToken(claims: Claims, secret: string, ttlSeconds = DEV_TOKEN_TTL_SECONDS): string {
  const sign = createSigner({
    key: secret,
    algorithm: 'HS256',
    expiresIn: ttlSeconds > 0 ? ttlSeconds * 1000 : 1000,
    ...(ttlSeconds > 0 ? {} : { clockTimestamp: Date.now() + (ttlSeconds - 1) * 1000 }),
  });
  return sign({ ...claims });
}

import { createHmac } from 'node:crypto';
import type { Claims } from '../api/claims';

const base64url = (value: string | Buffer) => Buffer.from(value).toString('base64url');

/** An HS256 JWT for local use (npm start's demo tokens, tests, the bench). Valid for `ttlSeconds` (default 30 days). */
export function signDevToken(claims: Claims, secret: string, ttlSeconds = 30 * 24 * 3600): string {
  const now = Math.floor(Date.now() / 1000);
  const header = base64url(JSON.stringify({ alg: 'HS256', typ: 'JWT' }));
  const payload = base64url(JSON.stringify({ ...claims, iat: now, exp: now + ttlSeconds }));
  const signature = createHmac('sha256', secret).update(`${header}.${payload}`).digest('base64url');
  return `${header}.${payload}.${signature}`;
}

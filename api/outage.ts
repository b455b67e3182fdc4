/**
 * Recognises an outage of PostgreSQL behind an error, so the API answers 503 `unavailable` with
 * `Retry-After` (api.md "Errors") instead of 500. node-postgres has no "is this a connection error"
 * helper, so the rules are written here, once, from what pg and Node raise:
 * - a socket that cannot be opened or drops: Node system errors (ECONNREFUSED, ETIMEDOUT, …), also
 *   inside an AggregateError (Node tries every address of a host name);
 * - the pool's own failures: "timeout exceeded when trying to connect", "Connection terminated…";
 * - server answers that mean "not now": SQLSTATE class 08 (connection exception), 57P01–57P03
 *   (admin/crash shutdown, cannot connect now), 53300 (too many connections).
 */

const SOCKET_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EPIPE',
]);
const SQLSTATES = new Set(['57P01', '57P02', '57P03', '53300']);
const POOL_MESSAGES = [
  /timeout exceeded when trying to connect/i,
  /connection terminated/i,
  /Client has encountered a connection error and is not queryable/i,
  /Cannot use a pool after calling end on the pool/i,
];

/** How long a client should wait before retrying after a 503, in seconds (the Retry-After header). */
export const RETRY_AFTER_SECONDS = 5;

export function isDatabaseUnavailable(err: unknown, depth = 0): boolean {
  if (!(err instanceof Error) || depth > 4) return false;
  const code = (err as { code?: unknown }).code;
  if (typeof code === 'string') {
    if (SOCKET_CODES.has(code) || SQLSTATES.has(code)) return true;
    if (/^08[0-9A-Z]{3}$/.test(code)) return true;
  }
  if (POOL_MESSAGES.some((m) => m.test(err.message))) return true;
  if (err instanceof AggregateError && err.errors.some((e) => isDatabaseUnavailable(e, depth + 1))) return true;
  return err.cause !== undefined && isDatabaseUnavailable(err.cause, depth + 1);
}

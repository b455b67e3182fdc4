import { HttpError } from '../errors';

/** Errors that mean Postgres cannot be reached right now (not a bad query): refused, reset, terminated, pool timeout. */
function isPostgresOutage(err: unknown): boolean {
  const e = err as { code?: unknown; message?: unknown } | undefined;
  const code = typeof e?.code === 'string' ? e.code : '';
  const message = typeof e?.message === 'string' ? e.message : '';
  return (
    ['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'ENOTFOUND', '57P01', '57P03', '53300'].includes(code) ||
    code.startsWith('08') ||
    /Connection terminated|timeout exceeded when trying to connect|Client has encountered a connection error/i.test(message)
  );
}

/** Runs a read-model call; a Postgres outage becomes 503 (api.md: outage → 503, never 500). */
export async function postgresUnavailable<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    if (isPostgresOutage(err)) throw new HttpError(503, 'unavailable', 'the database is unavailable; retry later');
    throw err;
  }
}

import pg from 'pg';

/**
 * The service's Postgres pool.
 *
 * Value conventions (per pool, never via the process-wide `pg.types`, so other clients are unaffected):
 * - `timestamptz` comes back as an ISO 8601 **string** with the Asia/Shanghai offset, e.g.
 *   `2026-02-28T00:00:00.000+08:00` — the same form the domain uses for `dueAt`, `openedAt`, … so rows
 *   and case snapshots compare as plain strings. (`timestamp` without zone is not used by the schema.)
 * - `date` comes back as the plain `YYYY-MM-DD` string (certificate validity), never a Date at local midnight.
 * - `bigint`/`int8` (e.g. `count(*)`, `total_duration_seconds`) comes back as a JS number; our values stay
 *   far below 2^53.
 * - `numeric` stays a string (pg's default).
 */

const OID = { int8: 20, date: 1082, timestamptz: 1184 } as const;
const SHANGHAI_OFFSET_MS = 8 * 3600_000;

/** Formats an instant with the +08:00 offset (Asia/Shanghai has had no DST since 1991). */
function shanghaiIso(ms: number): string {
  return new Date(ms + SHANGHAI_OFFSET_MS).toISOString().replace('Z', '+08:00');
}

const defaultTimestamptz = pg.types.getTypeParser(OID.timestamptz, 'text') as (value: string) => Date | number;

function parseTimestamptz(value: string): string {
  const parsed = defaultTimestamptz(value);
  const ms = parsed instanceof Date ? parsed.getTime() : parsed;
  // ±infinity cannot be written as ISO: hand back Postgres's own text.
  return Number.isFinite(ms) ? shanghaiIso(ms) : value;
}

export const typeParsers: pg.CustomTypesConfig = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') => {
    if (format === undefined || format === 'text') {
      if (oid === OID.timestamptz) return parseTimestamptz;
      if (oid === OID.date) return (value: string) => value;
      if (oid === OID.int8) return (value: string) => Number(value);
    }
    return pg.types.getTypeParser(oid, format ?? 'text');
  }) as pg.CustomTypesConfig['getTypeParser'],
};

export interface PoolOptions {
  /** Connections; default 10 (a worker and the API each hold one pool). */
  max?: number;
  /** Per-statement limit in ms, enforced by the server; default 15 s. */
  statementTimeoutMs?: number;
  applicationName?: string;
}

export function createPool(databaseUrl: string, options: PoolOptions = {}): pg.Pool {
  const pool = new pg.Pool({
    connectionString: databaseUrl,
    max: options.max ?? 10,
    idleTimeoutMillis: 30_000,
    connectionTimeoutMillis: 10_000,
    statement_timeout: options.statementTimeoutMs ?? 15_000,
    application_name: options.applicationName ?? 'township-enforcement-cases',
    types: typeParsers,
  });
  // An idle client losing its connection (server restart) must not crash the process; the next
  // checkout gets a fresh connection and queries in flight fail with their own error.
  pool.on('error', (err) => {
    process.emitWarning(`idle Postgres client error: ${err.message}`);
  });
  return pool;
}

export type { Pool, PoolClient } from 'pg';

/** Runs `fn` in one transaction; rolls back and rethrows on any error. */
export async function withTransaction<T>(pool: pg.Pool, fn: (client: pg.PoolClient) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  let broken: Error | undefined;
  try {
    await client.query('BEGIN');
    const result = await fn(client);
    await client.query('COMMIT');
    return result;
  } catch (err) {
    await client.query('ROLLBACK').catch((rollbackErr: Error) => {
      broken = rollbackErr; // the connection is unusable: destroy it instead of returning it to the pool
    });
    throw err;
  } finally {
    client.release(broken);
  }
}

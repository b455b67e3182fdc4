import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { migrate } from './migrate';
import { createPool } from './pool';
import { seedDemoData } from './seed';

/**
 * Throwaway databases on a PostgreSQL server, created through its maintenance ("admin") database and
 * dropped when done: each test run's database (test/global-setup.ts), the tests' scratch databases
 * (test/helpers/db.ts) and the API bench's (bench/api.ts).
 */

export const DEFAULT_ADMIN_URL = 'postgres://postgres@127.0.0.1:5432/postgres';

/** A database name unique to this run: <prefix>_<timestamp>_<pid>_<random>. */
export function freshDatabaseName(prefix = 'enforcement_test'): string {
  return `${prefix}_${Date.now()}_${process.pid}_${randomBytes(4).toString('hex')}`;
}

/** The same server as `adminUrl`, another database. */
export function databaseUrlFor(adminUrl: string, database: string): string {
  const url = new URL(adminUrl);
  url.pathname = `/${database}`;
  return url.toString();
}

async function onAdmin<T>(adminUrl: string, fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

export interface ScratchDatabase {
  url: string;
  name: string;
  /** Drops the database (WITH (FORCE): open connections are terminated). */
  drop: () => Promise<void>;
}

/** Creates a fresh, empty database on the server of `adminUrl`; returns its URL and a function that drops it. */
export async function createEmptyDatabase(adminUrl: string, prefix?: string): Promise<ScratchDatabase> {
  const name = freshDatabaseName(prefix);
  await onAdmin(adminUrl, (c) => c.query(`CREATE DATABASE ${pg.escapeIdentifier(name)}`));
  const drop = () =>
    onAdmin(adminUrl, (c) => c.query(`DROP DATABASE IF EXISTS ${pg.escapeIdentifier(name)} WITH (FORCE)`)).then(
      () => undefined,
    );
  return { url: databaseUrlFor(adminUrl, name), name, drop };
}

/** Creates, migrates and seeds a fresh database; returns its URL and a function that drops it. */
export async function createSeededDatabase(adminUrl: string, prefix?: string): Promise<ScratchDatabase> {
  const db = await createEmptyDatabase(adminUrl, prefix);
  try {
    await migrate(db.url, 'up');
    const pool = createPool(db.url, { max: 1 });
    try {
      await seedDemoData(pool);
    } finally {
      await pool.end();
    }
  } catch (err) {
    await db.drop().catch(() => undefined);
    throw err;
  }
  return db;
}

import { randomBytes } from 'node:crypto';
import pg from 'pg';
import type { TestProject } from 'vitest/node';
import { migrate } from '../db/migrate';
import { createPool } from '../db/pool';
import { seedDemoData } from '../db/seed';

/**
 * vitest globalSetup: every test run gets its own fresh database (never a developer's data),
 * migrated and seeded, and dropped at the end. Tests read its URL with `inject('databaseUrl')`
 * (test/helpers/db.ts).
 */

export const DEFAULT_ADMIN_URL = 'postgres://postgres@127.0.0.1:5432/postgres';

/** A database name unique to this run: enforcement_test_<timestamp>_<pid>_<random>. */
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

/** Creates, migrates and seeds a fresh database; returns its URL and a function that drops it. */
export async function createSeededDatabase(
  adminUrl: string,
  prefix?: string,
): Promise<{ url: string; name: string; drop: () => Promise<void> }> {
  const name = freshDatabaseName(prefix);
  await onAdmin(adminUrl, (c) => c.query(`CREATE DATABASE ${pg.escapeIdentifier(name)}`));
  const url = databaseUrlFor(adminUrl, name);
  const drop = () =>
    onAdmin(adminUrl, (c) => c.query(`DROP DATABASE IF EXISTS ${pg.escapeIdentifier(name)} WITH (FORCE)`)).then(
      () => undefined,
    );
  try {
    await migrate(url, 'up');
    const pool = createPool(url, { max: 1 });
    try {
      await seedDemoData(pool);
    } finally {
      await pool.end();
    }
  } catch (err) {
    await drop().catch(() => undefined);
    throw err;
  }
  return { url, name, drop };
}

export default async function setup({ provide }: TestProject): Promise<() => Promise<void>> {
  const adminUrl = process.env.DATABASE_URL || DEFAULT_ADMIN_URL;
  const db = await createSeededDatabase(adminUrl);
  provide('databaseUrl', db.url);
  provide('adminDatabaseUrl', adminUrl);
  return async () => {
    await db.drop();
  };
}

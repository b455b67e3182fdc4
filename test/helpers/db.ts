import { afterAll, inject } from 'vitest';
import type { Pool } from 'pg';
import { createPool } from '../../db/pool';
import { createSeededDatabase } from '../../db/scratch-database';

declare module 'vitest' {
  export interface ProvidedContext {
    /** The run's fresh, migrated and seeded database (test/global-setup.ts). */
    databaseUrl: string;
    /** The server's maintenance database, for tests that need a scratch database of their own. */
    adminDatabaseUrl: string;
  }
}

/** URL of this test run's database (never a developer's database). */
export function testDatabaseUrl(): string {
  return inject('databaseUrl');
}

let pool: Pool | undefined;

/**
 * The test file's pool on the run's database (one per file: vitest isolates modules per file).
 * Close it with `closeTestPool()` in afterAll, or call `useTestPool()` instead, which does that for you.
 */
export function testPool(): Pool {
  pool ??= createPool(testDatabaseUrl(), { max: 4 });
  return pool;
}

export async function closeTestPool(): Promise<void> {
  const p = pool;
  pool = undefined;
  await p?.end();
}

/** Call at the top level of a test file (or a describe): returns the file's pool and closes it after all tests. */
export function useTestPool(): Pool {
  afterAll(closeTestPool);
  return testPool();
}

/**
 * A database of the test's own, migrated and seeded, for tests that change shared state (e.g. publish an
 * SLA policy version) and must not disturb other files running against the run's database.
 * Returns its pool and a `dispose` that closes the pool and drops the database.
 */
export async function scratchDatabase(options: { max?: number } = {}): Promise<{ url: string; pool: Pool; dispose: () => Promise<void> }> {
  const db = await createSeededDatabase(inject('adminDatabaseUrl'), 'enforcement_scratch');
  const scratchPool = createPool(db.url, { max: options.max ?? 2 });
  return {
    url: db.url,
    pool: scratchPool,
    dispose: async () => {
      await scratchPool.end();
      await db.drop();
    },
  };
}

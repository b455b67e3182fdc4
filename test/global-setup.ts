import type { TestProject } from 'vitest/node';
import { createSeededDatabase, DEFAULT_ADMIN_URL } from '../db/scratch-database';

/**
 * vitest globalSetup: every test run gets its own fresh database (never a developer's data),
 * migrated and seeded, and dropped at the end (db/scratch-database.ts). Tests read its URL with
 * `inject('databaseUrl')` (test/helpers/db.ts).
 */
export default async function setup({ provide }: TestProject): Promise<() => Promise<void>> {
  const adminUrl = process.env.DATABASE_URL || DEFAULT_ADMIN_URL;
  const db = await createSeededDatabase(adminUrl);
  provide('databaseUrl', db.url);
  provide('adminDatabaseUrl', adminUrl);
  return async () => {
    await db.drop();
  };
}

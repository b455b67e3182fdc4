import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { createPool } from '../../db/pool';
import { createEmptyDatabase, type ScratchDatabase } from '../../db/scratch-database';

/**
 * Issue 10: `npm run migrate` gives an operator the schema only; the demo data comes with `--demo`
 * (or SEED_DEMO=true). `npm start` and the tests seed on their own (db/scratch-database.ts).
 */

const run = promisify(execFile);
const ROOT = path.resolve(__dirname, '../..');
const databases: ScratchDatabase[] = [];
afterAll(async () => {
  for (const db of databases) await db.drop();
});

async function migrateCli(args: string[], env: Record<string, string> = {}): Promise<{ stdout: string; counties: number; responsibilityItems: number }> {
  const db = await createEmptyDatabase(inject('adminDatabaseUrl'), 'enforcement_migrate');
  databases.push(db);
  const { stdout } = await run(process.execPath, ['--import', 'tsx', path.join(ROOT, 'db/migrate-cli.ts'), ...args], {
    cwd: ROOT,
    env: { ...process.env, DATABASE_URL: db.url, SEED_DEMO: '', ...env },
  });
  const pool = createPool(db.url, { max: 1 });
  try {
    const { rows } = await pool.query<{ counties: number; items: number }>(
      'SELECT (SELECT count(*) FROM counties)::int AS counties, (SELECT count(*) FROM responsibility_items)::int AS items',
    );
    return { stdout, counties: rows[0]!.counties, responsibilityItems: rows[0]!.items };
  } finally {
    await pool.end();
  }
}

describe('npm run migrate', () => {
  it('applies the schema only, and says how to add the demo data', async () => {
    const r = await migrateCli([]);
    expect(r.counties).toBe(0);
    expect(r.responsibilityItems).toBe(0);
    expect(r.stdout).toContain('no demo data loaded (add --demo or SEED_DEMO=true');
  });

  it('loads the demo data with --demo, and with SEED_DEMO=true', async () => {
    const flag = await migrateCli(['--demo']);
    expect(flag).toMatchObject({ counties: 2, responsibilityItems: 145 + 98 });
    expect(flag.stdout).toContain('demo seed applied');
    const setting = await migrateCli([], { SEED_DEMO: 'true' });
    expect(setting).toMatchObject({ counties: 2, responsibilityItems: 145 + 98 });
  });
});

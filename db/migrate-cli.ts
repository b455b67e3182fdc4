/**
 * `npm run migrate`: applies the schema migrations to DATABASE_URL. An operator's database starts
 * empty but for the schema; the demo data (Nanping's two demo counties, roster, catalog, DEMO
 * responsibility lists, demo accounts) is loaded only with `npm run migrate -- --demo` or
 * SEED_DEMO=true (idempotent). `npm start` (embedded) and the tests seed on their own.
 * `npm run migrate -- down` rolls back the last migration (no seed).
 */
import { loadConfig, type ServiceConfig } from '../runtime/config';
import { migrate } from './migrate';
import { createPool } from './pool';
import { seedDemoData } from './seed';

/** The demo seed is wanted: `--demo`, or SEED_DEMO=true (runtime/config.ts). */
export function wantsDemoSeed(argv: readonly string[], config: Pick<ServiceConfig, 'SEED_DEMO'>): boolean {
  return argv.includes('--demo') || config.SEED_DEMO;
}

async function main(): Promise<void> {
  const config = loadConfig();
  const databaseUrl = config.DATABASE_URL;
  if (!databaseUrl) {
    throw new Error('DATABASE_URL is not set (e.g. postgres://postgres@127.0.0.1:5432/enforcement)');
  }
  const args = process.argv.slice(2);
  const direction = args.includes('down') ? 'down' : 'up';
  const ran = await migrate(databaseUrl, direction, { log: (m) => console.log(m) });
  console.log(ran.length ? `migrations ${direction}: ${ran.join(', ')}` : 'no migrations to run');
  if (direction !== 'up') return;
  if (!wantsDemoSeed(args, config)) {
    console.log('no demo data loaded (add --demo or SEED_DEMO=true for the demo counties, roster and accounts)');
    return;
  }
  const pool = createPool(databaseUrl, { max: 1 });
  try {
    await seedDemoData(pool);
    console.log('demo seed applied');
  } finally {
    await pool.end();
  }
}

if (require.main === module) {
  main().catch((err: unknown) => {
    console.error(err instanceof Error ? err.message : err);
    process.exitCode = 1;
  });
}

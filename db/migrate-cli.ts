/**
 * `npm run migrate`: applies the schema migrations to DATABASE_URL, then the demo seed (idempotent).
 * `npm run migrate -- down` rolls back the last migration (no seed).
 */
import { migrate } from './migrate';
import { createPool } from './pool';
import { seedDemoData } from './seed';

async function main(): Promise<void> {
  const databaseUrl = process.env.DATABASE_URL;
  if (!databaseUrl) {
    throw new Error('DATABASE_URL is not set (e.g. postgres://postgres@127.0.0.1:5432/enforcement)');
  }
  const direction = process.argv[2] === 'down' ? 'down' : 'up';
  const ran = await migrate(databaseUrl, direction, { log: (m) => console.log(m) });
  console.log(ran.length ? `migrations ${direction}: ${ran.join(', ')}` : 'no migrations to run');
  if (direction === 'up') {
    const pool = createPool(databaseUrl, { max: 1 });
    try {
      await seedDemoData(pool);
      console.log('demo seed applied');
    } finally {
      await pool.end();
    }
  }
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exitCode = 1;
});

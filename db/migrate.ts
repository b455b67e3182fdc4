import path from 'node:path';

/** Where the SQL migrations live (`-- Up Migration` / `-- Down Migration` sections). */
export const MIGRATIONS_DIR = path.join(__dirname, 'migrations');
export const MIGRATIONS_TABLE = 'pgmigrations';

export interface MigrateOptions {
  /** How many migrations to run; default: all pending for `up`, one for `down`. */
  count?: number;
  /** Log lines go here; default: silent. */
  log?: (message: string) => void;
}

/**
 * Runs the schema migrations with node-pg-migrate's programmatic runner. Returns the names of the
 * migrations that ran. node-pg-migrate v9 is ESM-only, so it is loaded with a dynamic import from
 * this CommonJS module.
 */
export async function migrate(
  databaseUrl: string,
  direction: 'up' | 'down' = 'up',
  options: MigrateOptions = {},
): Promise<string[]> {
  const { runner } = await import('node-pg-migrate');
  const log = options.log ?? (() => undefined);
  const ran = await runner({
    databaseUrl,
    dir: MIGRATIONS_DIR,
    migrationsTable: MIGRATIONS_TABLE,
    direction,
    count: options.count ?? (direction === 'up' ? Infinity : 1),
    checkOrder: true,
    singleTransaction: true,
    // Two processes starting together (API and worker) wait for each other instead of failing.
    advisoryLockMode: 'wait',
    logger: { debug: () => undefined, info: log, warn: log, error: log },
  });
  return ran.map((m) => m.name);
}

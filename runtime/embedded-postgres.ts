import fs from 'node:fs';
import path from 'node:path';
import pg from 'pg';
import { typeParsers } from '../db/pool';

/**
 * The embedded PostgreSQL of `npm start`: PGlite (Postgres compiled to WASM, in this process) persisted
 * under DATA_DIR/pglite, served on a loopback TCP port by @electric-sql/pglite-socket so that `pg`,
 * node-pg-migrate and psql talk to it like to any server.
 *
 * One connection at a time: PGlite is a single backend. pglite-socket can accept several connections
 * and queues their messages, but it interleaves them message by message, so two clients using the
 * extended query protocol (every parameterised `pg` query) would overwrite each other's unnamed
 * statement and portal. So the server accepts one connection, and the service shares ONE pg Pool with
 * `max: 1` between the API and the worker's activities (queries queue in the pool). Migrations run over
 * the same socket before that pool opens.
 */
export interface EmbeddedPostgres {
  databaseUrl: string;
  /** Waits until the server holds no connection (e.g. after the migration runner closed its own). */
  idle(timeoutMs?: number): Promise<void>;
  /** The single-connection pool for everything in the process. */
  createPool(): pg.Pool;
  stop(): Promise<void>;
}

export async function startEmbeddedPostgres(dataDir: string): Promise<EmbeddedPostgres> {
  // Both packages are ESM-first; their CommonJS builds load fine from here.
  const { PGlite } = await import('@electric-sql/pglite');
  const { PGLiteSocketServer } = await import('@electric-sql/pglite-socket');
  // the contrib modules the migrations create (db/migrations/1734800000000_stats-intarray.sql)
  const { intarray } = await import('@electric-sql/pglite/contrib/intarray');
  const dir = path.join(dataDir, 'pglite');
  fs.mkdirSync(dir, { recursive: true });
  const db = await PGlite.create(dir, { extensions: { intarray } });
  const server = new PGLiteSocketServer({ db, host: '127.0.0.1', port: 0, maxConnections: 1 });
  try {
    await server.start();
  } catch (err) {
    await db.close();
    throw err;
  }
  const databaseUrl = `postgres://postgres@${server.getServerConn()}/postgres?sslmode=disable`;

  return {
    databaseUrl,
    async idle(timeoutMs = 5000) {
      const deadline = Date.now() + timeoutMs;
      while (server.getStats().activeConnections > 0) {
        if (Date.now() > deadline) throw new Error('embedded Postgres: a connection is still open');
        await new Promise((r) => setTimeout(r, 20));
      }
    },
    createPool() {
      const pool = new pg.Pool({
        connectionString: databaseUrl,
        max: 1,
        // Keep the one connection: a reconnect right after a close can find the old one still counted.
        idleTimeoutMillis: 0,
        connectionTimeoutMillis: 30_000,
        application_name: 'township-enforcement-cases (embedded)',
        types: typeParsers,
      });
      pool.on('error', (err) => process.emitWarning(`embedded Postgres client error: ${err.message}`));
      return pool;
    },
    async stop() {
      await server.stop();
      await db.close();
    },
  };
}

import fs from 'node:fs';
import path from 'node:path';
import { Client } from '@temporalio/client';
import { NativeConnection, type Worker } from '@temporalio/worker';
import type { FastifyInstance } from 'fastify';
import type pg from 'pg';
import type { Logger } from 'pino';
import { createActivities } from '../activities';
import { buildApp, type AppDeps } from '../api/app';
import type { Claims } from '../api/claims';
import { migrate } from '../db/migrate';
import { createPool } from '../db/pool';
import { DEMO, seedDemoData } from '../db/seed';
import { bundleCaseWorkflows, createCaseWorker, installTemporalRuntime } from '../worker/create-worker';
import { startDispatcher } from '../worker/dispatcher';
import { startRetention } from '../worker/retention';
import { loadDeliverySettings } from '../delivery/settings';
import { DEV_JWT_SECRET, type ServiceConfig } from './config';
import { signDevToken } from './dev-token';
import { startEmbeddedPostgres, type EmbeddedPostgres } from './embedded-postgres';
import { startEmbeddedTemporal, type EmbeddedTemporal } from './embedded-temporal';

/**
 * The whole service in one process (`npm start`, the smoke test, the bench): Temporal (the given
 * TEMPORAL_ADDRESS or an embedded dev server), Postgres (the given DATABASE_URL or embedded PGlite),
 * migrations, the demo seed, the worker and the API. `stop()` takes it down in reverse order.
 */
export interface RunningService {
  urls: { api: string; docs: string; readyz: string; temporalUi?: string };
  temporalAddress: string;
  databaseUrl: string;
  embedded: { temporal: boolean; postgres: boolean };
  jwtSecret: string;
  /** Demo tokens (the 12345 hotline of DEMO.county, township of DEMO.township, supervisor of DEMO.county, admin). */
  tokens: Record<DemoRole, string>;
  app: FastifyInstance;
  pool: pg.Pool;
  client: Client;
  /** Stops API, worker, connections, Postgres and Temporal, in that order. Safe to call twice. */
  stop(): Promise<void>;
}

export interface StartServiceOptions {
  logger: Logger;
  /** Seed the demo registries (idempotent). Default true. */
  seed?: boolean;
  /** Fastify's own request logging; default: off below LOG_LEVEL debug. */
  httpLogs?: boolean;
  /** API settings beyond the configuration (the bench lifts the case-creation rate limit). */
  app?: Pick<AppDeps, 'caseCreationRateLimit' | 'bodyLimit' | 'webRoot'>;
}

export type DemoRole = 'upstream' | 'township' | 'supervisor' | 'admin';

export const DEMO_CLAIMS: Record<DemoRole, Claims> = {
  /** The 12345 hotline platform of DEMO.county: opens cases (README's walk-through). */
  upstream: { sub: 'hotline-12345', role: 'upstream', countyCode: DEMO.county },
  township: { sub: 'demo-township', role: 'township', countyCode: DEMO.county, townshipCode: DEMO.township },
  supervisor: { sub: 'demo-supervisor', role: 'supervisor', countyCode: DEMO.county },
  admin: { sub: 'demo-admin', role: 'admin' },
};

/** Holds DATA_DIR for one process: PGlite and the dev server's SQLite must not be shared by two. */
function lockDataDir(dataDir: string): () => void {
  const file = path.join(dataDir, 'service.pid');
  try {
    const pid = Number(fs.readFileSync(file, 'utf8'));
    if (pid && pid !== process.pid) {
      let alive = false;
      try {
        process.kill(pid, 0);
        alive = true;
      } catch {
        /* stale lock */
      }
      if (alive) throw new Error(`DATA_DIR ${dataDir} is in use by process ${pid} (another npm start?)`);
    }
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  fs.writeFileSync(file, String(process.pid));
  return () => {
    try {
      if (fs.readFileSync(file, 'utf8') === String(process.pid)) fs.unlinkSync(file);
    } catch {
      /* gone already */
    }
  };
}

export async function startService(config: ServiceConfig, options: StartServiceOptions): Promise<RunningService> {
  const { logger } = options;
  const stops: { name: string; run: () => Promise<unknown> }[] = [];
  const onStop = (name: string, run: () => Promise<unknown>) => stops.unshift({ name, run });
  let stopping: Promise<void> | undefined;
  const stop = () =>
    (stopping ??= (async () => {
      const failures: string[] = [];
      for (const step of stops) {
        try {
          logger.debug({ step: step.name }, 'stopping');
          await withTimeout(step.run(), 20_000, step.name);
        } catch (err) {
          failures.push(step.name);
          logger.error({ err, step: step.name }, 'stop step failed');
        }
      }
      if (failures.length > 0) throw new Error(`shutdown incomplete: ${failures.join(', ')}`);
    })());

  try {
    fs.mkdirSync(config.DATA_DIR, { recursive: true });
    const needsDataDir = !config.TEMPORAL_ADDRESS || !config.DATABASE_URL;
    if (needsDataDir) {
      const unlock = lockDataDir(config.DATA_DIR);
      onStop('data-dir lock', async () => unlock());
    }
    installTemporalRuntime(logger, { metricsAddress: config.WORKER_METRICS_ADDRESS });
    const bundling = bundleCaseWorkflows();
    bundling.catch(() => undefined); // awaited below; avoid an unhandled rejection meanwhile

    // ---- Temporal and Postgres, in parallel
    const [temporal, postgres] = await Promise.all([
      config.TEMPORAL_ADDRESS
        ? Promise.resolve(undefined)
        : startEmbeddedTemporal({
            dataDir: config.DATA_DIR,
            namespace: config.TEMPORAL_NAMESPACE,
            cliPath: config.TEMPORAL_CLI_PATH,
            port: config.TEMPORAL_PORT,
            uiPort: config.TEMPORAL_UI_PORT,
            log: (message) => logger.info(message),
          }).then((t: EmbeddedTemporal) => (onStop('temporal dev server', () => t.stop()), t)),
      config.DATABASE_URL
        ? Promise.resolve(undefined)
        : startEmbeddedPostgres(config.DATA_DIR).then((p: EmbeddedPostgres) => (onStop('embedded postgres', () => p.stop()), p)),
    ]);
    const temporalAddress = config.TEMPORAL_ADDRESS ?? temporal!.address;
    const databaseUrl = config.DATABASE_URL ?? postgres!.databaseUrl;
    logger.info({ temporalAddress, embedded: !config.TEMPORAL_ADDRESS }, 'temporal');
    logger.info({ databaseUrl: redact(databaseUrl), embedded: !config.DATABASE_URL }, 'postgres');

    // ---- schema and demo data
    const ran = await migrate(databaseUrl, 'up', { log: (m) => logger.debug(m) });
    logger.info({ migrations: ran }, ran.length ? 'migrations applied' : 'schema up to date');
    if (postgres) await postgres.idle();
    const pool = postgres ? postgres.createPool() : createPool(databaseUrl, { max: 10 });
    onStop('postgres pool', () => pool.end());
    if (options.seed ?? true) await seedDemoData(pool);

    // ---- worker
    const nativeConnection = await NativeConnection.connect({ address: temporalAddress });
    onStop('worker connection', () => nativeConnection.close());
    const worker: Worker = await createCaseWorker({
      connection: nativeConnection,
      namespace: config.TEMPORAL_NAMESPACE,
      taskQueue: config.TEMPORAL_TASK_QUEUE,
      activities: createActivities(pool),
      workflowBundle: await bundling,
      workflowThreads: config.WORKFLOW_THREADS,
    });
    const running = worker.run();
    running.catch((err: unknown) => logger.error({ err }, 'worker failed'));
    onStop('worker', async () => {
      if (worker.getState() === 'RUNNING') worker.shutdown();
      await running;
    });
    const deliverySettings = loadDeliverySettings();
    const dispatcher = startDispatcher(pool, logger, deliverySettings);
    onStop('outbox dispatcher', () => dispatcher.stop());
    const retention = startRetention(pool, logger, { idempotencyKeyDays: config.IDEMPOTENCY_KEY_RETENTION_DAYS });
    onStop('idempotency key purge', () => retention.stop());

    // ---- API
    // The API's client over the SDK's native (Rust) connection too, as in api/main.ts.
    const connection = await NativeConnection.connect({ address: temporalAddress });
    onStop('client connection', () => connection.close());
    const client = new Client({ connection, namespace: config.TEMPORAL_NAMESPACE });
    const jwtSecret = config.JWT_SECRET ?? DEV_JWT_SECRET;
    if (!config.JWT_SECRET) logger.warn('JWT_SECRET unset: using the development secret (never deploy this)');
    const app = await buildApp({
      pool,
      temporal: { client, taskQueue: config.TEMPORAL_TASK_QUEUE },
      jwtSecret,
      logger: (options.httpLogs ?? ['debug', 'trace'].includes(config.LOG_LEVEL)) ? { level: config.LOG_LEVEL } : false,
      delivery: deliverySettings,
      // Embedded PGlite serves one connection, shared by everything: no second one to LISTEN on.
      inboxFeed: { mode: postgres ? 'poll' : 'listen' },
      ...options.app,
    });
    onStop('api', () => app.close());
    await app.listen({ port: config.PORT, host: config.HOST });
    const address = app.server.address();
    const port = typeof address === 'object' && address ? address.port : config.PORT;
    const host = config.HOST === '0.0.0.0' || config.HOST === '::' ? '127.0.0.1' : config.HOST;
    const api = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;

    const tokens = {
      upstream: signDevToken(DEMO_CLAIMS.upstream, jwtSecret),
      township: signDevToken(DEMO_CLAIMS.township, jwtSecret),
      supervisor: signDevToken(DEMO_CLAIMS.supervisor, jwtSecret),
      admin: signDevToken(DEMO_CLAIMS.admin, jwtSecret),
    };
    return {
      urls: { api, docs: `${api}/docs`, readyz: `${api}/readyz`, temporalUi: temporal?.uiUrl },
      temporalAddress,
      databaseUrl,
      embedded: { temporal: !!temporal, postgres: !!postgres },
      jwtSecret,
      tokens,
      app,
      pool,
      client,
      stop,
    };
  } catch (err) {
    await stop().catch((stopErr: unknown) => logger.error({ err: stopErr }, 'cleanup after a failed start'));
    throw err;
  }
}

function redact(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return '(unparseable DATABASE_URL)';
  }
}

async function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      promise,
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`${what}: not done after ${ms} ms`)), ms);
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}

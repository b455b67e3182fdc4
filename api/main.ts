import { Client } from '@temporalio/client';
import { NativeConnection } from '@temporalio/worker';
import pino from 'pino';
import type { FastifyInstance, FastifyServerOptions } from 'fastify';
import type pg from 'pg';
import { migrate } from '../db/migrate';
import { createPool } from '../db/pool';
import { loadConfig, type ServiceConfig } from '../runtime/config';
import fs from 'node:fs';
import { buildApp } from './app';
import { loadDeliverySettings } from '../delivery/settings';
import { WEB_DIST } from './web-console';
import { installTemporalRuntime } from '../worker/create-worker';

/**
 * The API server process: `tsx api/main.ts`. Needs DATABASE_URL, TEMPORAL_ADDRESS and JWT_SECRET
 * (npm start, runtime/, brings embedded services and a development secret instead).
 */

export interface StartApiOptions {
  databaseUrl: string;
  temporalAddress: string;
  namespace?: string;
  taskQueue: string;
  jwtSecret: string;
  host?: string;
  port?: number;
  logger?: FastifyServerOptions['logger'];
  /** Run the schema migrations before listening (advisory-locked; safe with a worker starting too). Default true. */
  migrate?: boolean;
  /** Level of the Temporal SDK's own log lines (its connection); default `warn`. */
  temporalLogLevel?: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
}

export interface RunningApi {
  app: FastifyInstance;
  pool: pg.Pool;
  client: Client;
  /** `http://host:port` the server listens on. */
  url: string;
  /** Stops accepting requests, lets in-flight ones finish, then closes Postgres and Temporal. Idempotent. */
  close(): Promise<void>;
}

export async function startApi(options: StartApiOptions): Promise<RunningApi> {
  if (options.migrate ?? true) await migrate(options.databaseUrl, 'up');
  const pool = createPool(options.databaseUrl, { applicationName: 'enforcement-api' });
  let connection: NativeConnection | undefined;
  try {
    // The SDK's native connection (its Rust core, as the worker's): a client call costs the API less CPU
    // than over @grpc/grpc-js (about a tenth of the API's CPU per action in bench:throughput).
    installTemporalRuntime(pino({ level: options.temporalLogLevel ?? 'warn', base: { service: 'api' } }));
    connection = await NativeConnection.connect({ address: options.temporalAddress });
    const client = new Client({ connection, namespace: options.namespace ?? 'default' });
    const app = await buildApp({
      pool,
      temporal: { client, taskQueue: options.taskQueue },
      jwtSecret: options.jwtSecret,
      logger: options.logger,
      delivery: loadDeliverySettings(),
      ...(fs.existsSync(WEB_DIST) ? { webRoot: WEB_DIST } : {}),
    });
    const url = await app.listen({ host: options.host ?? '127.0.0.1', port: options.port ?? 3000 });
    let closing: Promise<void> | undefined;
    const conn = connection;
    const close = () =>
      (closing ??= (async () => {
        try {
          await app.close();
        } finally {
          await Promise.allSettled([pool.end(), conn.close()]);
        }
      })());
    return { app, pool, client, url, close };
  } catch (err) {
    await Promise.allSettled([pool.end(), connection?.close()]);
    throw err;
  }
}

/** Reads the configuration; throws naming every missing variable. */
export function apiOptionsFromConfig(config: ServiceConfig): StartApiOptions {
  const missing = (['DATABASE_URL', 'TEMPORAL_ADDRESS', 'JWT_SECRET'] as const).filter((k) => !config[k]);
  if (missing.length > 0) {
    throw new Error(`the API server needs ${missing.join(', ')} (npm start runs everything embedded without them)`);
  }
  return {
    databaseUrl: config.DATABASE_URL!,
    temporalAddress: config.TEMPORAL_ADDRESS!,
    namespace: config.TEMPORAL_NAMESPACE,
    taskQueue: config.TEMPORAL_TASK_QUEUE,
    jwtSecret: config.JWT_SECRET!,
    host: config.HOST,
    port: config.PORT,
    logger: { level: config.LOG_LEVEL },
    temporalLogLevel: config.LOG_LEVEL,
  };
}

export async function main(): Promise<void> {
  const options = apiOptionsFromConfig(loadConfig());
  const api = await startApi(options);
  api.app.log.info(`API listening on ${api.url} (docs at ${api.url}/docs)`);
  let stopping = false;
  const stop = (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    api.app.log.info(`${signal}: shutting down`);
    api.close().then(
      () => process.exit(0),
      (err: unknown) => {
        api.app.log.error({ err }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

if (require.main === module) {
  main().catch((err: unknown) => {
    console.error(err instanceof Error ? err.message : err);
    process.exit(1);
  });
}

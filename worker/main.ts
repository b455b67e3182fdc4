/**
 * The worker process (`npm run worker`): polls TEMPORAL_TASK_QUEUE for the case workflows and their
 * activities. It only connects; the schema comes from `npm run migrate`.
 *
 * Environment (runtime/config.ts): DATABASE_URL and TEMPORAL_ADDRESS (both required here),
 * TEMPORAL_NAMESPACE (default "default"), TEMPORAL_TASK_QUEUE (default "enforcement-cases"), LOG_LEVEL,
 * WORKER_METRICS_ADDRESS (host:port of the SDK's Prometheus metrics; unset: none).
 * The outbox dispatcher (worker/dispatcher.ts) runs here too; delivery settings: delivery/settings.ts.
 * So does the purge of expired idempotency keys (worker/retention.ts, IDEMPOTENCY_KEY_RETENTION_DAYS).
 * SIGINT/SIGTERM: the worker drains (running activities get a grace period), then the pool and the
 * Temporal connection close, and the process exits 0.
 */
import { NativeConnection } from '@temporalio/worker';
import pino from 'pino';
import { createActivities } from '../activities';
import { createPool } from '../db/pool';
import { ConfigError, describeStartupFailure, loadConfig } from '../runtime/config';
import { loadDeliverySettings } from '../delivery/settings';
import { startDispatcher } from './dispatcher';
import { startRetention } from './retention';
import { bundleCaseWorkflows, createCaseWorker, installTemporalRuntime, runUntil } from './create-worker';

async function main(): Promise<void> {
  const config = loadConfig();
  const deliverySettings = loadDeliverySettings();
  const logger = pino({ level: config.LOG_LEVEL, base: { service: 'worker' } });
  if (!config.DATABASE_URL || !config.TEMPORAL_ADDRESS) {
    throw new ConfigError('the worker needs DATABASE_URL and TEMPORAL_ADDRESS (or use `npm start` for the embedded setup)');
  }

  let stop!: (signal: NodeJS.Signals) => void;
  const stopRequested = new Promise<NodeJS.Signals>((resolve) => (stop = resolve));
  let signals = 0;
  const onSignal = (signal: NodeJS.Signals) => {
    signals += 1;
    if (signals > 1) {
      logger.warn({ signal }, 'second signal: exiting without waiting for the worker to drain');
      process.exit(130);
    }
    logger.info({ signal }, 'shutting down');
    stop(signal);
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);

  installTemporalRuntime(logger, { metricsAddress: config.WORKER_METRICS_ADDRESS });
  if (config.WORKER_METRICS_ADDRESS) logger.info(`Temporal SDK metrics at http://${config.WORKER_METRICS_ADDRESS}/metrics`);
  const [connection, workflowBundle] = await Promise.all([
    NativeConnection.connect({ address: config.TEMPORAL_ADDRESS }),
    bundleCaseWorkflows(),
  ]);
  const pool = createPool(config.DATABASE_URL, { applicationName: 'enforcement-worker' });
  let dispatcher: { stop: () => Promise<void> } | undefined;
  let retention: { stop: () => Promise<void> } | undefined;
  try {
    const worker = await createCaseWorker({
      connection,
      namespace: config.TEMPORAL_NAMESPACE,
      taskQueue: config.TEMPORAL_TASK_QUEUE,
      activities: createActivities(pool),
      workflowBundle,
      workflowThreads: config.WORKFLOW_THREADS,
    });
    logger.info(
      { address: config.TEMPORAL_ADDRESS, namespace: config.TEMPORAL_NAMESPACE, taskQueue: config.TEMPORAL_TASK_QUEUE },
      'worker running',
    );
    dispatcher = startDispatcher(pool, logger, deliverySettings);
    retention = startRetention(pool, logger, { idempotencyKeyDays: config.IDEMPOTENCY_KEY_RETENTION_DAYS });
    await runUntil(worker, stopRequested);
    logger.info('worker stopped');
  } finally {
    await dispatcher?.stop();
    await retention?.stop();
    await pool.end();
    await connection.close();
  }
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    // pino may not exist yet (bad configuration): write plainly.
    console.error(describeStartupFailure(err));
    process.exit(1);
  },
);

/**
 * The worker process of `npm run bench:throughput`: the real case worker (worker/create-worker.ts, the
 * case activities on DATABASE_URL) on TEMPORAL_TASK_QUEUE and the floor workflow on FLOOR_TASK_QUEUE,
 * in one process so the bench reads one process's CPU from /proc for either phase (they run one after
 * the other). Both run workflow code on WORKFLOW_THREADS threads. Prints "bench worker running" once both poll; SIGTERM drains and exits 0.
 */
import { bundleWorkflowCode, DefaultLogger, NativeConnection, Worker } from '@temporalio/worker';
import pino from 'pino';
import { createActivities } from '../../activities';
import { createPool } from '../../db/pool';
import { ConfigError, describeStartupFailure, loadConfig } from '../../runtime/config';
import { bundleCaseWorkflows, createCaseWorker, installTemporalRuntime } from '../../worker/create-worker';
import { createFloorActivities } from './activities';

async function main(): Promise<void> {
  const config = loadConfig();
  const floorTaskQueue = process.env.FLOOR_TASK_QUEUE;
  if (!config.DATABASE_URL || !config.TEMPORAL_ADDRESS || !floorTaskQueue) {
    throw new ConfigError('the bench worker needs DATABASE_URL, TEMPORAL_ADDRESS and FLOOR_TASK_QUEUE');
  }
  const logger = pino({ level: config.LOG_LEVEL, base: { service: 'bench-worker' } }, pino.destination(2));
  installTemporalRuntime(logger);
  const [connection, caseBundle, floorBundle] = await Promise.all([
    NativeConnection.connect({ address: config.TEMPORAL_ADDRESS }),
    bundleCaseWorkflows(),
    bundleWorkflowCode({ workflowsPath: require.resolve('./workflows'), logger: new DefaultLogger('WARN') }),
  ]);
  const pool = createPool(config.DATABASE_URL, { applicationName: 'bench-worker' });
  const workers = [
    await createCaseWorker({
      connection,
      namespace: config.TEMPORAL_NAMESPACE,
      taskQueue: config.TEMPORAL_TASK_QUEUE,
      activities: createActivities(pool),
      workflowBundle: caseBundle,
      workflowThreads: config.WORKFLOW_THREADS,
    }),
    await Worker.create({
      connection,
      namespace: config.TEMPORAL_NAMESPACE,
      taskQueue: floorTaskQueue,
      workflowBundle: floorBundle,
      activities: { ...createFloorActivities(pool) },
      // the same number of workflow threads as the case worker: the floor is measured with the same settings
      workflowThreadPoolSize: config.WORKFLOW_THREADS,
    }),
  ];
  const stop = () => {
    for (const w of workers) if (w.getState() === 'RUNNING') w.shutdown();
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
  const running = Promise.all(workers.map((w) => w.run()));
  process.stdout.write('bench worker running\n');
  try {
    await running;
  } finally {
    await pool.end();
    await connection.close();
  }
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    console.error(describeStartupFailure(err));
    process.exit(1);
  },
);

import path from 'node:path';
import { bundleWorkflowCode, DefaultLogger, NativeConnection, Runtime, Worker, type BundleOptions } from '@temporalio/worker';
import type { LogLevel, LogMetadata } from '@temporalio/common';
import type { Logger as PinoLogger } from 'pino';
import type { CaseActivities } from '../activities/contract';
import { DEFAULT_TASK_QUEUE } from '../workflows/definitions';

export type WorkflowBundle = Awaited<ReturnType<typeof bundleWorkflowCode>>;

let bundling: Promise<WorkflowBundle> | undefined;

/**
 * How the case workflows are bundled, for the service, the tests and the replayer alike. Paths, not
 * `require.resolve`: vitest cannot resolve `.ts` that way; webpack resolves both.
 */
export function caseBundleOptions(): BundleOptions {
  return {
    workflowsPath: path.resolve(__dirname, '../workflows'),
    preloadModules: [path.resolve(__dirname, '../workflows/sandbox-preload.ts'), path.resolve(__dirname, '../workflows/shared-schemas.ts')],
    // The bundler's own webpack chatter is noise in a service log.
    logger: new DefaultLogger('WARN'),
  };
}

/**
 * Bundles the workflow code (workflows/index.ts and what it imports) once per process; later calls
 * share the same bundle. Pass it to every Worker instead of `workflowsPath`, which re-bundles each time.
 */
export function bundleCaseWorkflows(): Promise<WorkflowBundle> {
  bundling ??= bundleWorkflowCode(caseBundleOptions()).catch((err: unknown) => {
    bundling = undefined;
    throw err;
  });
  return bundling;
}

export interface CaseWorkerOptions {
  connection: NativeConnection;
  namespace?: string;
  taskQueue?: string;
  activities: CaseActivities;
  /** A bundle from bundleCaseWorkflows(); bundled here when absent. */
  workflowBundle?: WorkflowBundle;
  /** How long running activities get to finish on shutdown before they are cancelled. Default 10 s. */
  shutdownGraceTime?: string | number;
  identity?: string;
  /** Threads for workflow code (WORKFLOW_THREADS); the SDK's default (1) when absent. */
  workflowThreads?: number;
}

/** A Worker for the case workflows (caseWorkflow and its children) and the case activities. */
export async function createCaseWorker(options: CaseWorkerOptions): Promise<Worker> {
  const workflowBundle = options.workflowBundle ?? (await bundleCaseWorkflows());
  return Worker.create({
    connection: options.connection,
    namespace: options.namespace ?? 'default',
    taskQueue: options.taskQueue ?? DEFAULT_TASK_QUEUE,
    workflowBundle,
    activities: { ...options.activities },
    shutdownGraceTime: options.shutdownGraceTime ?? '10s',
    ...(options.workflowThreads ? { workflowThreadPoolSize: options.workflowThreads } : {}),
    ...(options.identity ? { identity: options.identity } : {}),
  });
}

/**
 * Runs the worker until `stopRequested` settles, then shuts it down gracefully (polling stops, running
 * activities get the grace time, workflow tasks in flight finish) and waits until it has drained.
 * Resolves when the worker has stopped; rejects if the worker failed.
 */
export async function runUntil(worker: Worker, stopRequested: Promise<unknown>): Promise<void> {
  const running = worker.run();
  await Promise.race([running, stopRequested]);
  if (worker.getState() === 'RUNNING') worker.shutdown();
  await running;
}

/** A Temporal SDK Logger writing through pino (the SDK's levels mapped to pino's). */
export function pinoTemporalLogger(logger: PinoLogger): InstanceType<typeof DefaultLogger> {
  const levels: Record<LogLevel, 'trace' | 'debug' | 'info' | 'warn' | 'error'> = {
    TRACE: 'trace',
    DEBUG: 'debug',
    INFO: 'info',
    WARN: 'warn',
    ERROR: 'error',
  };
  const minimum: LogLevel = logger.isLevelEnabled('debug') ? 'DEBUG' : 'INFO';
  return new DefaultLogger(minimum, (entry) => {
    const meta: LogMetadata = { ...(entry.meta ?? {}), sdkComponent: 'temporal' };
    logger[levels[entry.level]](meta, entry.message);
  });
}

let runtimeInstalled = false;

/**
 * Installs the Temporal Runtime once per process with pino logging, and without the SDK's own signal
 * handlers: the process decides the shutdown order (worker, then pool, then connection).
 * With `metricsAddress` (WORKER_METRICS_ADDRESS, host:port) the SDK's own metrics — workflow and
 * activity task schedule-to-start latency, slots, sticky cache, poll results — are served for
 * Prometheus at http://<address>/metrics, durations in seconds and counters ending in _total.
 * A second call is a no-op (Runtime.install may be called once per process).
 */
export function installTemporalRuntime(logger: PinoLogger, options: { metricsAddress?: string } = {}): void {
  if (runtimeInstalled) return;
  runtimeInstalled = true;
  Runtime.install({
    logger: pinoTemporalLogger(logger),
    shutdownSignals: [],
    ...(options.metricsAddress
      ? {
          telemetryOptions: {
            metrics: {
              prometheus: { bindAddress: options.metricsAddress, countersTotalSuffix: true, useSecondsForDurations: true, unitSuffix: true },
            },
          },
        }
      : {}),
  });
}

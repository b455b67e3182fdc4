import path from 'node:path';
import { z } from 'zod';

/**
 * Configuration by environment (api.md "Conventions"). Unset DATABASE_URL or TEMPORAL_ADDRESS means
 * `npm start` runs the embedded PostgreSQL (PGlite) or Temporal dev server under DATA_DIR.
 */
const envSchema = z.object({
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  HOST: z.string().min(1).default('127.0.0.1'),
  JWT_SECRET: z.string().min(16, 'JWT_SECRET must be at least 16 characters').optional(),
  DATABASE_URL: z.string().url().optional(),
  TEMPORAL_ADDRESS: z.string().min(1).optional(),
  TEMPORAL_NAMESPACE: z.string().min(1).default('default'),
  TEMPORAL_TASK_QUEUE: z.string().min(1).default('enforcement-cases'),
  TEMPORAL_CLI_PATH: z.string().min(1).optional(),
  DATA_DIR: z.string().min(1).default('.data'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
});
export type ServiceConfig = z.infer<typeof envSchema> & { DATA_DIR: string };

/**
 * The JWT secret `npm start` and `npm run token` use when JWT_SECRET is unset. For local development
 * only: docker-compose.yml and any deployment set JWT_SECRET.
 */
export const DEV_JWT_SECRET = 'dev-only-insecure-jwt-secret-do-not-deploy';

/** The variables the code reads; docker-compose.yml is checked against this list. */
export const CONFIG_VARIABLES = Object.keys(envSchema.shape) as (keyof z.infer<typeof envSchema>)[];

export function loadConfig(env: NodeJS.ProcessEnv = process.env): ServiceConfig {
  const parsed = envSchema.safeParse(env);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ');
    throw new Error(`invalid configuration: ${problems}`);
  }
  return { ...parsed.data, DATA_DIR: path.resolve(parsed.data.DATA_DIR) };
}

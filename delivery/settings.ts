import { z } from 'zod';

/**
 * Delivery settings, read once from the environment and validated (a wrong value names its variable).
 * Kept beside the capability rather than in runtime/config.ts so the defaults and their reasons sit with
 * the dispatcher that uses them; tests pass their own (short retry schedule, loopback receivers).
 */
export interface DeliverySettings {
  /** How often an idle dispatcher looks for work (ms). */
  pollIntervalMs: number;
  /** Rows fanned out, or deliveries claimed, per round. */
  batchSize: number;
  /** How long a claimed delivery belongs to its dispatcher; after that another one may send it again (ms). */
  leaseMs: number;
  /** Webhook request timeout (delivery.md: 15 s). */
  requestTimeoutMs: number;
  /** Delays after each failed attempt (ms); after the last one the delivery is a dead letter. */
  retrySchedule: number[];
  /** ± fraction of each delay drawn at random, so receivers that recover are not hit all at once. */
  jitter: number;
  /** Upper bound for an honoured Retry-After (ms). */
  maxRetryAfterMs: number;
  /** Allow endpoint URLs on private, loopback and link-local addresses (tests; an internal deployment). */
  allowPrivateUrls: boolean;
  /** How long the previous secret still signs after a rotation (ms). */
  secretRotationGraceMs: number;
}

const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;

/** The Standard Webhooks schedule after the immediate first attempt: 5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 14 h, 20 h, 24 h. */
export const STANDARD_RETRY_SCHEDULE = [5 * SECOND, 5 * MINUTE, 30 * MINUTE, 2 * HOUR, 5 * HOUR, 10 * HOUR, 14 * HOUR, 20 * HOUR, 24 * HOUR];

export const DEFAULT_DELIVERY_SETTINGS: DeliverySettings = {
  pollIntervalMs: 500,
  batchSize: 50,
  leaseMs: 60 * SECOND,
  requestTimeoutMs: 15 * SECOND,
  retrySchedule: STANDARD_RETRY_SCHEDULE,
  jitter: 0.2,
  maxRetryAfterMs: 24 * HOUR,
  allowPrivateUrls: false,
  secretRotationGraceMs: 24 * HOUR,
};

const flag = z.enum(['true', 'false', '1', '0']).transform((v) => v === 'true' || v === '1');
const envSchema = z.object({
  DELIVERY_POLL_INTERVAL_MS: z.coerce.number().int().min(10).optional(),
  DELIVERY_LEASE_MS: z.coerce.number().int().min(1000).optional(),
  WEBHOOK_TIMEOUT_MS: z.coerce.number().int().min(100).optional(),
  /** Comma-separated seconds, e.g. "5,300,1800". */
  WEBHOOK_RETRY_SCHEDULE: z
    .string()
    .regex(/^\s*\d+(\.\d+)?(\s*,\s*\d+(\.\d+)?)*\s*$/, 'comma-separated seconds, e.g. "5,300,1800"')
    .transform((s) => s.split(',').map((x) => Math.round(Number(x) * SECOND)))
    .optional(),
  WEBHOOK_ALLOW_PRIVATE_URLS: flag.optional(),
});

export function loadDeliverySettings(env: NodeJS.ProcessEnv = process.env): DeliverySettings {
  const parsed = envSchema.safeParse(env);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ');
    throw new Error(`invalid delivery configuration: ${problems}`);
  }
  const e = parsed.data;
  const leaseMs = e.DELIVERY_LEASE_MS ?? DEFAULT_DELIVERY_SETTINGS.leaseMs;
  const requestTimeoutMs = e.WEBHOOK_TIMEOUT_MS ?? DEFAULT_DELIVERY_SETTINGS.requestTimeoutMs;
  if (leaseMs <= requestTimeoutMs) {
    throw new Error(`invalid delivery configuration: DELIVERY_LEASE_MS (${leaseMs}) must exceed WEBHOOK_TIMEOUT_MS (${requestTimeoutMs})`);
  }
  return {
    ...DEFAULT_DELIVERY_SETTINGS,
    ...(e.DELIVERY_POLL_INTERVAL_MS !== undefined ? { pollIntervalMs: e.DELIVERY_POLL_INTERVAL_MS } : {}),
    ...(e.WEBHOOK_RETRY_SCHEDULE !== undefined ? { retrySchedule: e.WEBHOOK_RETRY_SCHEDULE } : {}),
    ...(e.WEBHOOK_ALLOW_PRIVATE_URLS !== undefined ? { allowPrivateUrls: e.WEBHOOK_ALLOW_PRIVATE_URLS } : {}),
    leaseMs,
    requestTimeoutMs,
  };
}

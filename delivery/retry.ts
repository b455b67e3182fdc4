import type { DeliverySettings } from './settings';

/** What one attempt's answer means for the delivery (Standard Webhooks: 2xx is success, 410 unsubscribes). */
export type AttemptVerdict =
  | { kind: 'delivered' }
  | { kind: 'gone' }
  | { kind: 'retry'; delayMs: number }
  | { kind: 'dead' };

/**
 * The seconds or HTTP date of a Retry-After header as a delay from `now` (ms), or undefined when absent
 * or unreadable. Bounded by `maxMs` so a receiver cannot park a delivery for ever.
 */
export function retryAfterMs(header: string | null | undefined, now: number, maxMs: number): number | undefined {
  if (!header) return undefined;
  const value = header.trim();
  let ms: number;
  if (/^\d+$/.test(value)) ms = Number(value) * 1000;
  else {
    const at = Date.parse(value);
    if (Number.isNaN(at)) return undefined;
    ms = at - now;
  }
  return Math.min(Math.max(ms, 0), maxMs);
}

/** A delay with ± `jitter` drawn at random (`random` in [0, 1)). */
export function jittered(delayMs: number, jitter: number, random: () => number = Math.random): number {
  return Math.max(0, Math.round(delayMs * (1 + jitter * (2 * random() - 1))));
}

/**
 * The verdict after attempt number `attempt` (1 = the first) failed or succeeded with `status`
 * (undefined: no answer — timeout, refused connection). The schedule's delays follow the failed
 * attempts; past its end the delivery is a dead letter. A Retry-After longer than the scheduled delay wins.
 */
export function verdictOf(
  attempt: number,
  status: number | undefined,
  retryAfter: string | null | undefined,
  settings: Pick<DeliverySettings, 'retrySchedule' | 'jitter' | 'maxRetryAfterMs'>,
  now: number = Date.now(),
  random: () => number = Math.random,
): AttemptVerdict {
  if (status !== undefined && status >= 200 && status < 300) return { kind: 'delivered' };
  if (status === 410) return { kind: 'gone' };
  const scheduled = settings.retrySchedule[attempt - 1];
  if (scheduled === undefined) return { kind: 'dead' };
  const asked = retryAfterMs(retryAfter, now, settings.maxRetryAfterMs);
  const delayMs = Math.max(jittered(scheduled, settings.jitter, random), asked ?? 0);
  return { kind: 'retry', delayMs };
}

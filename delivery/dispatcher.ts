import type { Pool } from 'pg';
import type { Logger } from 'pino';
import { fanOutCaseEvents, fanOutOutbox } from './fanout';
import { verdictOf } from './retry';
import { DEFAULT_DELIVERY_SETTINGS, type DeliverySettings } from './settings';
import { checkEndpointUrl } from './endpoint-url';
import { attemptWebhook, type AttemptResult } from './webhook-sender';

/**
 * The outbox dispatcher: a Postgres queue, at least once, nothing lost when a process dies.
 *
 * Each round: fan out new outbox and timeline rows (delivery/fanout.ts, transactional), then claim the
 * due webhook deliveries (`FOR UPDATE SKIP LOCKED`; claiming pushes `next_attempt_at` to the end of a
 * lease and counts the attempt), send them, and record the verdict — delivered, retry later (schedule
 * with jitter, Retry-After), endpoint gone (410: disabled), or dead letter. A dispatcher killed between
 * the claim and the verdict leaves the delivery due again when the lease ends; the verdict of a claim
 * that lost its lease is ignored (guarded by the attempt number).
 *
 * Why a hand-written queue and not pg-boss or graphile-worker: the work items already are rows
 * (outbox, case_events) written in the case's transaction; a second queue would need a second write
 * path beside recordTransition or triggers on its tables. The queue is the three statements below.
 */
export interface DispatcherOptions {
  pool: Pool;
  logger?: Pick<Logger, 'info' | 'warn' | 'error' | 'debug'>;
  settings?: Partial<DeliverySettings>;
}

interface ClaimedDelivery {
  id: number;
  attempts: number;
  message_id: string;
  payload: unknown;
  endpoint_id: string;
  url: string;
  secret: string;
  previous_secret: string | null;
}

export interface RoundResult {
  outbox: number;
  events: number;
  sent: number;
}

export class Dispatcher {
  private readonly pool: Pool;
  private readonly logger: DispatcherOptions['logger'];
  readonly settings: DeliverySettings;
  private running = false;
  private loop: Promise<void> | undefined;
  private wake: (() => void) | undefined;

  constructor(options: DispatcherOptions) {
    this.pool = options.pool;
    this.logger = options.logger;
    this.settings = { ...DEFAULT_DELIVERY_SETTINGS, ...options.settings };
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.loop = this.run();
  }

  /** Stops after the round in flight (its sends finish or time out); claimed work is never abandoned half-recorded. */
  async stop(): Promise<void> {
    this.running = false;
    this.wake?.();
    await this.loop;
    this.loop = undefined;
  }

  private async run(): Promise<void> {
    let failures = 0;
    while (this.running) {
      let busy = false;
      try {
        const r = await this.round();
        busy = r.outbox + r.events + r.sent > 0;
        failures = 0;
      } catch (err) {
        // Postgres away or a statement failed: nothing was half-written (transactions); back off and retry.
        failures += 1;
        this.logger?.error({ err }, 'delivery round failed');
      }
      if (!busy && this.running) await this.sleep(this.settings.pollIntervalMs * Math.min(2 ** failures, 20));
    }
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      function done() {
        clearTimeout(timer);
        resolve();
      }
      this.wake = done;
    });
  }

  /** One round of work (exported for tests and a one-shot drain). */
  async round(): Promise<RoundResult> {
    const outbox = await fanOutOutbox(this.pool, this.settings.batchSize);
    const events = await fanOutCaseEvents(this.pool, this.settings.batchSize);
    const claimed = await this.claim();
    await Promise.all(claimed.map((d) => this.deliver(d)));
    return { outbox, events, sent: claimed.length };
  }

  private async claim(): Promise<ClaimedDelivery[]> {
    const { rows } = await this.pool.query<ClaimedDelivery>(
      `WITH due AS (
         SELECT d.id FROM webhook_deliveries d JOIN webhook_endpoints ep ON ep.id = d.endpoint_id
          WHERE d.status = 'pending' AND d.next_attempt_at <= now() AND ep.enabled AND ep.deleted_at IS NULL
          ORDER BY d.next_attempt_at, d.id
          LIMIT $1
          FOR UPDATE OF d SKIP LOCKED
       )
       UPDATE webhook_deliveries d
          SET attempts = d.attempts + 1, last_attempt_at = now(), next_attempt_at = now() + make_interval(secs => $2::double precision / 1000)
         FROM due, webhook_messages m, webhook_endpoints ep
        WHERE d.id = due.id AND m.id = d.message_id AND ep.id = d.endpoint_id
       RETURNING d.id, d.attempts, d.message_id, m.payload, ep.id AS endpoint_id, ep.url, ep.secret,
                 CASE WHEN ep.previous_secret_expires_at > now() THEN ep.previous_secret END AS previous_secret`,
      [this.settings.batchSize, this.settings.leaseMs],
    );
    return rows;
  }

  private async deliver(d: ClaimedDelivery): Promise<void> {
    // The URL was checked when subscribed; its host may resolve elsewhere since (DNS rebinding): check again.
    const check = this.settings.allowPrivateUrls ? undefined : await checkEndpointUrl(d.url, false);
    const result: AttemptResult =
      check && !check.ok
        ? { status: undefined, retryAfter: null, error: `not sent: ${check.reason}` }
        : await attemptWebhook({
            url: d.url,
            messageId: d.message_id,
            body: JSON.stringify(d.payload),
            secrets: d.previous_secret ? [d.secret, d.previous_secret] : [d.secret],
            timeoutMs: this.settings.requestTimeoutMs,
          });
    const verdict = verdictOf(d.attempts, result.status, result.retryAfter, this.settings);
    const guard: unknown[] = [d.id, d.attempts, result.status ?? null, result.error ?? null];
    switch (verdict.kind) {
      case 'delivered':
        await this.pool.query(
          `UPDATE webhook_deliveries SET status = 'delivered', delivered_at = now(), last_status_code = $3, last_error = $4
            WHERE id = $1 AND attempts = $2 AND status = 'pending'`,
          guard,
        );
        return;
      case 'retry':
        await this.pool.query(
          `UPDATE webhook_deliveries SET next_attempt_at = now() + make_interval(secs => $5::double precision / 1000),
                  last_status_code = $3, last_error = $4
            WHERE id = $1 AND attempts = $2 AND status = 'pending'`,
          [...guard, verdict.delayMs],
        );
        return;
      case 'dead':
        this.logger?.warn({ deliveryId: d.id, endpointId: d.endpoint_id, error: result.error }, 'webhook delivery is a dead letter');
        await this.pool.query(
          `UPDATE webhook_deliveries SET status = 'dead', last_status_code = $3, last_error = $4
            WHERE id = $1 AND attempts = $2 AND status = 'pending'`,
          guard,
        );
        return;
      case 'gone':
        // 410 Gone: the receiver unsubscribed (Standard Webhooks); stop sending to the endpoint at all.
        this.logger?.warn({ endpointId: d.endpoint_id }, 'webhook endpoint answered 410: disabled');
        await this.pool.query(
          `WITH ep AS (
             UPDATE webhook_endpoints SET enabled = false, disabled_reason = 'the endpoint answered 410 Gone', updated_at = now()
              WHERE id = $5
           )
           UPDATE webhook_deliveries SET status = 'dead', last_status_code = $3, last_error = $4
            WHERE id = $1 AND attempts = $2 AND status = 'pending'`,
          [...guard, d.endpoint_id],
        );
        return;
    }
  }
}

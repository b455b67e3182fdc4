import type { Pool } from 'pg';
import type { Logger } from 'pino';

/**
 * How long idempotency keys are kept (runtime/config.ts IDEMPOTENCY_KEY_RETENTION_DAYS). A retry with an
 * explicit Idempotency-Key within the retention gets the first answer; after it the key is forgotten and
 * a retry is a new request (an action is then checked against the case's stage like any other). The
 * "auto:" keys of requests sent without a key only guard a 30-second double-submit window: kept a day.
 */
export interface RetentionSettings {
  idempotencyKeyDays: number;
  /** Rows deleted per statement: short transactions, no long lock on a busy table. */
  batchSize?: number;
  /** How often the purge runs; default hourly. */
  everyMs?: number;
}

const AUTO_KEY_DAYS = 1;

/**
 * Deletes the expired idempotency keys in batches; returns how many. Safe to run from several worker
 * processes at once: each batch skips the rows another is deleting.
 */
export async function purgeIdempotencyKeys(pool: Pool, settings: RetentionSettings): Promise<number> {
  const batch = settings.batchSize ?? 5000;
  const kinds = [
    { where: `created_at < now() - make_interval(days => $1)`, days: settings.idempotencyKeyDays },
    { where: `key LIKE 'auto:%' AND created_at < now() - make_interval(days => $1)`, days: AUTO_KEY_DAYS },
  ];
  let deleted = 0;
  for (const kind of kinds) {
    for (;;) {
      const { rowCount } = await pool.query(
        `DELETE FROM idempotency_keys k
          USING (SELECT caller, key FROM idempotency_keys WHERE ${kind.where}
                  ORDER BY created_at LIMIT $2 FOR UPDATE SKIP LOCKED) old
          WHERE k.caller = old.caller AND k.key = old.key`,
        [kind.days, batch],
      );
      deleted += rowCount ?? 0;
      if ((rowCount ?? 0) < batch) break;
    }
  }
  return deleted;
}

/** The purge in the worker process beside the outbox dispatcher: a minute after start, then every `everyMs`. */
export function startRetention(pool: Pool, logger: Logger, settings: RetentionSettings): { stop: () => Promise<void> } {
  const log = logger.child({ component: 'retention' });
  let running: Promise<void> | undefined;
  const pass = () => {
    running ??= purgeIdempotencyKeys(pool, settings)
      .then((deleted) => {
        if (deleted > 0) log.info({ deleted, retentionDays: settings.idempotencyKeyDays }, 'expired idempotency keys deleted');
      })
      // the next pass tries again; a key kept a little longer does no harm
      .catch((err: unknown) => log.warn({ err }, 'idempotency key purge failed'))
      .finally(() => (running = undefined));
  };
  const first = setTimeout(pass, 60_000);
  const every = setInterval(pass, settings.everyMs ?? 3_600_000);
  first.unref();
  every.unref();
  return {
    stop: async () => {
      clearTimeout(first);
      clearInterval(every);
      await running;
    },
  };
}

import type { Pool } from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { claimIdempotencyKey, rememberAnswer } from '../../api/idempotency';
import { purgeIdempotencyKeys } from '../../worker/retention';
import { scratchDatabase } from '../helpers/db';

/** worker/retention.ts on a database of its own (it deletes by age across the whole table). */
let pool: Pool;
let dispose: () => Promise<void>;
beforeAll(async () => {
  ({ pool, dispose } = await scratchDatabase());
});
afterAll(async () => dispose?.());

const PATH = '/v1/cases/c/actions/confirm';
const BODY = { confirmed: true };

/** A key claimed and answered as the API does, then aged. */
async function keyAged(caller: string, key: string, age: string): Promise<void> {
  await claimIdempotencyKey(pool, { caller, key, method: 'POST', path: PATH, body: BODY });
  await rememberAnswer(pool, caller, key, 200, { caseId: 'c' });
  await pool.query(`UPDATE idempotency_keys SET created_at = now() - $3::interval WHERE caller = $1 AND key = $2`, [caller, key, age]);
}

const keysLeft = async () =>
  (await pool.query<{ key: string }>('SELECT key FROM idempotency_keys ORDER BY key')).rows.map((r) => r.key);

describe('idempotency keys are kept for the retention period, then deleted', () => {
  it('deletes explicit keys past the retention and auto keys past a day, in batches, and keeps the rest answering', async () => {
    await keyAged('township-a', 'ticket-31-days', '31 days');
    await keyAged('township-a', 'ticket-32-days', '32 days');
    await keyAged('township-b', 'ticket-29-days', '29 days');
    await keyAged('township-a', 'auto:double-click-2-days', '2 days');
    await keyAged('township-b', 'auto:double-click-25-hours', '25 hours');
    await keyAged('township-a', 'auto:double-click-1-hour', '1 hour');

    // batches of one: every batch is a full one until the last, so the loop must go on
    const deleted = await purgeIdempotencyKeys(pool, { idempotencyKeyDays: 30, batchSize: 1 });
    expect(deleted).toBe(4);
    expect(await keysLeft()).toEqual(['auto:double-click-1-hour', 'ticket-29-days']);
    // nothing more to do
    expect(await purgeIdempotencyKeys(pool, { idempotencyKeyDays: 30 })).toBe(0);

    // a key within the retention still answers its retry with the first answer
    const retry = await claimIdempotencyKey(pool, { caller: 'township-b', key: 'ticket-29-days', method: 'POST', path: PATH, body: BODY });
    expect(retry).toEqual({ kind: 'retry', answer: { status: 200, body: { caseId: 'c' } } });
  });

  it('a shorter retention deletes younger explicit keys too; a fresh key is never deleted', async () => {
    await pool.query('DELETE FROM idempotency_keys');
    await keyAged('county-x', 'ticket-8-days', '8 days');
    await keyAged('county-x', 'ticket-now', '0 seconds');
    expect(await purgeIdempotencyKeys(pool, { idempotencyKeyDays: 7 })).toBe(1);
    expect(await keysLeft()).toEqual(['ticket-now']);
  });
});

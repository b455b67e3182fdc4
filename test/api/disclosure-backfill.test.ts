import fs from 'node:fs';
import path from 'node:path';
import type { Pool } from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listDisclosures } from '../../api/read-model/disclosures';
import { DEMO } from '../../db/seed';
import { bearer } from '../helpers/api';
import { scratchDatabase } from '../helpers/db';
import { startTemporalTestApp } from '../helpers/temporal-dev';
import { DAY, isoAgo, project, snapshot } from '../helpers/read-model';

/**
 * Upgrade path of the disclosure process: penalty results decided before it existed were public at once
 * (the old list read them from `cases`). Migration 1734400000000 carries them over, so none vanishes from
 * the public list, with disclosure.md's visibility and nothing for a minor or a summary-procedure warning.
 * The migration ran on an empty table when the database was made; the test writes old-style cases and
 * runs its Up section again (it skips cases that already have a disclosure).
 */
const UP = fs.readFileSync(path.join(__dirname, '../../db/migrations/1734400000000_disclosure-backfill.sql'), 'utf8').split('-- Down Migration')[0]!;

let db: Awaited<ReturnType<typeof scratchDatabase>>;
let pool: Pool;
beforeAll(async () => {
  db = await scratchDatabase();
  pool = db.pool;
});
let stopApp: (() => Promise<void>) | undefined;
afterAll(async () => {
  await stopApp?.();
  await db?.dispose();
});

const decided = (id: string, decidedAt: string, party: object, penalty: object) =>
  snapshot(id, DEMO.county, DEMO.township, {
    matterCode: DEMO.matters.townshipPenalty,
    party: party as never,
    penalty: { kind: 'penalty', decidedAt, paidAmount: 0, ...penalty } as never,
  });

describe('disclosures decided before the disclosure process (migration 1734400000000)', () => {
  it('are carried over: published with their visibility, expired past it, nothing for a minor or a summary warning', async () => {
    const recent = isoAgo(10 * DAY);
    await project(pool, decided('BF-org', recent, { kind: 'organization', name: '浦城县顺丰农资经营部', creditCode: '92350722MA2Y000019' }, { fine: 5000 }));
    await project(pool, decided('BF-person', recent, { kind: 'person', name: '张三丰', idNumber: '350722198001010035' }, { fine: 200 }));
    await project(pool, decided('BF-old-low', isoAgo(120 * DAY), { kind: 'person', name: '李四' }, { fine: 100 }));
    // born 2015-06-01: 11 years old at the decision
    await project(pool, decided('BF-minor', recent, { kind: 'person', name: '王小明', idNumber: '35072220150601003X' }, { fine: 50 }));
    await project(pool, decided('BF-summary', recent, { kind: 'person', name: '赵六' }, { summary: true }));
    await project(pool, snapshot('BF-no-penalty', DEMO.county, DEMO.township, { penalty: { kind: 'no_penalty', decidedAt: recent, paidAmount: 0 } as never }));

    await pool.query(UP);
    await pool.query(UP); // idempotent

    const rows = await pool.query<{ case_id: string; status: string; short_visibility: boolean | null; entry: Record<string, unknown> | null; months: number | null }>(
      `SELECT case_id, status, short_visibility, entry,
              (EXTRACT(YEAR FROM age(visible_until, decided_at)) * 12 + EXTRACT(MONTH FROM age(visible_until, decided_at)))::int AS months
         FROM disclosures WHERE case_id LIKE 'BF-%' ORDER BY case_id`,
    );
    expect(rows.rows.map((r) => [r.case_id, r.status, r.short_visibility, r.months])).toEqual([
      ['BF-minor', 'not_published', null, null],
      ['BF-old-low', 'expired', true, 3],
      ['BF-org', 'published', false, 36],
      ['BF-person', 'published', true, 3],
      ['BF-summary', 'not_published', null, null],
    ]);
    expect(rows.rows.find((r) => r.case_id === 'BF-minor')!.entry).toBeNull();

    const { items } = await listDisclosures(pool, { limit: 200, status: 'published' });
    const carried = items.filter((i) => i.caseId.startsWith('BF-'));
    expect(carried.map((i) => [i.caseId, i.party])).toEqual(
      expect.arrayContaining([
        ['BF-org', { kind: 'organization', name: '浦城县顺丰农资经营部', creditCode: '92350722MA2Y000019' }],
        ['BF-person', { kind: 'person', name: '张**' }],
      ]),
    );
    expect(carried).toHaveLength(2);
    // no identity number anywhere in what is published
    expect(JSON.stringify(carried)).not.toContain('350722198001010035');

    // no process (and so no timer) stands behind a carried-over row: the list hides it once its visibility ends
    await pool.query(`UPDATE disclosures SET visible_until = now() - interval '1 minute' WHERE case_id = 'BF-person'`);
    const after = await listDisclosures(pool, { limit: 200, status: 'published' });
    expect(after.items.filter((i) => i.caseId.startsWith('BF-')).map((i) => i.caseId)).toEqual(['BF-org']);
  });
});

describe('a carried-over entry is withdrawn through the API (no process behind it)', () => {
  it('withdraws a published one with its reason, tells the credit publicity system once, and refuses what is not published', async () => {
    // the first test carried BF-org over as published, BF-old-low as expired
    const started = await startTemporalTestApp(pool, `disclosure-backfill-${process.pid}`);
    stopApp = started.stop;
    const { app } = started;
    const withdraw = (caseId: string, reason: string, key?: string) =>
      app.inject({
        method: 'POST',
        url: `/v1/cases/${caseId}/disclosure/withdraw`,
        headers: { ...bearer('township'), ...(key ? { 'idempotency-key': key } : {}) },
        payload: { reason },
      });

    const reason = '复议决定撤销原处罚决定';
    const first = await withdraw('BF-org', reason, 'withdraw-bf-org');
    expect(first.statusCode).toBe(200);
    expect(first.json()).toMatchObject({ caseId: 'BF-org', disclosureId: 'disclosure-backfill-BF-org', status: 'withdrawn', withdrawalReason: reason });
    // a retry with the same key: the same answer; without one, the entry is no longer published
    const retried = await withdraw('BF-org', reason, 'withdraw-bf-org');
    expect(retried.statusCode).toBe(200);
    expect(retried.json()).toEqual(first.json());
    const again = await withdraw('BF-org', reason);
    expect(again.statusCode).toBe(409);
    expect(again.json().error).toMatchObject({ code: 'wrong_stage', details: [{ path: 'status', message: 'withdrawn' }] });

    // off the public list, on the withdrawn list with its reason
    const published = await listDisclosures(pool, { limit: 200, status: 'published' });
    expect(published.items.map((i) => i.caseId)).not.toContain('BF-org');
    const withdrawn = await listDisclosures(pool, { limit: 200, status: 'withdrawn' });
    expect(withdrawn.items.find((i) => i.caseId === 'BF-org')).toMatchObject({ status: 'withdrawn', withdrawn: { reason } });
    // the credit publicity system is told once; the row's history says who and why
    const outbox = await pool.query(`SELECT recipient, payload->>'event' AS event, payload->>'reason' AS reason FROM outbox WHERE case_id = 'BF-org' AND channel = 'credit-publicity'`);
    expect(outbox.rows).toEqual([{ recipient: `credit-publicity:${DEMO.county}`, event: 'disclosure_withdrawn', reason }]);
    const row = await pool.query(`SELECT status, version, withdrawn_by, history FROM disclosures WHERE case_id = 'BF-org'`);
    expect(row.rows[0]).toMatchObject({ status: 'withdrawn', version: 2, history: [{ type: 'disclosure_withdrawn', data: { reason, carriedOver: true } }] });

    // an expired entry is not published: nothing to withdraw; nor is there anything to publish
    const expired = await withdraw('BF-old-low', reason);
    expect(expired.statusCode).toBe(409);
    expect(expired.json().error.details).toEqual([{ path: 'status', message: 'expired' }]);
    const publish = await app.inject({ method: 'POST', url: '/v1/cases/BF-person/disclosure/publish', headers: bearer('township'), payload: {} });
    expect(publish.statusCode).toBe(409);
    expect(publish.json().error.code).toBe('disclosure_ended');
    // a blank reason is refused naming the field
    const blank = await withdraw('BF-person', '   ');
    expect(blank.statusCode).toBe(400);
    expect(blank.json().error.details[0].path).toBe('body.reason');
  }, 60_000);
});

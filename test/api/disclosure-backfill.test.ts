import fs from 'node:fs';
import path from 'node:path';
import type { Pool } from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listDisclosures } from '../../api/read-model/disclosures';
import { DEMO } from '../../db/seed';
import { scratchDatabase } from '../helpers/db';
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
afterAll(async () => {
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

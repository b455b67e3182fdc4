import { beforeAll, describe, expect, it } from 'vitest';
import type { CaseReview, CaseView } from '../../domain/case';
import { useTestPool } from '../helpers/db';
import { ensureJurisdiction, lockOutCaseWriters, project, snapshot, stageVisits } from '../helpers/read-model';

/**
 * A 12345 peak: many cases of one township opened and closed on the same day. Each close adds its stage
 * visits to the day's stage rows of its township and county (stats_stage_daily), which keep the durations
 * themselves (the p90 is exact). Those rows hold at most 64 durations each — a close appends to the newest
 * one or starts the next, instead of rewriting the whole day's array (bench:stats `closeOnBusyDay`) — and
 * the day's figures stay exactly those of its visits: closed one by one or concurrently, and when cases
 * leave for another township.
 *
 * County SBD1 (townships A, B): codes nobody else uses.
 */
const pool = useTestPool();

const C = 'SBD1';
const TA = 'SBD1-A';
const TB = 'SBD1-B';
const DAY = '2025-03-05';
const at = (hh: number, mm = 0) => `${DAY}T${String(hh).padStart(2, '0')}:${String(mm).padStart(2, '0')}:00.000+08:00`;
const caseId = (n: number) => `SBD-${String(n).padStart(3, '0')}`;
/** Durations that differ from case to case, as real ones do. */
const handlingSeconds = (n: number) => 3600 + 7 * n;
const verificationSeconds = (n: number) => 600 + n;
const SEQUENTIAL = 150;
const CONCURRENT = 40;
const closed = new Map<number, CaseView>();

/** Opens case `n` in township A at 08:00 and closes it with its review (the closing step's own statement). */
async function openAndClose(n: number): Promise<void> {
  const openedAt = at(8);
  let s = snapshot(caseId(n), C, TA, { stage: 'patrol', openedAt, updatedAt: openedAt });
  s.timeline = [{ ...s.timeline[0]!, at: openedAt }];
  await project(pool, s);
  const closedAt = at(20, n % 60);
  const review: CaseReview = {
    onTime: true,
    reworkCount: 0,
    escalations: 0,
    breachedDeadlines: 0,
    closedAt,
    totalDurationSeconds: (Date.parse(closedAt) - Date.parse(openedAt)) / 1000,
    stages: stageVisits(openedAt, [['handling', handlingSeconds(n)], ['verification', verificationSeconds(n)]]),
  };
  s = {
    ...s,
    stage: 'review',
    status: 'closed',
    resolution: 'resolved',
    closedAt,
    updatedAt: closedAt,
    deadlines: [],
    timeline: [...s.timeline, { seq: 2, at: closedAt, type: 'stage_changed', stage: 'review', actor: s.createdBy }],
  };
  await project(pool, s, review);
  closed.set(n, s);
}

interface DayRow {
  unit_kind: string;
  unit_code: string;
  stage: string;
  rows: number;
  largest: number;
  visits: number;
  sum_seconds: string;
  durations: string[];
}

/** The day's stage figures of county SBD1 per unit and stage: the chunks summed, their durations sorted. */
async function dayFigures(db: Pick<typeof pool, 'query'> = pool): Promise<DayRow[]> {
  const { rows } = await db.query<DayRow>(
    `SELECT unit_kind, unit_code, stage, count(*)::int AS rows, max(cardinality(durations))::int AS largest,
            sum(visits)::int AS visits, sum(sum_seconds)::text AS sum_seconds,
            ARRAY(SELECT d FROM unnest(stats_concat(durations)) d ORDER BY d)::text[] AS durations
       FROM stats_stage_daily
      WHERE county_code = $1 AND opened_day = $2
      GROUP BY unit_kind, unit_code, stage
     HAVING sum(visits) <> 0
      ORDER BY unit_kind, unit_code, stage`,
    [C, DAY],
  );
  return rows;
}

/** The day's figures without how they are laid out in rows. */
const withoutRows = (rows: DayRow[]) => rows.map(({ rows: _r, largest: _l, ...f }) => f);

const expected = (unitKind: string, unitCode: string, stage: string, cases: number[]) => {
  const seconds = cases.map(stage === 'handling' ? handlingSeconds : verificationSeconds);
  return {
    unit_kind: unitKind,
    unit_code: unitCode,
    stage,
    visits: cases.length,
    sum_seconds: String(seconds.reduce((a, b) => a + b, 0)),
    durations: seconds.sort((a, b) => a - b).map(String),
  };
};
const range = (from: number, count: number) => Array.from({ length: count }, (_, i) => from + i);

beforeAll(async () => {
  await ensureJurisdiction(pool, { county: C, townships: [TA, TB], departments: [] });
  await pool.query('DELETE FROM stats_stage_daily WHERE county_code = $1', [C]);
});

describe('a busy day of one township: stage durations in chunks, figures exact', () => {
  it(`${SEQUENTIAL} closes one after the other: chunks of 64, the day's figures are its visits`, async () => {
    for (const n of range(0, SEQUENTIAL)) await openAndClose(n);
    const figures = await dayFigures();
    const cases = range(0, SEQUENTIAL);
    expect(withoutRows(figures)).toEqual([
      expected('county', C, 'handling', cases),
      expected('county', C, 'verification', cases),
      expected('township', TA, 'handling', cases),
      expected('township', TA, 'verification', cases),
    ]);
    // 150 durations of a unit's day and stage: rows of 64, 64 and 22, not one row of 150
    for (const f of figures) expect([f.rows, f.largest], `${f.unit_code} ${f.stage}`).toEqual([3, 64]);
  });

  it(`${CONCURRENT} more closed concurrently: nothing lost or counted twice`, async () => {
    await Promise.all(range(SEQUENTIAL, CONCURRENT).map((n) => openAndClose(n)));
    const cases = range(0, SEQUENTIAL + CONCURRENT);
    const figures = await dayFigures();
    expect(withoutRows(figures)).toEqual([
      expected('county', C, 'handling', cases),
      expected('county', C, 'verification', cases),
      expected('township', TA, 'handling', cases),
      expected('township', TA, 'verification', cases),
    ]);
    // two closes meeting on a chunk's row lock may both append to it: a few over 64 at most
    for (const f of figures) expect(f.largest, `${f.unit_code} ${f.stage}`).toBeLessThanOrEqual(64 + CONCURRENT);
  });

  it('cases moved to township B after their close take their durations out of A (the county keeps them)', async () => {
    const moved = [3, 70, 149, 160];
    for (const n of moved) {
      const s = closed.get(n)!;
      const when = at(22);
      await project(pool, {
        ...s,
        townshipCode: TB,
        updatedAt: when,
        timeline: [...s.timeline, { seq: 3, at: when, type: 'stage_changed', stage: 'review', actor: s.createdBy }],
      });
    }
    const all = range(0, SEQUENTIAL + CONCURRENT);
    const stayed = all.filter((n) => !moved.includes(n));
    expect(withoutRows(await dayFigures())).toEqual([
      expected('county', C, 'handling', all),
      expected('county', C, 'verification', all),
      expected('township', TA, 'handling', stayed),
      expected('township', TA, 'verification', stayed),
      expected('township', TB, 'handling', moved),
      expected('township', TB, 'verification', moved),
    ]);
  });

  it('stats_rebuild() (the backfill) gives the same figures, in chunks of 64', async () => {
    const triggers = await dayFigures();
    // in a transaction rolled back: the shared database keeps the triggers' rows
    const client = await pool.connect();
    try {
      await client.query('BEGIN');
      await lockOutCaseWriters(client);
      await client.query('SELECT stats_rebuild()');
      const rebuilt = await dayFigures(client);
      expect(withoutRows(rebuilt)).toEqual(withoutRows(triggers));
      expect(rebuilt.map((f) => f.largest)).toEqual([64, 64, 64, 64, 4, 4]);
    } finally {
      await client.query('ROLLBACK');
      client.release();
    }
  });
});

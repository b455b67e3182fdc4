import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import type { Claims } from '../../api/claims';
import {
  GROUP_BY,
  efficiencyStats,
  recountEfficiencyStats,
  type EfficiencyStats,
  type Overview,
  type Trend,
} from '../../api/read-model/stats';
import { createActivities } from '../../activities';
import type { CaseReview, CaseView } from '../../domain/case';
import type { Stage } from '../../domain/stages';
import { bearer, buildTestApp } from '../helpers/api';
import { useTestPool } from '../helpers/db';
import { DAY, HOUR, ensureJurisdiction, isoAgo, lockOutCaseWriters, project, runningDeadline, snapshot, stageVisits } from '../helpers/read-model';

/**
 * The statistics facts (stats_case_facts, stats_stage_visits, kept by triggers on what recordTransition and
 * recordReview write) against a recount from `cases`: after a mix of openings, steps, closes with reviews,
 * rework loops, county transfers, officer changes, cases moving to another township and county, a late retry
 * of an old transition and a review written before its case row, (1) every fact row equals its definition
 * over the source tables, (2) GET /v1/stats/efficiency answers exactly what the old query over `cases`
 * answers, for every groupBy and several periods, (3) each month of /v1/stats/trend is /efficiency of that
 * month, and /v1/stats/overview counts what the cases say.
 *
 * Counties SFX1 (townships A, B, C; departments cgj, sthj) and SFX2 (township D): codes nobody else uses.
 */
const pool = useTestPool();
const activities = createActivities(pool);
let app: FastifyInstance;

const C1 = 'SFX1';
const C2 = 'SFX2';
const TA = 'SFX1-A';
const TB = 'SFX1-B';
const TC = 'SFX1-C';
const TD = 'SFX2-D';
const CGJ = 'SFX1.cgj';
const STHJ = 'SFX1.sthj';
const officer = (unit: string, n: number) => `OF-${unit}-${n}`;
const supervisor1: Claims = { sub: 'sfx-sup1', role: 'supervisor', countyCode: C1 };
const supervisor2: Claims = { sub: 'sfx-sup2', role: 'supervisor', countyCode: C2 };
const id = (s: string) => `SFX-${s}`;
const CASE_IDS: string[] = [];

/** Local time in Asia/Shanghai on a 2025 date. */
const at = (date: string, hh = '09', mm = '00') => `${date}T${hh}:${mm}:00.000+08:00`;

/** A case and the next steps of its life, each projected with one more timeline entry (seq = timeline length). */
class Life {
  s: CaseView;
  constructor(name: string, county: string, township: string, openedAt: string, overrides: Partial<CaseView> = {}) {
    this.s = snapshot(id(name), county, township, { stage: 'patrol', openedAt, updatedAt: openedAt, ...overrides });
    this.s.timeline = [{ ...this.s.timeline[0]!, at: openedAt }];
    CASE_IDS.push(this.s.caseId);
  }
  async open(): Promise<this> {
    await project(pool, this.s);
    return this;
  }
  /** One step: a new timeline entry and the changes. */
  async step(stage: Stage, when: string, changes: Partial<CaseView> = {}, review?: CaseReview): Promise<this> {
    const seq = this.s.timeline.length + 1;
    this.s = {
      ...this.s,
      ...changes,
      stage,
      updatedAt: when,
      timeline: [...this.s.timeline, { seq, at: when, type: 'stage_changed', stage, actor: this.s.createdBy }],
    };
    await project(pool, this.s, review);
    return this;
  }
  /**
   * The closing step and its review: written by the step's own statement (`with-step`, as the case
   * workflow does), or by recordReview after it (`after`) or before it (`before`, a review that overtook
   * its case row).
   */
  async close(when: string, review: Omit<CaseReview, 'closedAt' | 'totalDurationSeconds'>, order: 'with-step' | 'after' | 'before' = 'after'): Promise<this> {
    const full: CaseReview = { ...review, closedAt: when, totalDurationSeconds: (Date.parse(when) - Date.parse(this.s.openedAt)) / 1000 };
    const writeReview = () => activities.recordReview({ caseId: this.s.caseId, snapshot: { ...this.s, review: full }, review: full });
    if (order === 'before') await writeReview();
    await this.step('review', when, { status: 'closed', resolution: 'resolved', closedAt: when, deadlines: [] }, order === 'with-step' ? full : undefined);
    if (order === 'after') await writeReview();
    return this;
  }
}

const review = (start: string, visits: [Stage, number][], r: Partial<Omit<CaseReview, 'stages'>> = {}) => ({
  onTime: true,
  reworkCount: 0,
  escalations: 0,
  breachedDeadlines: 0,
  ...r,
  stages: stageVisits(start, visits),
});

let nowMonthStart: number;

beforeAll(async () => {
  await ensureJurisdiction(pool, {
    county: C1,
    townships: [TA, TB, TC],
    departments: [{ code: CGJ, domain: 'urban_management' }, { code: STHJ, domain: 'ecology' }],
  });
  await ensureJurisdiction(pool, { county: C2, townships: [TD], departments: [] });
  for (const unit of [TA, TB, TC, TD]) {
    for (const n of [1, 2, 3]) {
      await pool.query(`INSERT INTO officers (id, name, township_code) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING`, [officer(unit, n), `执法员 ${unit}-${n}`, unit]);
    }
  }
  for (const unit of [CGJ, STHJ]) {
    await pool.query(`INSERT INTO officers (id, name, department_code) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING`, [officer(unit, 1), `执法员 ${unit}-1`, unit]);
  }
  const township = (unit: string, ...n: number[]) => ({ level: 'township' as const, officerIds: n.map((k) => officer(unit, k)) });
  const county = (dept: string) => ({ level: 'county' as const, departmentCode: dept, officerIds: [officer(dept, 1)] });

  // January 2025: a clean close, a rework loop, a county transfer closed late, an open overdue case. A1, B1, M1
  // and N1 close as the case workflow closes (the review written by the closing step's statement), the others
  // with recordReview after (or, C1, before) the closing step.
  const a1 = await new Life('A1', C1, TA, at('2025-01-03')).open();
  await a1.step('handling', at('2025-01-03', '12'), { handler: township(TA, 1, 2) });
  await a1.step('verification', at('2025-01-04'));
  await a1.close(at('2025-01-05'), review(at('2025-01-03'), [['patrol', 3600], ['handling', 80000], ['verification', 7200]]), 'with-step');

  const a2 = await new Life('A2', C1, TA, at('2025-01-10')).open();
  await a2.step('handling', at('2025-01-10', '15'), { handler: township(TA, 2, 3) });
  await a2.step('verification', at('2025-01-12'));
  await a2.step('handling', at('2025-01-13'), { reworkCount: 1 });
  await a2.step('verification', at('2025-01-15'), {
    deadlines: [runningDeadline('verification', at('2025-01-14'), { overdue: true, escalationLevel: 1 })],
  });
  await a2.close(
    at('2025-01-20'),
    review(at('2025-01-10'), [['handling', 150000], ['verification', 3600], ['handling', 90000], ['verification', 1800]], {
      onTime: false, reworkCount: 1, escalations: 1, breachedDeadlines: 1,
    }),
  );

  // transferred to the county department (乡呼县应), then re-routed to another department, closed after January
  const b1 = await new Life('B1', C1, TB, at('2025-01-07')).open();
  await b1.step('assignment', at('2025-01-07', '11'));
  await b1.step('handling', at('2025-01-08'), { handler: county(CGJ) });
  await b1.step('handling', at('2025-01-09'), { handler: county(STHJ) });
  await b1.step('verification', at('2025-01-30'));
  await b1.close(at('2025-02-04'), review(at('2025-01-07'), [['assignment', 7200], ['handling', 1900000], ['verification', 400000]], { onTime: false, breachedDeadlines: 1, escalations: 2 }), 'with-step');

  // open, current deadline long past, never marked by a timer: overdue at query time only
  const b2 = await new Life('B2', C1, TB, at('2025-01-20')).open();
  await b2.step('handling', at('2025-01-21'), { handler: township(TB, 1), deadlines: [runningDeadline('handling', at('2025-01-22'))] });

  // moves from township A to C (a mis-routed case) and then to county SFX2's township D, closed there
  const m1 = await new Life('M1', C1, TA, at('2025-01-25')).open();
  await m1.step('capture', at('2025-01-25', '10'), { townshipCode: TC, handler: township(TC, 1) });
  await m1.step('handling', at('2025-01-26'), { countyCode: C2, townshipCode: TD, handler: township(TD, 2) });
  await m1.close(at('2025-01-28'), review(at('2025-01-25'), [['capture', 3600], ['handling', 100000]]), 'with-step');

  // a case whose review is written before its closing transition, and an unfounded close with no verification
  const c1 = await new Life('C1', C1, TC, at('2025-02-10')).open();
  await c1.step('handling', at('2025-02-10', '11'), { handler: township(TC, 2, 3) });
  await c1.step('verification', at('2025-02-12'));
  await c1.close(at('2025-02-13'), review(at('2025-02-10'), [['handling', 170000], ['verification', 600]]), 'before');

  const c2 = await new Life('C2', C1, TC, at('2025-02-14')).open();
  await c2.close(at('2025-02-14', '18'), review(at('2025-02-14'), [['patrol', 1800], ['discovery', 900]]));

  // open in February with an escalated (marked) breach and two rework rounds so far, then transferred
  const c3 = await new Life('C3', C1, TC, at('2025-02-20')).open();
  await c3.step('handling', at('2025-02-20', '12'), { handler: township(TC, 1) });
  await c3.step('handling', at('2025-02-24'), {
    reworkCount: 2,
    handler: county(CGJ),
    deadlines: [runningDeadline('handling', at('2025-02-23'), { overdue: true, escalationLevel: 2 })],
  });
  // a late retry of an older transition: recordTransition keeps the newer row, the facts do not move
  await project(pool, { ...c3.s, stage: 'capture', reworkCount: 0, timeline: c3.s.timeline.slice(0, 2) });

  // open, deadline far ahead; and a case in SFX2 only
  const d1 = await new Life('D1', C2, TD, at('2025-01-12')).open();
  await d1.step('handling', at('2025-01-12', '14'), { handler: township(TD, 1), deadlines: [runningDeadline('handling', '2099-01-01T00:00:00.000+08:00')] });

  // this month (for the overview): one opened and closed now, one open and overdue (marked, level 1)
  nowMonthStart = (() => {
    const local = new Date(Date.now() + 8 * HOUR);
    return Date.UTC(local.getUTCFullYear(), local.getUTCMonth(), 1) - 8 * HOUR;
  })();
  const recent = new Date(Math.max(nowMonthStart + 1000, Date.now() - 60_000)).toISOString();
  const n1 = await new Life('N1', C1, TA, recent).open();
  await n1.close(new Date(Math.max(Date.parse(recent), Date.now() - 1000)).toISOString(), review(recent, [['patrol', 1]]), 'with-step');
  const n2 = await new Life('N2', C1, TB, isoAgo(3 * DAY)).open();
  await n2.step('verification', isoAgo(2 * DAY), {
    handler: township(TB, 2),
    deadlines: [runningDeadline('verification', isoAgo(DAY), { overdue: true, escalationLevel: 1 })],
  });

  ({ app } = await buildTestApp(pool));
});

afterAll(async () => {
  await app?.close();
});

describe('the facts equal their definition over cases, case_reviews and case_review_stages', () => {
  it('stats_case_facts: one row per case, equal to stats_case_facts_source', async () => {
    const facts = await pool.query(`SELECT * FROM stats_case_facts WHERE case_id = ANY($1) ORDER BY case_id`, [CASE_IDS]);
    const source = await pool.query(`SELECT * FROM stats_case_facts_source WHERE case_id = ANY($1) ORDER BY case_id`, [CASE_IDS]);
    expect(facts.rows).toHaveLength(CASE_IDS.length);
    expect(facts.rows).toEqual(source.rows);
    // spot checks against the story above, so the view cannot be wrong in the same way as the trigger
    const byId = new Map(facts.rows.map((r) => [r.case_id as string, r]));
    expect(byId.get(id('M1'))).toMatchObject({ county_code: C2, township_code: TD, officer_ids: [officer(TD, 2)], verified: false });
    expect(byId.get(id('B1'))).toMatchObject({ department_code: STHJ, officer_ids: [officer(STHJ, 1)], breached: true, escalations: 2 });
    expect(byId.get(id('C3'))).toMatchObject({ department_code: CGJ, reworked: true, verified: true, is_open: true, open_stage: 'handling', open_escalation_level: 2 });
    expect(byId.get(id('B2'))).toMatchObject({ breached: false, is_open: true });
    expect(byId.get(id('B2'))!.watch_due_at).toBe(at('2025-01-22'));
    expect(byId.get(id('C1'))).toMatchObject({ verified: true, on_time: true });
    expect(byId.get(id('C2'))).toMatchObject({ verified: false, reworked: false });
  });

  it('stats_stage_visits: every visit of a reviewed case, with the units its case has now', async () => {
    const cols = 'case_id, stage, visit, opened_at, county_code, township_code, department_code, officer_ids, duration_seconds';
    const facts = await pool.query(`SELECT ${cols} FROM stats_stage_visits WHERE case_id = ANY($1) ORDER BY 1, 2, 3`, [CASE_IDS]);
    const source = await pool.query(`SELECT ${cols} FROM stats_stage_visits_source WHERE case_id = ANY($1) ORDER BY 1, 2, 3`, [CASE_IDS]);
    expect(facts.rows.length).toBe(17);
    expect(facts.rows).toEqual(source.rows);
    expect(facts.rows.filter((r) => r.case_id === id('M1')).map((r) => r.township_code)).toEqual([TD, TD]);
  });

  it('stats_case_stages: one row per case with visits, holding each visit as stats_stage_visits_source has it', async () => {
    const rows = await pool.query(`SELECT * FROM stats_case_stages WHERE case_id = ANY($1) ORDER BY case_id`, [CASE_IDS]);
    const source = await pool.query(
      `SELECT case_id, stage, opened_at, county_code, officer_ids, duration_seconds FROM stats_stage_visits_source
        WHERE case_id = ANY($1) ORDER BY case_id, stage, visit`,
      [CASE_IDS],
    );
    type Row = { case_id: string; opened_at: Date; county_code: string; officer_ids: string[]; visits: [string, number][] };
    const expected = new Map<string, Row>();
    for (const v of source.rows) {
      const row: Row = expected.get(v.case_id) ?? { case_id: v.case_id, opened_at: v.opened_at, county_code: v.county_code, officer_ids: v.officer_ids, visits: [] };
      row.visits.push([v.stage, Number(v.duration_seconds)]);
      expected.set(v.case_id, row);
    }
    // the column is the visits' JSON values joined by commas (the API parses a set's rows as one list)
    const parsed = rows.rows.map((r) => {
      const flat = JSON.parse(`[${r.visits}]`) as (string | number)[];
      return { ...r, visits: flat.flatMap((x, i) => (i % 2 === 0 ? [[x, flat[i + 1]]] : [])) };
    });
    expect(parsed).toEqual([...expected.values()]);
    expect(expected.size).toBeGreaterThan(5);
    expect(parsed.find((r) => r.case_id === id('M1'))).toMatchObject({ county_code: C2, officer_ids: [officer(TD, 2)] });
  });

  const read = async (db: Pick<typeof pool, 'query'>) => ({
      caseStages: (await db.query(`SELECT * FROM stats_case_stages WHERE case_id = ANY($1) ORDER BY case_id`, [CASE_IDS])).rows,
      facts: (await db.query(`SELECT * FROM stats_case_facts WHERE case_id = ANY($1) ORDER BY case_id`, [CASE_IDS])).rows,
      // rows emptied by a case that moved away stay with zeros under the triggers; the rebuild has none
      daily: (
        await db.query(
          `SELECT * FROM stats_daily WHERE county_code IN ($1, $2) AND cases <> 0 ORDER BY unit_kind, county_code, opened_day, unit_code`,
          [C1, C2],
        )
      ).rows,
      stages: (
        await db.query(
          `SELECT unit_kind, county_code, opened_day, unit_code, stage, visits, sum_seconds,
                  ARRAY(SELECT d FROM unnest(durations) d ORDER BY d) AS durations
             FROM stats_stage_daily WHERE county_code IN ($1, $2) AND visits <> 0
            ORDER BY unit_kind, county_code, opened_day, unit_code, stage`,
          [C1, C2],
        )
      ).rows,
  });

  it('stats_rebuild() (the backfill) gives the rows the triggers gave, daily sums included', async () => {
    const before = await read(pool);
    expect(before.daily.length).toBeGreaterThan(20);
    expect(before.stages.length).toBeGreaterThan(20);
    expect(before.daily.filter((r) => r.unit_kind === 'township' && r.unit_code === TA).map((r) => r.cases)).toEqual([1, 1, 1]); // A1, A2, N1
    // a rebuild in a transaction rolled back: the shared database keeps the triggers' rows
    const client = await pool.connect();
    try {
      await client.query('BEGIN');
      await lockOutCaseWriters(client);
      await client.query('SELECT stats_rebuild()');
      expect(await read(client)).toEqual(before);
    } finally {
      await client.query('ROLLBACK');
      client.release();
    }
  });

  it('deleting a case (its stage visits, review, case row) takes it out of every sum', async () => {
    const before = await read(pool);
    const client = await pool.connect();
    try {
      await client.query('BEGIN');
      await lockOutCaseWriters(client);
      for (const table of ['case_review_stages', 'case_reviews', 'cases']) {
        await client.query(`DELETE FROM ${table} WHERE case_id = $1`, [id('C1')]);
      }
      const afterDelete = await read(client);
      expect(afterDelete.facts.map((f) => f.case_id)).not.toContain(id('C1'));
      expect(before.caseStages.map((f) => f.case_id)).toContain(id('C1'));
      expect(afterDelete.caseStages.map((f) => f.case_id)).not.toContain(id('C1'));
      await client.query('SELECT stats_rebuild()');
      expect(await read(client)).toEqual(afterDelete);
    } finally {
      await client.query('ROLLBACK');
      client.release();
    }
  });
});

describe('GET /v1/stats/efficiency from the facts equals the recount from cases', () => {
  const periods: [string, string][] = [
    ['2025-01-01T00:00:00+08:00', '2025-02-01T00:00:00+08:00'],
    ['2025-01-01T00:00:00+08:00', '2025-03-01T00:00:00+08:00'],
    // `to` between B1's opening and its close, and a period starting mid-day
    ['2025-01-07T10:00:00+08:00', '2025-02-13T12:00:00+08:00'],
    // B1 (opened 01-07, closed 02-04) is in the whole days but closed after `to`: the closure correction
    ['2025-01-01T00:00:00+08:00', '2025-02-03T12:00:00+08:00'],
    ['2024-06-01T00:00:00+08:00', new Date(Date.now() + DAY).toISOString()],
  ];
  for (const groupBy of GROUP_BY) {
    it(`groupBy=${groupBy}, both counties, four periods`, async () => {
      let compared = 0;
      for (const claims of [supervisor1, supervisor2]) {
        for (const [from, to] of periods) {
          const query = { groupBy, from, to };
          const facts = await efficiencyStats(pool, claims, query);
          const recount = await recountEfficiencyStats(pool, claims, query);
          expect(facts).toEqual(recount);
          compared += facts.items.filter((i) => i.cases > 0).length;
        }
        // the default period, the last 30 days (N1, N2), with `to` pinned so both read the same period
        const now = { groupBy, to: new Date().toISOString() };
        expect(await efficiencyStats(pool, claims, now)).toEqual(await recountEfficiencyStats(pool, claims, now));
      }
      expect(compared).toBeGreaterThan(2);
    });
  }

  it('the story in figures: January in county SFX1 by township (hand-counted)', async () => {
    const res = await app.inject({
      method: 'GET',
      url: `/v1/stats/efficiency?groupBy=township&from=2025-01-01&to=2025-02-01`,
      headers: bearer(supervisor1),
    });
    const body = res.json() as EfficiencyStats;
    const a = body.items.find((i) => i.code === TA)!;
    const b = body.items.find((i) => i.code === TB)!;
    // A: A1, A2 (M1 moved away); B: B1 (closed 02-04, after `to`), B2 (open, overdue at query time)
    expect(a).toMatchObject({ cases: 2, closureRate: { numerator: 2, denominator: 2 }, reworkRate: { numerator: 1, denominator: 2 } });
    expect(b).toMatchObject({ cases: 2, closureRate: { numerator: 0, denominator: 2 }, overdueRate: { numerator: 2, denominator: 2 } });
    expect(body.from).toBe('2025-01-01T00:00:00.000+08:00');
    // per officer: A1 has officers 1 and 2 of A, A2 has 2 and 3: officer 2 handled both
    const officers = await app.inject({
      method: 'GET',
      url: `/v1/stats/efficiency?groupBy=officer&from=2025-01-01&to=2025-02-01`,
      headers: bearer(supervisor1),
    });
    const o2 = (officers.json() as EfficiencyStats).items.find((i) => i.code === officer(TA, 2))!;
    expect(o2).toMatchObject({ name: `执法员 ${TA}-2`, countyCode: C1, cases: 2, onTimeClosureRate: { numerator: 1, denominator: 2 } });
    expect(o2.stageDurations.find((s) => s.stage === 'handling')).toMatchObject({ visits: 3 });
  });
});

describe('GET /v1/stats/trend and /v1/stats/overview', () => {
  it('each month of the trend is /efficiency of that month for the county', async () => {
    const res = await app.inject({
      method: 'GET',
      url: `/v1/stats/trend?interval=month&from=2024-12-01&to=2025-03-01`,
      headers: bearer(supervisor1),
    });
    expect(res.statusCode).toBe(200);
    const trend = res.json() as Trend;
    expect(trend.items.map((i) => i.from)).toEqual([
      '2024-12-01T00:00:00.000+08:00',
      '2025-01-01T00:00:00.000+08:00',
      '2025-02-01T00:00:00.000+08:00',
    ]);
    for (const month of trend.items) {
      const eff = await efficiencyStats(pool, supervisor1, { groupBy: 'county', from: month.from, to: month.to });
      const { code: _c, name: _n, countyCode: _k, stageDurations: _s, ...indicators } = eff.items.find((i) => i.code === C1)!;
      const { from: _f, to: _t, ...fromTrend } = month;
      expect(fromTrend).toEqual(indicators);
    }
    expect(trend.items[1]).toMatchObject({ cases: 4 }); // A1, A2, B1, B2 (M1 is in SFX2 now)
    expect(trend.items[2]).toMatchObject({ cases: 3, closureRate: { numerator: 2, denominator: 3 } }); // C1 C2 closed, C3 open
  });

  it('the overview counts open cases by stage, overdue by level, and this month', async () => {
    const res = await app.inject({ method: 'GET', url: '/v1/stats/overview', headers: bearer(supervisor2) });
    expect(res.statusCode).toBe(200);
    const o = res.json() as Overview;
    expect(o.countyCode).toBe(C2);
    // SFX2: D1 open in handling, not overdue (M1 closed)
    expect(o.open.cases).toBe(1);
    expect(o.open.byStage.find((s) => s.stage === 'handling')!.cases).toBe(1);
    expect(o.overdue.cases).toBe(0);

    const o1 = (await app.inject({ method: 'GET', url: '/v1/stats/overview', headers: bearer(supervisor1) })).json() as Overview;
    // SFX1 open: B2 (handling, due 2025, level 0), C3 (handling, level 2), N2 (verification, level 1)
    expect(o1.open.cases).toBe(3);
    expect(o1.open.byStage.filter((s) => s.cases > 0)).toEqual([
      { stage: 'handling', cases: 2 },
      { stage: 'verification', cases: 1 },
    ]);
    expect(o1.overdue).toEqual({
      cases: 3,
      byEscalationLevel: [{ level: 0, cases: 1 }, { level: 1, cases: 1 }, { level: 2, cases: 1 }],
    });
    // N1 opened and closed this month; N2 opened 3 days ago (this month or the last)
    const n2ThisMonth = Date.now() - 3 * DAY >= nowMonthStart ? 1 : 0;
    expect(o1.thisMonth).toMatchObject({ opened: 1 + n2ThisMonth, closed: 1, closedOnTime: 1 });
  });

  it('supervisor and admin only; 400 for an unknown interval', async () => {
    const township: Claims = { sub: 't', role: 'township', countyCode: C1, townshipCode: TA };
    for (const url of ['/v1/stats/overview', '/v1/stats/trend']) {
      expect((await app.inject({ method: 'GET', url, headers: bearer(township) })).statusCode).toBe(403);
      expect((await app.inject({ method: 'GET', url })).statusCode).toBe(401);
    }
    const bad = await app.inject({ method: 'GET', url: '/v1/stats/trend?interval=fortnight', headers: bearer(supervisor1) });
    expect(bad.statusCode).toBe(400);
    expect(JSON.stringify(bad.json())).toContain('interval');
  });
});

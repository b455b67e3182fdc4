import { z } from 'zod';
import type { Pool } from 'pg';
import type { Claims } from '../claims';
import { badRequest } from '../errors';
import { STAGES } from '../../domain/stages';
import { toShanghaiIso } from '../../domain/time';
import { statsScope } from './jurisdiction';
import { instantQuery, paramList } from './sql';

/**
 * GET /v1/stats/efficiency: the indicators of domain.md (效能监督 / 综合评价) per township, county, county
 * department or officer.
 *
 * THE COHORT. A case belongs to the period [from, to) when it was OPENED in it (`cases.opened_at`). These are
 * "the cases due to close in the period" (应结案数): every case that arrived in the period is owed a closure,
 * whatever happened to it. We picked the opening cohort over "cases whose earliest deadline fell in the
 * period" because every case has an opening time (not every case has a deadline yet), it never counts a case
 * twice across periods, and it is what a reporter or upstream ticket is counted by. Unit of a case:
 * township → `cases.township_code`, county → `cases.county_code`, department → `cases.handler_department_code`
 * (cases never handled by a county department are not in any department's figures), officer → each officer of
 * `cases.handler_officer_ids` (the officers the case is assigned to; a case with two officers counts for both).
 *
 * Closures count only if they happened before `to`, so the closure figures of a finished period do not change
 * later. The other indicators describe the cohort as known at query time (reviews, rework, breaches).
 *
 * Every rate comes with its numerator and denominator; a rate with denominator 0 is null.
 *
 * WHERE THE NUMBERS COME FROM. Not from `cases` (a gigabyte at a million cases, most of it the snapshot) but
 * from projections that triggers keep equal to their definition over `cases`, `case_reviews` and
 * `case_review_stages`, in the same transaction as every projection write (db/migrations/1733100000000_…):
 * per-unit daily sums (`stats_daily`, `stats_stage_daily` with the durations themselves, so the p90 is exact)
 * for the whole local days of a period, and the per-case facts (`stats_case_facts`, `stats_stage_visits`)
 * for the partial days at its ends and two corrections (closures at or after `to`; open cases whose deadline
 * has passed but that no timer has marked yet). A default 30-day period city-wide reads a few thousand daily
 * rows instead of 40,000 cases. Officers have no daily stage rows (one case a day each: no saving), so their
 * stage figures read the period's reviewed cases, one row each (`stats_case_stages`, see officerStageRows). `recountEfficiencyStats` answers the same question straight from
 * `cases` (the query this replaced); the tests and `npm run bench:stats` hold the two to exact equality.
 */
export const INDICATOR_DEFINITIONS = {
  cohort: 'cases opened in [from, to) in the unit (cases.opened_at); the denominator "cases" of the rates below',
  officer:
    'groupBy=officer: the cases of the cohort assigned to the officer (cases.handler_officer_ids, the officers the case is assigned to now); a case with two officers counts once for each of them, so the officers of a unit add up to more than its cases',
  closureRate:
    '结案率 = cases of the cohort closed before `to` (status closed, closed_at < to) / cases of the cohort',
  onTimeClosureRate:
    '按期结案率 = cases of the cohort closed before `to` whose efficiency review says on time (case_reviews.on_time: every stage met its deadline) / cases of the cohort',
  reworkRate:
    '返工率 = verified cases that failed verification at least once (rework_count > 0) / verified cases of the cohort (a verification stage visit in case_review_stages, or rework_count > 0)',
  overdueRate:
    '超期率 = cases of the cohort that breached any deadline (cases.ever_overdue or cases.overdue, case_reviews.breached_deadlines > 0, or open with current_due_at < now()) / cases of the cohort',
  extensionRate:
    '延期率 = cases of the cohort with at least one approved extension (an extension_decided event with approved true) / cases of the cohort',
  satisfactionRate:
    '满意率 = cases of the cohort whose latest satisfaction callback (回访, satisfaction_recorded) was satisfied or basically_satisfied / cases of the cohort with a callback',
  supervisionOrders: '督办 = supervision orders (supervision_ordered events) on the cases of the cohort',
  escalationsPer100:
    'escalations per 100 cases = 100 × escalations of the cohort (case_reviews.escalations of reviewed cases, the current escalation level of the others) / cases of the cohort',
  stageDurations:
    'per stage over the stage visits (case_review_stages) of the reviewed cases of the cohort: visits, mean and p90 (percentile_cont 0.9) of duration_seconds; a stage visited twice after rework counts twice',
} as const;

const instant = instantQuery;

export const GROUP_BY = ['township', 'county', 'department', 'officer'] as const;
export type GroupBy = (typeof GROUP_BY)[number];

export const statsQuerySchema = z
  .object({
    groupBy: z.enum(GROUP_BY).default('township'),
    from: instant.optional().describe('start of the period, inclusive (default: 30 days before `to`); a date is midnight Asia/Shanghai'),
    to: instant.optional().describe('end of the period, exclusive (default: now)'),
  })
  .strict();
export type StatsQuery = z.output<typeof statsQuerySchema>;

const rateSchema = z.object({
  numerator: z.number().int(),
  denominator: z.number().int(),
  rate: z.number().nullable().describe('numerator / denominator, null when the denominator is 0'),
});
export type Rate = z.infer<typeof rateSchema>;

const indicatorsShape = {
  cases: z.number().int(),
  closureRate: rateSchema,
  onTimeClosureRate: rateSchema,
  reworkRate: rateSchema,
  overdueRate: rateSchema,
  extensionRate: rateSchema,
  satisfactionRate: rateSchema,
  supervisionOrders: z.number().int(),
  escalationsPer100: z.object({ escalations: z.number().int(), cases: z.number().int(), value: z.number().nullable() }),
};

const unitStatsSchema = z.object({
  code: z.string(),
  name: z.string().nullable(),
  countyCode: z.string().nullable(),
  ...indicatorsShape,
  stageDurations: z.array(
    z.object({ stage: z.enum(STAGES), visits: z.number().int(), meanSeconds: z.number(), p90Seconds: z.number() }),
  ),
});
export type UnitStats = z.infer<typeof unitStatsSchema>;

export const efficiencyStatsSchema = z.object({
  groupBy: z.enum(GROUP_BY),
  from: z.string().describe('ISO 8601 with the +08:00 offset'),
  to: z.string().describe('ISO 8601 with the +08:00 offset'),
  definitions: z.record(z.string(), z.string()),
  items: z.array(unitStatsSchema),
});
export type EfficiencyStats = z.infer<typeof efficiencyStatsSchema>;

/** The units of a groupBy: their table, and how a case (row `alias`) names its unit. */
const UNITS: Record<GroupBy, { units: string; caseUnit: (alias: string, factColumns: boolean) => string }> = {
  township: {
    units: 'SELECT u.code, u.name, u.county_code FROM townships u',
    caseUnit: (a) => `${a}.township_code`,
  },
  county: {
    units: 'SELECT u.code, u.name, u.code AS county_code FROM counties u',
    caseUnit: (a) => `${a}.county_code`,
  },
  department: {
    units: 'SELECT u.code, u.name, u.county_code FROM departments u',
    caseUnit: (a, facts) => (facts ? `${a}.department_code` : `${a}.handler_department_code`),
  },
  officer: {
    units: `SELECT u.id AS code, u.name, COALESCE(t.county_code, d.county_code) AS county_code
              FROM officers u
              LEFT JOIN townships t ON t.code = u.township_code
              LEFT JOIN departments d ON d.code = u.department_code`,
    // one row per assigned officer (set-returning in the select list, see cohortFrom)
    caseUnit: (a, facts) => `unnest(${facts ? `${a}.officer_ids` : `${a}.handler_officer_ids`})`,
  },
};

interface AggRow {
  code: string;
  name: string | null;
  county_code: string | null;
  cases: number;
  closed: number;
  closed_on_time: number;
  verified: number;
  reworked: number;
  breached: number;
  escalations: number;
}
interface StageRow {
  code: string;
  stage: (typeof STAGES)[number];
  visits: number;
  mean_seconds: number;
  p90_seconds: number;
}

/**
 * Runs a statistics query with the memory to hash-aggregate a period (tens of thousands of daily rows and
 * stage-duration arrays) in one pass, and without JIT compilation (which costs more than it saves on
 * these queries, and at a million cases cost the old query 2.5 s). SET LOCAL: only for this transaction,
 * the pooled connection keeps the server's defaults.
 */
export async function statsQuery<R extends object>(pool: Pool, text: string, params: unknown[]): Promise<{ rows: R[] }> {
  const client = await pool.connect();
  try {
    await client.query(`BEGIN READ ONLY; SET LOCAL work_mem = '64MB'; SET LOCAL jit = off`);
    const result = await client.query<R>(text, params);
    await client.query('COMMIT');
    return result;
  } catch (err) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw err;
  } finally {
    client.release();
  }
}

const rate = (numerator: number, denominator: number): Rate => ({
  numerator,
  denominator,
  rate: denominator > 0 ? numerator / denominator : null,
});

interface Period {
  fromMs: number;
  toMs: number;
}

function period(query: { from?: string | undefined; to?: string | undefined }, defaultDays: number): Period {
  const toMs = query.to === undefined ? Date.now() : Date.parse(query.to);
  const fromMs = query.from === undefined ? toMs - defaultDays * 86_400_000 : Date.parse(query.from);
  if (!(fromMs < toMs)) throw badRequest('from must be before to', [{ path: 'from', message: 'must be before to' }]);
  return { fromMs, toMs };
}

/* ---------- the recount from `cases` (the definition; the reference for tests and the bench) ---------- */

function recountCohortSql(groupBy: GroupBy, fromP: string, toP: string, countyP: string | undefined): string {
  return `
      SELECT c.case_id, ${UNITS[groupBy].caseUnit('c', false)} AS unit,
             (c.status = 'closed' AND c.closed_at < ${toP}::timestamptz) AS closed,
             (c.status = 'closed' AND c.closed_at < ${toP}::timestamptz AND r.on_time IS TRUE) AS closed_on_time,
             (EXISTS (SELECT 1 FROM case_review_stages s WHERE s.case_id = c.case_id AND s.stage = 'verification')
               OR GREATEST(c.rework_count, COALESCE(r.rework_count, 0)) > 0) AS verified,
             GREATEST(c.rework_count, COALESCE(r.rework_count, 0)) > 0 AS reworked,
             (c.ever_overdue OR c.overdue OR COALESCE(r.breached_deadlines, 0) > 0
               OR (c.status = 'open' AND c.current_due_at < now())) AS breached,
             CASE WHEN r.case_id IS NOT NULL THEN r.escalations ELSE c.escalation_level END AS escalations
        FROM cases c
        LEFT JOIN case_reviews r ON r.case_id = c.case_id
       WHERE c.opened_at >= ${fromP}::timestamptz AND c.opened_at < ${toP}::timestamptz
         ${countyP ? `AND c.county_code = ${countyP}` : ''}`;
}

function recountCountsSql(groupBy: GroupBy, fromP: string, toP: string, countyP: string | undefined): string {
  return `
    SELECT unit,
           count(*)::int AS cases,
           count(*) FILTER (WHERE closed)::int AS closed,
           count(*) FILTER (WHERE closed_on_time)::int AS closed_on_time,
           count(*) FILTER (WHERE verified)::int AS verified,
           count(*) FILTER (WHERE verified AND reworked)::int AS reworked,
           count(*) FILTER (WHERE breached)::int AS breached,
           COALESCE(sum(escalations), 0)::int AS escalations
      FROM (${recountCohortSql(groupBy, fromP, toP, countyP)}) cohort
     WHERE unit IS NOT NULL
     GROUP BY unit`;
}

function recountStagesSql(groupBy: GroupBy, fromP: string, toP: string, countyP: string | undefined): string {
  return `
    SELECT unit AS code, stage, count(*)::int AS visits,
           sum(duration_seconds)::float8 / count(*) AS mean_seconds,
           percentile_cont(0.9) WITHIN GROUP (ORDER BY duration_seconds)::float8 AS p90_seconds
      FROM (SELECT ${UNITS[groupBy].caseUnit('c', false)} AS unit, s.stage, s.duration_seconds
              FROM cases c JOIN case_review_stages s ON s.case_id = c.case_id
             WHERE c.opened_at >= ${fromP}::timestamptz AND c.opened_at < ${toP}::timestamptz
               ${countyP ? `AND c.county_code = ${countyP}` : ''}) visits
     WHERE unit IS NOT NULL
     GROUP BY unit, stage`;
}

/* ---------- the daily rows and the facts (what the API serves) ---------- */

const DAY_MS = 86_400_000;
const SHANGHAI_MS = 8 * 3_600_000;
/** The local (Asia/Shanghai) midnight at or after / at or before an instant, and its date. */
const midnightAtOrAfter = (ms: number) => Math.ceil((ms + SHANGHAI_MS) / DAY_MS) * DAY_MS - SHANGHAI_MS;
const midnightAtOrBefore = (ms: number) => Math.floor((ms + SHANGHAI_MS) / DAY_MS) * DAY_MS - SHANGHAI_MS;
const localDate = (midnightMs: number) => new Date(midnightMs + SHANGHAI_MS).toISOString().slice(0, 10);

/**
 * How a period is read: its whole local days from the daily rows (stats_daily, stats_stage_daily) and the
 * partial days at its ends from the facts. `calendarMonth`: the whole days lie in one calendar month and the
 * period ends with it, so "closed before `to`" is the daily rows' closed_in_month (no correction needed).
 */
interface PeriodPlan {
  from: string;
  to: string;
  whole?: { fromMs: number; toMs: number; fromDay: string; toDay: string; calendarMonth: boolean };
}

function planPeriod(fromMs: number, toMs: number): PeriodPlan {
  const plan: PeriodPlan = { from: new Date(fromMs).toISOString(), to: new Date(toMs).toISOString() };
  const wholeFrom = midnightAtOrAfter(fromMs);
  const wholeTo = midnightAtOrBefore(toMs);
  if (wholeFrom < wholeTo) {
    const fromDay = localDate(wholeFrom);
    const lastDay = localDate(wholeTo - DAY_MS);
    const nextMonth = new Date(Date.UTC(Number(fromDay.slice(0, 4)), Number(fromDay.slice(5, 7)), 1)).getTime() - SHANGHAI_MS;
    plan.whole = {
      fromMs: wholeFrom,
      toMs: wholeTo,
      fromDay,
      toDay: localDate(wholeTo),
      calendarMonth: fromDay.slice(0, 7) === lastDay.slice(0, 7) && toMs === nextMonth,
    };
  }
  return plan;
}

/** The unit of a fact (`f`) or a stage visit (`v`) row for a groupBy (officer: one row per officer). */
const factUnit = (groupBy: GroupBy, alias: string) => UNITS[groupBy].caseUnit(alias, true);

/** Per unit: the counts of the cohort of `plan`, from the daily rows and the facts. Rows: unit + Counts. */
function dailyCountsSql(groupBy: GroupBy, plan: PeriodPlan, p: (v: unknown) => string, county: string | undefined): string {
  const fromP = p(plan.from);
  const toP = p(plan.to);
  const countyP = county === undefined ? undefined : p(county);
  const inCounty = (alias: string) => (countyP ? `AND ${alias}.county_code = ${countyP}` : '');
  const u = factUnit(groupBy, 'f');
  const parts: string[] = [];
  let edges = `f.opened_at >= ${fromP}::timestamptz AND f.opened_at < ${toP}::timestamptz`;
  if (plan.whole) {
    const w = plan.whole;
    const wFrom = p(new Date(w.fromMs).toISOString());
    const wTo = p(new Date(w.toMs).toISOString());
    const inWhole = `f.opened_at >= ${wFrom}::timestamptz AND f.opened_at < ${wTo}::timestamptz`;
    edges = `((f.opened_at >= ${fromP}::timestamptz AND f.opened_at < ${wFrom}::timestamptz)
              OR (f.opened_at >= ${wTo}::timestamptz AND f.opened_at < ${toP}::timestamptz))`;
    const closed = w.calendarMonth ? 'd.closed_in_month' : 'd.closed';
    const closedOnTime = w.calendarMonth ? 'd.closed_on_time_in_month' : 'd.closed_on_time';
    parts.push(`
      SELECT d.unit_code AS unit, d.cases, ${closed} AS closed, ${closedOnTime} AS closed_on_time,
             d.verified, d.reworked, d.breached, d.escalations
        FROM stats_daily d
       WHERE d.unit_kind = ${p(groupBy)} AND d.opened_day >= ${p(w.fromDay)}::date AND d.opened_day < ${p(w.toDay)}::date
         ${inCounty('d')}`);
    if (!w.calendarMonth) {
      // closures at or after `to` do not count (none when `to` is now)
      parts.push(`
      SELECT ${u}, 0, -1, -(f.on_time::int), 0, 0, 0, 0
        FROM stats_case_facts f
       WHERE f.closed_at >= ${toP}::timestamptz AND ${inWhole} ${inCounty('f')}`);
    }
    // open cases whose deadline has passed and that no timer has marked yet: breached at query time
    parts.push(`
      SELECT ${u}, 0, 0, 0, 0, 0, 1, 0
        FROM stats_case_facts f
       WHERE f.is_open AND f.watch_due_at < now() AND ${inWhole} ${inCounty('f')}`);
  }
  // the partial days at the ends (or the whole period when it has no whole day): the cases themselves
  parts.push(`
      SELECT ${u}, 1, (f.closed_at IS NOT NULL AND f.closed_at < ${toP}::timestamptz)::int,
             (f.closed_at IS NOT NULL AND f.closed_at < ${toP}::timestamptz AND f.on_time)::int,
             f.verified::int, f.reworked::int, (f.breached OR COALESCE(f.watch_due_at < now(), false))::int, f.escalations
        FROM stats_case_facts f
       WHERE ${edges} ${inCounty('f')}`);
  return `
    SELECT unit, sum(cases)::int AS cases, sum(closed)::int AS closed, sum(closed_on_time)::int AS closed_on_time,
           sum(verified)::int AS verified, sum(reworked)::int AS reworked, sum(breached)::int AS breached,
           sum(escalations)::int AS escalations
      FROM (${parts.join('\n      UNION ALL')}) parts (unit, cases, closed, closed_on_time, verified, reworked, breached, escalations)
     WHERE unit IS NOT NULL
     GROUP BY unit
    HAVING sum(cases) > 0`;
}

/** The longest run of whole days whose stage durations are concatenated in one level (see dailyStagesSql). */
const ONE_LEVEL_CONCAT_MAX_MS = 62 * DAY_MS;

/** Per unit and stage: visits, mean and p90 of the stage visits of the cohort of `plan`. */
function dailyStagesSql(groupBy: Exclude<GroupBy, 'officer'>, plan: PeriodPlan, p: (v: unknown) => string, county: string | undefined): string {
  const fromP = p(plan.from);
  const toP = p(plan.to);
  const countyP = county === undefined ? undefined : p(county);
  const inCounty = (alias: string) => (countyP ? `AND ${alias}.county_code = ${countyP}` : '');
  const parts: string[] = [];
  let edges = `v.opened_at >= ${fromP}::timestamptz AND v.opened_at < ${toP}::timestamptz`;
  if (plan.whole) {
    const w = plan.whole;
    const wFrom = p(new Date(w.fromMs).toISOString());
    const wTo = p(new Date(w.toMs).toISOString());
    edges = `((v.opened_at >= ${fromP}::timestamptz AND v.opened_at < ${wFrom}::timestamptz)
              OR (v.opened_at >= ${wTo}::timestamptz AND v.opened_at < ${toP}::timestamptz))`;
    parts.push(`
      SELECT s.unit_code, s.stage, date_trunc('month', s.opened_day)::date, s.visits, s.sum_seconds, s.durations
        FROM stats_stage_daily s
       WHERE s.unit_kind = ${p(groupBy)} AND s.opened_day >= ${p(w.fromDay)}::date AND s.opened_day < ${p(w.toDay)}::date
         ${inCounty('s')}`);
  }
  // the visits of the partial days, grouped before anything else
  parts.push(`
      SELECT ${factUnit(groupBy, 'v')}, v.stage, NULL::date, count(*), sum(v.duration_seconds), array_agg(v.duration_seconds)
        FROM stats_stage_visits v
       WHERE ${edges} ${inCounty('v')}
       GROUP BY 1, 2`);
  // Durations are concatenated per unit and stage (hash aggregation, no sort of the whole period) and each
  // group's array is sorted on its own for the percentile: the same percentile_cont over the same values.
  // Concatenation copies (array_cat), so over a long period days are joined per month first and months per
  // period: linear enough for a period of years, not quadratic in its days. Up to two months of days are
  // joined in one level (the second level costs a third of the query at a million cases, 30 days).
  const union = `(${parts.join('\n      UNION ALL')}) parts (unit, stage, month, visits, sum_seconds, durations)`;
  const perUnitStage =
    plan.whole && plan.whole.toMs - plan.whole.fromMs > ONE_LEVEL_CONCAT_MAX_MS
      ? `(SELECT unit, stage, sum(visits) AS visits, sum(sum_seconds) AS sum_seconds, stats_concat(durations) AS durations
                      FROM ${union}
                     WHERE unit IS NOT NULL
                     GROUP BY unit, stage, month) per_month`
      : `${union}
             WHERE unit IS NOT NULL`;
  // The p90 is percentile_cont(0.9)'s own arithmetic on each group's sorted array: rank 0.9·(n − 1), the values
  // at its floor and ceiling, lo + (rank − floor)·(hi − lo), all in float8 as PostgreSQL computes it (the
  // recount's percentile_cont gives the same double). The sort is intarray's (a C sort of int4, a contrib
  // module: db/migrations/1734800000000_…): a percentile_cont subquery per group cost ~35 µs each (the
  // city-wide township query at a million cases: 76 → 55 ms). A stage's duration is far below int4's 68
  // years; the cast would fail loudly, not wrap. OFFSET 0 keeps the sort to once per group.
  return `
    SELECT code, stage, visits, mean_seconds,
           sorted[lo + 1]::float8 + ((rank - lo) * (sorted[hi + 1]::float8 - sorted[lo + 1]::float8)) AS p90_seconds
      FROM (SELECT unit AS code, stage, visits, sum_seconds::float8 / visits AS mean_seconds,
                   sort_asc(durations::int4[]) AS sorted, 0.9::float8 * (visits - 1) AS rank,
                   floor(0.9::float8 * (visits - 1))::int AS lo, ceil(0.9::float8 * (visits - 1))::int AS hi
              FROM (SELECT unit, stage, sum(visits)::int AS visits, sum(sum_seconds) AS sum_seconds, stats_concat(durations) AS durations
                      FROM ${perUnitStage}
                     GROUP BY unit, stage
                    HAVING sum(visits) > 0) g
            OFFSET 0) p`;
}

/**
 * Per officer and stage: visits, mean and p90 of the stage visits of the cohort of [from, to), from one row
 * per case (stats_case_stages, db/migrations/1734800000000_…), grouped here. An officer has no daily stage
 * rows (as many as the visits: no saving), and grouping 141,755 visits by officer set and stage in SQL cost
 * more than the whole 200 ms budget at a million cases; the cases' rows are 27,000, grouped in SQL by officer
 * set (a few hundred), and the API spreads each set's visits over its officers (a case with two officers
 * counts for both, as in the recount's unnest). The figures are the recount's to the last bit: every
 * duration is a whole number of seconds, so the sums are exact in doubles, the mean is one division as in
 * SQL's float8, and the p90 is percentile_cont's arithmetic (percentileCont90).
 */
async function officerStageRows(pool: Pool, plan: PeriodPlan, county: string | undefined): Promise<StageRow[]> {
  const q = paramList();
  const { rows } = await statsQuery<{ officer_ids: (string | null)[]; visits: string }>(
    pool,
    `SELECT s.officer_ids, string_agg(s.visits, ',') AS visits
       FROM stats_case_stages s
      WHERE s.opened_at >= ${q.p(plan.from)}::timestamptz AND s.opened_at < ${q.p(plan.to)}::timestamptz
        AND cardinality(s.officer_ids) > 0 ${county === undefined ? '' : `AND s.county_code = ${q.p(county)}`}
      GROUP BY s.officer_ids`,
    q.params,
  );
  const durations = new Map<string, Map<StageRow['stage'], number[]>>();
  for (const row of rows) {
    // the set's visits: stage, seconds, stage, seconds, … (the column's JSON values; one parse per set)
    const visits = JSON.parse(`[${row.visits}]`) as (StageRow['stage'] | number)[];
    for (const officer of row.officer_ids) {
      if (officer === null) continue;
      let byStage = durations.get(officer);
      if (!byStage) durations.set(officer, (byStage = new Map()));
      for (let i = 0; i < visits.length; i += 2) {
        const stage = visits[i] as StageRow['stage'];
        const seconds = visits[i + 1] as number;
        const list = byStage.get(stage);
        if (list) list.push(seconds);
        else byStage.set(stage, [seconds]);
      }
    }
  }
  const result: StageRow[] = [];
  for (const [code, byStage] of durations) {
    for (const [stage, list] of byStage) {
      // whole seconds: an Int32Array sorts in half the time of a Float64Array; a duration past int4 (68
      // years) fails as the SQL path's int4 cast does, rather than wrap
      let sum = 0;
      for (const seconds of list) {
        if ((seconds | 0) !== seconds) throw new Error(`stage duration ${seconds} s is not an int4 (officer ${code}, ${stage})`);
        sum += seconds;
      }
      const sorted = Int32Array.from(list).sort();
      result.push({ code, stage, visits: sorted.length, mean_seconds: sum / sorted.length, p90_seconds: percentileCont90(sorted) });
    }
  }
  return result;
}

/**
 * PostgreSQL's percentile_cont(0.9) over sorted values, operation for operation (orderedsetaggs.c: rows
 * floor and ceil of 0.9·(n − 1), then lo + proportion·(hi − lo) in doubles), so the API's p90 equals the
 * recount's bit for bit.
 */
function percentileCont90(sorted: Int32Array): number {
  const rank = 0.9 * (sorted.length - 1);
  const first = Math.floor(rank);
  const lo = sorted[first]!;
  const second = Math.ceil(rank);
  return second > first ? lo + (rank - first) * (sorted[second]! - lo) : lo;
}

/** Per unit and stage: the recount's (from `cases`), or the served figures (daily rows; per officer, the cases' rows). */
async function stageRowsFrom(source: 'facts' | 'cases', pool: Pool, groupBy: GroupBy, plan: PeriodPlan, county: string | undefined): Promise<StageRow[]> {
  const q = paramList();
  let sql: string;
  if (source === 'cases') sql = recountStagesSql(groupBy, q.p(plan.from), q.p(plan.to), county === undefined ? undefined : q.p(county));
  else if (groupBy === 'officer') return officerStageRows(pool, plan, county);
  else sql = dailyStagesSql(groupBy, plan, q.p, county);
  return (await statsQuery<StageRow>(pool, sql, q.params)).rows;
}

async function efficiencyFrom(
  source: 'facts' | 'cases',
  pool: Pool,
  claims: Claims,
  query: StatsQuery,
): Promise<EfficiencyStats> {
  const scope = statsScope(claims);
  const { fromMs, toMs } = period(query, 30);
  const plan = planPeriod(fromMs, toMs);

  const countsQ = paramList();
  let countsSql: string;
  if (source === 'facts') {
    countsSql = dailyCountsSql(query.groupBy, plan, countsQ.p, scope.countyCode);
  } else {
    countsSql = recountCountsSql(query.groupBy, countsQ.p(plan.from), countsQ.p(plan.to), scope.countyCode === undefined ? undefined : countsQ.p(scope.countyCode));
  }
  const unitCountyP = scope.countyCode === undefined ? undefined : countsQ.p(scope.countyCode);
  // Per unit, joined to every unit of the caller's jurisdiction so units without cases show up with zeros.
  const aggSql = `
    WITH agg AS (${countsSql}),
    units AS (
      SELECT * FROM (${UNITS[query.groupBy].units}) u
      ${unitCountyP ? `WHERE u.county_code = ${unitCountyP}` : ''}
    )
    SELECT COALESCE(u.code, a.unit) AS code, u.name, u.county_code,
           COALESCE(a.cases, 0) AS cases, COALESCE(a.closed, 0) AS closed,
           COALESCE(a.closed_on_time, 0) AS closed_on_time, COALESCE(a.verified, 0) AS verified,
           COALESCE(a.reworked, 0) AS reworked, COALESCE(a.breached, 0) AS breached,
           COALESCE(a.escalations, 0) AS escalations
      FROM units u FULL JOIN agg a ON a.unit = u.code
     ORDER BY 1`;

  const stageRows = stageRowsFrom(source, pool, query.groupBy, plan, scope.countyCode);

  const workOrdersQ = paramList();
  const workOrderSql = workOrderCountsSql(query.groupBy, workOrdersQ.p(plan.from), workOrdersQ.p(plan.to), scope.countyCode === undefined ? undefined : workOrdersQ.p(scope.countyCode));

  const [agg, stages, workOrders] = await Promise.all([
    statsQuery<AggRow>(pool, aggSql, countsQ.params),
    stageRows,
    statsQuery<WorkOrderRow>(pool, workOrderSql, workOrdersQ.params),
  ]);
  const workOrdersByUnit = new Map(workOrders.rows.map((w) => [w.unit, w]));

  const stageOrder = (s: string) => (STAGES as readonly string[]).indexOf(s);
  const byUnit = new Map<string, UnitStats['stageDurations']>();
  for (const s of stages) {
    const list = byUnit.get(s.code) ?? [];
    list.push({ stage: s.stage, visits: s.visits, meanSeconds: Number(s.mean_seconds), p90Seconds: Number(s.p90_seconds) });
    byUnit.set(s.code, list);
  }

  const items: UnitStats[] = agg.rows.map((r) => ({
    code: r.code,
    name: r.name,
    countyCode: r.county_code,
    ...indicators(r, workOrdersByUnit.get(r.code)),
    stageDurations: (byUnit.get(r.code) ?? []).sort((a, b) => stageOrder(a.stage) - stageOrder(b.stage)),
  }));

  return {
    groupBy: query.groupBy,
    from: toShanghaiIso(fromMs),
    to: toShanghaiIso(toMs),
    definitions: { ...INDICATOR_DEFINITIONS },
    items,
  };
}

type Counts = Pick<AggRow, 'cases' | 'closed' | 'closed_on_time' | 'verified' | 'reworked' | 'breached' | 'escalations'>;

interface WorkOrderRow {
  unit: string;
  extended: number;
  rated: number;
  satisfied: number;
  supervision_orders: number;
}

/**
 * 延期率, 满意率 and 督办 of the cohort per unit, from the timeline events that record them (rare; a partial
 * index finds them, db/migrations/1733400000000_…): the same query for the facts and the recount.
 */
function workOrderCountsSql(groupBy: GroupBy, fromP: string, toP: string, countyP: string | undefined): string {
  return `
    WITH events AS (
      SELECT e.case_id, e.seq, e.type, e.data
        FROM case_events e
       WHERE e.type IN ('extension_decided', 'satisfaction_recorded', 'supervision_ordered')
    ),
    per_case AS (
      SELECT ev.case_id,
             bool_or(ev.type = 'extension_decided' AND (ev.data->>'approved')::boolean) AS extended,
             count(*) FILTER (WHERE ev.type = 'supervision_ordered')::int AS supervision_orders,
             (array_agg(ev.data->>'rating' ORDER BY ev.seq DESC) FILTER (WHERE ev.type = 'satisfaction_recorded'))[1] AS rating
        FROM events ev
       GROUP BY ev.case_id
    )
    SELECT ${UNITS[groupBy].caseUnit('c', false)} AS unit,
           count(*) FILTER (WHERE p.extended)::int AS extended,
           count(*) FILTER (WHERE p.rating IS NOT NULL)::int AS rated,
           count(*) FILTER (WHERE p.rating IN ('satisfied', 'basically_satisfied'))::int AS satisfied,
           COALESCE(sum(p.supervision_orders), 0)::int AS supervision_orders
      FROM per_case p
      JOIN cases c ON c.case_id = p.case_id
     WHERE c.opened_at >= ${fromP} AND c.opened_at < ${toP}${countyP ? ` AND c.county_code = ${countyP}` : ''}
     GROUP BY 1`;
}

function indicators(r: Counts, w?: WorkOrderRow) {
  return {
    cases: r.cases,
    closureRate: rate(r.closed, r.cases),
    onTimeClosureRate: rate(r.closed_on_time, r.cases),
    reworkRate: rate(r.reworked, r.verified),
    overdueRate: rate(r.breached, r.cases),
    extensionRate: rate(w?.extended ?? 0, r.cases),
    satisfactionRate: rate(w?.satisfied ?? 0, w?.rated ?? 0),
    supervisionOrders: w?.supervision_orders ?? 0,
    escalationsPer100: { escalations: r.escalations, cases: r.cases, value: r.cases > 0 ? (100 * r.escalations) / r.cases : null },
  };
}

/** GET /v1/stats/efficiency, from the trigger-maintained facts. */
export function efficiencyStats(pool: Pool, claims: Claims, query: StatsQuery): Promise<EfficiencyStats> {
  return efficiencyFrom('facts', pool, claims, query);
}

/**
 * The same answer recounted from `cases`, `case_reviews` and `case_review_stages` (a sequential scan of the
 * case library): the reference the facts are checked against (tests, bench:stats), not served over HTTP.
 */
export function recountEfficiencyStats(pool: Pool, claims: Claims, query: StatsQuery): Promise<EfficiencyStats> {
  return efficiencyFrom('cases', pool, claims, query);
}

/* ---------- GET /v1/stats/overview: the supervision board ---------- */

export const overviewQuerySchema = z.object({}).describe('no parameters; unknown ones are ignored');

export const overviewSchema = z.object({
  asOf: z.string().describe('the instant the figures were read, +08:00'),
  countyCode: z.string().nullable().describe('the jurisdiction: your county, null for all'),
  open: z.object({
    cases: z.number().int(),
    byStage: z.array(z.object({ stage: z.enum(STAGES), cases: z.number().int() })).describe('every stage, loop order'),
  }),
  overdue: z.object({
    cases: z.number().int().describe('open cases whose current deadline has passed (now), as in GET /v1/cases?overdue=true'),
    byEscalationLevel: z
      .array(z.object({ level: z.number().int(), cases: z.number().int() }))
      .describe('0: not escalated yet; 1: to the township leader; 2: to the county supervisor'),
  }),
  thisMonth: z.object({
    from: z.string().describe('the first day of the current month, 00:00 +08:00'),
    opened: z.number().int(),
    closed: z.number().int().describe('cases closed this month, whenever opened'),
    closedOnTime: z.number().int().describe('of those, the ones whose efficiency review says on time'),
  }),
});
export type Overview = z.infer<typeof overviewSchema>;

/** First instant of the month of `ms` in Asia/Shanghai (and of the month `addMonths` later). */
function shanghaiMonthStart(ms: number, addMonths = 0): number {
  const local = new Date(ms + 8 * 3600_000);
  return Date.UTC(local.getUTCFullYear(), local.getUTCMonth() + addMonths, 1) - 8 * 3600_000;
}

export async function statsOverview(pool: Pool, claims: Claims): Promise<Overview> {
  const scope = statsScope(claims);
  const nowMs = Date.now();
  const monthStart = shanghaiMonthStart(nowMs);
  const county = scope.countyCode;
  const inCounty = (p: (v: unknown) => string) => (county === undefined ? '' : `AND f.county_code = ${p(county)}`);
  const openQ = paramList();
  const openSql = `
    SELECT f.open_stage AS stage, f.open_escalation_level AS level, count(*)::int AS cases,
           count(*) FILTER (WHERE f.open_due_at < ${openQ.p(new Date(nowMs).toISOString())}::timestamptz)::int AS overdue
      FROM stats_case_facts f
     WHERE f.is_open ${inCounty(openQ.p)}
     GROUP BY 1, 2`;
  const monthQ = paramList();
  const month = monthQ.p(new Date(monthStart).toISOString());
  const monthSql = `
    SELECT (SELECT count(*) FROM stats_case_facts f WHERE f.opened_at >= ${month}::timestamptz ${inCounty(monthQ.p)})::int AS opened,
           count(*)::int AS closed, count(*) FILTER (WHERE f.on_time)::int AS closed_on_time
      FROM stats_case_facts f
     WHERE f.closed_at >= ${month}::timestamptz ${inCounty(monthQ.p)}`;
  const [open, month_] = await Promise.all([
    pool.query<{ stage: string; level: number; cases: number; overdue: number }>(openSql, openQ.params),
    pool.query<{ opened: number; closed: number; closed_on_time: number }>(monthSql, monthQ.params),
  ]);
  const byStage = new Map<string, number>();
  const byLevel = new Map<number, number>();
  let openCases = 0;
  let overdue = 0;
  for (const r of open.rows) {
    openCases += r.cases;
    overdue += r.overdue;
    byStage.set(r.stage, (byStage.get(r.stage) ?? 0) + r.cases);
    if (r.overdue > 0) byLevel.set(r.level, (byLevel.get(r.level) ?? 0) + r.overdue);
  }
  const levels = [...new Set([0, 1, 2, ...byLevel.keys()])].sort((a, b) => a - b);
  const m = month_.rows[0]!;
  return {
    asOf: toShanghaiIso(nowMs),
    countyCode: scope.countyCode ?? null,
    open: { cases: openCases, byStage: STAGES.map((stage) => ({ stage, cases: byStage.get(stage) ?? 0 })) },
    overdue: { cases: overdue, byEscalationLevel: levels.map((level) => ({ level, cases: byLevel.get(level) ?? 0 })) },
    thisMonth: { from: toShanghaiIso(monthStart), opened: m.opened, closed: m.closed, closedOnTime: m.closed_on_time },
  };
}

/* ---------- GET /v1/stats/trend: the indicators month by month ---------- */

export const trendQuerySchema = z
  .object({
    interval: z.enum(['month']).default('month').describe('calendar months in Asia/Shanghai'),
    from: instant.optional().describe('start, inclusive (default: the first day of the month 11 months before `to`)'),
    to: instant.optional().describe('end, exclusive (default: now)'),
  })
  .strict();
export type TrendQuery = z.output<typeof trendQuerySchema>;

export const trendSchema = z.object({
  interval: z.enum(['month']),
  from: z.string(),
  to: z.string(),
  countyCode: z.string().nullable().describe('the jurisdiction: your county, null for all'),
  definitions: z.record(z.string(), z.string()),
  items: z.array(
    z.object({
      from: z.string().describe('start of the bucket (a month, clipped to the requested from), +08:00'),
      to: z.string().describe('end of the bucket, exclusive (the next month, clipped to the requested to)'),
      ...indicatorsShape,
    }),
  ),
});
export type Trend = z.infer<typeof trendSchema>;

const MAX_TREND_BUCKETS = 120;

/**
 * Each month of [from, to) is a period of its own with the definitions of GET /v1/stats/efficiency (cohort
 * opened in the month, closures before the month's end): a month's figures equal /efficiency for that month,
 * summed over the caller's jurisdiction.
 */
export async function statsTrend(pool: Pool, claims: Claims, query: TrendQuery): Promise<Trend> {
  const scope = statsScope(claims);
  const toMs = query.to === undefined ? Date.now() : Date.parse(query.to);
  const fromMs = query.from === undefined ? shanghaiMonthStart(toMs, -11) : Date.parse(query.from);
  if (!(fromMs < toMs)) throw badRequest('from must be before to', [{ path: 'from', message: 'must be before to' }]);
  const buckets: { fromMs: number; toMs: number }[] = [];
  for (let start = fromMs; start < toMs; start = shanghaiMonthStart(start, 1)) {
    buckets.push({ fromMs: start, toMs: Math.min(shanghaiMonthStart(start, 1), toMs) });
    if (buckets.length > MAX_TREND_BUCKETS) {
      throw badRequest(`at most ${MAX_TREND_BUCKETS} months`, [{ path: 'from', message: `at most ${MAX_TREND_BUCKETS} months before to` }]);
    }
  }
  // Each month is read like a period of /efficiency grouped by county (whole days from stats_daily, a whole
  // calendar month with its closed_in_month), summed over the counties of the jurisdiction.
  const perBucket = await Promise.all(
    buckets.map(async (b) => {
      const q = paramList();
      const { rows } = await statsQuery<Counts>(
        pool,
        `SELECT COALESCE(sum(cases), 0)::int AS cases, COALESCE(sum(closed), 0)::int AS closed,
                COALESCE(sum(closed_on_time), 0)::int AS closed_on_time, COALESCE(sum(verified), 0)::int AS verified,
                COALESCE(sum(reworked), 0)::int AS reworked, COALESCE(sum(breached), 0)::int AS breached,
                COALESCE(sum(escalations), 0)::int AS escalations
           FROM (${dailyCountsSql('county', planPeriod(b.fromMs, b.toMs), q.p, scope.countyCode)}) per_county`,
        q.params,
      );
      return rows[0]!;
    }),
  );
  const zero: Counts = { cases: 0, closed: 0, closed_on_time: 0, verified: 0, reworked: 0, breached: 0, escalations: 0 };
  return {
    interval: query.interval,
    from: toShanghaiIso(fromMs),
    to: toShanghaiIso(toMs),
    countyCode: scope.countyCode ?? null,
    definitions: { ...INDICATOR_DEFINITIONS },
    items: buckets.map((b, i) => ({
      from: toShanghaiIso(b.fromMs),
      to: toShanghaiIso(b.toMs),
      ...indicators(perBucket[i]!),
    })),
  };
}

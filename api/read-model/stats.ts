import { z } from 'zod';
import type { Pool } from 'pg';
import type { Claims } from '../claims';
import { badRequest } from '../errors';
import { STAGES } from '../../domain/stages';
import { statsScope } from './jurisdiction';
import { instantQuery, paramList } from './sql';

/**
 * GET /v1/stats/efficiency: the indicators of domain.md (效能监督 / 综合评价) per township, county or
 * county department, computed in SQL over the read model.
 *
 * THE COHORT. A case belongs to the period [from, to) when it was OPENED in it (`cases.opened_at`). These are
 * "the cases due to close in the period" (应结案数): every case that arrived in the period is owed a closure,
 * whatever happened to it. We picked the opening cohort over "cases whose earliest deadline fell in the
 * period" because every case has an opening time (not every case has a deadline yet), it never counts a case
 * twice across periods, and it is what a reporter or upstream ticket is counted by. Unit of a case:
 * township → `cases.township_code`, county → `cases.county_code`, department → `cases.handler_department_code`
 * (cases never handled by a county department are not in any department's figures).
 *
 * Closures count only if they happened before `to`, so the closure figures of a finished period do not change
 * later. The other indicators describe the cohort as known at query time (reviews, rework, breaches).
 *
 * Every rate comes with its numerator and denominator; a rate with denominator 0 is null.
 */
export const INDICATOR_DEFINITIONS = {
  cohort: 'cases opened in [from, to) in the unit (cases.opened_at); the denominator "cases" of the rates below',
  closureRate:
    '结案率 = cases of the cohort closed before `to` (status closed, closed_at < to) / cases of the cohort',
  onTimeClosureRate:
    '按期结案率 = cases of the cohort closed before `to` whose efficiency review says on time (case_reviews.on_time: every stage met its deadline) / cases of the cohort',
  reworkRate:
    '返工率 = verified cases that failed verification at least once (rework_count > 0) / verified cases of the cohort (a verification stage visit in case_review_stages, or rework_count > 0)',
  overdueRate:
    '超期率 = cases of the cohort that breached any deadline (cases.ever_overdue or cases.overdue, case_reviews.breached_deadlines > 0, or open with current_due_at < now()) / cases of the cohort',
  extensionRate:
    '延期率 = cases with an approved extension / cases of the cohort; always 0 for now: the service has no extension (延期) approval yet',
  escalationsPer100:
    'escalations per 100 cases = 100 × escalations of the cohort (case_reviews.escalations of reviewed cases, the current escalation level of the others) / cases of the cohort',
  stageDurations:
    'per stage over the stage visits (case_review_stages) of the reviewed cases of the cohort: visits, mean and p90 (percentile_cont 0.9) of duration_seconds; a stage visited twice after rework counts twice',
} as const;

const instant = instantQuery;

export const statsQuerySchema = z
  .object({
    groupBy: z.enum(['township', 'county', 'department']).default('township'),
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

const unitStatsSchema = z.object({
  code: z.string(),
  name: z.string().nullable(),
  countyCode: z.string().nullable(),
  cases: z.number().int(),
  closureRate: rateSchema,
  onTimeClosureRate: rateSchema,
  reworkRate: rateSchema,
  overdueRate: rateSchema,
  extensionRate: rateSchema,
  escalationsPer100: z.object({ escalations: z.number().int(), cases: z.number().int(), value: z.number().nullable() }),
  stageDurations: z.array(
    z.object({ stage: z.enum(STAGES), visits: z.number().int(), meanSeconds: z.number(), p90Seconds: z.number() }),
  ),
});
export type UnitStats = z.infer<typeof unitStatsSchema>;

export const efficiencyStatsSchema = z.object({
  groupBy: z.enum(['township', 'county', 'department']),
  from: z.string(),
  to: z.string(),
  definitions: z.record(z.string(), z.string()),
  items: z.array(unitStatsSchema),
});
export type EfficiencyStats = z.infer<typeof efficiencyStatsSchema>;

const UNIT = {
  township: { column: 'c.township_code', table: 'townships' },
  county: { column: 'c.county_code', table: 'counties' },
  department: { column: 'c.handler_department_code', table: 'departments' },
} as const;

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

const rate = (numerator: number, denominator: number): Rate => ({
  numerator,
  denominator,
  rate: denominator > 0 ? numerator / denominator : null,
});

export async function efficiencyStats(pool: Pool, claims: Claims, query: StatsQuery): Promise<EfficiencyStats> {
  const scope = statsScope(claims);
  const toMs = query.to === undefined ? Date.now() : Date.parse(query.to);
  const fromMs = query.from === undefined ? toMs - 30 * 86_400_000 : Date.parse(query.from);
  if (!(fromMs < toMs)) throw badRequest('from must be before to', [{ path: 'from', message: 'must be before to' }]);
  const from = new Date(fromMs).toISOString();
  const to = new Date(toMs).toISOString();
  const unit = UNIT[query.groupBy];

  const { params, p } = paramList();
  const fromP = p(from);
  const toP = p(to);
  const countyP = scope.countyCode === undefined ? undefined : p(scope.countyCode);
  const unitCounty = query.groupBy === 'county' ? 'u.code' : 'u.county_code';

  // One row per case of the cohort with its flags; aggregated per unit, and joined to every unit of the
  // caller's jurisdiction so units without cases show up with zeros.
  const cohort = `
    cohort AS (
      SELECT c.case_id, ${unit.column} AS unit,
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
         AND ${unit.column} IS NOT NULL
         ${countyP ? `AND c.county_code = ${countyP}` : ''}
    )`;

  const aggSql = `
    WITH ${cohort},
    agg AS (
      SELECT unit,
             count(*)::int AS cases,
             count(*) FILTER (WHERE closed)::int AS closed,
             count(*) FILTER (WHERE closed_on_time)::int AS closed_on_time,
             count(*) FILTER (WHERE verified)::int AS verified,
             count(*) FILTER (WHERE verified AND reworked)::int AS reworked,
             count(*) FILTER (WHERE breached)::int AS breached,
             COALESCE(sum(escalations), 0)::int AS escalations
        FROM cohort GROUP BY unit
    ),
    units AS (
      SELECT u.code, u.name, ${unitCounty} AS county_code FROM ${unit.table} u
      ${countyP ? `WHERE ${unitCounty} = ${countyP}` : ''}
    )
    SELECT COALESCE(u.code, a.unit) AS code, u.name, u.county_code,
           COALESCE(a.cases, 0) AS cases, COALESCE(a.closed, 0) AS closed,
           COALESCE(a.closed_on_time, 0) AS closed_on_time, COALESCE(a.verified, 0) AS verified,
           COALESCE(a.reworked, 0) AS reworked, COALESCE(a.breached, 0) AS breached,
           COALESCE(a.escalations, 0) AS escalations
      FROM units u FULL JOIN agg a ON a.unit = u.code
     ORDER BY 1`;

  const stageSql = `
    WITH ${cohort}
    SELECT k.unit AS code, s.stage, count(*)::int AS visits,
           avg(s.duration_seconds)::float8 AS mean_seconds,
           percentile_cont(0.9) WITHIN GROUP (ORDER BY s.duration_seconds)::float8 AS p90_seconds
      FROM cohort k JOIN case_review_stages s ON s.case_id = k.case_id
     GROUP BY k.unit, s.stage`;

  const [agg, stages] = await Promise.all([
    pool.query<AggRow>(aggSql, params),
    pool.query<StageRow>(stageSql, params),
  ]);

  const stageOrder = (s: string) => (STAGES as readonly string[]).indexOf(s);
  const byUnit = new Map<string, UnitStats['stageDurations']>();
  for (const s of stages.rows) {
    const list = byUnit.get(s.code) ?? [];
    list.push({ stage: s.stage, visits: s.visits, meanSeconds: Number(s.mean_seconds), p90Seconds: Number(s.p90_seconds) });
    byUnit.set(s.code, list);
  }

  const items: UnitStats[] = agg.rows.map((r) => ({
    code: r.code,
    name: r.name,
    countyCode: r.county_code,
    cases: r.cases,
    closureRate: rate(r.closed, r.cases),
    onTimeClosureRate: rate(r.closed_on_time, r.cases),
    reworkRate: rate(r.reworked, r.verified),
    overdueRate: rate(r.breached, r.cases),
    extensionRate: rate(0, r.cases),
    escalationsPer100: { escalations: r.escalations, cases: r.cases, value: r.cases > 0 ? (100 * r.escalations) / r.cases : null },
    stageDurations: (byUnit.get(r.code) ?? []).sort((a, b) => stageOrder(a.stage) - stageOrder(b.stage)),
  }));

  return { groupBy: query.groupBy, from, to, definitions: { ...INDICATOR_DEFINITIONS }, items };
}

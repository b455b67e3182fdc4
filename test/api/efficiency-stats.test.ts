import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import type { Claims } from '../../api/claims';
import type { EfficiencyStats, UnitStats } from '../../api/read-model/stats';
import type { CaseView } from '../../domain/case';
import type { Stage } from '../../domain/stages';
import { bearer, buildTestApp } from '../helpers/api';
import { useTestPool } from '../helpers/db';
import { ensureJurisdiction, project, projectReviewed, runningDeadline, snapshot, stageVisits } from '../helpers/read-model';

/**
 * GET /v1/stats/efficiency against hand-computed figures. Period: January 2025 in Asia/Shanghai,
 * [2025-01-01T00:00+08:00, 2025-02-01T00:00+08:00); the cohort is the cases OPENED in it.
 *
 * County EFS1, townships A and B, department EFS1.cgj (handles B1 and B2):
 *
 * | case | township | opened | closed            | review: onTime rework esc breached | verification visits | notes                     |
 * | A1   | A        | 01-05  | 01-08             | yes 0 0 0                          | 1                   |                           |
 * | A2   | A        | 01-10  | 01-20             | no  1 1 1                          | 2                   | reworked once             |
 * | A3   | A        | 01-15  | 02-03 (after to)  | no  0 2 1                          | 1                   | not closed in the period  |
 * | A4   | A        | 01-20  | open              | —                                  | —                   | due 2025-01-22: overdue now (snapshot says not) |
 * | A5   | A        | 01-25  | 01-26 (unfounded) | yes 0 0 0                          | 0                   | never verified            |
 * | A6   | A        | 2024-12-20 | 01-03         | yes 0 0 0                          | 1                   | opened before the period: not in the cohort |
 * | B1   | B (dept) | 01-03  | 01-13             | yes 0 0 0                          | 1                   |                           |
 * | B2   | B (dept) | 01-07  | 01-30             | no  2 3 2                          | 3                   | reworked twice            |
 * | B3   | B        | 01-28  | open              | —                                  | —                   | missed an earlier deadline (ever_overdue); current one due 2099 |
 */
const pool = useTestPool();
let app: FastifyInstance;

const COUNTY = 'EFS1';
const TA = 'EFS1-A';
const TB = 'EFS1-B';
const DEPT = 'EFS1.cgj';
const OTHER_COUNTY = 'EFS2';
const FROM = '2025-01-01T00:00:00+08:00';
const TO = '2025-02-01T00:00:00+08:00';

const supervisor: Claims = { sub: 'efs-sup', role: 'supervisor', countyCode: COUNTY };
const otherSupervisor: Claims = { sub: 'efs-sup2', role: 'supervisor', countyCode: OTHER_COUNTY };
const admin: Claims = { sub: 'efs-admin', role: 'admin' };

const day = (d: string, hh = '09') => `${d}T${hh}:00:00.000+08:00`;
const id = (s: string) => `EFS-${s}`;

function closedCase(name: string, township: string, opened: string, closed: string, extra: Partial<CaseView> = {}): CaseView {
  return snapshot(id(name), COUNTY, township, {
    status: 'closed',
    stage: 'review',
    resolution: 'resolved',
    openedAt: opened,
    updatedAt: closed,
    closedAt: closed,
    ...extra,
  });
}

async function stats(claims: Claims, query: string): Promise<{ status: number; body: EfficiencyStats }> {
  const res = await app.inject({ method: 'GET', url: `/v1/stats/efficiency?${query}`, headers: bearer(claims) });
  return { status: res.statusCode, body: res.json() };
}
const period = `from=${encodeURIComponent(FROM)}&to=${encodeURIComponent(TO)}`;
const unit = (body: EfficiencyStats, code: string): UnitStats => {
  const u = body.items.find((i) => i.code === code);
  if (!u) throw new Error(`no unit ${code} in ${body.items.map((i) => i.code).join(', ')}`);
  return u;
};
const stage = (u: UnitStats, s: Stage) => u.stageDurations.find((d) => d.stage === s);

beforeAll(async () => {
  await ensureJurisdiction(pool, { county: COUNTY, townships: [TA, TB], departments: [{ code: DEPT, domain: 'urban_management' }] });
  await ensureJurisdiction(pool, { county: OTHER_COUNTY, townships: ['EFS2-A'], departments: [] });
  const dept = { handler: { level: 'county' as const, departmentCode: DEPT } };

  // Stage durations in seconds. Handling visits of A: 86400 (A1), 172800 + 43200 (A2), 36000 (A3).
  await projectReviewed(pool, closedCase('A1', TA, day('2025-01-05'), day('2025-01-08')), {
    onTime: true, reworkCount: 0, escalations: 0, breachedDeadlines: 0,
    stages: stageVisits(day('2025-01-05'), [['patrol', 3600], ['discovery', 7200], ['handling', 86400], ['verification', 3600]]),
  });
  await projectReviewed(pool, closedCase('A2', TA, day('2025-01-10'), day('2025-01-20'), { reworkCount: 1 }), {
    onTime: false, reworkCount: 1, escalations: 1, breachedDeadlines: 1,
    stages: stageVisits(day('2025-01-10'), [['handling', 172800], ['verification', 3600], ['handling', 43200], ['verification', 1800]]),
  });
  await projectReviewed(pool, closedCase('A3', TA, day('2025-01-15'), day('2025-02-03')), {
    onTime: false, reworkCount: 0, escalations: 2, breachedDeadlines: 1,
    stages: stageVisits(day('2025-01-15'), [['handling', 36000], ['verification', 7200]]),
  });
  await project(
    pool,
    snapshot(id('A4'), COUNTY, TA, {
      stage: 'handling',
      openedAt: day('2025-01-20'),
      updatedAt: day('2025-01-20'),
      deadlines: [runningDeadline('handling', day('2025-01-22'))], // overdue: false in the snapshot
    }),
  );
  await projectReviewed(pool, closedCase('A5', TA, day('2025-01-25'), day('2025-01-26'), { resolution: 'unfounded' }), {
    onTime: true, reworkCount: 0, escalations: 0, breachedDeadlines: 0,
    stages: stageVisits(day('2025-01-25'), [['patrol', 1800], ['discovery', 3600]]),
  });
  await projectReviewed(pool, closedCase('A6', TA, day('2024-12-20'), day('2025-01-03')), {
    onTime: true, reworkCount: 0, escalations: 0, breachedDeadlines: 0,
    stages: stageVisits(day('2024-12-20'), [['handling', 999999], ['verification', 999]]),
  });
  // Handling visits of B: 259200 (B1), 100000 + 200000 + 50000 (B2).
  await projectReviewed(pool, closedCase('B1', TB, day('2025-01-03'), day('2025-01-13'), dept), {
    onTime: true, reworkCount: 0, escalations: 0, breachedDeadlines: 0,
    stages: stageVisits(day('2025-01-03'), [['handling', 259200], ['verification', 7200]]),
  });
  await projectReviewed(pool, closedCase('B2', TB, day('2025-01-07'), day('2025-01-30'), { ...dept, reworkCount: 2 }), {
    onTime: false, reworkCount: 2, escalations: 3, breachedDeadlines: 2,
    stages: stageVisits(day('2025-01-07'), [
      ['handling', 100000], ['verification', 1000], ['handling', 200000], ['verification', 2000], ['handling', 50000], ['verification', 3000],
    ]),
  });
  await project(
    pool,
    snapshot(id('B3'), COUNTY, TB, {
      stage: 'capture',
      openedAt: day('2025-01-28'),
      updatedAt: day('2025-01-29'),
      deadlines: [
        runningDeadline('discovery', day('2025-01-28', '18'), { id: 'discovery-1', status: 'met', overdue: true, escalationLevel: 1 }),
        runningDeadline('capture', '2099-01-01T00:00:00.000+08:00', { id: 'capture-1' }),
      ],
    }),
  );
  ({ app } = await buildTestApp(pool));
});

afterAll(async () => {
  await app?.close();
});

describe('GET /v1/stats/efficiency, by township', () => {
  it('township A: 5 cases in the cohort (A6 opened before the period)', async () => {
    const { status, body } = await stats(supervisor, `groupBy=township&${period}`);
    expect(status).toBe(200);
    const a = unit(body, TA);
    expect(a.countyCode).toBe(COUNTY);
    expect(a.name).toContain(TA);
    expect(a.cases).toBe(5);
    // 结案率: A1, A2, A5 closed before `to` (A3 closed 02-03, A4 open) = 3/5
    expect(a.closureRate).toEqual({ numerator: 3, denominator: 5, rate: 0.6 });
    // 按期结案率: A1, A5 = 2/5
    expect(a.onTimeClosureRate).toEqual({ numerator: 2, denominator: 5, rate: 0.4 });
    // 返工率: verified A1, A2, A3 (A5 never reached verification); reworked A2 = 1/3
    expect(a.reworkRate).toEqual({ numerator: 1, denominator: 3, rate: 1 / 3 });
    // 超期率: A2 and A3 (review breached), A4 (open, due 2025-01-22 passed) = 3/5
    expect(a.overdueRate).toEqual({ numerator: 3, denominator: 5, rate: 0.6 });
    // 延期率: no extension mechanism yet = 0/5
    expect(a.extensionRate).toEqual({ numerator: 0, denominator: 5, rate: 0 });
    // escalations: A2 1 + A3 2 = 3 per 5 cases = 60 per 100
    expect(a.escalationsPer100).toEqual({ escalations: 3, cases: 5, value: 60 });
    // handling visits [36000, 43200, 86400, 172800]: mean 338400/4 = 84600; p90 at rank 0.9·3 = 2.7 → 86400 + 0.7·86400 = 146880
    expect(stage(a, 'handling')).toMatchObject({ visits: 4, meanSeconds: 84600 });
    expect(stage(a, 'handling')!.p90Seconds).toBeCloseTo(146880, 6);
    // verification visits [1800, 3600, 3600, 7200]: mean 16200/4 = 4050; p90 → 3600 + 0.7·3600 = 6120
    expect(stage(a, 'verification')).toMatchObject({ visits: 4, meanSeconds: 4050 });
    expect(stage(a, 'verification')!.p90Seconds).toBeCloseTo(6120, 6);
    // patrol visits [1800, 3600]: mean 2700, p90 → 1800 + 0.9·1800 = 3420
    expect(stage(a, 'patrol')).toMatchObject({ visits: 2, meanSeconds: 2700 });
    expect(stage(a, 'patrol')!.p90Seconds).toBeCloseTo(3420, 6);
    // stages in loop order
    expect(a.stageDurations.map((s) => s.stage)).toEqual(['patrol', 'discovery', 'handling', 'verification']);
  });

  it('township B: 3 cases', async () => {
    const b = unit((await stats(supervisor, `groupBy=township&${period}`)).body, TB);
    expect(b.cases).toBe(3);
    expect(b.closureRate).toEqual({ numerator: 2, denominator: 3, rate: 2 / 3 }); // B1, B2
    expect(b.onTimeClosureRate).toEqual({ numerator: 1, denominator: 3, rate: 1 / 3 }); // B1
    expect(b.reworkRate).toEqual({ numerator: 1, denominator: 2, rate: 0.5 }); // B2 of B1, B2
    expect(b.overdueRate).toEqual({ numerator: 2, denominator: 3, rate: 2 / 3 }); // B2 (review), B3 (ever overdue)
    expect(b.escalationsPer100).toEqual({ escalations: 3, cases: 3, value: 100 }); // B2: 3
    // handling [50000, 100000, 200000, 259200]: mean 609200/4 = 152300; p90 → 200000 + 0.7·59200 = 241440
    expect(stage(b, 'handling')).toMatchObject({ visits: 4, meanSeconds: 152300 });
    expect(stage(b, 'handling')!.p90Seconds).toBeCloseTo(241440, 6);
    // verification [1000, 2000, 3000, 7200]: mean 3300; p90 → 3000 + 0.7·4200 = 5940
    expect(stage(b, 'verification')).toMatchObject({ visits: 4, meanSeconds: 3300 });
    expect(stage(b, 'verification')!.p90Seconds).toBeCloseTo(5940, 6);
  });

  it("only the supervisor's county's units; another county's supervisor sees none of them", async () => {
    const { body } = await stats(supervisor, `groupBy=township&${period}`);
    expect(body.items.map((i) => i.code).sort()).toEqual([TA, TB]);
    expect(body.from).toBe('2025-01-01T00:00:00.000+08:00');
    expect(body.to).toBe('2025-02-01T00:00:00.000+08:00');
    expect(body.definitions.closureRate).toContain('closed_at < to');
    const other = await stats(otherSupervisor, `groupBy=township&${period}`);
    expect(other.body.items.map((i) => i.code)).toEqual(['EFS2-A']);
    expect(other.body.items[0]).toMatchObject({ cases: 0, closureRate: { numerator: 0, denominator: 0, rate: null } });
  });
});

describe('GET /v1/stats/efficiency, by department and county', () => {
  it('department EFS1.cgj: B1 and B2', async () => {
    const { body } = await stats(supervisor, `groupBy=department&${period}`);
    expect(body.items.map((i) => i.code)).toEqual([DEPT]);
    const d = unit(body, DEPT);
    expect(d.cases).toBe(2);
    expect(d.closureRate).toEqual({ numerator: 2, denominator: 2, rate: 1 });
    expect(d.onTimeClosureRate).toEqual({ numerator: 1, denominator: 2, rate: 0.5 });
    expect(d.reworkRate).toEqual({ numerator: 1, denominator: 2, rate: 0.5 });
    expect(d.overdueRate).toEqual({ numerator: 1, denominator: 2, rate: 0.5 });
    expect(d.escalationsPer100).toEqual({ escalations: 3, cases: 2, value: 150 });
  });

  it('county EFS1: all 8 cases of the cohort', async () => {
    const { body } = await stats(admin, `groupBy=county&${period}`);
    const c = unit(body, COUNTY);
    expect(c.cases).toBe(8);
    expect(c.closureRate).toEqual({ numerator: 5, denominator: 8, rate: 0.625 }); // A1 A2 A5 B1 B2
    expect(c.onTimeClosureRate).toEqual({ numerator: 3, denominator: 8, rate: 0.375 }); // A1 A5 B1
    expect(c.reworkRate).toEqual({ numerator: 2, denominator: 5, rate: 0.4 }); // A2 B2 of A1 A2 A3 B1 B2
    expect(c.overdueRate).toEqual({ numerator: 5, denominator: 8, rate: 0.625 }); // A2 A3 A4 B2 B3
    expect(c.extensionRate).toEqual({ numerator: 0, denominator: 8, rate: 0 });
    expect(c.escalationsPer100).toEqual({ escalations: 6, cases: 8, value: 75 });
    expect(stage(c, 'handling')?.visits).toBe(8);
  });

  it('a later `to` counts A3 as closed: closure is counted before `to` only', async () => {
    const { body } = await stats(supervisor, `groupBy=township&from=${encodeURIComponent(FROM)}&to=2025-02-05`);
    expect(unit(body, TA).closureRate).toEqual({ numerator: 4, denominator: 5, rate: 0.8 });
  });
});

describe('GET /v1/stats/efficiency, access and input', () => {
  it('supervisor and admin only; 401 without a token', async () => {
    for (const claims of [
      { sub: 't', role: 'township', countyCode: COUNTY, townshipCode: TA },
      { sub: 'c', role: 'county', countyCode: COUNTY, departmentCode: DEPT },
      { sub: 'u', role: 'upstream', countyCode: COUNTY },
    ] satisfies Claims[]) {
      expect((await stats(claims, `groupBy=township&${period}`)).status).toBe(403);
    }
    expect((await app.inject({ method: 'GET', url: `/v1/stats/efficiency?${period}` })).statusCode).toBe(401);
  });

  it('400 for an unknown groupBy, a malformed date and from after to', async () => {
    expect((await stats(supervisor, `groupBy=grid&${period}`)).status).toBe(400);
    expect((await stats(supervisor, 'from=yesterday')).status).toBe(400);
    const reversed = await stats(supervisor, `from=${encodeURIComponent(TO)}&to=${encodeURIComponent(FROM)}`);
    expect(reversed.status).toBe(400);
    expect(reversed.body).toMatchObject({ error: { details: [{ path: 'from' }] } });
  });
});

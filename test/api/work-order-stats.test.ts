import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import type { Claims } from '../../api/claims';
import type { EfficiencyStats } from '../../api/read-model/stats';
import type { Actor, TimelineEntry } from '../../domain/case';
import { bearer, buildTestApp } from '../helpers/api';
import { useTestPool } from '../helpers/db';
import { ensureJurisdiction, project, snapshot } from '../helpers/read-model';

/**
 * 延期率, 满意率 and 督办 per unit against hand-computed figures. Period: March 2025, Asia/Shanghai.
 * County WOS1, townships A and B:
 *
 * | case | township | extensions           | callbacks (in order)              | supervision orders |
 * | A1   | A        | approved             | satisfied                          | 1                  |
 * | A2   | A        | refused              | unsatisfied, then basically_sat.  | 0                  |
 * | A3   | A        | refused, approved    | unsatisfied                        | 2                  |
 * | A4   | A        | —                    | —                                  | 0                  |
 * | B1   | B        | —                    | satisfied                          | 1                  |
 * | B2   | B        | approved             | —                                  | 0   (opened in February: not in the cohort) |
 *
 * A: 延期率 2/4 (A1, A3), 满意率 2/3 (A1; A2's latest callback; not A3), 督办 3.
 * B: 延期率 0/1, 满意率 1/1, 督办 1.
 */
const pool = useTestPool();
let app: FastifyInstance;

const COUNTY = 'WOS1';
const TA = 'WOS1-A';
const TB = 'WOS1-B';
const supervisor: Claims = { sub: 'wos-sup', role: 'supervisor', countyCode: COUNTY };
const actor: Actor = { sub: 'wos', role: 'supervisor', unit: COUNTY };

function timeline(opened: string, events: [string, Record<string, unknown>?][]): TimelineEntry[] {
  const all: [string, Record<string, unknown>?][] = [['case_opened'], ...events];
  return all.map(([type, data], i) => ({ seq: i + 1, at: opened, type, stage: 'handling', actor, ...(data ? { data } : {}) }));
}

async function caseWith(name: string, township: string, opened: string, events: [string, Record<string, unknown>?][]): Promise<void> {
  await project(pool, snapshot(`WOS-${name}`, COUNTY, township, { openedAt: opened, updatedAt: opened, timeline: timeline(opened, events) }));
}

const approved = (ok: boolean): [string, Record<string, unknown>] => ['extension_decided', { requestId: 'EXT-2', approved: ok }];
const callback = (rating: string): [string, Record<string, unknown>] => ['satisfaction_recorded', { rating, reopen: false }];
const urged: [string, Record<string, unknown>] = ['supervision_ordered', { orderId: 'SUP-2', note: '请加快' }];

beforeAll(async () => {
  await ensureJurisdiction(pool, { county: COUNTY, townships: [TA, TB], departments: [] });
  await caseWith('A1', TA, '2025-03-03T09:00:00.000+08:00', [approved(true), callback('satisfied'), urged]);
  await caseWith('A2', TA, '2025-03-05T09:00:00.000+08:00', [approved(false), callback('unsatisfied'), callback('basically_satisfied')]);
  await caseWith('A3', TA, '2025-03-10T09:00:00.000+08:00', [approved(false), approved(true), urged, urged, callback('unsatisfied')]);
  await caseWith('A4', TA, '2025-03-20T09:00:00.000+08:00', []);
  await caseWith('B1', TB, '2025-03-12T09:00:00.000+08:00', [callback('satisfied'), urged]);
  await caseWith('B2', TB, '2025-02-20T09:00:00.000+08:00', [approved(true)]);
  ({ app } = await buildTestApp(pool));
});
afterAll(async () => {
  await app?.close();
});

describe('work-order indicators per township (延期率, 满意率, 督办)', () => {
  it('match the hand-computed figures', async () => {
    const res = await app.inject({
      method: 'GET',
      url: '/v1/stats/efficiency?groupBy=township&from=2025-03-01T00:00:00%2B08:00&to=2025-04-01T00:00:00%2B08:00',
      headers: bearer(supervisor),
    });
    expect(res.statusCode).toBe(200);
    const body = res.json() as EfficiencyStats;
    const a = body.items.find((u) => u.code === TA)!;
    const b = body.items.find((u) => u.code === TB)!;
    expect(a).toMatchObject({
      cases: 4,
      extensionRate: { numerator: 2, denominator: 4, rate: 0.5 },
      satisfactionRate: { numerator: 2, denominator: 3 },
      supervisionOrders: 3,
    });
    expect(a.satisfactionRate.rate).toBeCloseTo(2 / 3, 10);
    expect(b).toMatchObject({
      cases: 1,
      extensionRate: { numerator: 0, denominator: 1, rate: 0 },
      satisfactionRate: { numerator: 1, denominator: 1, rate: 1 },
      supervisionOrders: 1,
    });
    expect(body.definitions).toMatchObject({ extensionRate: expect.stringContaining('approved'), satisfactionRate: expect.stringContaining('latest') });
  });
});

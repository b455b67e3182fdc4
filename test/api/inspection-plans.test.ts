import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO } from '../../db/seed';
import { inspectionCaseId } from '../../activities/inspection-campaign';
import type { FakeTemporal } from '../helpers/fake-temporal';
import { bearer, buildTestApp } from '../helpers/api';
import { useTestPool } from '../helpers/db';

/**
 * Planning a 双随机 campaign over HTTP: who may, what a plan must name, idempotent creation, and a
 * Temporal outage that leaves no plan behind. (The campaign itself: test/workflows/inspection-campaign.test.ts.)
 */
const pool = useTestPool();
let app: FastifyInstance;
let fake: FakeTemporal;
beforeAll(async () => {
  ({ app, fake } = await buildTestApp(pool));
});
afterAll(async () => app?.close());

const body = (over: Record<string, unknown> = {}) => ({
  countyCode: DEMO.county,
  name: '2026年12月食品小作坊双随机抽查',
  matterCodes: [DEMO.matters.townshipInspection],
  ratios: { A: 0.05, B: 0.2, C: 0.6, D: 1 },
  period: { from: '2026-12-01', to: '2026-12-31' },
  inspectionAt: '2026-12-01T09:00:00+08:00',
  seedSource: '中国福利彩票3D 2026-11-30 开奖号码',
  ...over,
});
const post = (caller: Parameters<typeof bearer>[0], payload: object, headers: Record<string, string> = {}) =>
  app.inject({ method: 'POST', url: '/v1/inspections/plans', headers: { ...bearer(caller), ...headers }, payload });

describe('POST /v1/inspections/plans', () => {
  it('creates the plan and starts its campaign; a retry with the same Idempotency-Key returns it (200)', async () => {
    const key = `plan-${process.pid}-${Date.now()}`;
    const created = await post('county', body(), { 'idempotency-key': key });
    expect(created.statusCode, created.body).toBe(201);
    const plan = created.json();
    expect(plan).toMatchObject({ countyCode: DEMO.county, status: 'planned', pool: null, draws: [], policy: { recuseOwnTownship: true, inspectorsPerObject: 2, window: 50, continueAfter: 500 } });
    expect(fake.starts.filter((s) => s.workflowId === plan.workflowId)).toEqual([
      expect.objectContaining({ workflowType: 'inspectionCampaignWorkflow', input: expect.objectContaining({ planId: plan.id, inspectionAt: '2026-12-01T09:00:00+08:00' }) }),
    ]);
    const again = await post('county', body(), { 'idempotency-key': key });
    expect(again.statusCode).toBe(200);
    expect(again.json().id).toBe(plan.id);
    expect(fake.starts.filter((s) => s.workflowId === plan.workflowId)).toHaveLength(1);
  });

  it('is for county (own county), supervisor and admin', async () => {
    expect((await post('township', body())).statusCode).toBe(403);
    expect((await post('upstream', body())).statusCode).toBe(403);
    expect((await post('otherSupervisor', body())).statusCode).toBe(403);
    expect((await app.inject({ method: 'POST', url: '/v1/inspections/plans', payload: body() })).statusCode).toBe(401);
    expect((await app.inject({ method: 'GET', url: '/v1/inspections/plans/IP-unknown', headers: bearer('admin') })).statusCode).toBe(404);
  });

  it('refuses bad input naming the field (400) and plans the rules refuse (422)', async () => {
    const bad = await post('admin', body({ ratios: { A: 1.5 }, period: { from: '2026-12-31', to: '2026-12-01' }, policy: { inspectorsPerObject: 1 } }));
    expect(bad.statusCode).toBe(400);
    const paths = bad.json().error.details.map((d: { path: string }) => d.path);
    expect(paths).toEqual(expect.arrayContaining(['body.ratios.A', 'body.period.to', 'body.policy.inspectorsPerObject']));
    const refused = await post('admin', body({ matterCodes: [DEMO.matters.townshipPenalty, 'NO-SUCH'], units: [DEMO.departments.marketSupervision, DEMO.otherCountyDepartments.marketSupervision] }));
    expect(refused.statusCode).toBe(422);
    expect(refused.json().error.details.map((d: { path: string }) => d.path)).toEqual(['body.matterCodes.0', 'body.matterCodes.1', 'body.units.1']);
  });

  it('Temporal down: 503 with Retry-After, and no plan left behind', async () => {
    const key = `outage-${process.pid}-${Date.now()}`;
    fake.unavailable = Object.assign(new Error('14 UNAVAILABLE: connection refused'), { code: 14 });
    try {
      const res = await post('admin', body(), { 'idempotency-key': key });
      expect(res.statusCode).toBe(503);
      expect(res.headers['retry-after']).toBeDefined();
    } finally {
      fake.unavailable = undefined;
    }
    // the failed attempt's row was removed: the same key creates the plan now (201), not finds it (200)
    const retried = await post('admin', body(), { 'idempotency-key': key });
    expect(retried.statusCode).toBe(201);
  });
});

describe('GET /v1/inspections/plans', () => {
  it("lists a county's campaigns newest first, page by page; a county user sees only its own county", async () => {
    const run = `${process.pid}-${Date.now()}`;
    const ids: string[] = [];
    for (const n of [1, 2, 3]) {
      const created = await post('county', body({ name: `列表测试${run}-${n}` }), { 'idempotency-key': `list-${run}-${n}` });
      expect(created.statusCode, created.body).toBe(201);
      ids.push(created.json().id as string);
    }
    const list = (caller: Parameters<typeof bearer>[0], query: string) =>
      app.inject({ method: 'GET', url: `/v1/inspections/plans?${query}`, headers: bearer(caller) });
    const first = await list('county', 'limit=2');
    expect(first.statusCode, first.body).toBe(200);
    const page1 = first.json() as { items: { id: string; countyCode: string; name: string; status: string; poolSize: number | null }[]; nextCursor?: string };
    expect(page1.items.map((p) => p.id)).toEqual([ids[2], ids[1]]);
    expect(page1.items[0]).toMatchObject({ countyCode: DEMO.county, name: `列表测试${run}-3`, status: 'planned', poolSize: null });
    const page2 = (await list('county', `limit=2&cursor=${encodeURIComponent(page1.nextCursor!)}`)).json() as { items: { id: string }[] };
    expect(page2.items[0]!.id).toBe(ids[0]);
    // another county's supervisor sees none of them, and may not ask for this county
    const other = (await list('otherSupervisor', 'limit=200')).json() as { items: { id: string }[] };
    expect(other.items.map((p) => p.id)).not.toContain(ids[0]);
    expect((await list('otherSupervisor', `countyCode=${DEMO.county}`)).statusCode).toBe(403);
    expect((await list('township', 'limit=2')).statusCode).toBe(403);
    const bad = await list('admin', 'cursor=nonsense');
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error.details[0].path).toBe('cursor');
  });
});

describe('GET /v1/public/inspection-results', () => {
  it('answers without a token, and refuses a bad limit naming it', async () => {
    const res = await app.inject({ method: 'GET', url: '/v1/public/inspection-results' });
    expect(res.statusCode).toBe(200);
    expect(Array.isArray(res.json().items)).toBe(true);
    const bad = await app.inject({ method: 'GET', url: '/v1/public/inspection-results?limit=0' });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error.details[0].path).toBe('querystring.limit');
  });
});

describe('inspection case ids', () => {
  it('are <planId>-<objectId>, or a hash of the object id when that would not fit a case id (64 characters)', () => {
    expect(inspectionCaseId('IP-0123456789ab', 'EO-0001')).toBe('IP-0123456789ab-EO-0001');
    const long = inspectionCaseId('IP-0123456789ab', `EO-${'x'.repeat(60)}`);
    expect(long).toMatch(/^IP-0123456789ab-[0-9a-f]{16}$/);
    expect(inspectionCaseId('IP-0123456789ab', '对象/1')).toMatch(/^IP-0123456789ab-[0-9a-f]{16}$/);
  });
});

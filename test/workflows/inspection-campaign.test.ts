import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { DEMO } from '../../db/seed';
import type { CaseView } from '../../domain/case';
import { actionUpdate, caseQuery } from '../../workflows/definitions';
import { campaignQuery, inspectionCampaignWorkflowId } from '../../workflows/inspection-campaign-messages';
import { inspectionCaseId } from '../../activities/inspection-campaign';
import { bearer } from '../helpers/api';
import type { Pool } from 'pg';
import { startScratchCaseApp, type ScratchCaseApp } from '../helpers/scratch-case-app';
import { eventually, keepHistory, replayFailures, type CaseRig } from './rig';

/** A database of the file's own: its roster of officers and objects must not show in other files' lists. */
let stop: ScratchCaseApp['stop'] | undefined;
let pool: Pool;
let rig: CaseRig;

/** Unique to this run: the test database is shared by the run's files. */
const P = `T${process.pid}${Date.now().toString(36)}`;
const INDUSTRY = `食品小餐饮-${P}`;
const SHORT_INDUSTRY = `食品摊贩-${P}`;
const TOWNSHIPS = [DEMO.township, DEMO.otherTownship, DEMO.street];
/** 2,000 objects: 500 of class A, 1,000 B, 400 C, 100 D. */
const CLASS_SIZES = { A: 500, B: 1000, C: 400, D: 100 } as const;
const MARKET = DEMO.departments.marketSupervision;
const officers = {
  brigade1: [`${P}-OF-T1a`, `${P}-OF-T1b`],
  brigade2: [`${P}-OF-T2a`, `${P}-OF-T2b`],
  department: [`${P}-OF-Da`, `${P}-OF-Db`, `${P}-OF-Dc`],
  /** Suspended over the inspection date. */
  suspended: `${P}-OF-Ds`,
};
/** 莲塘镇's brigade is recused from 南浦街道 by a recorded recusal; the department's third officer from every object of 南浦街道 too. */
const INSPECTION_AT = '2030-12-02T09:00:00+08:00';
/** 20 working days after Monday 2030-12-02 (the day itself not counted), hand-counted (December has no
 * public holiday): 3–6 Dec (4), 9–13 (9), 16–20 (14), 23–27 (19), 30 (20): due at the end of Monday
 * 30 December. Years ahead: the time-skipping server starts at the real time, so the dates must lie in
 * its future whenever the test runs (a December 2026 date would have broken it in a month). */
const PUBLICATION_DUE = '2030-12-31T00:00:00.000+08:00';

let app: FastifyInstance;
let objectIds: string[] = [];

async function seedRoster(): Promise<void> {
  const rows: unknown[][] = [];
  let n = 0;
  for (const [creditClass, size] of Object.entries(CLASS_SIZES)) {
    for (let i = 0; i < size; i++) {
      n += 1;
      const id = `${P}-EO-${String(n).padStart(4, '0')}`;
      const person = n % 10 === 0;
      rows.push([id, person ? 'person' : 'organization', person ? `张${n}号摊主` : `浦城县第${n}号小餐饮店`, person ? null : `9135072200${String(n).padStart(8, '0')}`, person ? `35072219800101${String(n % 10000).padStart(4, '0')}` : null, `浦城县某路${n}号`, TOWNSHIPS[n % 3], creditClass, INDUSTRY]);
    }
  }
  objectIds = rows.map((r) => r[0] as string).sort();
  await pool.query(
    `INSERT INTO enforcement_objects (id, kind, name, credit_code, id_number, address, risk_level, township_code, credit_class, industry)
     SELECT r.id, r.kind, r.name, r.credit_code, r.id_number, r.address, 'medium', r.township_code, r.credit_class, r.industry
       FROM jsonb_to_recordset($1::jsonb) AS r(id text, kind text, name text, credit_code text, id_number text, address text, township_code text, credit_class text, industry text)`,
    [JSON.stringify(rows.map(([id, kind, name, credit_code, id_number, address, township_code, credit_class, industry]) => ({ id, kind, name, credit_code, id_number, address, township_code, credit_class, industry })))],
  );
  // A second, tiny roster in 南浦街道 for the refusal: one eligible department officer only.
  await pool.query(
    `INSERT INTO enforcement_objects (id, kind, name, credit_code, address, risk_level, township_code, credit_class, industry)
     VALUES ($1, 'organization', '南浦街道某食品摊', '91350722MA0000XXXX', '南浦街道某路1号', 'low', $2, 'D', $3)`,
    [`${P}-EO-S1`, DEMO.street, SHORT_INDUSTRY],
  );
  const officer = (id: string, unit: { township?: string; department?: string }, extra: { suspended?: boolean } = {}) =>
    pool.query(
      `INSERT INTO officers (id, name, township_code, department_code, certificate_no, certificate_valid_from, certificate_valid_until, active, domains, suspended_from, suspended_until)
       VALUES ($1, $1, $2, $3, $4, '2024-01-01', '2038-12-31', true, '{market_supervision}', $5, $6)`,
      [id, unit.township ?? null, unit.department ?? null, `FJ-${id}`, extra.suspended ? '2030-11-15' : null, extra.suspended ? '2030-12-15' : null],
    );
  for (const id of officers.brigade1) await officer(id, { township: DEMO.township });
  for (const id of officers.brigade2) await officer(id, { township: DEMO.otherTownship });
  for (const id of officers.department) await officer(id, { department: MARKET });
  await officer(officers.suspended, { department: MARKET }, { suspended: true });
  for (const id of [...officers.brigade1, officers.department[2]!]) {
    await pool.query(`INSERT INTO officer_recusals (officer_id, township_code, reason, recorded_by) VALUES ($1, $2, '亲属在辖区经营 relatives run businesses there', 'test')`, [id, DEMO.street]);
  }
}

beforeAll(async () => {
  ({ rig, app, stop } = await startScratchCaseApp('inspection-campaign', async (db) => {
    pool = db;
    await seedRoster();
  }));
});
afterAll(async () => stop?.());

const step = (m: string) => { if (process.env.CAMPAIGN_DEBUG) console.error(new Date().toISOString(), m); };
const plan = (over: Record<string, unknown> = {}) => ({
  countyCode: DEMO.county,
  name: `2030年12月食品小餐饮双随机抽查 ${P}`,
  matterCodes: [DEMO.matters.townshipInspection],
  ratios: { A: 0.005, B: 0.01, C: 0.02, D: 0.1 },
  units: [DEMO.township, DEMO.otherTownship, MARKET],
  industry: INDUSTRY,
  period: { from: '2030-12-01', to: '2030-12-31' },
  inspectionAt: INSPECTION_AT,
  seedSource: '中国福利彩票3D 2030-11-28 开奖号码',
  policy: { recuseOwnTownship: true, inspectorsPerObject: 2, window: 8, continueAfter: 100 },
  ...over,
});
const seed = (values: string[]) => ({ source: '中国福利彩票3D 第2030318期', publishedOn: '2030-11-28', values });

/** The drawn inspectors handle the object on site and the case is verified and closes (its timers stop). */
async function inspectOnSite(planId: string, objectId: string): Promise<void> {
  const handle = rig.env.client.workflow.getHandle(inspectionCaseId(planId, objectId));
  const actor = { sub: 'inspector', role: 'county' as const, unit: MARKET };
  await handle.executeUpdate(actionUpdate, { args: [{ actor, action: 'handle', body: { outcome: 'corrected', notes: '现场检查 on-site inspection' } }] });
  await handle.executeUpdate(actionUpdate, { args: [{ actor, action: 'verify', body: { passed: true } }] });
}

async function getPlan(planId: string) {
  const res = await app.inject({ method: 'GET', url: `/v1/inspections/plans/${planId}`, headers: bearer('supervisor') });
  expect(res.statusCode).toBe(200);
  return res.json();
}

describe('双随机一公开 campaign over a roster of 2,000 objects', () => {
  it('freezes and hashes the pool, draws and redraws with a reason, verifies, inspects in a sliding window, escalates at the exact publication due time and publishes', async () => {
    // ---- plan: the pool is frozen before any seed is drawn
    step('- plan: the pool is frozen before any seed is drawn');
    const created = await app.inject({ method: 'POST', url: '/v1/inspections/plans', headers: bearer('supervisor'), payload: plan() });
    expect(created.statusCode, created.body).toBe(201);
    const planId: string = created.json().id;
    const workflowId = inspectionCampaignWorkflowId(planId);
    const firstRunId = (await rig.env.client.workflow.getHandle(workflowId).describe()).runId;
    const frozen = await eventually(() => getPlan(planId), (p) => p.pool !== null, 'the pool to be frozen');
    expect(frozen.pool).toMatchObject({ size: 2000, strata: { A: 500, B: 1000, C: 400, D: 100 } });
    expect(frozen.pool.hash).toBe(createHash('sha256').update(objectIds.join('\n')).digest('hex'));

    // a county caller of another county may not touch it; a plan must name inspection items
    expect((await app.inject({ method: 'GET', url: `/v1/inspections/plans/${planId}`, headers: bearer('otherSupervisor') })).statusCode).toBe(403);
    const penaltyPlan = await app.inject({ method: 'POST', url: '/v1/inspections/plans', headers: bearer('supervisor'), payload: plan({ matterCodes: [DEMO.matters.townshipPenalty] }) });
    expect(penaltyPlan.statusCode).toBe(422);
    expect(penaltyPlan.json().error.details).toEqual([expect.objectContaining({ path: 'body.matterCodes.0' })]);

    // ---- draw, then a redraw that needs a reason and keeps the first visible
    step('- draw, then a redraw that needs a reason and keeps the first visible');
    const first = await app.inject({ method: 'POST', url: `/v1/inspections/plans/${planId}/draws`, headers: bearer('supervisor'), payload: { seed: seed(['3', '8', '1']) } });
    expect(first.statusCode, first.body).toBe(201);
    expect(first.json()).toMatchObject({ attempt: 1, status: 'accepted', seed: '2030-11-28/3.8.1', poolHash: frozen.pool.hash });
    const noReason = await app.inject({ method: 'POST', url: `/v1/inspections/plans/${planId}/draws`, headers: bearer('supervisor'), payload: { seed: seed(['3', '8', '2']) } });
    expect(noReason.statusCode).toBe(400);
    expect(noReason.json().error.details[0].path).toBe('body.reason');
    const redraw = await app.inject({
      method: 'POST',
      url: `/v1/inspections/plans/${planId}/draws`,
      headers: bearer('supervisor'),
      payload: { seed: seed(['3', '8', '2']), reason: '第一次抽取误用了试机号 the first seed was the test-run number, not the draw' },
    });
    expect(redraw.statusCode, redraw.body).toBe(201);
    const drawn = redraw.json();
    expect(drawn).toMatchObject({ attempt: 2, status: 'accepted', seed: '2030-11-28/3.8.2' });
    // ceil(ratio × n): A 0.005 × 500 → 3, B 0.01 × 1000 → 10, C 0.02 × 400 → 8, D 0.1 × 100 → 10
    expect(drawn.strata.map((s: { creditClass: string; size: number; drawn: number; objectIds: string[] }) => [s.creditClass, s.size, s.drawn, s.objectIds.length])).toEqual([
      ['A', 500, 3, 3],
      ['B', 1000, 10, 10],
      ['C', 400, 8, 8],
      ['D', 100, 10, 10],
    ]);
    const assignments: { objectId: string; officerIds: string[] }[] = drawn.assignments;
    expect(assignments).toHaveLength(31);
    // the inspectors find each drawn object by its registry entry: name, address, credit code; never an ID number
    const registry: { id: string; kind: string; name: string; creditCode: string | null; address: string; retired: boolean }[] = drawn.objects;
    expect(registry.map((o) => o.id).sort()).toEqual(assignments.map((a) => a.objectId).sort());
    for (const o of registry) {
      const n = Number(o.id.slice(-4));
      expect(o).toMatchObject(
        o.kind === 'person'
          ? { name: `张${n}号摊主`, creditCode: null, address: `浦城县某路${n}号`, retired: false }
          : { name: `浦城县第${n}号小餐饮店`, creditCode: `9135072200${String(n).padStart(8, '0')}`, address: `浦城县某路${n}号`, retired: false },
      );
    }
    expect(JSON.stringify(drawn)).not.toMatch(/35072219800101/);
    const townshipOf = (objectId: string) => TOWNSHIPS[Number(objectId.slice(-4)) % 3];
    for (const a of assignments) {
      expect(a.officerIds).toHaveLength(2);
      expect(a.officerIds).not.toContain(officers.suspended);
      if (townshipOf(a.objectId) === DEMO.street) {
        for (const recused of [...officers.brigade1, officers.department[2]!]) expect(a.officerIds).not.toContain(recused);
      }
      if (townshipOf(a.objectId) === DEMO.township) for (const own of officers.brigade1) expect(a.officerIds).not.toContain(own);
      if (townshipOf(a.objectId) === DEMO.otherTownship) for (const own of officers.brigade2) expect(a.officerIds).not.toContain(own);
    }
    const afterRedraw = await getPlan(planId);
    expect(afterRedraw.draws.map((d: { attempt: number; status: string; redrawReason: string | null }) => [d.attempt, d.status, d.redrawReason !== null])).toEqual([
      [1, 'superseded', false],
      [2, 'accepted', true],
    ]);

    // ---- anyone holding the recorded inputs recomputes it
    step('- anyone holding the recorded inputs recomputes it');
    for (const d of afterRedraw.draws) {
      const verified = await app.inject({ method: 'GET', url: `/v1/inspections/draws/${d.id}/verify`, headers: bearer('admin') });
      expect(verified.statusCode).toBe(200);
      expect(verified.json()).toEqual({ drawId: d.id, agrees: true, poolHash: { recorded: frozen.pool.hash, recomputed: frozen.pool.hash }, differences: [] });
    }

    // a record altered afterwards no longer agrees (the superseded attempt, which the campaign never reads again):
    // a class-D object written into stratum A, then a seed its public values do not make
    const firstDraw = afterRedraw.draws[0].id;
    await pool.query(`UPDATE inspection_draws SET outcome = jsonb_set(outcome, '{strata,0,objectIds,0}', '"${P}-EO-2000"') WHERE id = $1`, [firstDraw]);
    const tampered = (await app.inject({ method: 'GET', url: `/v1/inspections/draws/${firstDraw}/verify`, headers: bearer('admin') })).json();
    expect(tampered).toMatchObject({ agrees: false, differences: ['the drawn objects differ'] });
    await pool.query(`UPDATE inspection_draws SET seed = '2030-11-28/3.8.9' WHERE id = $1`, [firstDraw]);
    expect((await app.inject({ method: 'GET', url: `/v1/inspections/draws/${firstDraw}/verify`, headers: bearer('admin') })).json().differences).toContain(
      'the seed 2030-11-28/3.8.9 is not the one its public values make (2030-11-28/3.8.1)',
    );

    // ---- the inspectors go on site: cases start in a window of 8, the publication deadline runs
    step('- the inspectors go on site: cases start in a window of 8, the publication deadline runs');
    // exactly to the instant the campaign wakes: its work then runs with the server's clock standing still
    await rig.advanceTo(Date.parse(INSPECTION_AT));
    const inspecting = await eventually(() => getPlan(planId), (p) => p.status === 'inspecting' && p.publication.dueAt !== null, 'the inspection to begin');
    expect(inspecting.publication.dueAt).toBe(PUBLICATION_DUE);
    expect((await app.inject({ method: 'POST', url: `/v1/inspections/plans/${planId}/draws`, headers: bearer('supervisor'), payload: { seed: seed(['9']), reason: 'too late' } })).statusCode).toBe(409);

    const campaign = () => rig.env.client.workflow.getHandle(workflowId).query(campaignQuery);
    let state = await eventually(campaign, (s) => s.pending.length === 8, 'the first window of cases');
    expect(state.started).toBe(8);
    const firstCase = state.pending[0]!;
    const c: CaseView = await rig.env.client.workflow.getHandle(inspectionCaseId(planId, firstCase)).query(caseQuery);
    const assigned = assignments.find((a) => a.objectId === firstCase)!;
    expect(c).toMatchObject({ source: 'inspection', stage: 'handling', matterCode: DEMO.matters.townshipInspection, handler: { officerIds: assigned.officerIds } });
    expect(c.timeline.map((e) => e.type)).toEqual(['case_opened', 'inspection_started']);
    expect(c.deadlines.find((d) => d.kind === 'handling')?.status).toBe('running');

    // results for every object but one, as the window lets cases start
    const all = assignments.map((a) => a.objectId);
    const last = all.at(-1)!;
    const recorded = new Set<string>();
    while (recorded.size < all.length - 1) {
      state = await eventually(campaign, (s) => s.pending.some((id) => id !== last && !recorded.has(id)), 'a case awaiting its result');
      expect(state.pending.length).toBeLessThanOrEqual(8);
      for (const objectId of state.pending.filter((id) => id !== last && !recorded.has(id))) {
        await inspectOnSite(planId, objectId);
        const res = await app.inject({
          method: 'POST',
          url: `/v1/inspections/plans/${planId}/results`,
          headers: bearer('supervisor'),
          payload: Number(objectId.slice(-4)) % 2 === 0 ? { objectId, outcome: 'compliant' } : { objectId, outcome: 'issues_corrected', foundIssues: ['从业人员健康证过期 staff health certificates expired'] },
        });
        expect(res.statusCode, res.body).toBe(202);
        recorded.add(objectId);
      }
    }
    state = await eventually(campaign, (s) => s.started === 31 && s.recorded.length === 30, 'every case started and 30 results in');
    const notDrawn = await app.inject({ method: 'POST', url: `/v1/inspections/plans/${planId}/results`, headers: bearer('supervisor'), payload: { objectId: `${P}-EO-S1`, outcome: 'compliant' } });
    expect(notDrawn.statusCode).toBe(422);

    await inspectOnSite(planId, last);

    // ---- one result missing: not escalated a minute before the due time, escalated at it exactly
    step('- one result missing: not escalated a minute before the due time, escalated at it exactly');
    await rig.advanceTo(Date.parse(PUBLICATION_DUE) - 60_000);
    expect((await getPlan(planId)).publication.escalatedAt).toBeNull();
    await rig.advanceTo(Date.parse(PUBLICATION_DUE));
    const late = await eventually(() => getPlan(planId), (p) => p.publication.escalatedAt !== null, 'the publication escalation');
    expect(late.publication.escalatedAt).toBe(PUBLICATION_DUE);
    const { rows: outbox } = await pool.query('SELECT recipient, payload FROM outbox WHERE dedupe_key = $1', [`${planId}:publication:L1`]);
    expect(outbox).toEqual([{ recipient: `county-supervisor:${DEMO.county}`, payload: { planId, deadline: 'inspection-publication', dueAt: PUBLICATION_DUE, level: 1 } }]);
    expect((await app.inject({ method: 'GET', url: `/v1/public/inspection-results?planId=${planId}` })).json().items).toEqual([]);

    // ---- the last result: everything is published (公示), persons masked
    step('- the last result: everything is published (公示), persons masked');
    const lastResult = await app.inject({ method: 'POST', url: `/v1/inspections/plans/${planId}/results`, headers: bearer('supervisor'), payload: { objectId: last, outcome: 'case_filed', foundIssues: ['无证经营 operating without a licence'] } });
    expect(lastResult.statusCode).toBe(202);
    const outcome = await rig.outcome<{ planId: string; results: number; publishedAt: string }>({ workflowId });
    expect(outcome).toMatchObject({ planId, results: 31 });
    const published = await getPlan(planId);
    expect(published).toMatchObject({ status: 'published', results: { recorded: 31, published: 31 }, publication: { publishedAt: outcome.publishedAt } });
    const results: { objectId: string; objectName: string | null }[] = (
      await app.inject({ method: 'GET', url: `/v1/inspections/plans/${planId}/results`, headers: bearer('supervisor') })
    ).json().items;
    expect(results).toHaveLength(31);
    for (const r of results) expect(r.objectName, r.objectId).toBe(registry.find((o) => o.id === r.objectId)!.name);
    const publicList = await app.inject({ method: 'GET', url: `/v1/public/inspection-results?planId=${planId}&limit=500` });
    expect(publicList.statusCode).toBe(200);
    const items: { object: { kind: string; name: string; creditCode: string | null }; outcome: string }[] = publicList.json().items;
    expect(items).toHaveLength(31);
    for (const item of items) {
      if (item.object.kind === 'person') expect(item.object).toMatchObject({ name: expect.stringMatching(/^张\*+$/), creditCode: null });
      else expect(item.object.name).toMatch(/^浦城县第\d+号小餐饮店$/);
    }
    expect(JSON.stringify(items)).not.toMatch(/35072219800101/);
    expect(items.filter((i) => i.outcome === 'case_filed')).toHaveLength(1);

    // ---- the first run (pool, draws, sleep, continue-as-new) and the last (publication) replay
    step('- the first run (pool, draws, sleep, continue-as-new) and the last (publication) replay');
    const histories = [
      { workflowId: `${workflowId}#first`, history: await rig.env.client.workflow.getHandle(workflowId, firstRunId).fetchHistory() },
      { workflowId: `${workflowId}#last`, history: await rig.env.client.workflow.getHandle(workflowId).fetchHistory() },
      { workflowId: inspectionCaseId(planId, firstCase), history: await rig.env.client.workflow.getHandle(inspectionCaseId(planId, firstCase)).fetchHistory() },
    ];
    expect(await replayFailures(histories)).toEqual([]);
    await keepHistory(rig.env.client.workflow.getHandle(workflowId, firstRunId), 'inspection-campaign-published');
  });

  it('refuses a draw with fewer than two eligible inspectors for an object, naming it, and records the attempt', async () => {
    const created = await app.inject({
      method: 'POST',
      url: '/v1/inspections/plans',
      headers: bearer('supervisor'),
      payload: plan({ industry: SHORT_INDUSTRY, units: [MARKET], ratios: { D: 1 }, inspectionAt: '2030-12-10T09:00:00+08:00' }),
    });
    expect(created.statusCode, created.body).toBe(201);
    const planId: string = created.json().id;
    await eventually(() => getPlan(planId), (p) => p.pool?.size === 1, 'the pool to be frozen');
    // Dc is recused from 南浦街道 and Ds suspended; every other officer of the department but Db is recused from the object
    await pool.query(
      `INSERT INTO officer_recusals (officer_id, enforcement_object_id, reason, recorded_by)
       SELECT id, $2, '曾在该店任职 worked there', 'test' FROM officers WHERE department_code = $3 AND id NOT IN ($1, $4, $5)`,
      [officers.department[1], `${P}-EO-S1`, MARKET, officers.department[2], officers.suspended],
    );
    const refused = await app.inject({ method: 'POST', url: `/v1/inspections/plans/${planId}/draws`, headers: bearer('supervisor'), payload: { seed: seed(['1', '2', '3']) } });
    expect(refused.statusCode, refused.body).toBe(422);
    expect(refused.json().error).toMatchObject({ code: 'insufficient_inspectors', details: [{ path: `objects.${P}-EO-S1` }] });
    expect(refused.json().error.message).toContain(`${P}-EO-S1`);
    const p = await getPlan(planId);
    expect(p.draws).toEqual([expect.objectContaining({ attempt: 1, status: 'refused' })]);
    // the refused attempt names its object as the registry does
    const refusedDraw = (await app.inject({ method: 'GET', url: `/v1/inspections/draws/${p.draws[0].id}`, headers: bearer('supervisor') })).json();
    expect(refusedDraw.objects).toEqual([
      { id: `${P}-EO-S1`, kind: 'organization', name: '南浦街道某食品摊', creditCode: '91350722MA0000XXXX', address: '南浦街道某路1号', townshipCode: DEMO.street, retired: false },
    ]);
    const verified = await app.inject({ method: 'GET', url: `/v1/inspections/draws/${p.draws[0].id}/verify`, headers: bearer('supervisor') });
    expect(verified.json()).toMatchObject({ agrees: true });
  });
});

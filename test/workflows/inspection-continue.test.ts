import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { DEMO } from '../../db/seed';
import { campaignQuery, inspectionCampaignWorkflowId } from '../../workflows/inspection-campaign-messages';
import { bearer } from '../helpers/api';
import type { Pool } from 'pg';
import { startScratchCaseApp, type ScratchCaseApp } from '../helpers/scratch-case-app';
import { eventually, keepHistory, replayFailures, type CaseRig } from './rig';

/**
 * A large campaign bounds its history: it continues as new every policy.continueAfter cases, carrying
 * the window and the results. Its own time-skipping server: a parent that continued as new with
 * children breaks the test server's time skipping for later sleeps (sdk-java #1540), so this file never
 * moves the clock.
 */
/** A database of the file's own: its roster of officers and objects must not show in other files' lists. */
let stop: ScratchCaseApp['stop'] | undefined;
let pool: Pool;
let rig: CaseRig;

const P = `T${process.pid}${Date.now().toString(36)}c`;
const INDUSTRY = `食品小作坊-${P}`;
const TOWNSHIPS = [DEMO.township, DEMO.otherTownship, DEMO.street];
const MARKET = DEMO.departments.marketSupervision;
/** 500 objects: 100 of class A, 200 B, 150 C, 50 D. */
const CLASS_SIZES = { A: 100, B: 200, C: 150, D: 50 } as const;

let app: FastifyInstance;

/** The file's roster: 500 objects and three certified department officers. */
async function seedRoster(): Promise<void> {
  const rows: Record<string, unknown>[] = [];
  let n = 0;
  for (const [creditClass, size] of Object.entries(CLASS_SIZES)) {
    for (let i = 0; i < size; i++) {
      n += 1;
      rows.push({ id: `${P}-EO-${String(n).padStart(4, '0')}`, name: `邵武第${n}号食品小作坊`, address: `某路${n}号`, township_code: TOWNSHIPS[n % 3], credit_class: creditClass });
    }
  }
  await pool.query(
    `INSERT INTO enforcement_objects (id, kind, name, address, risk_level, township_code, credit_class, industry)
     SELECT r.id, 'organization', r.name, r.address, 'medium', r.township_code, r.credit_class, $2
       FROM jsonb_to_recordset($1::jsonb) AS r(id text, name text, address text, township_code text, credit_class text)`,
    [JSON.stringify(rows), INDUSTRY],
  );
  for (const suffix of ['a', 'b', 'c']) {
    await pool.query(
      `INSERT INTO officers (id, name, department_code, certificate_no, certificate_valid_from, certificate_valid_until, active, domains)
       VALUES ($1, $1, $2, $3, '2024-01-01', '2028-12-31', true, '{market_supervision}')`,
      [`${P}-OF-${suffix}`, MARKET, `FJ-${P}-${suffix}`],
    );
  }
}

beforeAll(async () => {
  ({ rig, app, stop } = await startScratchCaseApp('inspection-continue', async (db) => {
    pool = db;
    await seedRoster();
  }));
});
afterAll(async () => stop?.());

const plan = (over: Record<string, unknown> = {}) => ({
  countyCode: DEMO.county,
  name: `续跑 campaign ${P}`,
  matterCodes: [DEMO.matters.townshipInspection],
  ratios: { A: 0.05, B: 0.05, C: 0.04, D: 0.06 },
  units: [MARKET],
  industry: INDUSTRY,
  period: { from: '2026-11-30', to: '2026-12-31' },
  inspectionAt: '2026-11-30T09:00:00+08:00',
  seedSource: '中国福利彩票3D 2026-11-30 开奖号码',
  ...over,
});
const seed = (values: string[]) => ({ source: '中国福利彩票3D 第2026318期', publishedOn: '2026-11-30', values });

async function getPlan(planId: string) {
  const res = await app.inject({ method: 'GET', url: `/v1/inspections/plans/${planId}`, headers: bearer('admin') });
  expect(res.statusCode).toBe(200);
  return res.json();
}

describe('a 双随机 campaign larger than one run', () => {
  it('continues as new every few cases in a large campaign and still publishes every result ', async () => {
    // A sliding window of 5 and a new run every 10 cases: 24 objects take three runs.
    const created = await app.inject({
      method: 'POST',
      url: '/v1/inspections/plans',
      headers: bearer('admin'),
      payload: plan({ policy: { recuseOwnTownship: true, inspectorsPerObject: 2, window: 5, continueAfter: 10, weightComplaints: true } }),
    });
    expect(created.statusCode, created.body).toBe(201);
    const planId: string = created.json().id;
    const workflowId = inspectionCampaignWorkflowId(planId);
    const firstRunId = (await rig.env.client.workflow.getHandle(workflowId).describe()).runId;
    await eventually(() => getPlan(planId), (p) => p.pool !== null, 'the pool to be frozen');
    const drawn = await app.inject({ method: 'POST', url: `/v1/inspections/plans/${planId}/draws`, headers: bearer('admin'), payload: { seed: seed(['7', '0', '4']) } });
    expect(drawn.statusCode, drawn.body).toBe(201);
    // A 0.05 × 100 → 5, B 0.05 × 200 → 10, C 0.04 × 150 → 6, D 0.06 × 50 → 3: 24 objects
    expect(drawn.json().assignments).toHaveLength(24);

    const campaign = () => rig.env.client.workflow.getHandle(workflowId).query(campaignQuery);
    const recorded = new Set<string>();
    while (recorded.size < 24) {
      const state = await eventually(campaign, (s) => s.pending.some((id) => !recorded.has(id)), 'a case awaiting its result');
      expect(state.pending.length).toBeLessThanOrEqual(5);
      for (const objectId of state.pending.filter((id) => !recorded.has(id))) {
        const res = await app.inject({ method: 'POST', url: `/v1/inspections/plans/${planId}/results`, headers: bearer('admin'), payload: { objectId, outcome: 'compliant' } });
        expect(res.statusCode, res.body).toBe(202);
        recorded.add(objectId);
      }
    }
    // every result is in: the campaign publishes (a lost result would leave it waiting: say where it stands)
    await eventually(campaign, (s) => s.publishedAt !== undefined, 'the campaign to publish', 60_000);
    const outcome = await rig.outcome<{ results: number }>({ workflowId });
    expect(outcome.results).toBe(24);
    const last = await rig.env.client.workflow.getHandle(workflowId).query(campaignQuery);
    expect(last).toMatchObject({ run: 3, started: 24, total: 24, pending: [] });
    expect((await getPlan(planId)).results).toEqual({ recorded: 24, published: 24 });

    // The first run ended by continuing as new. Its status says so; its history usually ends in the
    // ContinuedAsNew event, but when a result's signal raced the continue-as-new, the time-skipping test
    // server retries the task and (a test-server quirk, seen about 1 run in 8) serves that run's history only
    // up to the retried task's start, while the run itself did continue (run 3 above). Either form replays.
    const firstRun = rig.env.client.workflow.getHandle(workflowId, firstRunId);
    expect((await firstRun.describe()).status.name).toBe('CONTINUED_AS_NEW');
    const first = await firstRun.fetchHistory();
    expect(await replayFailures([{ workflowId, history: first }, { workflowId: `${workflowId}#last`, history: await rig.env.client.workflow.getHandle(workflowId).fetchHistory() }])).toEqual([]);
    if (first.events?.at(-1)?.workflowExecutionContinuedAsNewEventAttributes) await keepHistory(firstRun, 'inspection-campaign-continued-as-new');
  }, 240_000); // the time-skipping server answers a continue-as-new racing a signal slowly (seconds per retried task)
});

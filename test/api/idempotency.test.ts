import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO } from '../../db/seed';
import { bearer, CALLERS } from '../helpers/api';
import { useTestPool } from '../helpers/db';
import { startTemporalTestApp, type TemporalDev } from '../helpers/temporal-dev';

/**
 * POST /v1/cases idempotency against a real Temporal dev server and the case workflow: the caller's
 * Idempotency-Key (or externalRef) names the workflow, and Temporal's workflow-ID uniqueness makes
 * concurrent duplicates create exactly one case.
 */

const pool = useTestPool();
let temporal: TemporalDev;
let app: FastifyInstance;
let stop: (() => Promise<void>) | undefined;
const run = `${process.pid}-${Date.now()}`;

beforeAll(async () => {
  ({ app, temporal, stop } = await startTemporalTestApp(pool, `api-idempotency-${run}`));
});
afterAll(async () => {
  await stop?.();
});

const body = (description = '12345热线：莲塘镇街上路占道经营') => ({
  source: 'hotline',
  countyCode: DEMO.county,
  townshipCode: DEMO.township,
  location: { address: '浦城县莲塘镇街上路18号' },
  description,
  reporter: { name: '王女士', phone: '13800000000' },
});

interface CaseBody {
  caseId: string;
  description: string;
  stage: string;
  status: string;
  timeline: { type: string }[];
  createdBy: { sub: string };
}

describe('POST /v1/cases idempotency', () => {
  it('50 concurrent requests with one Idempotency-Key create exactly one case: one 201, 49 200s, one caseId', async () => {
    const key = `ticket-${run}-concurrent`;
    const responses = await Promise.all(
      Array.from({ length: 50 }, () =>
        app.inject({ method: 'POST', url: '/v1/cases', headers: { ...bearer('upstream'), 'idempotency-key': key }, payload: body() }),
      ),
    );
    const statuses = responses.map((r) => r.statusCode);
    expect(statuses.filter((s) => s === 201)).toHaveLength(1);
    expect(statuses.filter((s) => s === 200)).toHaveLength(49);
    const cases = responses.map((r) => r.json() as CaseBody);
    const ids = new Set(cases.map((c) => c.caseId));
    expect(ids.size).toBe(1);
    const [caseId] = [...ids];

    // one workflow execution with that id, one opening in its timeline
    const handle = temporal.env.client.workflow.getHandle(caseId!);
    const description = await handle.describe();
    expect(description.type).toBe('caseWorkflow');
    expect(description.status.name).toBe('RUNNING');
    const live = (await app.inject({ method: 'GET', url: `/v1/cases/${caseId}`, headers: bearer('upstream') })).json() as CaseBody;
    expect(live.timeline.filter((e) => e.type === 'case_opened')).toHaveLength(1);
    expect(live.createdBy.sub).toBe(CALLERS.upstream.sub);
    expect(live.stage).toBe('patrol');

    // the read model holds exactly one row for it, and no other case was opened with that description by this run
    const { rows } = await pool.query<{ n: number }>('SELECT count(*)::int AS n FROM cases WHERE case_id = $1', [caseId]);
    expect(rows[0]?.n).toBe(1);
  });

  it('the same key with a different body is refused (422 idempotency_key_reused); the first case is unchanged', async () => {
    const key = `ticket-${run}-retry`;
    const first = await app.inject({ method: 'POST', url: '/v1/cases', headers: { ...bearer('upstream'), 'idempotency-key': key }, payload: body('first body') });
    expect(first.statusCode).toBe(201);
    const reused = await app.inject({ method: 'POST', url: '/v1/cases', headers: { ...bearer('upstream'), 'idempotency-key': key }, payload: body('second body') });
    expect(reused.statusCode).toBe(422);
    expect(reused.json()).toMatchObject({ error: { code: 'idempotency_key_reused', details: [{ path: 'headers.idempotency-key' }] } });
    const retry = await app.inject({ method: 'POST', url: '/v1/cases', headers: { ...bearer('upstream'), 'idempotency-key': key }, payload: body('first body') });
    expect(retry.statusCode).toBe(200);
    const a = first.json() as CaseBody;
    const b = retry.json() as CaseBody;
    expect(b.caseId).toBe(a.caseId);
    expect(b.description).toBe('first body');
  });

  it('a retried externalRef with another body returns the existing case (the first body wins)', async () => {
    const payload = { ...body('first body'), externalRef: `12345-${run}-edited` };
    const first = await app.inject({ method: 'POST', url: '/v1/cases', headers: bearer('upstream'), payload });
    const second = await app.inject({ method: 'POST', url: '/v1/cases', headers: bearer('upstream'), payload: { ...payload, description: 'edited' } });
    expect(first.statusCode).toBe(201);
    expect(second.statusCode).toBe(200);
    expect(second.json()).toMatchObject({ caseId: (first.json() as CaseBody).caseId, description: 'first body' });
  });

  it('externalRef is the key when there is no header', async () => {
    const payload = { ...body(), externalRef: `12345-${run}` };
    const first = await app.inject({ method: 'POST', url: '/v1/cases', headers: bearer('upstream'), payload });
    const second = await app.inject({ method: 'POST', url: '/v1/cases', headers: bearer('upstream'), payload });
    expect(first.statusCode).toBe(201);
    expect(second.statusCode).toBe(200);
    expect((second.json() as CaseBody).caseId).toBe((first.json() as CaseBody).caseId);
    expect(second.json()).toMatchObject({ externalRef: `12345-${run}` });
  });

  it('keys are per caller, and requests without a key always open new cases', async () => {
    const key = `ticket-${run}-shared`;
    const mine = await app.inject({ method: 'POST', url: '/v1/cases', headers: { ...bearer('upstream'), 'idempotency-key': key }, payload: body() });
    const theirs = await app.inject({ method: 'POST', url: '/v1/cases', headers: { ...bearer('upstreamOther'), 'idempotency-key': key }, payload: body() });
    expect(mine.statusCode).toBe(201);
    expect(theirs.statusCode).toBe(201);
    expect((theirs.json() as CaseBody).caseId).not.toBe((mine.json() as CaseBody).caseId);
    // the other caller cannot read mine
    const peek = await app.inject({ method: 'GET', url: `/v1/cases/${(mine.json() as CaseBody).caseId}`, headers: bearer('upstreamOther') });
    expect(peek.statusCode).toBe(403);

    const x = await app.inject({ method: 'POST', url: '/v1/cases', headers: bearer('upstream'), payload: body() });
    const y = await app.inject({ method: 'POST', url: '/v1/cases', headers: bearer('upstream'), payload: body() });
    expect([x.statusCode, y.statusCode]).toEqual([201, 201]);
    expect((x.json() as CaseBody).caseId).not.toBe((y.json() as CaseBody).caseId);
  });

  it('a closed case is still found by its key (200), also after its workflow is deleted', async () => {
    const key = `ticket-${run}-closed`;
    const created = await app.inject({ method: 'POST', url: '/v1/cases', headers: { ...bearer('township'), 'idempotency-key': key }, payload: body() });
    expect(created.statusCode).toBe(201);
    const { caseId } = created.json() as CaseBody;
    // close it as unfounded: patrol report, then not confirmed
    const report = await app.inject({
      method: 'POST',
      url: `/v1/cases/${caseId}/actions/patrol-report`,
      headers: bearer('township'),
      payload: { gridMemberId: 'GM-001', observedAt: '2026-03-02T09:00:00+08:00', findings: '现场未见占道' },
    });
    expect(report.statusCode).toBe(200);
    const confirm = await app.inject({
      method: 'POST',
      url: `/v1/cases/${caseId}/actions/confirm`,
      headers: bearer('township'),
      payload: { confirmed: false, reason: '现场未见' },
    });
    expect(confirm.statusCode).toBe(200);
    expect(confirm.json()).toMatchObject({ status: 'closed', resolution: 'unfounded' });
    // the reporter is called back (回访), which ends the case's workflow
    const callback = await app.inject({ method: 'POST', url: `/v1/cases/${caseId}/satisfaction`, headers: bearer('township'), payload: { rating: 'basically_satisfied' } });
    expect(callback.statusCode).toBe(200);
    await temporal.env.client.workflow.getHandle(caseId).result();

    const again = await app.inject({ method: 'POST', url: '/v1/cases', headers: { ...bearer('township'), 'idempotency-key': key }, payload: body() });
    expect(again.statusCode).toBe(200);
    expect(again.json()).toMatchObject({ caseId, status: 'closed' });

    // an action on a closed case: 409
    const late = await app.inject({ method: 'POST', url: `/v1/cases/${caseId}/actions/confirm`, headers: bearer('township'), payload: { confirmed: true } });
    expect(late.statusCode).toBe(409);

    // the workflow is deleted (as after retention); GET still answers (the read model once the deletion is done)
    await temporal.env.client.workflowService.deleteWorkflowExecution({
      namespace: temporal.env.namespace ?? 'default',
      workflowExecution: { workflowId: caseId },
    });
    const fromReadModel = await app.inject({ method: 'GET', url: `/v1/cases/${caseId}`, headers: bearer('township') });
    expect(fromReadModel.statusCode).toBe(200);
    expect(fromReadModel.json()).toMatchObject({ caseId, status: 'closed', resolution: 'unfounded' });
    // and the key still finds it rather than opening a new case
    const afterRetention = await app.inject({ method: 'POST', url: '/v1/cases', headers: { ...bearer('township'), 'idempotency-key': key }, payload: body() });
    expect(afterRetention.statusCode).toBe(200);
    expect(afterRetention.json()).toMatchObject({ caseId, status: 'closed' });
  });
});

describe('Idempotency-Key on an action refused before it ran', () => {
  it('is given back: a 403 outside the jurisdiction leaves the key free for the next request (200, not 422)', async () => {
    const open = async (townshipCode: string, ref: string) => {
      const r = await app.inject({ method: 'POST', url: '/v1/cases', headers: bearer('upstream'), payload: { ...body(), townshipCode, externalRef: ref } });
      expect(r.statusCode).toBe(201);
      return (r.json() as CaseBody).caseId;
    };
    const elsewhere = await open(DEMO.township, `ref-${run}-elsewhere`);
    const own = await open(DEMO.otherTownship, `ref-${run}-own`);
    const key = `step-${run}-given-back`;
    const report = (caseId: string, findings: string) =>
      app.inject({
        method: 'POST',
        url: `/v1/cases/${caseId}/actions/patrol-report`,
        headers: { ...bearer('otherTownship'), 'idempotency-key': key },
        payload: { gridMemberId: 'grid-member-7', observedAt: '2026-11-25T10:00:00+08:00', findings },
      });
    const refused = await report(elsewhere, '越权上报');
    expect(refused.statusCode).toBe(403);
    const { rows } = await pool.query('SELECT 1 FROM idempotency_keys WHERE caller = $1 AND key = $2', [CALLERS.otherTownship.sub, key]);
    expect(rows).toHaveLength(0);
    const accepted = await report(own, '占道经营属实');
    expect(accepted.statusCode).toBe(200);
    expect(accepted.json()).toMatchObject({ caseId: own, stage: 'discovery' });
    // and now the key is taken: its retry is the first answer, another request with it is 422
    const retried = await report(own, '占道经营属实');
    expect(retried.statusCode).toBe(200);
    expect(retried.json()).toStrictEqual(accepted.json());
    expect((await report(elsewhere, '越权上报')).statusCode).toBe(403);
  });
});

import type { FastifyInstance } from 'fastify';
import { WithStartWorkflowOperation } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO } from '../../db/seed';
import { bearer, hotlineOpening } from '../helpers/api';
import { useTestPool } from '../helpers/db';
import { startTemporalTestApp, type TemporalDev } from '../helpers/temporal-dev';
import { keepHistory, replayFailures } from '../workflows/rig';
import { actionUpdate, caseQuery } from '../../workflows/definitions';

/**
 * Real clients repeat themselves: a double click sends the same action twice at once, a client that
 * lost a response retries with the same Idempotency-Key. On a real Temporal dev server, every action of
 * a formal case is sent twice at once (no key): one effect, two equal answers, and the case's history
 * replays (issue 6, defect 1: two identical actions used to leave a case unable to replay).
 */

const pool = useTestPool();
let app: FastifyInstance;
let temporal: TemporalDev;
let stop: (() => Promise<void>) | undefined;
const run = `${process.pid}-${Date.now()}`;

beforeAll(async () => {
  ({ app, temporal, stop } = await startTemporalTestApp(pool, `api-repeated-${run}`));
});
afterAll(async () => {
  await stop?.();
});

interface CaseBody {
  caseId: string;
  status: string;
  stage: string;
  resolution?: string;
  timeline: { seq: number; type: string }[];
  penalty?: { fine?: number; paidAmount: number };
}

const opening = hotlineOpening;

const post = (url: string, payload: object, headers: Record<string, string> = {}) =>
  app.inject({ method: 'POST', url, headers: { ...bearer('township'), ...headers }, payload });

async function replays(caseId: string): Promise<void> {
  const history = await temporal.env.client.workflow.getHandle(caseId).fetchHistory();
  expect(await replayFailures([{ workflowId: caseId, history }])).toEqual([]);
}

describe('the same request twice at once (double submit, no key)', () => {
  it('opens one case, and every action of a formal case has one effect and two equal answers; the history replays', async () => {
    const [a, b] = await Promise.all([
      app.inject({ method: 'POST', url: '/v1/cases', headers: bearer('upstream'), payload: opening(`12345-${run}-double`) }),
      app.inject({ method: 'POST', url: '/v1/cases', headers: bearer('upstream'), payload: opening(`12345-${run}-double`) }),
    ]);
    expect([a.statusCode, b.statusCode].sort()).toEqual([200, 201]);
    const caseId = (a.json() as CaseBody).caseId;
    expect((b.json() as CaseBody).caseId).toBe(caseId);

    const steps: [string, object][] = [
      ['patrol-report', { gridMemberId: 'grid-member-7', observedAt: '2026-11-25T10:00:00+08:00', findings: '占道经营属实' }],
      ['confirm', { confirmed: true }],
      ['capture', { matterCode: DEMO.matters.townshipPenalty, party: { kind: 'person', name: '李某' } }],
      ['assign', { level: 'township', officerIds: DEMO.officers.certified.slice(0, 2) }],
      ['handle', { outcome: 'case_required' }],
      ['file', {}],
      ['notify-rights', { proposedFine: 100 }],
      ['hearing-request', {}],
      ['hearing-notice', { noticeServedAt: '2026-09-30T10:00:00+08:00', hearingAt: '2026-10-16T09:00:00+08:00' }],
      ['hearing-held', {}],
      ['decide', { kind: 'penalty', fine: 100 }],
      ['serve', {}],
      ['record-payment', { amount: 100 }],
      ['verify', { passed: true }],
    ];
    let last = a.json() as CaseBody;
    for (const [action, body] of steps) {
      const url = `/v1/cases/${caseId}/actions/${action}`;
      const [first, second] = await Promise.all([post(url, body), post(url, body)]);
      expect([first.statusCode, second.statusCode], `${action}: ${first.body} / ${second.body}`).toEqual([200, 200]);
      expect(second.json(), action).toEqual(first.json());
      const now = first.json() as CaseBody;
      expect(now.timeline.length, action).toBeGreaterThan(last.timeline.length);
      last = now;
    }
    expect(last).toMatchObject({ status: 'closed', resolution: 'penalty_paid', penalty: { fine: 100, paidAmount: 100 } });
    const types = last.timeline.map((e) => e.type);
    for (const once of ['patrol_reported', 'source_confirmed', 'information_captured', 'assigned_to_brigade', 'case_filed', 'rights_notified', 'decided', 'payment_recorded', 'verified']) {
      expect(types.filter((t) => t === once), once).toHaveLength(1);
    }
    const rows = await pool.query<{ n: number }>('SELECT count(*)::int AS n FROM case_events WHERE case_id = $1', [caseId]);
    expect(rows.rows[0]?.n).toBe(last.timeline.length);

    await replays(caseId);
    await keepHistory(temporal.env.client.workflow.getHandle(caseId), 'double-submitted-actions');
  });
});

describe('case creation under load', () => {
  it('50 concurrent creations of different cases all answer 201 with the opened case (never 503 for a case it created)', async () => {
    const answers = await Promise.all(
      Array.from({ length: 50 }, (_, i) =>
        app.inject({ method: 'POST', url: '/v1/cases', headers: bearer('upstream'), payload: opening(`12345-${run}-load-${i}`) }),
      ),
    );
    expect(answers.map((a) => a.statusCode)).toEqual(Array(50).fill(201));
    const cases = answers.map((a) => a.json() as CaseBody);
    expect(new Set(cases.map((c) => c.caseId)).size).toBe(50);
    for (const c of cases) expect(c.timeline.map((e) => e.type)).toEqual(['case_opened']);
    const { rows } = await pool.query<{ n: number }>('SELECT count(*)::int AS n FROM cases WHERE case_id = ANY($1)', [cases.map((c) => c.caseId)]);
    expect(rows[0]?.n).toBe(50);
  });
});

describe('retries with an Idempotency-Key', () => {
  it('a retried action returns the first answer and changes nothing; the key with another body is 422', async () => {
    const created = await app.inject({ method: 'POST', url: '/v1/cases', headers: bearer('upstream'), payload: opening(`12345-${run}-keyed`) });
    const caseId = (created.json() as CaseBody).caseId;
    const report = { gridMemberId: 'grid-member-7', observedAt: '2026-11-25T10:00:00+08:00', findings: '占道经营属实' };
    const url = `/v1/cases/${caseId}/actions/patrol-report`;
    const first = await post(url, report, { 'idempotency-key': `${run}-report` });
    expect(first.statusCode).toBe(200);
    // the response was lost; the client retries, also concurrently with itself
    const retries = await Promise.all([0, 1, 2].map(() => post(url, report, { 'idempotency-key': `${run}-report` })));
    for (const r of retries) {
      expect(r.statusCode).toBe(200);
      expect(r.json()).toEqual(first.json());
    }
    const reused = await post(url, { ...report, findings: '另一份报告' }, { 'idempotency-key': `${run}-report` });
    expect(reused.statusCode).toBe(422);
    expect(reused.json()).toMatchObject({ error: { code: 'idempotency_key_reused', details: [{ path: 'headers.idempotency-key' }] } });
    const elsewhere = await post(`/v1/cases/${caseId}/actions/confirm`, { confirmed: true }, { 'idempotency-key': `${run}-report` });
    expect(elsewhere.statusCode).toBe(422);

    // money: a payment retried with its key is recorded once
    const steps: [string, object][] = [
      ['confirm', { confirmed: true }],
      ['capture', { matterCode: DEMO.matters.townshipPenalty, party: { kind: 'person', name: '李某' } }],
      ['assign', { level: 'township', officerIds: DEMO.officers.certified.slice(0, 2) }],
      ['handle', { outcome: 'case_required' }],
      ['decide', { kind: 'penalty', fine: 200, summary: true }],
    ];
    for (const [action, body] of steps) expect((await post(`/v1/cases/${caseId}/actions/${action}`, body)).statusCode, action).toBe(200);
    const pay = () => post(`/v1/cases/${caseId}/actions/record-payment`, { amount: 100 }, { 'idempotency-key': `${run}-pay-1` });
    const paid = await pay();
    const again = await pay();
    expect(paid.statusCode).toBe(200);
    expect(again.json()).toEqual(paid.json());
    const c = (await app.inject({ method: 'GET', url: `/v1/cases/${caseId}`, headers: bearer('township') })).json() as CaseBody;
    expect(c.penalty?.paidAmount).toBe(100);
    expect(c.timeline.filter((e) => e.type === 'payment_recorded')).toHaveLength(1);
  });
});

describe('an Update that reaches a case before it has opened', () => {
  it('waits for the opening and succeeds (update-with-start of the action itself)', async () => {
    const caseId = `T-early-${run}`;
    const startWorkflowOperation = new WithStartWorkflowOperation('caseWorkflow', {
      workflowId: caseId,
      taskQueue: temporal.taskQueue,
      args: [{ ...opening(`early-${run}`), source: 'hotline' as const, caseId, createdBy: { sub: 'hotline-12345', role: 'upstream' as const, unit: DEMO.county } }],
      workflowIdConflictPolicy: 'FAIL',
    });
    const c = await temporal.env.client.workflow.executeUpdateWithStart(actionUpdate, {
      startWorkflowOperation,
      args: [
        {
          action: 'patrol-report',
          actor: { sub: 'officer-lead', role: 'township', unit: DEMO.township },
          body: { gridMemberId: 'grid-member-7', observedAt: '2026-11-25T10:00:00+08:00', findings: '占道经营属实' },
        },
      ],
    });
    expect(c).toMatchObject({ stage: 'discovery', seq: 2 });
    const opened = await temporal.env.client.workflow.getHandle(caseId).query(caseQuery);
    expect(opened.timeline.map((e) => e.type)).toEqual(['case_opened', 'patrol_reported']);
    await replays(caseId);
    await temporal.env.client.workflow.getHandle(caseId).terminate('test finished');
  });
});

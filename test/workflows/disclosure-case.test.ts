import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../../api/app';
import { useTestPool } from '../helpers/db';
import { bearer, TEST_JWT_SECRET } from '../helpers/api';
import { DEMO } from '../../db/seed';
import { disclosureQuery, type DisclosureState } from '../../workflows/disclosure';
import { act, decideAndServe, eventually, hotlineCase, keepHistory, newCaseId, openFormalCase, settled, useCaseRig, view, type CaseHandle } from './rig';

/**
 * The case starts its decision's disclosure (公示) at the decision, tells the party at service, and tells
 * the disclosure when the decision changes; a summary warning and a minor's case are never published.
 * The API's publish and withdraw act on the case's disclosure.
 */
const pool = useTestPool();
const rig = useCaseRig(pool, 'disclosure-case');
let app: FastifyInstance;

beforeAll(async () => {
  app = await buildApp({ pool, temporal: { client: rig.env.client, taskQueue: rig.taskQueue }, jwtSecret: TEST_JWT_SECRET });
});
afterAll(async () => app?.close());

const disclosureOf = (workflowId: string): Promise<DisclosureState> => rig.env.client.workflow.getHandle(workflowId).query(disclosureQuery);
const rows = async (caseId: string) =>
  (await pool.query<{ disclosure_id: string; status: string; entry: unknown }>(`SELECT disclosure_id, status, entry FROM disclosures WHERE case_id = $1`, [caseId])).rows;
const post = (caseId: string, what: 'publish' | 'withdraw', payload?: object) =>
  app.inject({ method: 'POST', url: `/v1/cases/${caseId}/disclosure/${what}`, headers: bearer('township'), ...(payload ? { payload } : {}) });

describe('the case and its disclosure', () => {
  it('a fine: the disclosure starts at the decision, the party is told at service, the township publishes; a rework starts the withdrawal', async () => {
    const handle = await openFormalCase(rig, 'disclosed');
    let c = await decideAndServe(rig, pool, handle, 2000);
    const caseId = c.caseId;
    expect(c.penalty?.disclosureWorkflowId).toBe(`${caseId}/disclosure`);
    await eventually(() => rows(caseId), (r) => r[0]?.status === 'pending', 'the prepared entry');
    const notice = await pool.query(`SELECT recipient, subject FROM outbox WHERE case_id = $1 AND channel = 'party'`, [caseId]);
    expect(notice.rows).toEqual([{ recipient: `party:${caseId}`, subject: expect.stringMatching(/^行政处罚决定将依法公示/) }]);

    // The township reads the entry it is about to publish.
    const review = await app.inject({ method: 'GET', url: `/v1/cases/${caseId}/disclosure`, headers: bearer('township') });
    expect(review.statusCode).toBe(200);
    const [pending] = (review.json() as { items: { status: string; entry: { party: unknown; penalty: string; fine: number }; publishDueAt: string }[] }).items;
    expect(pending).toMatchObject({ status: 'pending', entry: { party: { kind: 'person', name: '李*' }, penalty: 'fine', fine: 2000 } });
    // Due at the end of a day (the 7th working day after the decision; dates checked in disclosure.test.ts).
    expect(pending!.publishDueAt).toMatch(/^\d{4}-\d{2}-\d{2}T00:00:00\.000\+08:00$/);
    const published = await post(caseId, 'publish');
    expect(published.statusCode).toBe(200);
    expect(published.json()).toMatchObject({ caseId, disclosureId: `${caseId}/disclosure`, status: 'published' });
    expect((await post(caseId, 'publish')).statusCode).toBe(409);

    // Paid, verification fails, a new procedure replaces the decision: the disclosure must be withdrawn.
    await act(handle, { action: 'record-payment', body: { amount: 2000 } });
    await act(handle, { action: 'verify', body: { passed: false, notes: '复查仍占道' } });
    c = await act(handle, { action: 'handle', body: { outcome: 'case_required', notes: '重新立案' } });
    const s = await eventually(() => disclosureOf(`${caseId}/disclosure`), (v) => v.deadlines.some((d) => d.kind === 'disclosure-withdrawal'), 'the withdrawal deadline');
    expect(s.history.find((e) => e.type === 'decision_changed')?.data).toEqual({ reason: 'rework: 重新立案' });

    const noReason = await post(caseId, 'withdraw', {});
    expect(noReason.statusCode).toBe(400);
    const withdrawn = await post(caseId, 'withdraw', { reason: '原决定已撤销，重新立案查处' });
    expect(withdrawn.statusCode).toBe(200);
    expect(withdrawn.json()).toMatchObject({ status: 'withdrawn', withdrawalReason: '原决定已撤销，重新立案查处' });
    await eventually(() => rows(caseId), (r) => r[0]?.status === 'withdrawn', 'the withdrawn row');
    await settled(handle, pool);
    await keepHistory(handle, 'formal-case-disclosed-reworked');
    await keepHistory(rig.env.client.workflow.getHandle(`${caseId}/disclosure`), 'disclosure-published-withdrawn');
    // the same story recorded again after the credit-publicity notice moved to domain/disclosure.ts
    // (creditWithdrawalNotice): both recordings replay with the current code
    await keepHistory(rig.env.client.workflow.getHandle(`${caseId}/disclosure`), 'disclosure-withdrawn-credit-notice');
  });

  it('a warning under the summary procedure is never published (Art 2)', async () => {
    const handle = await openFormalCase(rig, 'summary-warning');
    const c = await act(handle, { action: 'decide', body: { kind: 'penalty', summary: true } });
    expect(c.penalty).toMatchObject({ kind: 'penalty', summary: true });
    expect(c.penalty?.disclosureWorkflowId).toBeUndefined();
    await settled(handle, pool);
    expect(await rows(c.caseId)).toEqual([]);
    expect((await post(c.caseId, 'publish')).statusCode).toBe(409);
    const notice = await pool.query(`SELECT 1 FROM outbox WHERE case_id = $1 AND channel = 'party'`, [c.caseId]);
    expect(notice.rows).toEqual([]);
  });

  it("nothing of a minor's case is published", async () => {
    const handle: CaseHandle = await rig.start(hotlineCase(newCaseId('minor')));
    const opened = await view(handle);
    await act(handle, { action: 'patrol-report', body: { gridMemberId: 'grid-member-7', observedAt: opened.openedAt, findings: '未成年人占道摆摊' } });
    await act(handle, { action: 'confirm', body: { confirmed: true } });
    // Born 2015-06-01: a minor on any decision date before 2033-06-01.
    await act(handle, { action: 'capture', body: { matterCode: DEMO.matters.townshipPenalty, party: { kind: 'person', name: '王小明', idNumber: '350722201506011234' } } });
    await act(handle, { action: 'assign', body: { level: 'township', officerIds: DEMO.officers.certified.slice(0, 2) } });
    await act(handle, { action: 'handle', body: { outcome: 'case_required' } });
    const c = await act(handle, { action: 'decide', body: { kind: 'penalty', fine: 50, summary: true } });
    const r = await eventually(() => rows(c.caseId), (x) => x[0]?.status === 'not_published', 'the disclosure to refuse');
    expect(r).toEqual([{ disclosure_id: `${c.caseId}/disclosure`, status: 'not_published', entry: null }]);
    expect((await post(c.caseId, 'publish')).statusCode).toBe(409);
  });
});

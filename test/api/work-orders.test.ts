import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO } from '../../db/seed';
import { bearer, CALLERS, hotlineOpening } from '../helpers/api';
import { useTestPool } from '../helpers/db';
import { startTemporalTestApp } from '../helpers/temporal-dev';

/**
 * 12345 work-order semantics over HTTP on a real Temporal dev server: return before assignment,
 * extension request and decision, supervision order, satisfaction callback with reopen; who may do
 * each (403), and the refusals' mapping (409, 422, 404).
 */

const pool = useTestPool();
let app: FastifyInstance;
let stop: (() => Promise<void>) | undefined;
const run = `${process.pid}-${Date.now()}`;

beforeAll(async () => {
  ({ app, stop } = await startTemporalTestApp(pool, `api-work-orders-${run}`));
});
afterAll(async () => {
  await stop?.();
});

interface CaseBody {
  caseId: string;
  status: string;
  stage: string;
  resolution?: string;
  reopenCount?: number;
  deadlines: { id: string; kind: string; dueAt: string; status: string; extensions?: number }[];
  extensionRequests?: { requestId: string; status: string }[];
  supervisionOrders?: { orderId: string }[];
  satisfaction?: { rating: string; reopened: boolean }[];
}

const open = async (ref: string) => {
  const res = await app.inject({
    method: 'POST',
    url: '/v1/cases',
    headers: bearer('upstream'),
    payload: hotlineOpening(ref),
  });
  expect(res.statusCode).toBe(201);
  return (res.json() as CaseBody).caseId;
};
const post = (caller: Parameters<typeof bearer>[0], url: string, payload: object) => app.inject({ method: 'POST', url, headers: bearer(caller), payload });
const act = (caseId: string, action: string, payload: object) => post('township', `/v1/cases/${caseId}/actions/${action}`, payload);

async function toHandling(caseId: string) {
  for (const [action, body] of [
    ['patrol-report', { gridMemberId: 'grid-member-7', observedAt: '2026-11-25T10:00:00+08:00', findings: '占道经营属实' }],
    ['confirm', { confirmed: true }],
    ['capture', { matterCode: DEMO.matters.townshipPenalty, party: { kind: 'person', name: '李某' } }],
    ['assign', { level: 'township', officerIds: DEMO.officers.certified.slice(0, 2) }],
  ] as const) {
    expect((await act(caseId, action, body)).statusCode, action).toBe(200);
  }
}

describe('12345 work orders over HTTP', () => {
  it('return before assignment closes the work order as returned_to_dispatcher', async () => {
    const caseId = await open(`12345-${run}-return`);
    const noReason = await act(caseId, 'return', {});
    expect(noReason.statusCode).toBe(400);
    expect(noReason.json()).toMatchObject({ error: { details: [{ path: 'body.reason' }] } });
    const res = await act(caseId, 'return', { reason: '属于县住建局职责' });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ status: 'closed', resolution: 'returned_to_dispatcher' });
  });

  it('extension: the handler asks, another township may not, a supervisor decides; refusals map to 4xx', async () => {
    const caseId = await open(`12345-${run}-extension`);
    await toHandling(caseId);
    const url = `/v1/cases/${caseId}/extension-requests`;
    expect((await post('otherTownship', url, { reason: '需要更多时间', workingDays: 2 })).statusCode).toBe(403);
    expect((await post('supervisor', url, { reason: '需要更多时间', workingDays: 2 })).statusCode).toBe(403);
    const both = await post('township', url, { reason: '需要更多时间', workingDays: 2, newDueAt: '2027-01-01T00:00:00+08:00' });
    expect(both.statusCode).toBe(400);
    const asked = await post('township', url, { reason: '当事人外出，需延期整改', workingDays: 2 });
    expect(asked.statusCode).toBe(200);
    const { requestId, case: afterAsk } = asked.json() as { requestId: string; case: CaseBody };
    expect(afterAsk.extensionRequests).toEqual([expect.objectContaining({ requestId, status: 'pending' })]);
    expect((await post('township', url, { reason: '再次申请', workingDays: 1 })).statusCode).toBe(409);

    const decide = `/v1/cases/${caseId}/extension-requests/${requestId}/decision`;
    expect((await post('township', decide, { approved: true })).statusCode).toBe(403);
    expect((await post('supervisor', `/v1/cases/${caseId}/extension-requests/EXT-999/decision`, { approved: true })).statusCode).toBe(404);
    const handlingBefore = afterAsk.deadlines.find((d) => d.kind === 'handling' && d.status === 'running')!;
    const approved = await post('supervisor', decide, { approved: true });
    expect(approved.statusCode).toBe(200);
    const after = (approved.json() as { case: CaseBody }).case;
    const handling = after.deadlines.find((d) => d.id === handlingBefore.id)!;
    expect(handling.extensions).toBe(1);
    expect(Date.parse(handling.dueAt)).toBeGreaterThan(Date.parse(handlingBefore.dueAt));
    expect((await post('supervisor', decide, { approved: false, reason: '再议' })).statusCode).toBe(409);
  });

  it('supervision order by a supervisor of the county; satisfaction callback with reopen by the dispatching platform', async () => {
    const caseId = await open(`12345-${run}-supervise`);
    await toHandling(caseId);
    const orders = `/v1/cases/${caseId}/supervision-orders`;
    expect((await post('township', orders, { note: '请加快' })).statusCode).toBe(403);
    expect((await post('supervisor', orders, { note: '请加快', dueAt: '2020-01-01T00:00:00+08:00' })).statusCode).toBe(422);
    const ordered = await post('supervisor', orders, { note: '群众反映强烈，请加快处置' });
    expect(ordered.statusCode).toBe(200);
    expect((ordered.json() as { case: CaseBody }).case.supervisionOrders).toHaveLength(1);

    const satisfaction = `/v1/cases/${caseId}/satisfaction`;
    expect((await post('upstream', satisfaction, { rating: 'satisfied' })).statusCode).toBe(409); // still open
    expect((await act(caseId, 'handle', { outcome: 'corrected' })).statusCode).toBe(200);
    expect((await act(caseId, 'verify', { passed: true })).statusCode).toBe(200);
    expect((await post('supervisor', satisfaction, { rating: 'satisfied' })).statusCode).toBe(403);
    const reopened = await post('upstream', satisfaction, { rating: 'unsatisfied', note: '问题仍然存在', reopen: true });
    expect(reopened.statusCode).toBe(200);
    expect((reopened.json() as { case: CaseBody }).case).toMatchObject({ status: 'open', stage: 'handling', reopenCount: 1 });
    // the list sees it open again
    const list = await app.inject({ method: 'GET', url: `/v1/cases?status=open&limit=500`, headers: bearer('township') });
    expect((list.json() as { items: { caseId: string }[] }).items.map((c) => c.caseId)).toContain(caseId);
    expect(CALLERS.upstream.sub).toBeDefined();
  });
});

import { describe, expect, it } from 'vitest';
import { useTestPool } from '../helpers/db';
import {
  act,
  eventually,
  hotlineCase,
  keepHistory,
  ms,
  newCaseId,
  patrolCase,
  refusalOf,
  running,
  settled,
  townshipActor,
  upstreamActor,
  useCaseRig,
  view,
  type CaseHandle,
} from './rig';
import { DEMO } from '../../db/seed';
import { computeDueDate } from '../../domain/calendar';
import type { CaseRequest } from '../../domain/actions';
import type { Actor } from '../../domain/case';
import { REFUSAL } from '../../domain/errors';
import { requestUpdate } from '../../workflows/definitions';

const pool = useTestPool();
const rig = useCaseRig(pool, 'work-orders');

const supervisor: Actor = { sub: 'county-supervisor', role: 'supervisor', unit: DEMO.county };
const ask = (handle: CaseHandle, req: CaseRequest) => handle.executeUpdate(requestUpdate, { args: [req] });

async function toHandling(label: string): Promise<CaseHandle> {
  const handle = await rig.start(hotlineCase(newCaseId(label)));
  const opened = await view(handle);
  await act(handle, { action: 'patrol-report', body: { gridMemberId: 'grid-member-7', observedAt: opened.openedAt, findings: '占道经营属实' } });
  await act(handle, { action: 'confirm', body: { confirmed: true } });
  await act(handle, { action: 'capture', body: { matterCode: DEMO.matters.townshipPenalty, party: { kind: 'person', name: '李某' } } });
  const c = await act(handle, { action: 'assign', body: { level: 'township', officerIds: DEMO.officers.certified.slice(0, 2) } });
  expect(c.stage).toBe('handling');
  return handle;
}

async function closeHandled(handle: CaseHandle) {
  await act(handle, { action: 'handle', body: { outcome: 'corrected' } });
  return act(handle, { action: 'verify', body: { passed: true } });
}

describe('return of a work order (退回)', () => {
  it('a hotline work order returned before assignment closes as returned_to_dispatcher; the platform and reporter are told', async () => {
    const handle = await rig.start(hotlineCase(newCaseId('returned')));
    let c = await view(handle);
    expect(c.stage).toBe('patrol');
    const empty = await refusalOf(act(handle, { action: 'return', body: { reason: ' ' } }));
    expect(empty.type).toBe(REFUSAL.invalidInput);
    c = await act(handle, { action: 'return', body: { reason: '属于县住建局职责，非本镇事权' } });
    expect(c).toMatchObject({ status: 'closed', resolution: 'returned_to_dispatcher' });
    expect(c.timeline.map((e) => e.type)).toEqual(['case_opened', 'returned_to_dispatcher', 'case_closed']);
    expect(c.deadlines.some((d) => d.kind === 'callback')).toBe(false);
    await settled(handle, pool);
    const told = await pool.query<{ channel: string; recipient: string }>('SELECT channel, recipient FROM outbox WHERE case_id = $1 ORDER BY channel', [c.caseId]);
    expect(told.rows).toEqual([
      { channel: 'dispatcher', recipient: `upstream:${upstreamActor.sub}` },
      { channel: 'reporter-feedback', recipient: 'phone:13800000000' },
    ]);
    expect(await rig.outcome(handle)).toMatchObject({ resolution: 'returned_to_dispatcher' });
  });

  it('is refused after assignment (409) and for a patrol finding, which has no dispatcher (422)', async () => {
    const assigned = await toHandling('return-late');
    const late = await refusalOf(act(assigned, { action: 'return', body: { reason: '不属于本镇' } }));
    expect(late.type).toBe(REFUSAL.wrongStage);
    expect(late.message).toContain('before it is assigned');
    await assigned.terminate('test finished');

    const patrol = await rig.start(patrolCase(newCaseId('return-patrol'), new Date(await rig.env.currentTimeMs()).toISOString()));
    const own = await refusalOf(act(patrol, { action: 'return', body: { reason: '不属于本镇' } }));
    expect(own.type).toBe(REFUSAL.businessRule);
    await patrol.terminate('test finished');
  });
});

describe('extensions (延期)', () => {
  it('an approved extension moves the handling deadline by the working days asked; a refused one does not', async () => {
    const handle = await toHandling('extension');
    let c = await settled(handle, pool);
    const handling = running(c.deadlines, 'handling')!;

    const asked = await ask(handle, { kind: 'extension-request', body: { reason: '当事人外出，需延期整改', workingDays: 3 }, actor: townshipActor });
    expect(asked.requestId).toMatch(/^EXT-/);
    const twice = await refusalOf(ask(handle, { kind: 'extension-request', body: { reason: '再次申请', workingDays: 1 }, actor: townshipActor }));
    expect(twice.type).toBe(REFUSAL.wrongStage);

    const noReason = await refusalOf(ask(handle, { kind: 'extension-decision', requestId: asked.requestId!, body: { approved: false }, actor: supervisor }));
    expect(noReason.type).toBe(REFUSAL.invalidInput);
    await ask(handle, { kind: 'extension-decision', requestId: asked.requestId!, body: { approved: true }, actor: supervisor });
    c = await view(handle);
    const extended = c.deadlines.find((d) => d.id === handling.id)!;
    // counted from the deadline's last day (the day before its 00:00 dueAt)
    expect(extended.dueAt).toBe(computeDueDate({ workingDays: 3 }, new Date(ms(handling.dueAt) - 1)).dueAt);
    expect(ms(extended.escalateAt!) - ms(handling.escalateAt!)).toBe(ms(extended.dueAt) - ms(handling.dueAt));
    expect(extended).toMatchObject({ status: 'running', extensions: 1 });
    expect(c.extensionRequests).toEqual([
      expect.objectContaining({ requestId: asked.requestId, status: 'approved', previousDueAt: handling.dueAt, grantedDueAt: extended.dueAt }),
    ]);
    const decided = await refusalOf(ask(handle, { kind: 'extension-decision', requestId: asked.requestId!, body: { approved: true }, actor: supervisor }));
    expect(decided.type).toBe(REFUSAL.wrongStage);
    const unknown = await refusalOf(ask(handle, { kind: 'extension-decision', requestId: 'EXT-999', body: { approved: true }, actor: supervisor }));
    expect(unknown.type).toBe(REFUSAL.notFound);

    // a second request, refused: the deadline stays
    const again = await ask(handle, { kind: 'extension-request', body: { reason: '仍需时间', newDueAt: new Date(ms(extended.dueAt) + 86_400_000).toISOString() }, actor: townshipActor });
    await ask(handle, { kind: 'extension-decision', requestId: again.requestId!, body: { approved: false, reason: '整改期限已足够' }, actor: supervisor });
    c = await settled(handle, pool);
    expect(c.deadlines.find((d) => d.id === handling.id)!.dueAt).toBe(extended.dueAt);
    expect(c.timeline.filter((e) => e.type.startsWith('extension_')).map((e) => [e.type, e.data?.approved ?? null])).toEqual([
      ['extension_requested', null],
      ['extension_decided', true],
      ['extension_requested', null],
      ['extension_decided', false],
    ]);
    const notices = await pool.query<{ recipient: string }>(`SELECT recipient FROM outbox WHERE case_id = $1 AND channel = 'extension' ORDER BY id`, [c.caseId]);
    expect(notices.rows.map((r) => r.recipient)).toEqual([
      `county-supervisor:${DEMO.county}`,
      `brigade:${DEMO.township}`,
      `county-supervisor:${DEMO.county}`,
      `brigade:${DEMO.township}`,
    ]);

    // once the (extended) deadline has passed, no extension is asked any more
    await rig.advanceTo(ms(extended.dueAt) + 60_000);
    await eventually(() => view(handle), (v) => v.deadlines.find((d) => d.id === handling.id)?.escalationLevel === 1, 'the breach');
    const tooLate = await refusalOf(ask(handle, { kind: 'extension-request', body: { reason: '逾期后申请', workingDays: 2 }, actor: townshipActor }));
    expect(tooLate.type).toBe(REFUSAL.businessRule);
    expect(tooLate.message).toContain('before a deadline falls due');
    await handle.terminate('test finished');
  });
});

describe('supervision orders (督办)', () => {
  it('records the order, tells the handler, escalates when its due date passes, and is met when the case moves on', async () => {
    const handle = await toHandling('supervision');
    const now = await rig.env.currentTimeMs();
    const dueAt = new Date(now + 2 * 3600_000).toISOString();
    const order = await ask(handle, { kind: 'supervision-order', body: { note: '群众反映强烈，请加快处置', dueAt }, actor: supervisor });
    expect(order.requestId).toMatch(/^SUP-/);
    let c = await settled(handle, pool);
    expect(c.supervisionOrders).toEqual([expect.objectContaining({ orderId: order.requestId, note: '群众反映强烈，请加快处置', handler: `brigade:${DEMO.township}` })]);
    const deadline = running(c.deadlines, 'supervision')!;
    expect(ms(deadline.dueAt)).toBe(ms(dueAt));
    const told = await pool.query<{ recipient: string }>(`SELECT recipient FROM outbox WHERE case_id = $1 AND channel = 'supervision'`, [c.caseId]);
    expect(told.rows).toEqual([{ recipient: `brigade:${DEMO.township}` }]);

    await rig.advanceTo(ms(dueAt) + 60_000);
    c = await eventually(() => view(handle), (v) => v.timeline.some((e) => e.type === 'deadline_breached' && e.data?.kind === 'supervision'), 'the supervision breach');
    const past = await refusalOf(ask(handle, { kind: 'supervision-order', body: { note: 'x', dueAt: new Date(now).toISOString() }, actor: supervisor }));
    expect(past.type).toBe(REFUSAL.businessRule);

    c = await act(handle, { action: 'handle', body: { outcome: 'corrected' } });
    expect(c.deadlines.find((d) => d.id === deadline.id)).toMatchObject({ status: 'met', overdue: true });
    await handle.terminate('test finished');
  });
});

describe('satisfaction callbacks (回访)', () => {
  it('satisfied: recorded within the window after close; the case ends', async () => {
    const handle = await toHandling('satisfied');
    let c = await closeHandled(handle);
    expect(c.status).toBe('closed');
    const window = running(c.deadlines, 'callback')!;
    expect(window.dueAt).toBe(computeDueDate({ workingDays: 5 }, window.startedAt).dueAt);
    const early = await refusalOf(ask(handle, { kind: 'satisfaction', body: { rating: 'satisfied', reopen: true }, actor: upstreamActor }));
    expect(early.type).toBe(REFUSAL.invalidInput);
    await ask(handle, { kind: 'satisfaction', body: { rating: 'satisfied', note: '处理及时' }, actor: upstreamActor });
    expect(await rig.outcome(handle)).toMatchObject({ resolution: 'resolved' });
    c = await settled(handle, pool);
    expect(c.satisfaction).toEqual([expect.objectContaining({ rating: 'satisfied', reopened: false })]);
    expect(c.timeline.at(-1)).toMatchObject({ type: 'satisfaction_recorded', stage: 'review', data: { rating: 'satisfied' } });
  });

  it('unsatisfied with reopen: the same case goes back to handling, closes again and is called back again', async () => {
    const handle = await toHandling('reopen');
    const first = await closeHandled(handle);
    await ask(handle, { kind: 'satisfaction', body: { rating: 'unsatisfied', note: '问题仍然存在', reopen: true }, actor: upstreamActor });
    let c = await view(handle);
    expect(c).toMatchObject({ status: 'open', stage: 'handling', reopenCount: 1 });
    expect(c.resolution).toBeUndefined();
    expect(running(c.deadlines, 'handling')).toBeDefined();
    expect(c.timeline.slice(-2).map((e) => e.type)).toEqual(['satisfaction_recorded', 'case_reopened']);
    const reopenedNotice = await pool.query<{ recipient: string }>(`SELECT recipient FROM outbox WHERE case_id = $1 AND channel = 'reopen'`, [c.caseId]);
    expect(reopenedNotice.rows).toEqual([{ recipient: `brigade:${DEMO.township}` }]);

    c = await closeHandled(handle);
    expect(c).toMatchObject({ status: 'closed', resolution: 'resolved', reopenCount: 1 });
    expect(ms(c.closedAt!)).toBeGreaterThanOrEqual(ms(first.closedAt!));
    const second = running(c.deadlines, 'callback')!;
    await rig.advanceTo(ms(second.dueAt) + 60_000);
    expect(await rig.outcome(handle)).toMatchObject({ resolution: 'resolved' });
    c = await settled(handle, pool);
    expect(c.timeline.at(-1)).toMatchObject({ type: 'callback_window_closed' });
    // the efficiency review is of the last close, with the handling visits of both runs
    const review = await pool.query<{ closed_ms: number }>('SELECT (extract(epoch FROM closed_at) * 1000)::float8 AS closed_ms FROM case_reviews WHERE case_id = $1', [c.caseId]);
    expect(review.rows).toEqual([{ closed_ms: ms(c.closedAt!) }]);
    const handlingVisits = await pool.query<{ n: number }>(`SELECT count(*)::int AS n FROM case_review_stages WHERE case_id = $1 AND stage = 'handling'`, [c.caseId]);
    expect(handlingVisits.rows[0]?.n).toBe(2);
    await keepHistory(handle, 'satisfaction-reopened');
  });

  it('the case ends when the callback window passes unused; a patrol finding has no callback window', async () => {
    const handle = await toHandling('callback-late');
    const c = await closeHandled(handle);
    await rig.advanceTo(ms(running(c.deadlines, 'callback')!.dueAt) + 60_000);
    await rig.outcome(handle);
    const patrol = await rig.start(patrolCase(newCaseId('callback-patrol'), new Date(await rig.env.currentTimeMs()).toISOString()));
    await act(patrol, { action: 'confirm', body: { confirmed: false, reason: '现场未发现' } });
    expect(await rig.outcome(patrol)).toMatchObject({ resolution: 'unfounded' });
  });
});

import { describe, expect, it } from 'vitest';
import { useTestPool } from '../helpers/db';
import {
  act,
  childEvent,
  hotlineCase,
  newCaseId,
  decideAndServe,
  eventually,
  ms,
  openFormalCase,
  openSuspectedCrime,
  refusalOf,
  running,
  settled,
  useCaseRig,
  view,
} from './rig';
import { DEMO } from '../../db/seed';
import { computeDueDate } from '../../domain/calendar';
import { REFUSAL } from '../../domain/errors';
import { allowedActions } from '../../domain/procedure';
import { SHANGHAI_OFFSET_MS } from '../../domain/time';

const pool = useTestPool();
const rig = useCaseRig(pool, 'procedure');

const head = { sub: 'township-head', role: 'township', unit: DEMO.township } as const;
const police = { sub: 'pucheng-psb', role: 'police', unit: DEMO.county } as const;
const court = { sub: 'pucheng-court', role: 'court', unit: DEMO.county } as const;

/** The local (Asia/Shanghai) calendar date of an instant, e.g. 2027-06-01. */
const localDate = (iso: string) => new Date(Date.parse(iso) + SHANGHAI_OFFSET_MS).toISOString().slice(0, 10);

describe('procedure: rework after a decision starts a new penalty procedure (defect 5A)', () => {
  it('summary fine paid, verification fails, formal case again: filing and deciding are possible and the case closes', async () => {
    const handle = await openFormalCase(rig, 'rework-paid');
    await act(handle, { action: 'decide', body: { kind: 'penalty', fine: 100, summary: true } });
    let c = await act(handle, { action: 'record-payment', body: { amount: 100 } });
    expect(c.stage).toBe('verification');
    c = await act(handle, { action: 'verify', body: { passed: false, notes: '复查仍有占道' } });
    expect(c.stage).toBe('handling');
    c = await act(handle, { action: 'handle', body: { outcome: 'case_required' } });
    expect(c).toMatchObject({ stage: 'processing', reworkCount: 1 });
    expect(c.penalty).toBeUndefined();
    expect(c.previousPenalties).toEqual([expect.objectContaining({ kind: 'penalty', fine: 100, paidAmount: 100, summary: true })]);
    expect(allowedActions(c, { transferReturned: false })).toEqual(['file', 'decide', 'preserve-evidence']);
    expect(running(c.deadlines, 'filing')).toBeDefined();

    await act(handle, { action: 'decide', body: { kind: 'penalty', fine: 150, summary: true } });
    c = await act(handle, { action: 'record-payment', body: { amount: 150 } });
    c = await act(handle, { action: 'verify', body: { passed: true } });
    expect(c).toMatchObject({ status: 'closed', resolution: 'penalty_paid', penalty: { fine: 150, paidAmount: 150 } });
  });

  it('the same after a no_penalty decision', async () => {
    const handle = await openFormalCase(rig, 'rework-no-penalty');
    await act(handle, { action: 'file', body: {} });
    await act(handle, { action: 'notify-rights', body: {} });
    await act(handle, { action: 'hearing-request', body: {} });
    await act(handle, { action: 'hearing-notice', body: { noticeServedAt: '2026-09-30T10:00:00+08:00', hearingAt: '2026-10-16T09:00:00+08:00' } });
    await act(handle, { action: 'hearing-held', body: {} });
    let c = await act(handle, { action: 'decide', body: { kind: 'no_penalty' } });
    expect(c).toMatchObject({ stage: 'verification', resolution: 'no_penalty' });
    await act(handle, { action: 'verify', body: { passed: false } });
    c = await act(handle, { action: 'handle', body: { outcome: 'case_required' } });
    expect(c.penalty).toBeUndefined();
    expect(allowedActions(c, { transferReturned: false })).toEqual(['file', 'decide', 'preserve-evidence']);
    c = await act(handle, { action: 'file', body: {} });
    expect(c.penalty?.filedAt).toBeDefined();
    await settled(handle, pool);
    await handle.terminate('test finished');
  });
});

describe('procedure: the time bar at capture (行政处罚法 Art 36)', () => {
  it('a violation discovered after two years is captured with its time bar; a penalty is refused, no penalty is possible', async () => {
    const handle = await rig.start(hotlineCase(newCaseId('time-barred')));
    const opened = await view(handle);
    const day = localDate(opened.openedAt);
    const threeYearsBefore = `${Number(day.slice(0, 4)) - 3}${day.slice(4, 8)}01`;
    await act(handle, { action: 'patrol-report', body: { gridMemberId: 'grid-member-7', observedAt: opened.openedAt, findings: '三年前违法建设' } });
    await act(handle, { action: 'confirm', body: { confirmed: true } });
    let c = await act(handle, {
      action: 'capture',
      body: { matterCode: DEMO.matters.townshipPenalty, party: { kind: 'person', name: '李某' }, violation: { occurredOn: threeYearsBefore } },
    });
    expect(c.timeBar).toMatchObject({ years: 2, from: threeYearsBefore, discoveredOn: day, barred: true });
    expect(c.timeline.at(-1)?.data).toMatchObject({ timeBar: { barred: true } });
    await act(handle, { action: 'assign', body: { level: 'township', officerIds: DEMO.officers.certified.slice(0, 2) } });
    await act(handle, { action: 'handle', body: { outcome: 'case_required' } });
    const penalty = await refusalOf(act(handle, { action: 'decide', body: { kind: 'penalty', fine: 100, summary: true } }));
    expect(penalty.type).toBe(REFUSAL.businessRule);
    expect(penalty.message).toContain('time-barred');
    expect(penalty.details).toEqual([expect.objectContaining({ field: 'kind' })]);
    await act(handle, { action: 'file', body: {} });
    await act(handle, { action: 'notify-rights', body: {} });
    await act(handle, { action: 'hearing-request', body: {} });
    await act(handle, { action: 'hearing-notice', body: { noticeServedAt: '2026-09-30T10:00:00+08:00', hearingAt: '2026-10-16T09:00:00+08:00' } });
    await act(handle, { action: 'hearing-held', body: {} });
    c = await act(handle, { action: 'decide', body: { kind: 'no_penalty' } });
    expect(c).toMatchObject({ stage: 'verification', resolution: 'no_penalty' });
    await settled(handle, pool);
    await handle.terminate('test finished');
  });
});

describe('procedure: hearings and notices (defects 5B, 5C)', () => {
  it('B: once filed and a hearing requested, a summary decision is refused; the general decision follows the hearing', async () => {
    const handle = await openFormalCase(rig, 'summary-after-hearing');
    await act(handle, { action: 'file', body: {} });
    await act(handle, { action: 'notify-rights', body: { proposedFine: 150 } });
    await act(handle, { action: 'hearing-request', body: {} });
    const summary = await refusalOf(act(handle, { action: 'decide', body: { kind: 'penalty', fine: 150, summary: true } }));
    expect(summary.type).toBe(REFUSAL.businessRule);
    expect(summary.message).toContain('general procedure');
    expect(summary.message).toContain('requested a hearing');
    expect(summary.details).toEqual([{ field: 'summary' }]);
    await act(handle, { action: 'hearing-notice', body: { noticeServedAt: '2026-09-30T10:00:00+08:00', hearingAt: '2026-10-16T09:00:00+08:00' } });
    await act(handle, { action: 'hearing-held', body: {} });
    const c = await act(handle, { action: 'decide', body: { kind: 'penalty', fine: 150 } });
    expect(c.penalty).toMatchObject({ fine: 150, hearingHeld: true });
    expect(c.penalty?.summary).toBeUndefined();
    await settled(handle, pool);
    await handle.terminate('test finished');
  });

  it('C: a fine heavier than the one notified needs a new notice, which opens a new hearing window', async () => {
    const handle = await openFormalCase(rig, 'heavier-fine');
    await act(handle, { action: 'file', body: {} });
    await act(handle, { action: 'notify-rights', body: { proposedFine: 100 } });
    await act(handle, { action: 'hearing-request', body: {} });
    await act(handle, { action: 'hearing-notice', body: { noticeServedAt: '2026-09-30T10:00:00+08:00', hearingAt: '2026-10-16T09:00:00+08:00' } });
    await act(handle, { action: 'hearing-held', body: {} });
    const heavier = await refusalOf(act(handle, { action: 'decide', body: { kind: 'penalty', fine: 50_000 } }));
    expect(heavier.type).toBe(REFUSAL.businessRule);
    expect(heavier.message).toContain('proposed fine of 100 yuan');
    expect(heavier.message).toContain('Arts 44, 45');
    expect(heavier.details).toEqual([{ field: 'fine', proposedFine: 100 }]);

    let c = await act(handle, { action: 'notify-rights', body: { proposedFine: 50_000 } });
    expect(c.penalty).toMatchObject({ proposedFine: 50_000 });
    expect(c.penalty?.hearingRequested).toBeUndefined();
    const windows = c.deadlines.filter((d) => d.kind === 'hearing-request');
    expect(windows.map((d) => d.status)).toEqual(['met', 'running']);
    expect(c.timeline.at(-1)).toMatchObject({ type: 'rights_notified', data: { proposedFine: 50_000, renotified: true } });
    // the new hearing window must run out (or a hearing be held) before the decision
    expect((await refusalOf(act(handle, { action: 'decide', body: { kind: 'penalty', fine: 50_000 } }))).type).toBe(REFUSAL.wrongStage);
    await rig.advanceTo(ms(running(c.deadlines, 'hearing-request')!.dueAt) + 60_000);
    await eventually(() => view(handle), (v) => !running(v.deadlines, 'hearing-request'), 'the new hearing window to close');
    await settled(handle, pool);
    c = await act(handle, { action: 'decide', body: { kind: 'penalty', fine: 50_000 } });
    expect(c.penalty).toMatchObject({ kind: 'penalty', fine: 50_000 });
    await settled(handle, pool);
    await handle.terminate('test finished');
  });
});

describe('procedure: judicial and court events in order (defects 5D, 5E, 5F)', () => {
  it('D+E: a police decision before the head approval is refused; the accepted transfer tells the reporter', async () => {
    const { handle } = await openSuspectedCrime(rig, pool, 'judicial-order');
    const early = await refusalOf(childEvent(handle, { kind: 'judicial-transfer', event: { event: 'police-decision', accepted: true, actor: police } }));
    expect(early.type).toBe(REFUSAL.wrongStage);
    expect(early.message).toContain('waits for "head-approval"');

    await childEvent(handle, { kind: 'judicial-transfer', event: { event: 'head-approval', actor: head } });
    // a second approval is never forwarded: the transfer is still processing the first, or has moved on
    const again = await refusalOf(childEvent(handle, { kind: 'judicial-transfer', event: { event: 'head-approval', actor: head } }));
    expect(again.type).toBe(REFUSAL.wrongStage);
    let c = await eventually(() => view(handle), (v) => v.children[0]?.step === 'police-decision', 'the hand-over to police');
    expect(c.timeline.filter((e) => e.type === 'head_approved')).toHaveLength(1);
    const twice = await refusalOf(childEvent(handle, { kind: 'judicial-transfer', event: { event: 'head-approval', actor: head } }));
    expect(twice.message).toContain('waits for "police-decision"');

    await childEvent(handle, { kind: 'judicial-transfer', event: { event: 'police-decision', accepted: true, reason: '已立案侦查', actor: police } });
    await eventually(() => view(handle), (v) => v.status === 'closed', 'the case to close');
    c = await settled(handle, pool);
    expect(c.resolution).toBe('transferred_judicial');
    const feedback = await pool.query<{ recipient: string; outcome: string }>(
      `SELECT recipient, payload->>'outcome' AS outcome FROM outbox WHERE case_id = $1 AND channel = 'reporter-feedback'`,
      [c.caseId],
    );
    expect(feedback.rows).toEqual([{ recipient: 'phone:13800000000', outcome: 'transferred_judicial' }]);
  });

  it('D+F: court events out of order are refused; the application to court counts from the last day of the appeal windows', async () => {
    const handle = await openFormalCase(rig, 'court-order');
    let c = await decideAndServe(rig, pool, handle, 5000);
    await rig.advanceTo(ms(running(c.deadlines, 'payment')!.dueAt) + 60_000);
    c = await eventually(() => view(handle), (v) => v.deadlines.some((d) => d.kind === 'litigation-window'), 'the enforcement child');
    const notYet = await refusalOf(childEvent(handle, { kind: 'court-enforcement', event: { event: 'executed', actor: court } }));
    expect(notYet.type).toBe(REFUSAL.wrongStage);
    expect(notYet.message).toContain('waits for no event now');

    const litigation = c.deadlines.find((d) => d.kind === 'litigation-window')!;
    await rig.advanceTo(ms(litigation.dueAt) + 60_000);
    c = await eventually(() => view(handle), (v) => v.deadlines.some((d) => d.kind === 'reminder'), 'the reminder');
    await rig.advanceTo(ms(c.deadlines.find((d) => d.kind === 'reminder')!.dueAt) + 60_000);
    c = await eventually(() => view(handle), (v) => v.children[0]?.step === 'court-acceptance', 'the application to court');
    c = await settled(handle, pool);

    // F: 行政强制法 Art 53 counts from the windows' last day (not counted itself), not from the day after
    const application = c.deadlines.find((d) => d.kind === 'court-application')!;
    const lastWindowDay = localDate(new Date(ms(litigation.dueAt) - 86_400_000).toISOString());
    expect(localDate(application.startedAt)).toBe(lastWindowDay);
    expect(application.dueAt).toBe(computeDueDate({ months: 3 }, `${lastWindowDay}T12:00:00+08:00`).dueAt);

    const executedEarly = await refusalOf(childEvent(handle, { kind: 'court-enforcement', event: { event: 'executed', actor: court } }));
    expect(executedEarly.message).toContain('waits for "court-accepted"');
    await childEvent(handle, { kind: 'court-enforcement', event: { event: 'court-accepted', actor: court } });
    await eventually(() => view(handle), (v) => v.children[0]?.step === 'court-ruling', 'the acceptance');
    const executedBeforeRuling = await refusalOf(childEvent(handle, { kind: 'court-enforcement', event: { event: 'executed', actor: court } }));
    expect(executedBeforeRuling.message).toContain('waits for "court-ruling"');
    await childEvent(handle, { kind: 'court-enforcement', event: { event: 'court-ruling', granted: true, actor: court } });
    await eventually(() => view(handle), (v) => v.children[0]?.step === 'execution', 'the ruling');
    await childEvent(handle, { kind: 'court-enforcement', event: { event: 'executed', actor: court } });
    c = await eventually(() => view(handle), (v) => v.stage === 'verification', 'execution');
    expect(c).toMatchObject({ resolution: 'enforced' });
    await settled(handle, pool);
    await handle.terminate('test finished');
  });
});

describe('handling that finds no violation (检查未发现违法)', () => {
  it('records the finding and goes to verification, which closes the case as resolved', async () => {
    const handle = await rig.start(hotlineCase(newCaseId('no-violation')));
    const opened = await view(handle);
    await act(handle, { action: 'patrol-report', body: { gridMemberId: 'grid-member-7', observedAt: opened.openedAt, findings: '商户经营情况检查' } });
    await act(handle, { action: 'confirm', body: { confirmed: true } });
    await act(handle, { action: 'capture', body: { matterCode: DEMO.matters.townshipPenalty, party: { kind: 'organization', name: '浦城县好味来小吃店' } } });
    await act(handle, { action: 'assign', body: { level: 'township', officerIds: DEMO.officers.certified.slice(0, 2) } });
    let c = await act(handle, { action: 'handle', body: { outcome: 'no_violation', notes: '证照齐全，未发现违法行为' } });
    expect(c.stage).toBe('verification');
    expect(c.timeline.at(-1)).toMatchObject({ type: 'no_violation_found', data: { notes: '证照齐全，未发现违法行为' } });
    expect(c.penalty).toBeUndefined();
    c = await act(handle, { action: 'verify', body: { passed: true } });
    expect(c).toMatchObject({ status: 'closed', resolution: 'resolved' });
    await handle.terminate('test finished');
  });
});

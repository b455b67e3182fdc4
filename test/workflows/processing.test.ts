import { describe, expect, it } from 'vitest';
import { useTestPool } from '../helpers/db';
import { act, decideAndServe, eventually, keepHistory, openFormalCase, settled, useCaseRig, view, type CaseHandle, ms, running, DAY_MS } from './rig';
import { DEMO } from '../../db/seed';
import { computeDueDate } from '../../domain/calendar';
import type { CaseView } from '../../domain/case';
import { courtEventSignal } from '../../workflows/definitions';

const pool = useTestPool();
const rig = useCaseRig(pool, 'processing');

const court = { sub: 'pucheng-court', role: 'court', unit: DEMO.county } as const;


const formalCase = (label: string) => openFormalCase(rig, label);
const decidedAndServed = (handle: CaseHandle, fine: number) => decideAndServe(rig, pool, handle, fine);

describe('formal case processing (案件办理)', () => {
  it('files, notifies rights, holds a requested hearing, decides, serves and records payment', async () => {
    const handle = await formalCase('formal');
    let c = await settled(handle, pool);
    const filing = running(c.deadlines, 'filing')!;
    expect(filing).toMatchObject({ stage: 'processing', holder: 'agency', basis: '市场监督管理行政处罚程序规定 Art 18' });
    expect(filing.dueAt).toBe(computeDueDate({ workingDays: 15 }, filing.startedAt).dueAt);

    c = await act(handle, { action: 'file', body: {} });
    expect(c.deadlines.find((d) => d.kind === 'filing')).toMatchObject({ status: 'met' });
    const decision = running(c.deadlines, 'decision')!;
    expect(decision.dueAt).toBe(computeDueDate({ days: 90 }, c.penalty!.filedAt!).dueAt);

    c = await act(handle, { action: 'notify-rights', body: { proposedFine: 2000 } });
    const window = running(c.deadlines, 'hearing-request')!;
    expect(window).toMatchObject({ holder: 'party', onExpiry: 'lapse' });
    expect(window.dueAt).toBe(computeDueDate({ workingDays: 5 }, c.penalty!.rightsNotifiedAt!).dueAt);
    expect(window.escalateAt).toBeUndefined();

    c = await act(handle, { action: 'hearing-request', body: {} });
    await expect(act(handle, { action: 'decide', body: { kind: 'penalty', fine: 2000 } })).rejects.toThrow('Workflow Update failed');
    // 听证通知 at least 7 working days before the hearing (National Day 2026 in between: see statutory.test.ts)
    c = await act(handle, { action: 'hearing-notice', body: { noticeServedAt: '2026-09-30T10:00:00+08:00', hearingAt: '2026-10-16T09:00:00+08:00' } });
    c = await act(handle, { action: 'hearing-held', body: { notes: '听证会于乡镇综合执法大队召开' } });
    c = await act(handle, { action: 'decide', body: { kind: 'penalty', fine: 2000 } });
    expect(c.deadlines.find((d) => d.kind === 'decision')).toMatchObject({ status: 'met', overdue: false });
    const service = running(c.deadlines, 'service')!;
    expect(service.dueAt).toBe(computeDueDate({ workingDays: 7 }, c.penalty!.decidedAt!).dueAt);

    c = await act(handle, { action: 'serve', body: {} });
    const payment = running(c.deadlines, 'payment')!;
    expect(payment).toMatchObject({ holder: 'party', onExpiry: 'lapse' });
    expect(payment.dueAt).toBe(computeDueDate({ days: 15 }, c.penalty!.servedAt!).dueAt);

    c = await act(handle, { action: 'record-payment', body: { amount: 500 } });
    expect(c).toMatchObject({ stage: 'processing', penalty: { paidAmount: 500 } });
    await expect(act(handle, { action: 'record-payment', body: { amount: 5000 } })).rejects.toThrow('Workflow Update failed');
    c = await act(handle, { action: 'record-payment', body: { amount: 1500 } });
    expect(c).toMatchObject({ stage: 'verification', resolution: 'penalty_paid', penalty: { fine: 2000, paidAmount: 2000 } });
    c = await act(handle, { action: 'verify', body: { passed: true } });
    expect(c).toMatchObject({ status: 'closed', resolution: 'penalty_paid' });
    expect(c.timeline.map((e) => e.type)).toEqual([
      'case_opened',
      'patrol_reported',
      'source_confirmed',
      'information_captured',
      'assigned_to_brigade',
      'formal_case_required',
      'case_filed',
      'rights_notified',
      'hearing_requested',
      'hearing_notified',
      'hearing_held',
      'decided',
      'decision_served',
      'payment_recorded',
      'payment_recorded',
      'verified',
      'case_closed',
    ]);
    const rows = await pool.query(`SELECT snapshot->'penalty'->>'fine' AS fine, resolution FROM cases WHERE case_id = $1`, [c.caseId]);
    expect(rows.rows).toEqual([{ fine: '2000', resolution: 'penalty_paid' }]);
    const review = await pool.query(`SELECT stage, on_time FROM case_review_stages WHERE case_id = $1 AND stage = 'processing'`, [c.caseId]);
    expect(review.rows).toEqual([{ stage: 'processing', on_time: true }]);
    await keepHistory(handle, 'formal-case-paid');
  });
});

describe('court enforcement (申请法院强制执行)', () => {
  it('waits out the appeal windows for an unpaid fine, reminds, applies to court and ends executed — over nine months', async () => {
    const handle = await formalCase('court');
    let c = await decidedAndServed(handle, 5000);
    const payment = running(c.deadlines, 'payment')!;

    await rig.advanceTo(ms(payment.dueAt) + 60_000);
    c = await eventually(() => view(handle), (v) => v.children.length === 1 && v.deadlines.some((d) => d.kind === 'litigation-window'), 'the enforcement child');
    c = await settled(handle, pool);
    expect(c.timeline.some((e) => e.type === 'payment_window_closed')).toBe(true);
    expect(c.handler.level).toBe('court');
    expect(c.children).toEqual([{ kind: 'court-enforcement', workflowId: `${c.caseId}/court-enforcement`, status: 'running', step: 'appeal-windows' }]);
    const reconsideration = c.deadlines.find((d) => d.kind === 'reconsideration-window')!;
    const litigation = c.deadlines.find((d) => d.kind === 'litigation-window')!;
    expect(reconsideration.dueAt).toBe(computeDueDate({ days: 60 }, c.penalty!.servedAt!).dueAt);
    expect(litigation.dueAt).toBe(computeDueDate({ months: 6 }, c.penalty!.servedAt!).dueAt);
    expect(litigation).toMatchObject({ owner: `${c.caseId}/court-enforcement`, holder: 'party' });

    await rig.advanceTo(ms(litigation.dueAt) + 60_000);
    c = await eventually(() => view(handle), (v) => v.timeline.some((e) => e.type === 'reminder_served'), 'the reminder');
    c = await settled(handle, pool);
    expect(c.timeline.filter((e) => e.type === 'deadline_lapsed').map((e) => e.data?.kind)).toEqual(['reconsideration-window', 'litigation-window']);
    const reminder = c.deadlines.find((d) => d.kind === 'reminder')!;
    expect(reminder.dueAt).toBe(computeDueDate({ workingDays: 10 }, reminder.startedAt).dueAt);
    // To the party: the notice at service that the decision will be published (公示), then the reminder.
    const party = await pool.query(`SELECT recipient, left(subject, 3) AS what FROM outbox WHERE case_id = $1 AND channel = 'party' ORDER BY id`, [c.caseId]);
    expect(party.rows).toEqual([
      { recipient: `party:${c.caseId}`, what: '行政处' },
      { recipient: `party:${c.caseId}`, what: '催告书' },
    ]);

    await rig.advanceTo(ms(reminder.dueAt) + 60_000);
    c = await eventually(() => view(handle), (v) => v.deadlines.some((d) => d.kind === 'court-acceptance'), 'the application to court');
    c = await settled(handle, pool);
    const acceptance = c.deadlines.find((d) => d.kind === 'court-acceptance')!;
    expect(c.deadlines.find((d) => d.kind === 'court-application')).toMatchObject({ status: 'met', overdue: false });
    const toCourt = await pool.query(`SELECT recipient FROM outbox WHERE case_id = $1 AND channel = 'court'`, [c.caseId]);
    expect(toCourt.rows).toEqual([{ recipient: `court:${DEMO.county}` }]);

    // the court is slow: its 5 working days pass and the case escalates twice
    await rig.advanceTo(ms(acceptance.escalateAt!) + 75 * DAY_MS);
    c = await eventually(() => view(handle), (v) => v.deadlines.find((d) => d.kind === 'court-acceptance')?.escalationLevel === 2, 'court escalation');
    c = await settled(handle, pool);
    expect(c.timeline.filter((e) => e.type === 'deadline_breached').map((e) => [e.data?.kind, e.data?.level])).toEqual([
      ['court-acceptance', 1],
      ['court-acceptance', 2],
    ]);

    await handle.signal(courtEventSignal, { event: 'court-accepted', actor: court });
    c = await eventually(() => view(handle), (v) => v.deadlines.some((d) => d.kind === 'court-ruling'), 'the acceptance');
    await handle.signal(courtEventSignal, { event: 'court-ruling', granted: true, actor: court });
    await eventually(() => view(handle), (v) => v.children[0]?.step === 'execution', 'the ruling');
    await handle.signal(courtEventSignal, { event: 'executed', actor: court });
    await eventually(() => view(handle), (v) => v.stage === 'verification', 'execution');
    c = await settled(handle, pool);
    expect(c).toMatchObject({ resolution: 'enforced', children: [{ kind: 'court-enforcement', status: 'completed', outcome: 'executed' }] });
    c = await act(handle, { action: 'verify', body: { passed: true } });
    expect(c).toMatchObject({ status: 'closed', resolution: 'enforced' });
    expect(ms(c.closedAt!) - ms(c.openedAt)).toBeGreaterThan(270 * DAY_MS);
    const types = c.timeline.map((e) => e.type);
    for (const t of ['court_enforcement_opened', 'court_enforcement_started', 'reminder_served', 'court_application_filed', 'court_accepted', 'court_ruled', 'enforcement_executed', 'court_enforcement_completed']) {
      expect(types).toContain(t);
    }
    const review = await pool.query('SELECT resolution, escalations, on_time FROM case_reviews WHERE case_id = $1', [c.caseId]);
    expect(review.rows).toEqual([{ resolution: 'enforced', escalations: 2, on_time: false }]);
    await keepHistory(handle, 'court-enforcement-executed');
  });

  it('ends court enforcement when the party pays during the reminder period', async () => {
    const handle = await formalCase('court-paid');
    let c = await decidedAndServed(handle, 3000);
    const payment = running(c.deadlines, 'payment')!;
    await rig.advanceTo(ms(payment.dueAt) + 60_000);
    c = await eventually(() => view(handle), (v) => v.deadlines.some((d) => d.kind === 'litigation-window'), 'the enforcement child');
    const litigation = c.deadlines.find((d) => d.kind === 'litigation-window')!;
    await rig.advanceTo(ms(litigation.dueAt) + 60_000);
    c = await eventually(() => view(handle), (v) => v.children[0]?.step === 'reminder' && v.deadlines.some((d) => d.kind === 'reminder'), 'the reminder');
    c = await settled(handle, pool);

    c = await act(handle, { action: 'record-payment', body: { amount: 3000 } });
    await eventually(() => view(handle), (v) => v.stage === 'verification', 'the paid enforcement to end');
    c = await settled(handle, pool);
    expect(c).toMatchObject({ resolution: 'penalty_paid', handler: { level: 'township' }, children: [{ status: 'completed', outcome: 'paid' }] });
    expect(c.timeline.map((e) => e.type)).toContain('enforcement_ended_paid');
    expect(c.deadlines.some((d) => d.kind === 'court-acceptance')).toBe(false);
    expect(c.deadlines.find((d) => d.kind === 'reminder')).toMatchObject({ status: 'cancelled' });
    c = await act(handle, { action: 'verify', body: { passed: true } });
    expect(c).toMatchObject({ status: 'closed', resolution: 'penalty_paid' });
    await keepHistory(handle, 'court-enforcement-paid-during-reminder');
  });
});

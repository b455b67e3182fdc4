import chineseDays from 'chinese-days';
import { describe, expect, it } from 'vitest';
import { useTestPool } from '../helpers/db';
import { act, childEvent, eventually, keepHistory, openFormalCase, refusalOf, running, settled, useCaseRig, view, ms, type CaseHandle } from './rig';
import { DEMO } from '../../db/seed';
import { REFUSAL } from '../../domain/errors';
import type { Actor, CaseView } from '../../domain/case';
import type { CaseRequest } from '../../domain/actions';
import { SHANGHAI_OFFSET_MS } from '../../domain/time';
import { lateSurchargeQuery, requestUpdate } from '../../workflows/definitions';

const pool = useTestPool();
const rig = useCaseRig(pool, 'statutory');

const supervisor: Actor = { sub: 'county-supervisor', role: 'supervisor', unit: DEMO.county };
const court = { sub: 'pucheng-court', role: 'court', unit: DEMO.county } as const;
const request = (handle: CaseHandle, req: CaseRequest) => handle.executeUpdate(requestUpdate, { args: [req] });
const surcharge = (handle: CaseHandle, asOf: string) => handle.query(lateSurchargeQuery, asOf);
const types = (c: CaseView) => c.timeline.map((e) => e.type);

/**
 * The dates in this file are counted by hand on the 2026 State Council schedule (checked with
 * chinese-days: 中秋 Sep 25–27, 国庆 Oct 1–7, make-up working days Sun Sep 20 and Sat Oct 10).
 */

/** A formal case filed, rights notified, with the party's hearing requested. */
async function hearingRequested(label: string): Promise<CaseHandle> {
  const handle = await openFormalCase(rig, label);
  await act(handle, { action: 'file', body: {} });
  await act(handle, { action: 'notify-rights', body: { proposedFine: 5000 } });
  await act(handle, { action: 'hearing-request', body: {} });
  return handle;
}

/** A fine of 5,000 decided after a hearing and served on Thu 10 Sep 2026 (so its payment deadline is long past). */
async function servedOn10September(label: string): Promise<CaseHandle> {
  const handle = await hearingRequested(label);
  await act(handle, { action: 'hearing-notice', body: { noticeServedAt: '2026-08-03T10:00:00+08:00', hearingAt: '2026-08-20T09:00:00+08:00' } });
  await act(handle, { action: 'hearing-held', body: {} });
  await act(handle, { action: 'decide', body: { kind: 'penalty', fine: 5000 } });
  const c = await act(handle, { action: 'serve', body: { servedAt: '2026-09-10T10:00:00+08:00' } });
  // 15 natural days end on Fri 25 Sep, 中秋 (a holiday, as are Sat 26 and Sun 27): the last day moves to Mon 28 Sep.
  expect(c.deadlines.find((d) => d.kind === 'payment')).toMatchObject({ dueAt: '2026-09-29T00:00:00.000+08:00' });
  return handle;
}

describe('hearing notice (听证通知, 行政处罚法 Arts 64, 85)', () => {
  it('across National Day the earliest hearing date is 16 October; the hearing is not held before its notified date', async () => {
    const handle = await hearingRequested('hearing-notice');
    const unnotified = await refusalOf(act(handle, { action: 'hearing-held', body: {} }));
    expect(unnotified.type).toBe(REFUSAL.wrongStage);
    expect(unnotified.message).toContain('hearing-notice');

    // Served Wed 30 Sep. Working days after it: Oct 8, 9, 10 (Saturday, make-up), 12, 13, 14, 15.
    const late = await refusalOf(
      act(handle, { action: 'hearing-notice', body: { noticeServedAt: '2026-09-30T10:00:00+08:00', hearingAt: '2026-10-15T09:00:00+08:00' } }),
    );
    expect(late.type).toBe(REFUSAL.businessRule);
    expect(late.message).toContain('the earliest allowed hearing date is 2026-10-16');
    expect(late.details).toEqual([{ field: 'hearingAt', earliestHearingDate: '2026-10-16', earliestHearingAt: '2026-10-16T00:00:00.000+08:00' }]);

    let c = await act(handle, {
      action: 'hearing-notice',
      body: { noticeServedAt: '2026-09-30T10:00:00+08:00', hearingAt: '2026-10-16T09:00:00+08:00', place: '莲塘镇综合执法大队会议室' },
    });
    expect(c.penalty?.hearingNotice).toEqual({
      noticeServedAt: '2026-09-30T10:00:00+08:00',
      hearingAt: '2026-10-16T09:00:00+08:00',
      earliestHearingAt: '2026-10-16T00:00:00.000+08:00',
      place: '莲塘镇综合执法大队会议室',
    });

    // Rescheduled to a date still to come: held before it → refused, naming the date.
    c = await act(handle, { action: 'hearing-notice', body: { hearingAt: '2031-06-03T09:00:00+08:00' } });
    const early = await refusalOf(act(handle, { action: 'hearing-held', body: {} }));
    expect(early.type).toBe(REFUSAL.businessRule);
    expect(early.message).toContain('2031-06-03T09:00:00+08:00');
    c = await settled(handle, pool);
    expect(types(c).filter((t) => t === 'hearing_notified')).toHaveLength(2);
    const notices = await pool.query(`SELECT count(*)::int AS n FROM outbox WHERE case_id = $1 AND channel = 'party'`, [c.caseId]);
    expect(notices.rows).toEqual([{ n: 2 }]);
    await handle.terminate('test finished');
  });
});

describe('evidence preservation (先行登记保存, 行政处罚法 Arts 56, 85)', () => {
  it('undecided for 7 working days it escalates and lapses; a later decision closes the deadline', async () => {
    const handle = await openFormalCase(rig, 'preservation');
    await act(handle, { action: 'file', body: {} });
    let c = await act(handle, { action: 'preserve-evidence', body: { items: ['占道堆放货物 20 箱'], preservedAt: '2026-09-24T15:00:00+08:00', approvedBy: '大队长' } });
    // Thu 24 Sep. Working days after it: Sep 28, 29, 30, Oct 8, 9, 10 (make-up Saturday), 12 → due at the end of 12 Oct;
    // twice the period (14): Oct 13, 14, 15, 16, 19, 20, 21 → level 2 at the end of 21 Oct.
    expect(c.deadlines.find((d) => d.kind === 'evidence-preservation')).toMatchObject({
      holder: 'agency',
      basis: '行政处罚法 Arts 56, 85',
      startedAt: '2026-09-24T15:00:00+08:00',
      dueAt: '2026-10-13T00:00:00.000+08:00',
      escalateAt: '2026-10-22T00:00:00.000+08:00',
    });
    c = await eventually(() => view(handle), (v) => v.deadlines.find((d) => d.kind === 'evidence-preservation')?.escalationLevel === 2, 'both escalations');
    c = await settled(handle, pool);
    const breaches = c.timeline.filter((e) => e.type === 'deadline_breached' && e.data?.kind === 'evidence-preservation');
    expect(breaches.map((e) => [e.at, e.data?.level])).toEqual([
      ['2026-10-13T00:00:00.000+08:00', 1],
      ['2026-10-22T00:00:00.000+08:00', 2],
    ]);
    expect(c.timeline.find((e) => e.type === 'evidence_preservation_lapsed')).toMatchObject({ at: '2026-10-13T00:00:00.000+08:00', data: { preservationId: 'EP-1' } });
    expect(c.evidencePreservations).toEqual([expect.objectContaining({ id: 'EP-1', status: 'lapsed', lapsedAt: '2026-10-13T00:00:00.000+08:00' })]);
    expect((await pool.query(`SELECT recipient FROM outbox WHERE case_id = $1 AND channel = 'party'`, [c.caseId])).rows).toEqual([{ recipient: `party:${c.caseId}` }]);

    c = await act(handle, { action: 'decide-preserved-evidence', body: { decision: 'release', notes: '已退还当事人' } });
    expect(c.deadlines.find((d) => d.kind === 'evidence-preservation')).toMatchObject({ status: 'met', overdue: true });
    expect(c.evidencePreservations?.[0]).toMatchObject({ status: 'decided', decision: 'release' });

    // a second preservation decided in time: met, not overdue
    c = await act(handle, { action: 'preserve-evidence', body: { items: ['电子秤 1 台'] } });
    c = await act(handle, { action: 'decide-preserved-evidence', body: { decision: 'confiscate' } });
    expect(c.deadlines.filter((d) => d.kind === 'evidence-preservation').map((d) => [d.status, d.overdue])).toEqual([
      ['met', true],
      ['met', false],
    ]);
    await settled(handle, pool);
    await handle.terminate('test finished');
  });
});

/** The end of the `days`-th working day after a deadline's last day (the day before its 00:00 dueAt), by chinese-days' own working-day test. */
function workingDaysAfterLastDay(dueAt: string, days: number): string {
  let day = new Date(Date.parse(dueAt) - 1 + SHANGHAI_OFFSET_MS).toISOString().slice(0, 10);
  let counted = 0;
  while (counted < days) {
    day = new Date(Date.parse(`${day}T00:00:00Z`) + 86_400_000).toISOString().slice(0, 10);
    if (chineseDays.isWorkday(day)) counted += 1;
  }
  return `${new Date(Date.parse(`${day}T00:00:00Z`) + 86_400_000).toISOString().slice(0, 10)}T00:00:00.000+08:00`;
}

describe('filing extension (市场监督管理行政处罚程序规定 Art 18)', () => {
  it('extends the filing deadline by at most 15 working days, with approval, once', async () => {
    const handle = await openFormalCase(rig, 'filing-extension');
    let c = await settled(handle, pool);
    const filing = running(c.deadlines, 'filing')!;
    const ask = (body: Record<string, unknown>) => request(handle, { kind: 'extension-request', body: { deadlineKind: 'filing', reason: '案情复杂，需补充调查', ...body } as never, actor: { sub: 'officer-lead', role: 'township', unit: DEMO.township } });

    const tooLong = await refusalOf(ask({ workingDays: 16 }));
    expect(tooLong.type).toBe(REFUSAL.businessRule);
    expect(tooLong.details).toEqual([{ field: 'workingDays', max: 15 }]);
    const byDate = await refusalOf(ask({ newDueAt: '2031-01-06T00:00:00+08:00' }));
    expect(byDate.details).toEqual([{ field: 'newDueAt' }]);

    const { requestId } = await ask({ workingDays: 15 });
    await request(handle, { kind: 'extension-decision', requestId: requestId!, body: { approved: true }, actor: supervisor });
    c = await view(handle);
    const extended = c.deadlines.find((d) => d.id === filing.id)!;
    expect(extended).toMatchObject({ status: 'running', extensions: 1 });
    expect(extended.dueAt).toBe(workingDaysAfterLastDay(filing.dueAt, 15));

    const again = await refusalOf(ask({ workingDays: 5 }));
    expect(again.type).toBe(REFUSAL.businessRule);
    expect(again.message).toContain('only once');
    await settled(handle, pool);
    await handle.terminate('test finished');
  });
});

describe('late-payment surcharge (加处罚款, 行政处罚法 Arts 72, 73) and the party\'s lawsuit', () => {
  it('a reconsideration that revokes the penalty ends enforcement and closes the case', async () => {
    const handle = await servedOn10September('revoked');
    await eventually(() => view(handle), (v) => v.deadlines.some((d) => d.kind === 'litigation-window'), 'court enforcement');
    await act(handle, { action: 'appeal-filed', body: { kind: 'reconsideration', filedAt: '2026-09-20T09:00:00+08:00' } });
    // filed on 20 Sep, before the payment deadline: no day accrues until it is decided
    expect(await surcharge(handle, '2026-10-20T12:00:00+08:00')).toMatchObject({ days: 0, accrued: 0, suspended: true });
    await act(handle, { action: 'appeal-decided', body: { upheld: false, decidedAt: '2026-11-10T10:00:00+08:00', reason: '事实不清，撤销处罚决定' } });
    const c = await eventually(() => view(handle), (v) => v.status === 'closed', 'the case to close');
    expect(c).toMatchObject({ resolution: 'penalty_revoked', penalty: { revoked: true }, children: [{ kind: 'court-enforcement', status: 'completed', outcome: 'revoked' }] });
    expect(c.penalty?.surcharge).toBeUndefined();
    expect(types(c)).toEqual(expect.arrayContaining(['reconsideration_requested', 'reconsideration_decided', 'penalty_revoked', 'enforcement_ended_revoked', 'case_closed']));
    await settled(handle, pool);
  });

  it('accrues 3% a day from 29 Sep, reaches the cap on day 34, stops while the lawsuit runs and is applied for in court', async () => {
    const handle = await servedOn10September('surcharge');
    await eventually(() => view(handle), (v) => v.deadlines.some((d) => d.kind === 'litigation-window'), 'court enforcement');

    expect(await surcharge(handle, '2026-09-28T23:59:59+08:00')).toBeNull();
    // day 1: Tue 29 Sep, 3% of 5,000
    expect(await surcharge(handle, '2026-09-29T00:00:00+08:00')).toMatchObject({ from: '2026-09-29', days: 1, accrued: 150, capped: false, suspended: false });
    // day 33: Sat 31 Oct, 99%
    expect(await surcharge(handle, '2026-10-31T12:00:00+08:00')).toMatchObject({ days: 33, accrued: 4950, capped: false });
    // day 34: Sun 1 Nov, 102% → capped at the fine
    expect(await surcharge(handle, '2026-11-01T00:00:00+08:00')).toMatchObject({ days: 34, accrued: 5000, capped: true });

    // The party sued on Sat 10 Oct (day 12): from that day nothing accrues while the lawsuit runs.
    let c = await act(handle, { action: 'appeal-filed', body: { kind: 'lawsuit', filedAt: '2026-10-10T09:00:00+08:00', body: '浦城县人民法院' } });
    expect(types(c)).toContain('lawsuit_filed');
    expect(await surcharge(handle, '2026-10-20T12:00:00+08:00')).toMatchObject({ days: 11, accrued: 1650, capped: false, suspended: true });
    expect(c.penalty?.surcharge).toMatchObject({ days: 11, accrued: 1650, suspended: true });

    // The litigation window (6 months from 10 Sep: the end of Wed 10 Mar 2027) lapses, but no reminder while the lawsuit runs.
    const litigation = c.deadlines.find((d) => d.kind === 'litigation-window')!;
    expect(litigation.dueAt).toBe('2027-03-11T00:00:00.000+08:00');
    await rig.advanceTo(ms('2027-03-15T00:00:00+08:00'));
    c = await eventually(() => view(handle), (v) => v.timeline.some((e) => e.type === 'deadline_lapsed' && e.data?.kind === 'litigation-window'), 'the litigation window');
    c = await settled(handle, pool);
    expect(types(c)).not.toContain('reminder_served');
    expect(c.children[0]).toMatchObject({ status: 'running', step: 'litigation-window' });

    // Judgment for the agency on Tue 16 Mar 2027: enforcement resumes, and the surcharge from Wed 17 Mar (it is long capped).
    await rig.advanceTo(ms('2027-03-16T12:00:00+08:00'));
    c = await act(handle, { action: 'appeal-decided', body: { upheld: true, decidedAt: '2027-03-16T10:00:00+08:00' } });
    // the day of the judgment accrues nothing either; Wed 17 Mar is day 12
    expect(await surcharge(handle, '2027-03-16T12:00:00+08:00')).toMatchObject({ days: 11, accrued: 1650 });
    expect(await surcharge(handle, '2027-03-17T00:00:00+08:00')).toMatchObject({ days: 12, accrued: 1800, suspended: false });
    c = await eventually(() => view(handle), (v) => v.timeline.some((e) => e.type === 'reminder_served'), 'the reminder after the judgment');
    const reminder = c.deadlines.find((d) => d.kind === 'reminder')!;
    const reminderLetter = await pool.query(`SELECT payload FROM outbox WHERE case_id = $1 AND channel = 'party'`, [c.caseId]);
    // the 催告书 states the surcharge owed when it is served (11 days: the lawsuit's days accrued nothing)
    expect(reminderLetter.rows.map((r) => r.payload)).toContainEqual(expect.objectContaining({ outstanding: 5000, surcharge: 1650, surchargeDays: 11 }));
    // 10 working days after Tue 16 Mar 2027 (Mon–Fri: 2027 is past the package's calendar): Mar 17–19, 22–26, 29, 30
    expect(reminder.dueAt).toBe('2027-03-31T00:00:00.000+08:00');
    await rig.advanceTo(ms(reminder.dueAt) + 60_000);
    c = await eventually(() => view(handle), (v) => v.timeline.some((e) => e.type === 'court_application_filed'), 'the application to court');
    c = await settled(handle, pool);
    // applied for on Wed 31 Mar 2027: 11 days before the lawsuit + Mar 17–31 (15) = 26 days × 150 = 3,900 on top of the fine
    expect(c.timeline.find((e) => e.type === 'court_application_filed')?.data).toMatchObject({ outstanding: 5000, surcharge: 3900, surchargeDays: 26, amountAppliedFor: 8900 });
    const toCourt = await pool.query(`SELECT payload FROM outbox WHERE case_id = $1 AND channel = 'court'`, [c.caseId]);
    expect(toCourt.rows[0].payload).toMatchObject({ outstanding: 5000, surcharge: 3900, amountAppliedFor: 8900 });
    await keepHistory(handle, 'lawsuit-suspends-enforcement');
    // paid in full: the enforcement ends, and so does this test's child process
    await act(handle, { action: 'record-payment', body: { amount: 5000 } });
    await eventually(() => view(handle), (v) => v.stage === 'verification', 'the paid enforcement to end');
    await settled(handle, pool);
  });
});

describe('court ruling (行政强制法 Arts 57, 58)', () => {
  it('rules within 30 days when the court hears the parties', async () => {
    const handle = await servedOn10September('ruling-30');
    let c = await eventually(() => view(handle), (v) => v.deadlines.some((d) => d.kind === 'litigation-window'), 'court enforcement');
    await rig.advanceTo(ms('2027-03-11T00:01:00+08:00'));
    c = await eventually(() => view(handle), (v) => v.deadlines.some((d) => d.kind === 'reminder'), 'the reminder');
    await rig.advanceTo(ms(c.deadlines.find((d) => d.kind === 'reminder')!.dueAt) + 60_000);
    c = await eventually(() => view(handle), (v) => v.children[0]?.step === 'court-acceptance', 'the application');

    const appliedAt = c.deadlines.find((d) => d.kind === 'court-acceptance')!.startedAt;
    const beforeApplication = await refusalOf(childEvent(handle, { kind: 'court-enforcement', event: { event: 'court-accepted', hearsParties: true, acceptedAt: '2027-01-04T10:00:00+08:00', actor: court } }));
    expect(beforeApplication.details).toEqual([{ field: 'acceptedAt', appliedAt }]);

    await rig.advanceTo(ms('2027-06-01T12:00:00+08:00'));
    const future = await refusalOf(childEvent(handle, { kind: 'court-enforcement', event: { event: 'court-accepted', hearsParties: true, acceptedAt: '2031-06-03T10:00:00+08:00', actor: court } }));
    expect(future.details).toEqual([{ field: 'acceptedAt' }]);
    await childEvent(handle, { kind: 'court-enforcement', event: { event: 'court-accepted', hearsParties: true, acceptedAt: '2027-06-01T10:00:00+08:00', actor: court } });
    c = await eventually(() => view(handle), (v) => v.deadlines.some((d) => d.kind === 'court-ruling'), 'the acceptance');
    const ruling = c.deadlines.find((d) => d.kind === 'court-ruling')!;
    // 30 natural days after Tue 1 Jun 2027: Thu 1 Jul 2027 (7 working days would end on 10 Jun)
    expect(ruling).toMatchObject({ holder: 'court', startedAt: '2027-06-01T10:00:00+08:00', dueAt: '2027-07-02T00:00:00.000+08:00' });
    expect(ruling.basis).toContain('行政强制法 Art 58');
    expect(c.timeline.find((e) => e.type === 'court_accepted')?.data).toMatchObject({ hearsParties: true, acceptedAt: '2027-06-01T10:00:00+08:00' });
    await rig.advanceTo(ms('2027-07-02T00:01:00+08:00'));
    c = await eventually(() => view(handle), (v) => v.timeline.some((e) => e.type === 'deadline_breached' && e.data?.kind === 'court-ruling'), 'the late ruling');
    expect(c.timeline.find((e) => e.type === 'deadline_breached' && e.data?.kind === 'court-ruling')).toMatchObject({ at: '2027-07-02T00:00:00.000+08:00', data: { level: 1, holder: 'court' } });
    await act(handle, { action: 'record-payment', body: { amount: 5000 } });
    await eventually(() => view(handle), (v) => v.stage === 'verification', 'the paid enforcement to end');
    await settled(handle, pool);
  });
});

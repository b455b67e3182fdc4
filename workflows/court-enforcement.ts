import { setHandler } from '@temporalio/workflow';
import { toShanghaiIso } from '../domain/time';
import type { CourtEvent, CourtEventName } from '../domain/actions';
import { STATUTORY_DEADLINES as LAW } from '../domain/deadlines';
import { ChildRun } from './child-run';
import { COURT_RULING_AFTER_HEARING, lateSurcharge, type Appeal } from '../domain/statutory';
import { appealSignal, courtEventSignal, paymentSignal, type CourtEnforcementInput, type CourtEnforcementOutcome } from './definitions';

/**
 * 申请人民法院强制执行 (行政强制法 Arts 53–58): when a served fine is unpaid, wait out the party's
 * reconsideration (60 days) and litigation (6 months) windows; then serve a reminder (催告) and give
 * 10 working days; apply to the court (within 3 months after the windows end); the court accepts
 * within 5 working days and rules within 7; the ruling is executed or refused. A payment in full at
 * any point ends the process.
 */
export async function courtEnforcementWorkflow(input: CourtEnforcementInput): Promise<CourtEnforcementOutcome> {
  const events: CourtEvent[] = [];
  let paid = input.paidAmount;
  setHandler(courtEventSignal, (e) => void events.push(e));
  setHandler(paymentSignal, (p) => void (paid += p.amount));
  // The party's reconsideration or lawsuit (行政处罚法 Art 73): no reminder or application while one is pending.
  let appeals: Appeal[] = input.appeals ?? [];
  setHandler(appealSignal, (s) => void (appeals = s.appeals));
  const appealPending = () => appeals.some((a) => a.decidedAt === undefined);
  const revoked = () => appeals.some((a) => a.decidedAt !== undefined && a.upheld === false);
  const run = new ChildRun('court-enforcement', input);
  const paidInFull = () => paid >= input.fine;
  const take = (name: CourtEventName) => {
    const i = events.findIndex((e) => e.event === name);
    return i < 0 ? undefined : events.splice(i, 1)[0];
  };
  const law = (kind: keyof typeof LAW) => ({ period: LAW[kind].period, holder: LAW[kind].holder, basis: LAW[kind].source });
  const endPaid = async (): Promise<CourtEnforcementOutcome> => {
    await run.finish('enforcement_ended_paid', { outcome: 'paid', paid, fine: input.fine });
    return 'paid';
  };
  const endRevoked = async (): Promise<CourtEnforcementOutcome> => {
    await run.finish('enforcement_ended_revoked', { outcome: 'revoked' });
    return 'revoked';
  };
  /** 加处罚款 owed now, when the case gave the payment deadline (cases started before the surcharge was built did not). */
  const surchargeNow = () =>
    input.paymentDueAt ? lateSurcharge({ fine: input.fine, paymentDueAt: input.paymentDueAt, appeals }, Date.now()) : undefined;

  const windows = await run.start([
    { kind: 'reconsideration-window', stage: 'processing', ...law('reconsideration-window'), from: input.servedAt, onExpiry: 'lapse' },
    { kind: 'litigation-window', stage: 'processing', ...law('litigation-window'), from: input.servedAt, onExpiry: 'lapse' },
  ]);
  await run.report('court_enforcement_started', { step: 'appeal-windows', data: { fine: input.fine, paid }, deadlines: windows });
  await run.waitUntil(
    () => paidInFull() || revoked() || (!run.book.running('reconsideration-window') && !run.book.running('litigation-window') && !appealPending()),
  );
  if (paidInFull()) return endPaid();
  if (revoked()) return endRevoked();
  // 行政强制法 Art 53 counts the three months "自期限届满之日起": from the windows' last day (not counted
  // itself, 民诉法 Art 85). Their dueAt is 24:00 of that day, i.e. 00:00 of the next one: step back into it.
  const lastWindowDay = toShanghaiIso(Date.parse(windows[1]!.dueAt) - 1);

  // 催告: the agency reminds the party in writing; 10 working days to perform (行政强制法 Arts 54, 69).
  const reminder = await run.start([{ kind: 'reminder', stage: 'processing', ...law('reminder'), onExpiry: 'lapse' }]);
  // 催告书 states the amount owed, the late surcharge included (行政强制法 Art 35)
  const owedAtReminder = surchargeNow();
  await run.report('reminder_served', {
    step: 'reminder',
    deadlines: reminder,
    notifications: [
      run.notification('reminder', {
        channel: 'party',
        recipient: `party:${input.caseId}`,
        subject: '催告书 reminder to pay the fine before compulsory enforcement',
        payload: {
          caseId: input.caseId,
          outstanding: input.fine - paid,
          dueAt: reminder[0]?.dueAt,
          ...(owedAtReminder ? { surcharge: owedAtReminder.accrued, surchargeDays: owedAtReminder.days } : {}),
        },
      }),
    ],
  });
  await run.waitUntil(() => paidInFull() || revoked() || (!run.book.running('reminder') && !appealPending()));
  if (paidInFull()) return endPaid();
  if (revoked()) return endRevoked();
  const surcharge = surchargeNow();
  const applied = surcharge ? { surcharge: surcharge.accrued, surchargeDays: surcharge.days, amountAppliedFor: input.fine - paid + surcharge.accrued } : {};

  // The application to court is filed now, well within 3 months after the windows ended.
  const application = await run.start([{ kind: 'court-application', stage: 'processing', ...law('court-application'), from: lastWindowDay }]);
  run.close('court-application');
  const acceptance = await run.start([{ kind: 'court-acceptance', stage: 'processing', ...law('court-acceptance') }]);
  await run.report('court_application_filed', {
    step: 'court-acceptance',
    deadlines: [...application, ...acceptance],
    notifications: [
      run.notification('application', {
        channel: 'court',
        recipient: `court:${input.countyCode}`,
        subject: '强制执行申请书 application for compulsory enforcement of an administrative penalty',
        payload: { caseId: input.caseId, outstanding: input.fine - paid, ...applied },
      }),
    ],
    ...(surcharge ? { data: { outstanding: input.fine - paid, ...applied } } : {}),
  });

  let accepted: CourtEvent | undefined;
  await run.waitUntil(() => paidInFull() || revoked() || (accepted ??= take('court-accepted')) !== undefined);
  if (paidInFull()) return endPaid();
  if (revoked()) return endRevoked();
  const acceptedMet = run.close('court-acceptance');
  // 行政强制法 Art 58: a court that hears the parties rules within 30 days, not 7 working days.
  const hears = accepted!.hearsParties === true;
  const ruling = await run.start([
    {
      kind: 'court-ruling',
      stage: 'processing',
      ...law('court-ruling'),
      ...(hears ? { period: COURT_RULING_AFTER_HEARING.period, basis: COURT_RULING_AFTER_HEARING.source } : {}),
      ...(accepted!.acceptedAt ? { from: accepted!.acceptedAt } : {}),
    },
  ]);
  await run.report('court_accepted', {
    step: 'court-ruling',
    actor: accepted!.actor,
    deadlines: [...acceptedMet, ...ruling],
    ...(hears || accepted!.acceptedAt ? { data: { hearsParties: hears, ...(accepted!.acceptedAt ? { acceptedAt: accepted!.acceptedAt } : {}) } } : {}),
  });

  let ruled: CourtEvent | undefined;
  await run.waitUntil(() => paidInFull() || revoked() || (ruled ??= take('court-ruling')) !== undefined);
  if (paidInFull()) return endPaid();
  if (revoked()) return endRevoked();
  const ruledMet = run.close('court-ruling');
  if (!ruled!.granted) {
    await run.report('court_ruled', { step: 'done', actor: ruled!.actor, data: { granted: false }, deadlines: ruledMet });
    await run.finish('enforcement_refused_by_court', { outcome: 'refused' });
    return 'refused';
  }
  await run.report('court_ruled', { step: 'execution', actor: ruled!.actor, data: { granted: true }, deadlines: ruledMet });

  let executed: CourtEvent | undefined;
  await run.waitUntil(() => paidInFull() || revoked() || (executed ??= take('executed')) !== undefined);
  if (paidInFull()) return endPaid();
  if (revoked()) return endRevoked();
  await run.finish('enforcement_executed', { outcome: 'executed' }, executed!.actor);
  return 'executed';
}

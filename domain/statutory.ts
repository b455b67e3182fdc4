import type { CaseView, Penalty } from './case';
import type { Deadline } from './deadlines';
import { REFUSAL } from './errors';
import type { Period } from './periods';
import type { Refusal } from './procedure';
import type { ActionName } from './stages';
import { SHANGHAI_OFFSET_MS, toShanghaiIso } from './time';

/**
 * The statutory deadlines of deadlines.md built on top of the procedure: evidence preservation
 * (先行登记保存), the hearing notice, the late-payment surcharge (加处罚款), the filing extension, the
 * court's 30-day ruling after hearing the parties, and the party's own reconsideration or lawsuit.
 * Pure rules, shared by the workflow and the API.
 */

const DAY_MS = 86_400_000;

// ---- action bodies ------------------------------------------------------------------------------

export const PRESERVED_EVIDENCE_DECISIONS = ['release', 'retain-as-evidence', 'confiscate', 'seal-or-seize', 'test-or-appraise'] as const;
export const APPEAL_KINDS = ['reconsideration', 'lawsuit'] as const;
export type AppealKind = (typeof APPEAL_KINDS)[number];

/** The statutory steps (their body schemas: domain/statutory-schemas.ts). */
export const STATUTORY_ACTIONS = ['preserve-evidence', 'decide-preserved-evidence', 'hearing-notice', 'appeal-filed', 'appeal-decided'] as const;
export type StatutoryActionName = (typeof STATUTORY_ACTIONS)[number];

// ---- the view's records ---------------------------------------------------------------------------

/** 先行登记保存 (行政处罚法 Art 56): the agency decides within 7 working days, else the preservation lapses. */
export interface EvidencePreservation {
  id: string;
  items: string[];
  preservedAt: string;
  dueAt: string;
  deadlineId: string;
  status: 'pending' | 'decided' | 'lapsed';
  decision?: (typeof PRESERVED_EVIDENCE_DECISIONS)[number];
  decidedAt?: string;
  lapsedAt?: string;
}

/** 听证通知: served at least 7 (working) days before the hearing (行政处罚法 Arts 64, 85). */
export interface HearingNotice {
  noticeServedAt: string;
  hearingAt: string;
  /** The first instant the hearing may be held: the end of the 7 working days after the notice. */
  earliestHearingAt: string;
  place?: string;
}

/** The party's reconsideration request or lawsuit against the decision. */
export interface Appeal {
  kind: AppealKind;
  filedAt: string;
  decidedAt?: string;
  upheld?: boolean;
  reason?: string;
}

/** 加处罚款 as of a moment: a projection of recorded dates, never stored. */
export interface LateSurcharge {
  /** The first day that accrues: the day after the payment deadline's last day. */
  from: string;
  /** Days accrued so far (suspended days not counted). */
  days: number;
  accrued: number;
  capped: boolean;
  /** A reconsideration or lawsuit runs now (行政处罚法 Art 73): nothing accrues. */
  suspended: boolean;
  asOf: string;
  basis: string;
}

export const SURCHARGE_RATE_PER_DAY = 0.03;
export const SURCHARGE_BASIS = '行政处罚法 Arts 72, 73: 3% of the fine per day from the day after the payment deadline, at most the fine; not while reconsideration or litigation runs';

/** 行政强制法 Art 58: a court that hears the parties rules within 30 days instead of 7 working days. */
export const COURT_RULING_AFTER_HEARING: { period: Period; source: string } = {
  period: { days: 30 },
  source: '行政强制法 Art 58 (听取被执行人和行政机关的意见, 30 日内裁定)',
};

export const EVIDENCE_PRESERVATION_LAPSE = '逾期未作出处理决定，先行登记保存措施自动解除 (行政处罚法 Art 56)';

/** Filing extension: at most 15 working days, once, with approval (市场监督管理行政处罚程序规定 Art 18). */
export const FILING_EXTENSION_MAX_WORKING_DAYS = 15;

// ---- late surcharge ----------------------------------------------------------------------------------

const localDay = (instantMs: number) => Math.floor((instantMs + SHANGHAI_OFFSET_MS) / DAY_MS);
const isoDateOf = (day: number) => new Date(day * DAY_MS).toISOString().slice(0, 10);

/** The running or last payment deadline of the current penalty. */
export function paymentDeadline(view: Pick<CaseView, 'deadlines'>): Deadline | undefined {
  return view.deadlines.filter((d) => d.kind === 'payment' && d.owner === undefined).at(-1);
}

/** A pending appeal: filed and not yet decided. */
export function pendingAppeal(penalty: Penalty | undefined): Appeal | undefined {
  return penalty?.appeals?.find((a) => a.decidedAt === undefined);
}

/**
 * The surcharge owed as of `asOfMs`. Day 1 is the day after the payment deadline's last day (the
 * deadline's dueAt is 00:00 of that day); each local day that has begun counts. The day an appeal is
 * filed through the day it is decided accrue nothing. Accrual ends the day the fine is paid in full;
 * a revoked penalty owes nothing.
 */
export function lateSurcharge(input: { fine: number; paymentDueAt: string; appeals?: Appeal[]; paidInFullAt?: string; revoked?: boolean }, asOfMs: number): LateSurcharge | undefined {
  if (!(input.fine > 0) || input.revoked) return undefined;
  const first = localDay(Date.parse(input.paymentDueAt));
  let last = localDay(asOfMs);
  if (input.paidInFullAt) last = Math.min(last, localDay(Date.parse(input.paidInFullAt)));
  const spans = (input.appeals ?? []).map((a) => [localDay(Date.parse(a.filedAt)), a.decidedAt ? localDay(Date.parse(a.decidedAt)) : Number.POSITIVE_INFINITY] as const);
  let days = 0;
  for (let d = first; d <= last; d += 1) {
    if (!spans.some(([from, to]) => d >= from && d <= to)) days += 1;
  }
  const raw = (Math.round(input.fine * 100) * 3 * days) / 100; // cents, exact for whole-cent fines
  const capped = raw >= Math.round(input.fine * 100);
  const accrued = (capped ? Math.round(input.fine * 100) : Math.round(raw)) / 100;
  const suspended = !input.paidInFullAt && spans.some(([from, to]) => localDay(asOfMs) >= from && localDay(asOfMs) <= to);
  return { from: isoDateOf(first), days, accrued, capped, suspended, asOf: toShanghaiIso(asOfMs), basis: SURCHARGE_BASIS };
}

/** The case with `penalty.surcharge` as of `asOfMs` (the read projection: GET /v1/cases/{id} and the case query). */
export function withLateSurcharge<T extends Pick<CaseView, 'penalty' | 'deadlines'>>(view: T, asOfMs: number): T {
  if (!view.penalty) return view;
  const surcharge = surchargeOf(view, asOfMs);
  const { surcharge: _earlier, ...penalty } = view.penalty; // a query's answer as of the workflow's time, recomputed
  return { ...view, penalty: surcharge ? { ...penalty, surcharge } : penalty };
}

export function surchargeOf(view: Pick<CaseView, 'penalty' | 'deadlines'>, asOfMs: number): LateSurcharge | undefined {
  const p = view.penalty;
  const payment = paymentDeadline(view);
  if (!p || p.kind !== 'penalty' || !p.servedAt || !payment || payment.status === 'met' || payment.status === 'cancelled') return undefined;
  if (asOfMs < Date.parse(payment.dueAt)) return undefined;
  const fine = p.fine ?? 0;
  return lateSurcharge(
    { fine, paymentDueAt: payment.dueAt, appeals: p.appeals ?? [], ...(p.paidAmount >= fine && p.paidAt ? { paidInFullAt: p.paidAt } : {}), ...(p.revoked ? { revoked: true } : {}) },
    asOfMs,
  );
}

// ---- checks that need no lookup ----------------------------------------------------------------------

function businessRule(message: string, details: Record<string, unknown>): Refusal {
  return { type: REFUSAL.businessRule, message, details };
}

function notInFuture(value: string | undefined, field: string, nowMs: number): Refusal | undefined {
  if (value !== undefined && Date.parse(value) > nowMs) return businessRule(`${field} must not be in the future (${value})`, { field });
  return undefined;
}

/** Which of these steps the case accepts now (in stage processing, open). */
export function statutoryActions(view: CaseView, courtEnforcementRunning: boolean): StatutoryActionName[] {
  const p = view.penalty;
  const out: StatutoryActionName[] = [];
  const decided = p?.decidedAt !== undefined;
  if (!courtEnforcementRunning) {
    const pending = (view.evidencePreservations ?? []).some((e) => e.status !== 'decided');
    if (!decided && !pending) out.push('preserve-evidence');
    if (pending) out.push('decide-preserved-evidence');
    if (!decided && p?.hearingRequested && !p.hearingHeld) out.push('hearing-notice');
  }
  const fined = p?.kind === 'penalty' && (p.fine ?? 0) > 0 && p.servedAt !== undefined && !p.revoked;
  if (fined && pendingAppeal(p)) out.push('appeal-decided');
  else if (fined && p!.paidAmount < (p!.fine ?? 0)) out.push('appeal-filed');
  return out;
}

export function isStatutoryAction(action: string): action is StatutoryActionName {
  return (STATUTORY_ACTIONS as readonly string[]).includes(action);
}

/** Rules of these steps that need no lookup (the hearing notice's 7 working days are checked with the calendar activity). */
export function checkStatutoryAction(view: CaseView, action: ActionName, body: Record<string, unknown>, nowMs: number): Refusal | undefined {
  const p = view.penalty;
  switch (action) {
    case 'preserve-evidence':
      return notInFuture(body.preservedAt as string | undefined, 'preservedAt', nowMs);
    case 'hearing-notice':
      return notInFuture(body.noticeServedAt as string | undefined, 'noticeServedAt', nowMs);
    case 'hearing-held': {
      const notice = p?.hearingNotice;
      if (p?.hearingNoticeRequired && !notice) {
        return { type: REFUSAL.wrongStage, message: 'the party must be notified of the hearing date at least 7 days before (hearing-notice, 行政处罚法 Art 64) before the hearing is held', details: { field: 'action', stage: view.stage } };
      }
      if (notice && nowMs < Date.parse(notice.hearingAt)) {
        return businessRule(`the hearing was notified for ${notice.hearingAt}: it cannot be held before then`, { field: 'action', hearingAt: notice.hearingAt });
      }
      return undefined;
    }
    case 'appeal-filed': {
      const future = notInFuture(body.filedAt as string | undefined, 'filedAt', nowMs);
      if (future) return future;
      if (body.filedAt !== undefined && p?.servedAt && Date.parse(body.filedAt as string) < Date.parse(p.servedAt)) {
        return businessRule(`filedAt (${String(body.filedAt)}) is before the decision was served (${p.servedAt})`, { field: 'filedAt' });
      }
      return undefined;
    }
    case 'appeal-decided': {
      const future = notInFuture(body.decidedAt as string | undefined, 'decidedAt', nowMs);
      if (future) return future;
      const appeal = pendingAppeal(p);
      if (appeal && body.decidedAt !== undefined && Date.parse(body.decidedAt as string) < Date.parse(appeal.filedAt)) {
        return businessRule(`decidedAt (${String(body.decidedAt)}) is before the ${appeal.kind} was filed (${appeal.filedAt})`, { field: 'decidedAt' });
      }
      return undefined;
    }
    default:
      return undefined;
  }
}

/** The hearing notice reached the party too late: the hearing may be held from `earliestHearingAt`. */
export function checkHearingDate(hearingAt: string, noticeServedAt: string, earliestHearingAt: string): Refusal | undefined {
  if (Date.parse(hearingAt) >= Date.parse(earliestHearingAt)) return undefined;
  const earliestDate = new Date(Date.parse(earliestHearingAt) + SHANGHAI_OFFSET_MS).toISOString().slice(0, 10);
  return businessRule(
    `the hearing notice must reach the party at least 7 working days before the hearing (行政处罚法 Arts 64, 85): served ${noticeServedAt}, the earliest allowed hearing date is ${earliestDate} (${earliestHearingAt})`,
    { field: 'hearingAt', earliestHearingDate: earliestDate, earliestHearingAt },
  );
}

/** Filing extension (市场监督管理行政处罚程序规定 Art 18): at most 15 working days, once, by working days. */
export function checkFilingExtension(view: CaseView, target: Deadline, body: { workingDays?: number | undefined; newDueAt?: string | undefined }): Refusal | undefined {
  if (target.kind !== 'filing') return undefined;
  if (body.newDueAt !== undefined) {
    return businessRule(`the filing deadline is extended by working days (at most ${FILING_EXTENSION_MAX_WORKING_DAYS}, 市场监督管理行政处罚程序规定 Art 18): give workingDays, not newDueAt`, { field: 'newDueAt' });
  }
  if ((body.workingDays ?? 0) > FILING_EXTENSION_MAX_WORKING_DAYS) {
    return businessRule(`the filing deadline may be extended by at most ${FILING_EXTENSION_MAX_WORKING_DAYS} working days (市场监督管理行政处罚程序规定 Art 18); ${body.workingDays} asked`, { field: 'workingDays', max: FILING_EXTENSION_MAX_WORKING_DAYS });
  }
  const earlier = (view.extensionRequests ?? []).some((r) => r.deadlineId === target.id && r.status === 'approved');
  if (earlier || (target.extensions ?? 0) > 0) {
    return businessRule('the filing deadline was already extended once; it may be extended only once (市场监督管理行政处罚程序规定 Art 18)', { field: 'deadlineKind' });
  }
  return undefined;
}

/** The court's acceptance date, when given: not in the future, not before the application it accepts. */
export function checkCourtEventDates(view: CaseView, event: { event: string; acceptedAt?: string | undefined }, nowMs: number): Refusal | undefined {
  if (event.event !== 'court-accepted' || event.acceptedAt === undefined) return undefined;
  const future = notInFuture(event.acceptedAt, 'acceptedAt', nowMs);
  if (future) return future;
  const application = view.deadlines.filter((d) => d.kind === 'court-acceptance' && d.status === 'running').at(-1);
  if (application && Date.parse(event.acceptedAt) < Date.parse(application.startedAt)) {
    return businessRule(`acceptedAt (${event.acceptedAt}) is before the application to court (${application.startedAt})`, { field: 'acceptedAt', appliedAt: application.startedAt });
  }
  return undefined;
}

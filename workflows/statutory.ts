import * as wf from '@temporalio/workflow';
import type { CaseActivities, Notification } from '../activities/contract';
import type { ActionRequest } from '../domain/actions';
import type { Actor, CaseView, Penalty } from '../domain/case';
import { STATUTORY_DEADLINES as LAW, type Deadline } from '../domain/deadlines';
import { EVIDENCE_PRESERVATION_LAPSE, checkHearingDate, pendingAppeal, paymentDeadline, type Appeal } from '../domain/statutory';
import { toShanghaiIso } from '../domain/time';
import type { DeadlineBook } from './deadline-book';
import { appealSignal } from './definitions';
import { activityOptions } from './options';

const { computeDeadlines } = wf.proxyLocalActivities<Pick<CaseActivities, 'computeDeadlines'>>(activityOptions);

/** What the statutory steps need of their case (workflows/case.ts). */
export interface StatutoryHost {
  readonly view: CaseView;
  readonly book: DeadlineBook;
  record(type: string, actor: Actor, data?: Record<string, unknown>, at?: string): void;
  notify(key: string, n: Omit<Notification, 'dedupeKey'>): void;
  penalty(): Penalty;
  /** The running court enforcement, if any. */
  courtEnforcement(): wf.ChildWorkflowHandle<never> | undefined;
  /** The penalty fell: the case closes with `penalty_revoked` (the court enforcement, if any, ends first). */
  closeRevoked(): Promise<void>;
}

function refuse(type: string, message: string, details: Record<string, unknown>): never {
  throw wf.ApplicationFailure.create({ type, message, details: [details], nonRetryable: true });
}

const nowIso = () => toShanghaiIso(Date.now());

/**
 * The steps of domain/statutory.ts in the case workflow: evidence preservation, the hearing notice, and
 * the party's reconsideration or lawsuit (which suspends enforcement and the surcharge until decided).
 */
export class StatutorySteps {
  constructor(private readonly host: StatutoryHost) {}

  /** Runs a statutory step; false when the action is not one of them. */
  async act(req: ActionRequest): Promise<boolean> {
    const a = req.actor;
    switch (req.action) {
      case 'preserve-evidence':
        await this.preserve(req.body, a);
        return true;
      case 'decide-preserved-evidence':
        this.decidePreserved(req.body, a);
        return true;
      case 'hearing-notice':
        await this.hearingNotice(req.body, a);
        return true;
      case 'appeal-filed':
        await this.appealFiled(req.body, a);
        return true;
      case 'appeal-decided':
        await this.appealDecided(req.body, a);
        return true;
      default:
        return false;
    }
  }

  /** 先行登记保存: the agency must decide on the preserved evidence within 7 working days (行政处罚法 Arts 56, 85). */
  private async preserve(body: { items: string[]; preservedAt?: string | undefined; approvedBy?: string | undefined }, a: Actor): Promise<void> {
    const preservedAt = body.preservedAt ?? nowIso();
    const law = LAW['evidence-preservation'];
    const [d] = await this.host.book.start([
      { kind: 'evidence-preservation', stage: this.host.view.stage, holder: law.holder, period: law.period, basis: law.source, from: preservedAt },
    ]);
    const list = (this.host.view.evidencePreservations ??= []);
    const id = `EP-${list.length + 1}`;
    list.push({ id, items: body.items, preservedAt, dueAt: d!.dueAt, deadlineId: d!.id, status: 'pending' });
    this.host.record('evidence_preserved', a, { preservationId: id, items: body.items, preservedAt, decisionDueAt: d!.dueAt, approvedBy: body.approvedBy ?? null });
  }

  private decidePreserved(body: { decision: string; notes?: string | undefined }, a: Actor): void {
    const p = this.host.view.evidencePreservations!.find((e) => e.status !== 'decided')!;
    const at = nowIso();
    const lapsedBefore = p.status === 'lapsed';
    p.status = 'decided';
    p.decision = body.decision as typeof p.decision & string;
    p.decidedAt = at;
    this.host.book.close('evidence-preservation', 'met', at);
    this.host.record('preserved_evidence_decided', a, { preservationId: p.id, decision: body.decision, notes: body.notes ?? null, ...(lapsedBefore ? { afterLapse: true, lapsedAt: p.lapsedAt } : {}) });
  }

  /** The decision deadline passed: the case escalates (the book's breach) and the preservation lapses. */
  preservationBreached(d: Deadline, at: string): void {
    const p = this.host.view.evidencePreservations?.find((e) => e.deadlineId === d.id);
    if (!p || p.status !== 'pending') return;
    p.status = 'lapsed';
    p.lapsedAt = at;
    this.host.record('evidence_preservation_lapsed', { sub: 'system', role: 'system' }, { preservationId: p.id, dueAt: d.dueAt, reason: EVIDENCE_PRESERVATION_LAPSE }, at);
    this.host.notify(`preservation-lapsed-${p.id}`, {
      channel: 'party',
      recipient: `party:${this.host.view.caseId}`,
      subject: `先行登记保存已解除 preservation ${p.id} lapsed: no decision within 7 working days`,
      payload: { caseId: this.host.view.caseId, preservationId: p.id, items: p.items, reason: EVIDENCE_PRESERVATION_LAPSE },
    });
  }

  /** 听证通知: the hearing date must leave at least 7 working days after the notice reached the party. */
  private async hearingNotice(body: { hearingAt: string; noticeServedAt?: string | undefined; place?: string | undefined }, a: Actor): Promise<void> {
    const noticeServedAt = body.noticeServedAt ?? nowIso();
    const [earliest] = await computeDeadlines([{ from: noticeServedAt, period: { workingDays: 7 }, withEscalation: false }]);
    const refusal = checkHearingDate(body.hearingAt, noticeServedAt, earliest!.dueAt);
    if (refusal) refuse(refusal.type, refusal.message, refusal.details);
    const p = this.host.penalty();
    const renotified = p.hearingNotice !== undefined;
    p.hearingNotice = { noticeServedAt, hearingAt: body.hearingAt, earliestHearingAt: earliest!.dueAt, ...(body.place ? { place: body.place } : {}) };
    this.host.record('hearing_notified', a, {
      noticeServedAt,
      hearingAt: body.hearingAt,
      earliestHearingAt: earliest!.dueAt,
      place: body.place ?? null,
      ...(earliest!.calendarEstimated ? { calendarEstimated: true } : {}),
      ...(renotified ? { renotified: true } : {}),
    });
    this.host.notify(`hearing-notice-${this.host.view.timeline.length}`, {
      channel: 'party',
      recipient: `party:${this.host.view.caseId}`,
      subject: `听证通知书 hearing on ${body.hearingAt}${body.place ? ` at ${body.place}` : ''}`,
      payload: { caseId: this.host.view.caseId, hearingAt: body.hearingAt, place: body.place ?? null },
    });
  }

  /** The party applied for reconsideration or sued: enforcement and the surcharge stop until it is decided. */
  private async appealFiled(body: { kind: Appeal['kind']; filedAt?: string | undefined; body?: string | undefined }, a: Actor): Promise<void> {
    const p = this.host.penalty();
    const appeal: Appeal = { kind: body.kind, filedAt: body.filedAt ?? nowIso() };
    (p.appeals ??= []).push(appeal);
    this.host.record(body.kind === 'lawsuit' ? 'lawsuit_filed' : 'reconsideration_requested', a, {
      filedAt: appeal.filedAt,
      body: body.body ?? null,
      enforcementSuspended: true,
      paymentDueAt: paymentDeadline(this.host.view)?.dueAt ?? null,
    });
    await this.tellEnforcement(p);
  }

  private async appealDecided(body: { upheld: boolean; decidedAt?: string | undefined; reason?: string | undefined }, a: Actor): Promise<void> {
    const p = this.host.penalty();
    const appeal = pendingAppeal(p)!;
    appeal.decidedAt = body.decidedAt ?? nowIso();
    appeal.upheld = body.upheld;
    if (body.reason) appeal.reason = body.reason;
    this.host.record(appeal.kind === 'lawsuit' ? 'lawsuit_decided' : 'reconsideration_decided', a, {
      kind: appeal.kind,
      filedAt: appeal.filedAt,
      decidedAt: appeal.decidedAt,
      upheld: body.upheld,
      reason: body.reason ?? null,
      ...(body.upheld ? { enforcementResumed: true } : {}),
    });
    if (body.upheld) {
      await this.tellEnforcement(p);
      return;
    }
    p.revoked = true;
    this.host.book.close('payment', 'cancelled', nowIso());
    this.host.record('penalty_revoked', a, { by: appeal.kind, decidedAt: appeal.decidedAt, reason: body.reason ?? null });
    if (this.host.courtEnforcement()) await this.tellEnforcement(p); // it ends, and the case closes on its result
    else await this.host.closeRevoked();
  }

  private async tellEnforcement(p: Penalty): Promise<void> {
    const child = this.host.courtEnforcement();
    if (child) await child.signal(appealSignal, { appeals: (p.appeals ?? []).map((x) => ({ ...x })) });
  }
}

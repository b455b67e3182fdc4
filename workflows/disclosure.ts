import * as wf from '@temporalio/workflow';
import { Mutex } from 'async-mutex';
import type { DisclosureActivities, DisclosureRecord, DisclosureStep } from '../activities/disclosures';
import type { Notification } from '../activities/contract';
import { SYSTEM_ACTOR, type Actor, type CaseView, type Penalty } from '../domain/case';
import type { Deadline } from '../domain/deadlines';
import {
  creditWithdrawalNotice,
  DISCLOSURE_SOURCES,
  isPublishable,
  visibilityOf,
  DEFAULT_DISCLOSURE_POLICY,
  type DisclosureEntry,
  type DisclosureInput,
  type DisclosureStatus,
} from '../domain/disclosure';
import { REFUSAL } from '../domain/errors';
import { toShanghaiIso } from '../domain/time';
import { DeadlineBook, type DeadlineExpiry } from './deadline-book';
import { activityOptions } from './options';

const acts = wf.proxyLocalActivities<DisclosureActivities>(activityOptions);

// ---- messages --------------------------------------------------------------------------------------

/** The township publishes the prepared entry after reading it (the API's POST …/disclosure/publish). */
export const publishDisclosureUpdate = wf.defineUpdate<DisclosureState, [{ actor: Actor }]>('publishDisclosure');
/** The township withdraws the entry, with the reason shown on the platform (POST …/disclosure/withdraw). */
export const withdrawDisclosureUpdate = wf.defineUpdate<DisclosureState, [{ actor: Actor; reason: string }]>('withdrawDisclosure');
/** The case's decision changed (rework, a new decision, revocation): withdraw within 3 working days. */
export const decisionChangedSignal = wf.defineSignal<[{ at: string; reason: string }]>('decisionChanged');
export const disclosureQuery = wf.defineQuery<DisclosureState>('disclosure');

export interface DisclosureState {
  disclosureId: string;
  caseId: string;
  status: DisclosureStatus;
  entry?: DisclosureEntry;
  publishDueAt?: string;
  publishedAt?: string;
  visibleUntil?: string;
  decisionChangedAt?: string;
  withdrawnAt?: string;
  withdrawalReason?: string;
  escalations: number;
  deadlines: Deadline[];
  history: DisclosureStep[];
}

export function disclosureWorkflowId(caseId: string, attempt: number): string {
  return attempt === 1 ? `${caseId}/disclosure` : `${caseId}/disclosure-${attempt}`;
}

const nowIso = () => toShanghaiIso(Date.now());
const ENDED: readonly DisclosureStatus[] = ['expired', 'withdrawn', 'not_published', 'cancelled'];

function refuse(type: string, message: string, field?: string): never {
  throw wf.ApplicationFailure.create({ type, message, details: [field ? { field } : {}], nonRetryable: true });
}

/**
 * 公示 of one penalty decision (disclosure.md "Mechanism"), a child of the case with an abandon policy:
 * it outlives the case (a decision stays visible for up to 3 years). Prepare the masked entry → the
 * township publishes it by the policy deadline (7 working days after the decision; late escalates) and
 * the credit publicity system is fed at publication (its 20-working-day deadline escalates too) → it
 * stays visible 3 months (warning, low fine) or 3 years, then expires → a changed decision starts the
 * 3-working-day withdrawal deadline; the township withdraws with a reason, which the platform shows.
 *
 * Publication is a township act, not automatic: masking finds what patterns find (IDs, phones, cards,
 * addresses, the names the case knows), but not a neighbour's name or a health detail in the facts, and
 * 三项制度 requires the published text to be reviewed (审核) before it goes out. The deadline makes the
 * act due; escalation makes it happen.
 */
export async function disclosureWorkflow(input: DisclosureInput): Promise<DisclosureStatus> {
  return new DisclosureRun(input).run();
}

class DisclosureRun {
  private readonly state: DisclosureState;
  private readonly book: DeadlineBook;
  private readonly lock = new Mutex();
  private readonly changes: { at: string; reason: string }[] = [];
  private notifications: Notification[] = [];
  /** The row's version (forward only) and how many steps it holds. */
  private version = 0;
  private savedSteps = 0;
  /** Set once the entry is prepared: publish and withdraw wait for it. */
  private prepared = false;
  /** A decision change whose withdrawal deadline is still to be started (a local activity, outside the signal handler). */
  private pendingWithdrawal: { at: string; reason: string } | undefined;
  private notPublishedReason: string | undefined;
  private publishedBy: string | undefined;
  private withdrawnBy: string | undefined;

  constructor(private readonly input: DisclosureInput) {
    const disclosureId = wf.workflowInfo().workflowId;
    this.state = { disclosureId, caseId: input.caseId, status: 'pending', escalations: 0, deadlines: [], history: [] };
    this.book = new DeadlineBook(this.state.deadlines, disclosureId, `disclosure#${input.attempt}:`);
    wf.setHandler(disclosureQuery, () => this.state);
    wf.setHandler(decisionChangedSignal, (change) => void this.changes.push(change));
    wf.setHandler(publishDisclosureUpdate, (req) => this.step(() => this.publish(req.actor)), {
      validator: (_req) => this.validatePublish(),
    });
    wf.setHandler(withdrawDisclosureUpdate, (req) => this.step(() => this.withdraw(req.actor, req.reason)), {
      validator: (req) => this.validateWithdraw(req.reason),
    });
  }

  private ended(): boolean {
    return ENDED.includes(this.state.status);
  }

  async run(): Promise<DisclosureStatus> {
    await this.lock.runExclusive(() => this.prepare());
    while (!this.ended()) {
      const wake = this.book.nextWakeUp();
      const woken = () => this.changes.length > 0 || this.ended() || this.book.nextWakeUp() !== wake;
      if (wake === undefined) await wf.condition(woken);
      else await wf.condition(woken, Math.max(1, wake - Date.now()));
      await this.lock.runExclusive(async () => {
        if (this.ended()) return;
        for (const e of this.book.expire(Date.now())) this.onExpiry(e);
        while (this.changes.length > 0 && !this.ended()) this.decisionChanged(this.changes.shift()!);
        await this.startWithdrawalIfDue();
        await this.save();
      });
    }
    await wf.condition(wf.allHandlersFinished);
    return this.state.status;
  }

  private async step<T>(fn: () => Promise<T>): Promise<T> {
    if (!this.prepared) await wf.condition(() => this.prepared);
    return this.lock.runExclusive(fn);
  }

  // ---- recording -----------------------------------------------------------------------------------

  private record(type: string, actor: Actor, data?: Record<string, unknown>, at = nowIso()): void {
    this.state.history.push({ at, type, actor, ...(data ? { data } : {}) });
  }

  private notify(key: string, n: Omit<Notification, 'dedupeKey'>): void {
    this.notifications.push({ dedupeKey: `${this.state.disclosureId}:${key}`, ...n });
  }

  /** Writes the row when something happened since the last save (the activity keeps it forward by version). */
  private async save(): Promise<void> {
    if (this.state.history.length === this.savedSteps && this.notifications.length === 0) return;
    this.version += 1;
    this.savedSteps = this.state.history.length;
    const s = this.state;
    const notifications = this.notifications;
    this.notifications = [];
    const record: DisclosureRecord = {
      disclosureId: s.disclosureId,
      caseId: s.caseId,
      version: this.version,
      status: s.status,
      countyCode: this.input.countyCode,
      townshipCode: this.input.townshipCode,
      decidedAt: this.input.decision.decidedAt,
      ...(s.entry ? { entry: s.entry } : {}),
      ...(this.notPublishedReason ? { notPublishedReason: this.notPublishedReason } : {}),
      ...(s.publishDueAt ? { publishDueAt: s.publishDueAt } : {}),
      ...(s.publishedAt ? { publishedAt: s.publishedAt } : {}),
      ...(this.publishedBy ? { publishedBy: this.publishedBy } : {}),
      ...(s.visibleUntil ? { visibleUntil: s.visibleUntil } : {}),
      ...(s.publishedAt ? { shortVisibility: this.visibility().short } : {}),
      ...(s.decisionChangedAt ? { decisionChangedAt: s.decisionChangedAt } : {}),
      ...(s.withdrawnAt ? { withdrawnAt: s.withdrawnAt } : {}),
      ...(s.withdrawalReason ? { withdrawalReason: s.withdrawalReason } : {}),
      ...(this.withdrawnBy ? { withdrawnBy: this.withdrawnBy } : {}),
      escalations: s.escalations,
      deadlines: s.deadlines,
      history: s.history,
      notifications,
    };
    await acts.recordDisclosure(record);
  }
  private visibility() {
    return visibilityOf(this.input.decision, this.input.policy);
  }

  private brigade(): string {
    return `brigade:${this.input.townshipCode}`;
  }

  // ---- steps ---------------------------------------------------------------------------------------

  private async prepare(): Promise<void> {
    const prepared = await acts.prepareDisclosure(this.input);
    if (!prepared.publish) {
      this.state.status = 'not_published';
      this.notPublishedReason = prepared.reason;
      this.record('disclosure_not_published', SYSTEM_ACTOR, { reason: prepared.reason });
      await this.save();
      this.prepared = true;
      return;
    }
    this.state.entry = prepared.entry;
    const from = this.input.decision.decidedAt;
    const [publication, creditFeed] = await this.book.start([
      { kind: 'disclosure-publication', stage: 'processing', holder: 'agency', period: this.input.policy.publishWithin, basis: DISCLOSURE_SOURCES.publication, from },
      { kind: 'credit-feed', stage: 'processing', holder: 'agency', period: this.input.policy.creditFeedWithin, basis: DISCLOSURE_SOURCES.creditFeed, from },
    ]);
    this.state.publishDueAt = publication!.dueAt;
    this.record('disclosure_prepared', SYSTEM_ACTOR, { publishDueAt: publication!.dueAt, creditFeedDueAt: creditFeed!.dueAt });
    this.notify('prepared', {
      channel: 'disclosure',
      recipient: this.brigade(),
      subject: `行政处罚信息待公示 the decision of case ${this.input.caseId} is to be published by ${publication!.dueAt}`,
      payload: { caseId: this.input.caseId, disclosureId: this.state.disclosureId, publishDueAt: publication!.dueAt, creditFeedDueAt: creditFeed!.dueAt },
    });
    await this.save();
    this.prepared = true;
  }

  private validatePublish(): void {
    if (this.state.status !== 'pending' || !this.state.entry) {
      refuse(REFUSAL.wrongStage, `the disclosure is ${this.state.status}: only a prepared entry awaiting publication can be published`);
    }
  }

  private async publish(actor: Actor): Promise<DisclosureState> {
    this.validatePublish();
    const at = nowIso();
    this.book.close('disclosure-publication', 'met', at);
    // The platform and the credit publicity system are fed at the same time (disclosure.md).
    this.book.close('credit-feed', 'met', at);
    const visibility = this.visibility();
    const [visible] = await this.book.start([
      { kind: 'disclosure-visibility', stage: 'processing', holder: 'agency', period: visibility.period, basis: DISCLOSURE_SOURCES.visibility, from: at, onExpiry: 'lapse' },
    ]);
    this.state.status = 'published';
    this.state.publishedAt = at;
    this.state.visibleUntil = visible!.dueAt;
    this.publishedBy = actor.sub;
    this.record('disclosure_published', actor, { publishedAt: at, visibleUntil: visible!.dueAt, shortVisibility: visibility.short }, at);
    this.notify('credit-feed', {
      channel: 'credit-publicity',
      recipient: `credit-publicity:${this.input.countyCode}`,
      subject: `行政处罚信息公示 case ${this.input.caseId} published; feed the enterprise credit publicity system`,
      payload: { event: 'disclosure_published', caseId: this.input.caseId, disclosureId: this.state.disclosureId, publishedAt: at, visibleUntil: visible!.dueAt, entry: this.state.entry },
    });
    await this.save();
    return this.state;
  }

  private validateWithdraw(reason: string): void {
    if (typeof reason !== 'string' || reason.trim().length === 0) refuse(REFUSAL.invalidInput, 'a withdrawal needs its reason', 'reason');
    if (this.state.status !== 'published' && this.state.status !== 'pending') {
      refuse(REFUSAL.wrongStage, `the disclosure is ${this.state.status}: only a published or pending entry can be withdrawn`);
    }
  }

  private async withdraw(actor: Actor, reason: string): Promise<DisclosureState> {
    this.validateWithdraw(reason);
    const at = nowIso();
    const wasPublished = this.state.status === 'published';
    this.book.close('disclosure-withdrawal', 'met', at);
    this.book.closeAll('cancelled', at);
    this.state.status = 'withdrawn';
    this.state.withdrawnAt = at;
    this.state.withdrawalReason = reason.trim();
    this.withdrawnBy = actor.sub;
    this.record('disclosure_withdrawn', actor, { reason: reason.trim(), wasPublished }, at);
    if (wasPublished) {
      this.notify(
        'credit-withdrawal',
        creditWithdrawalNotice({ caseId: this.input.caseId, disclosureId: this.state.disclosureId, countyCode: this.input.countyCode, withdrawnAt: at, reason: reason.trim() }),
      );
    }
    await this.save();
    return this.state;
  }

  /** Called under the lock by the run loop; the row is saved after. */
  private decisionChanged(change: { at: string; reason: string }): void {
    if (this.state.status === 'pending') {
      // Not public yet: nothing to take down; the new decision has a disclosure of its own.
      this.book.closeAll('cancelled', change.at);
      this.state.status = 'cancelled';
      this.state.decisionChangedAt = change.at;
      this.record('disclosure_cancelled', SYSTEM_ACTOR, { reason: change.reason }, change.at);
      return;
    }
    if (this.state.status !== 'published' || this.state.decisionChangedAt) return;
    this.state.decisionChangedAt = change.at;
    this.record('decision_changed', SYSTEM_ACTOR, { reason: change.reason }, change.at);
    this.pendingWithdrawal = change;
  }
  private onExpiry(e: DeadlineExpiry): void {
    const d = e.deadline;
    if (e.outcome === 'lapsed') {
      if (d.kind === 'disclosure-visibility' && this.state.status === 'published') {
        this.book.closeAll('cancelled', e.at);
        this.state.status = 'expired';
        this.record('disclosure_expired', SYSTEM_ACTOR, { visibleUntil: d.dueAt }, e.at);
      }
      return;
    }
    this.state.escalations += 1;
    const level = e.outcome;
    this.record('deadline_breached', SYSTEM_ACTOR, { deadlineId: d.id, kind: d.kind, level, dueAt: d.dueAt }, e.at);
    const recipient = level === 1 ? `township-leader:${this.input.townshipCode}` : `county-supervisor:${this.input.countyCode}`;
    this.notify(`${d.id}:L${level}`, {
      channel: 'escalation',
      recipient,
      subject: `超期预警 level ${level}: ${d.kind} of case ${this.input.caseId} was due ${d.dueAt}`,
      payload: { caseId: this.input.caseId, disclosureId: this.state.disclosureId, deadline: d.kind, dueAt: d.dueAt, level, holder: d.holder },
    });
  }

  /** The withdrawal deadline starts from the change (a local activity: run outside the sync handlers). */
  private async startWithdrawalIfDue(): Promise<void> {
    const change = this.pendingWithdrawal;
    if (!change) return;
    this.pendingWithdrawal = undefined;
    const [due] = await this.book.start([
      { kind: 'disclosure-withdrawal', stage: 'processing', holder: 'agency', period: this.input.policy.withdrawWithin, basis: DISCLOSURE_SOURCES.withdrawal, from: change.at },
    ]);
    this.record('disclosure_withdrawal_due', SYSTEM_ACTOR, { dueAt: due!.dueAt, reason: change.reason }, change.at);
    this.notify('withdrawal-due', {
      channel: 'disclosure',
      recipient: this.brigade(),
      subject: `决定已变更，须撤下公示 the decision of case ${this.input.caseId} changed: withdraw its disclosure by ${due!.dueAt}`,
      payload: { caseId: this.input.caseId, disclosureId: this.state.disclosureId, dueAt: due!.dueAt, reason: change.reason },
    });
  }
}

// ---- the case's hooks (called from workflows/case.ts) --------------------------------------------

/**
 * Starts the disclosure of a penalty decision just decided, unless it is never published (a warning
 * under the summary procedure). Returns the disclosure's workflow id, also kept on the penalty.
 */
export async function startDisclosure(view: CaseView): Promise<string | undefined> {
  const p = view.penalty;
  if (!p || p.kind !== 'penalty' || !p.decidedAt || !view.party) return undefined;
  const decision = { decidedAt: p.decidedAt, fine: p.fine, summary: p.summary };
  if (!isPublishable(decision)) return undefined;
  const attempt = [...(view.previousPenalties ?? [])].filter((x) => x.disclosureWorkflowId).length + 1;
  const workflowId = disclosureWorkflowId(view.caseId, attempt);
  const input: DisclosureInput = {
    caseId: view.caseId,
    parentWorkflowId: wf.workflowInfo().workflowId,
    attempt,
    countyCode: view.countyCode,
    townshipCode: view.townshipCode,
    matterCode: view.matterCode,
    party: view.party,
    facts: view.description,
    otherNames: view.reporter?.name ? [view.reporter.name] : [],
    decision,
    policy: DEFAULT_DISCLOSURE_POLICY,
  };
  await wf.startChild(disclosureWorkflow, { workflowId, args: [input], parentClosePolicy: wf.ParentClosePolicy.ABANDON });
  p.disclosureWorkflowId = workflowId;
  return workflowId;
}

/** Tells a decision's disclosure that the decision changed; a disclosure that already ended ignores it. */
export async function signalDecisionChanged(penalty: Penalty | undefined, reason: string): Promise<void> {
  if (!penalty?.disclosureWorkflowId) return;
  try {
    await wf.getExternalWorkflowHandle(penalty.disclosureWorkflowId).signal(decisionChangedSignal, { at: nowIso(), reason });
  } catch (err) {
    // The disclosure already ended (expired, withdrawn, not published): nothing is public to withdraw.
    wf.log.warn('the disclosure did not take the decision change', { workflowId: penalty.disclosureWorkflowId, error: String(err) });
  }
}

/** 告知公示: the party's written notice at service that the decision will be published (Art 8). */
export function disclosureNotice(view: CaseView): Omit<Notification, 'dedupeKey'> | undefined {
  const p = view.penalty;
  if (!p?.disclosureWorkflowId) return undefined;
  return {
    channel: 'party',
    recipient: `party:${view.caseId}`,
    subject: '行政处罚决定将依法公示 the decision will be published on the disclosure platform and the credit publicity system',
    payload: { caseId: view.caseId, disclosureId: p.disclosureWorkflowId, fine: p.fine ?? null },
  };
}

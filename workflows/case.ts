import * as wf from '@temporalio/workflow';
import { Mutex } from 'async-mutex';
import type { CaseActivities, MatterRoute, Notification } from '../activities/contract';
import { sharedSchemas } from './shared-schemas';
import { WakeUpTimer } from './wake-up-timer';
import type { ActionRequest, CaseRequest, CourtEvent, JudicialEvent } from '../domain/actions';
import {
  HISTORY_LIMIT,
  SYSTEM_ACTOR,
  type Actor,
  type CaseReview,
  type CaseRunState,
  type CaseView,
  type CaseWorkflowInput,
  type ChildKind,
  type StageVisit,
  type TimelineEntry,
} from '../domain/case';
import { STATUTORY_DEADLINES as LAW, type Deadline, type StatutoryDeadlineKind } from '../domain/deadlines';
import { REFUSAL } from '../domain/errors';
import { checkAction, checkCaseRequest, checkChildEvent, extensionTarget, type CaseProgress, type Refusal } from '../domain/procedure';
import { reviewCase } from '../domain/review';
import { SLA_KEYS, slaFor, type SlaKey, type SlaPolicy } from '../domain/sla';
import type { Period } from '../domain/periods';
import { DISPATCHED_SOURCES, type Resolution, type Stage } from '../domain/stages';
import { DeadlineBook, type DeadlineExpiry, type DeadlineSpec } from './deadline-book';
import {
  actionUpdate,
  caseQuery,
  lateSurchargeQuery,
  childEventUpdate,
  openedUpdate,
  requestUpdate,
  childProgressSignal,
  calendarPublishedSignal,
  countyResponseSignal,
  courtEnforcementWorkflowId,
  courtEventSignal,
  judicialEventSignal,
  judicialTransferWorkflowId,
  paymentSignal,
  type ChildEventRequest,
  type ChildProgress,
  type CountyResponseSignal,
  type StepOutcome,
  type CourtEnforcementOutcome,
  type JudicialTransferOutcome,
} from './definitions';
import { activityOptions } from './options';
import { toShanghaiIso } from '../domain/time';
import { timeBar } from '../domain/time-bar';
import { courtEnforcementWorkflow } from './court-enforcement';
import { judicialTransferWorkflow } from './judicial-transfer';
import { SummonsDesk } from './summons';
import { disclosureNotice, signalDecisionChanged, startDisclosure } from './disclosure';
import { StatutorySteps } from './statutory';
import { checkCourtEventDates, paymentDeadline, surchargeOf, withLateSurcharge } from '../domain/statutory';
import { proposeRouting, tellCooperatingUnits } from './responsibility-routing';
import { recordInspectionStart } from './inspection-case';
import { CasePatches } from './case-patches';

const acts = wf.proxyLocalActivities<Omit<CaseActivities, 'computeDeadlines'>>(activityOptions);

/** Stages with a service-level deadline of their own. */
const STAGE_SLA: Partial<Record<Stage, SlaKey>> = {
  patrol: 'patrol',
  discovery: 'discovery',
  capture: 'capture',
  assignment: 'assignment',
  handling: 'handling',
  verification: 'verification',
};

type InboxItem =
  | { kind: 'county-response'; signal: CountyResponseSignal }
  | { kind: 'judicial-event'; event: JudicialEvent }
  | { kind: 'court-event'; event: CourtEvent }
  | { kind: 'child-progress'; progress: ChildProgress }
  | { kind: 'child-result'; child: ChildKind; outcome: string }
  | { kind: 'calendar-published'; year: number; version: number };

export interface CaseOutcome {
  caseId: string;
  resolution?: Resolution;
  closedAt?: string;
}

function refuse(r: Refusal): never {
  throw wf.ApplicationFailure.create({ type: r.type, message: r.message, details: [r.details], nonRetryable: true });
}

interface BodySchema {
  safeParse(body: unknown): { success: true } | { success: false; error: { issues: { path: PropertyKey[]; message: string }[] } };
}
type BodySchemas = typeof import('../domain/action-schemas');

/**
 * The schema of an action's or a request's body: built by the first workflow of this worker thread that
 * needs it and shared (workflows/shared-schemas.ts). `require` inside the function: domain/action-schemas
 * (and zod with it) is evaluated only by a workflow that builds a schema, not by every new case.
 */
function bodySchema(kind: 'action' | 'request', name: string): BodySchema | undefined {
  const key = `${kind}:${name}`;
  let schema = sharedSchemas.get(key) as BodySchema | undefined;
  if (!schema) {
    const { actionBodySchemas, caseRequestSchemas } = require('../domain/action-schemas') as BodySchemas;
    const record: Record<string, BodySchema> = kind === 'action' ? actionBodySchemas : caseRequestSchemas;
    schema = Object.hasOwn(record, name) ? record[name] : undefined;
    if (schema) sharedSchemas.set(key, schema);
  }
  return schema;
}

/** A body its schema refuses: InvalidInput naming the first bad field, with every issue (clients may bypass the API). */
function refuseInvalidBody(schema: BodySchema, body: unknown): void {
  const parsed = schema.safeParse(body);
  if (parsed.success) return;
  const issues = parsed.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message }));
  const first = issues[0]!;
  refuse({ type: REFUSAL.invalidInput, message: `invalid body: ${first.path || '(body)'}: ${first.message}`, details: { field: first.path, issues } });
}

const nowIso = () => toShanghaiIso(Date.now());

/**
 * One enforcement case through the closed loop (domain.md). Human steps are Updates (validated
 * synchronously: wrong stage → WrongStage; rules → BusinessRuleViolation), county departments and the
 * judicial/court processes answer by Signal, and `caseQuery` returns the case object of api.md.
 * Every transition is projected to Postgres by an idempotent activity before the step returns.
 */
export async function caseWorkflow(input: CaseWorkflowInput): Promise<CaseOutcome> {
  return new CaseRun(input).run();
}

class CaseRun {
  private readonly view: CaseView;
  private readonly progress: CaseProgress = { transferReturned: false };
  private readonly book: DeadlineBook;
  private readonly visits: StageVisit[] = [];
  private readonly inbox: InboxItem[] = [];
  private readonly seenChildSteps = new Set<string>();
  private readonly childHandles = new Map<ChildKind, wf.ChildWorkflowHandle<typeof judicialTransferWorkflow | typeof courtEnforcementWorkflow>>();
  private policy!: SlaPolicy;
  private escalations = 0;
  private seq = 0;
  private runNumber = 1;
  private unflushed: TimelineEntry[] = [];
  private notifications: Notification[] = [];
  /**
   * Inside a human step (patched 'deadlines-in-transition'): a stage's SLA starts deferred, its due
   * dates computed by the step's projection (one local activity and marker less per stage).
   */
  private deferring = false;
  private deferPatched?: boolean;
  /**
   * Steps (updates, the signals and timers the run loop handles, opening) run one at a time, in the
   * order they asked: a FIFO mutex. (A flag polled with `condition(() => !busy)` is no lock: every
   * waiter whose predicate holds is released in the same activation, and which waiters share an
   * activation differs between the first execution and replay.)
   */
  private readonly lock = new Mutex();
  /** The timer for the next deadline, kept across steps (workflows/wake-up-timer.ts). */
  private readonly wakeUpTimer = new WakeUpTimer();
  /** Set when open() has run: handlers that arrive earlier (update-with-start, a fast client) wait for it. */
  private opened = false;
  /** Whether a caller of `openedUpdate` was already told the case was created (201) rather than found (200). */
  private openingReported = false;
  /** Request ids of signals already applied: a client's retried signal changes nothing. */
  private readonly appliedRequests = new Set<string>();
  /** An event forwarded to a child that has not reported its next step yet. */
  private readonly forwardedChildEvents = new Map<ChildKind, string>();
  /** 吹哨报到: summoned departments, their answers and the bounce count (workflows/summons.ts). */
  private readonly summons: SummonsDesk;
  /** Evidence preservation, hearing notice, the party's appeals (workflows/statutory.ts). */
  private readonly statutory: StatutorySteps;
  /** Which patched paths this case takes (workflows/case-patches.ts). */
  private readonly patches: CasePatches;

  constructor(private readonly input: CaseWorkflowInput) {
    const carried = input.continued;
    this.patches = new CasePatches(carried?.openedWithEveryPatch);
    const openedAt = nowIso();
    this.view = carried?.view ?? {
      caseId: input.caseId,
      ...(input.externalRef ? { externalRef: input.externalRef } : {}),
      source: input.source,
      status: 'open',
      stage: input.inspection ? 'handling' : input.source === 'patrol' ? 'discovery' : 'patrol',
      countyCode: input.countyCode,
      townshipCode: input.townshipCode,
      ...(input.gridCode ? { gridCode: input.gridCode } : {}),
      location: input.location,
      description: input.description,
      urgent: input.urgent ?? false,
      ...(input.reporter ? { reporter: input.reporter } : {}),
      handler: input.inspection?.handler ?? { level: 'township' },
      ...(input.inspection ? { matterCode: input.inspection.matterCode, party: input.inspection.party } : {}),
      openedAt,
      updatedAt: openedAt,
      slaPolicyVersion: 0,
      reworkCount: 0,
      deadlines: [],
      timeline: [],
      children: [],
      createdBy: input.createdBy,
    };
    this.book = new DeadlineBook(this.view.deadlines, undefined, '', carried?.deadlinesStarted ?? 0);
    this.summons = new SummonsDesk({
      view: this.view,
      book: this.book,
      policy: () => this.policy,
      record: (type, actor, data, at) => this.record(type, actor, data, at),
      notify: (key, n) => this.notify(key, n),
      countEscalation: () => void (this.escalations += 1),
    });
    if (carried) {
      Object.assign(this.progress, carried.progress);
      this.visits.push(...carried.visits);
      this.policy = carried.policy;
      this.escalations = carried.escalations;
      this.seq = carried.seq;
      this.runNumber = carried.run;
      for (const id of carried.appliedRequests) this.appliedRequests.add(id);
      for (const id of carried.seenChildSteps) this.seenChildSteps.add(id);
      this.openingReported = carried.openingReported;
      this.opened = true;
    }
    this.statutory = new StatutorySteps({
      view: this.view,
      book: this.book,
      record: (type, actor, data, at) => void this.record(type, actor, data, at),
      notify: (key, n) => this.notify(key, n),
      penalty: () => this.penalty(),
      courtEnforcement: () => this.childHandles.get('court-enforcement') as wf.ChildWorkflowHandle<never> | undefined,
      closeRevoked: async () => {
        this.view.resolution = 'penalty_revoked';
        await this.closeCase();
      },
    });
    // 加处罚款 is a projection of recorded dates as of the read (domain/statutory.ts), never stored.
    wf.setHandler(caseQuery, () => withLateSurcharge(this.view, Date.now()));
    wf.setHandler(lateSurchargeQuery, (asOf) => surchargeOf(this.view, asOf ? Date.parse(asOf) : Date.now()) ?? null);
    wf.setHandler(actionUpdate, (req) => this.step(() => this.deferringDeadlines(() => this.act(req))), { validator: (req) => this.validate(req) });
    wf.setHandler(openedUpdate, () =>
      this.step(async () => {
        const created = !this.openingReported;
        this.openingReported = true;
        return { created, caseId: this.view.caseId, seq: this.seq, stage: this.view.stage, status: this.view.status };
      }),
    );
    wf.setHandler(childEventUpdate, (req) => this.step(() => this.childEvent(req)), { validator: (req) => this.validateChildEvent(req) });
    wf.setHandler(requestUpdate, (req) => this.step(() => this.request(req)), { validator: (req) => this.validateRequest(req) });
    wf.setHandler(countyResponseSignal, (signal) => this.enqueue(signal.requestId, { kind: 'county-response', signal }));
    wf.setHandler(judicialEventSignal, (event) => this.enqueue(event.requestId, { kind: 'judicial-event', event }));
    wf.setHandler(courtEventSignal, (event) => this.enqueue(event.requestId, { kind: 'court-event', event }));
    wf.setHandler(childProgressSignal, (progress) => void this.inbox.push({ kind: 'child-progress', progress }));
    wf.setHandler(calendarPublishedSignal, ({ year, version }) => void this.inbox.push({ kind: 'calendar-published', year, version }));
  }

  /** A signal for the run loop; one carrying a request id already seen is a retry and is dropped. */
  private enqueue(requestId: string | undefined, item: InboxItem): void {
    if (requestId !== undefined) {
      if (this.appliedRequests.has(requestId)) return;
      this.appliedRequests.add(requestId);
    }
    this.inbox.push(item);
  }

  async run(): Promise<CaseOutcome> {
    if (!this.opened) {
      this.patches.open(); // first: the opening asks patches too
      await this.lock.runExclusive(() => this.deferringDeadlines(() => this.open()));
    }
    while (this.live()) {
      const wake = this.book.nextWakeUp();
      const woken = () => this.inbox.length > 0 || !this.live() || this.book.nextWakeUp() !== wake || this.mayContinueAsNew();
      if (this.patches.has('kept-wake-up-timer')) {
        this.wakeUpTimer.keepBy(wake);
        await wf.condition(() => woken() || this.wakeUpTimer.fired);
      } else if (wake === undefined) await wf.condition(woken);
      else await wf.condition(woken, Math.max(1, wake - Date.now()));
      // Under the lock: a step that closes the case may still be opening its callback window. A wake-up
      // with nothing to do (a step that moved the next deadline has finished) skips the lock: the usual
      // wake-up after every step (patched 'quiet-wakeups').
      if (!this.quietWakeUp()) {
        await this.lock.runExclusive(async () => {
          if (!this.live()) return;
          for (const expiry of this.book.expire(Date.now())) await this.onExpiry(expiry);
          while (this.inbox.length > 0) await this.receive(this.inbox.shift()!);
          await this.flush();
        });
      }
      if (!this.live()) break;
      if (this.mayContinueAsNew() && this.patches.has('continue-as-new')) {
        // Between whole steps, with no message half-handled: the next run starts from this state.
        await wf.condition(wf.allHandlersFinished);
        if (this.inbox.length === 0 && this.live() && this.mayContinueAsNew()) {
          await wf.continueAsNew<typeof caseWorkflow>({ ...this.input, continued: this.state() });
        }
      }
    }
    await wf.condition(wf.allHandlersFinished);
    return { caseId: this.view.caseId, ...(this.view.resolution ? { resolution: this.view.resolution } : {}), ...(this.view.closedAt ? { closedAt: this.view.closedAt } : {}) };
  }

  /** No step holds or awaits the lock, no message waits, no deadline is due and nothing is left to project. */
  private quietWakeUp(): boolean {
    if (this.lock.isLocked() || this.inbox.length > 0) return false;
    if (this.unflushed.length > 0 || this.notifications.length > 0 || this.book.hasPending()) return false;
    const due = this.book.nextWakeUp();
    if (due !== undefined && due <= Date.now()) return false;
    return this.patches.has('quiet-wakeups');
  }

  /** The case runs while it is open, and after close while its satisfaction callback window (回访) is open. */
  private live(): boolean {
    return this.view.status === 'open' || this.book.running('callback') !== undefined;
  }

  /**
   * The history is near its limit (or Temporal suggests continuing). Not while a child process runs:
   * children are bound to this run (their results, ParentClosePolicy), so the case waits for them.
   */
  private mayContinueAsNew(): boolean {
    if (this.childHandles.size > 0) return false;
    const info = wf.workflowInfo();
    const limit = this.input.historyLimit ?? HISTORY_LIMIT;
    return info.continueAsNewSuggested || info.historyLength >= limit.events || info.historySize >= limit.bytes;
  }

  private state(): CaseRunState {
    return {
      view: this.view,
      progress: { ...this.progress },
      visits: this.visits,
      policy: this.policy,
      escalations: this.escalations,
      seq: this.seq,
      deadlinesStarted: this.book.started,
      appliedRequests: [...this.appliedRequests],
      seenChildSteps: [...this.seenChildSteps],
      openingReported: this.openingReported,
      run: this.runNumber + 1,
      ...(this.patches.openedWith !== undefined ? { openedWithEveryPatch: this.patches.openedWith } : {}),
    };
  }

  /** A message's step: after the case has opened, and one at a time with every other step. */
  private async step<T>(fn: () => Promise<T>): Promise<T> {
    if (!this.opened) await wf.condition(() => this.opened);
    return this.lock.runExclusive(fn);
  }

  // ---- recording -------------------------------------------------------------------------------

  private record(type: string, actor: Actor, data?: Record<string, unknown>, at = nowIso()): TimelineEntry {
    this.seq += 1;
    const entry: TimelineEntry = { seq: this.seq, at, type, stage: this.view.stage, actor, ...(data ? { data } : {}) };
    this.view.timeline.push(entry);
    this.unflushed.push(entry);
    this.view.updatedAt = at;
    return entry;
  }

  private notify(key: string, n: Omit<Notification, 'dedupeKey'>): void {
    this.notifications.push({ dedupeKey: `${this.view.caseId}:${key}`, ...n });
  }

  /** Projects what happened since the last flush: timeline, case row, outbox, and the deferred deadlines' due dates. */
  private async flush(review?: CaseReview): Promise<void> {
    const deadlines = this.book.takePending();
    if (this.unflushed.length === 0 && this.notifications.length === 0 && deadlines.length === 0) return;
    const events = this.unflushed;
    const notifications = this.notifications;
    this.unflushed = [];
    this.notifications = [];
    const answers = await acts.recordTransition({
      workflowId: wf.workflowInfo().workflowId,
      snapshot: this.view,
      seq: this.seq,
      events,
      notifications,
      ...(deadlines.length > 0 ? { deadlines } : {}),
      ...(review ? { review } : {}),
    });
    if (deadlines.length > 0) this.book.settle(deadlines, answers ?? []);
  }

  /**
   * Patched 'deadlines-in-transition': the step's projection computes the SLAs the step started and
   * writes the review of a closing step (one local activity per stage and one per close less).
   */
  private projectionComputes(): boolean {
    return (this.deferPatched ??= this.patches.has('deadlines-in-transition'));
  }

  /** Runs a step in which stage SLAs may start deferred (when patched); its flush enters them. */
  private async deferringDeadlines<T>(fn: () => Promise<T>): Promise<T> {
    this.deferring = this.projectionComputes();
    try {
      return await fn();
    } finally {
      this.deferring = false;
    }
  }

  // ---- stages and deadlines --------------------------------------------------------------------

  private async enterStage(stage: Stage): Promise<void> {
    const at = nowIso();
    const current = this.visits.at(-1);
    if (current && !current.leftAt) current.leftAt = at;
    const leaving = this.view.stage;
    const sla = STAGE_SLA[leaving];
    if (sla) this.book.close(sla, 'met', at);
    // 督办 due dates are met when the urged case moves on
    while (this.book.close('supervision', 'met', at)) {
      /* close every running supervision order's deadline */
    }
    this.view.stage = stage;
    this.visits.push({ stage, enteredAt: at });
    const next = STAGE_SLA[stage];
    if (!next) return;
    if (this.deferring) this.book.defer([this.slaSpec(next, stage)]);
    else await this.startSla(next, stage);
  }

  private slaSpec(key: SlaKey, stage: Stage): DeadlineSpec {
    return { kind: key, stage, holder: key === 'county-response' ? 'county' : 'agency', period: slaFor(this.policy, key, this.view.urgent), basis: `SLA policy v${this.policy.version}` };
  }

  private startSla(key: SlaKey, stage: Stage): Promise<Deadline[]> {
    return this.book.start([this.slaSpec(key, stage)]);
  }

  private startStatutory(kind: StatutoryDeadlineKind, from?: string): Promise<Deadline[]> {
    const law = LAW[kind];
    return this.book.start([
      { kind, stage: this.view.stage, holder: law.holder, period: law.period, basis: law.source, onExpiry: law.holder === 'party' ? 'lapse' : 'escalate', ...(from ? { from } : {}) },
    ]);
  }

  private async onExpiry(e: DeadlineExpiry): Promise<void> {
    const d = e.deadline;
    if (e.outcome === 'lapsed') {
      this.record(`${d.kind.replace(/-/g, '_')}_window_closed`, SYSTEM_ACTOR, { deadlineId: d.id, kind: d.kind, dueAt: d.dueAt }, e.at);
      if (d.kind === 'payment' && this.outstanding() > 0) await this.startCourtEnforcement();
      return;
    }
    this.breach(d, e.outcome, e.at);
    if (d.kind === 'evidence-preservation' && e.outcome === 1) this.statutory.preservationBreached(d, e.at);
  }

  /** A deadline passed: the case is overdue and escalates (level 1 township leader, level 2 county supervisor). */
  private breach(d: Deadline, level: 1 | 2, at: string): void {
    this.escalations += 1;
    // A summons deadline is one summoned department's; any other county deadline is the handling department's.
    const summoned = d.kind === 'summons' ? this.summons.breached(d, level) : undefined;
    const department = summoned?.departmentCode ?? (d.holder === 'county' ? this.view.handler.departmentCode : undefined);
    this.record('deadline_breached', SYSTEM_ACTOR, { deadlineId: d.id, kind: d.kind, level, dueAt: d.dueAt, holder: d.holder, ...(summoned ? { departmentCode: department, summonsId: summoned.summonsId } : {}) }, at);
    const recipient = level === 1 ? `township-leader:${this.view.townshipCode}` : `county-supervisor:${this.view.countyCode}`;
    const payload = { caseId: this.view.caseId, deadline: d.kind, stage: d.stage, dueAt: d.dueAt, level, holder: d.holder };
    const subject = `超期预警 level ${level}: ${d.kind} of case ${this.view.caseId} was due ${d.dueAt}`;
    this.notify(`${d.id}:L${level}`, { channel: 'escalation', recipient, subject, payload });
    if (department && (level === 1 || summoned)) {
      this.notify(`${d.id}:L${level}:department`, { channel: 'escalation', recipient: `department:${department}`, subject, payload: summoned ? { ...payload, departmentCode: department } : payload });
    }
  }

  private outstanding(): number {
    const p = this.view.penalty;
    return Math.max(0, (p?.fine ?? 0) - (p?.paidAmount ?? 0));
  }

  // ---- opening ---------------------------------------------------------------------------------

  private async open(): Promise<void> {
    this.policy = this.input.slaPolicy ?? (await acts.loadSlaPolicy());
    this.view.slaPolicyVersion = this.policy.version;
    const { caseId: _id, createdBy, slaPolicy: _p, patrol, ...request } = this.input;
    this.record('case_opened', createdBy, { request }, this.view.openedAt);
    if (this.input.inspection) recordInspectionStart(this.input.inspection, (type, data) => this.record(type, createdBy, data, this.view.openedAt));
    if (patrol) {
      this.view.stage = 'patrol';
      this.record('patrol_reported', { sub: patrol.gridMemberId, role: 'township', unit: this.view.townshipCode }, { report: patrol }, this.view.openedAt);
      this.view.stage = 'discovery';
    }
    this.visits.push({ stage: this.view.stage, enteredAt: this.view.openedAt });
    if (this.deferring) this.book.defer([this.slaSpec(STAGE_SLA[this.view.stage]!, this.view.stage)]);
    else await this.startSla(STAGE_SLA[this.view.stage]!, this.view.stage);
    if (this.view.source === 'complaint' && this.patches.has('complaint-acceptance')) {
      // 投诉举报: accept it or not within 7 working days; the township's confirm (or return) is that decision.
      await this.startStatutory('complaint-acceptance', this.view.openedAt);
    }
    await this.flush();
    this.opened = true;
  }

  // ---- human steps (Updates) -------------------------------------------------------------------

  private validate(req: ActionRequest): void {
    const schema = bodySchema('action', req.action);
    if (!schema) refuse({ type: REFUSAL.invalidInput, message: `unknown action "${String(req.action)}"`, details: { field: 'action' } });
    refuseInvalidBody(schema, req.body);
    this.checkProcedure(req);
  }

  /** The procedure's rules for this action against the case as it stands. */
  private checkProcedure(req: ActionRequest): void {
    const refusal = checkAction(this.view, this.progress, req);
    if (refusal) refuse(refusal);
  }

  private async act(req: ActionRequest): Promise<StepOutcome> {
    // The case may have moved while this update waited for its turn: its rules again. The body was
    // checked by the validator when the update was accepted, and a body does not change.
    this.checkProcedure(req);
    const a = req.actor;
    switch (req.action) {
      case 'patrol-report':
        this.record('patrol_reported', a, { report: req.body });
        await this.enterStage('discovery');
        break;
      case 'confirm':
        this.book.close('complaint-acceptance', 'met', nowIso());
        if (req.body.confirmed) {
          this.record('source_confirmed', a, req.body.reason ? { reason: req.body.reason } : undefined);
          await this.enterStage('capture');
        } else {
          this.record('found_unfounded', a, { reason: req.body.reason ?? null });
          this.view.resolution = 'unfounded';
          this.feedbackToReporter('unfounded', req.body.reason ?? '经核实，反映问题不属实 the reported problem was not found');
          await this.closeCase();
        }
        break;
      case 'capture': {
        const found = await acts.lookupMatter({ matterCode: req.body.matterCode, countyCode: this.view.countyCode });
        if (!found.found) refuse({ type: REFUSAL.businessRule, message: found.reason, details: { field: 'matterCode' } });
        const matter: MatterRoute = found.matter;
        this.view.matterCode = matter.code;
        this.view.party = req.body.party;
        if (req.body.violation) this.view.timeBar = timeBar(req.body.violation, this.view.openedAt);
        if (req.body.urgent !== undefined) this.view.urgent = req.body.urgent;
        const routing = proposeRouting(this.view, found.routing);
        this.progress.matterLevel = matter.level;
        if (matter.departmentCode) this.progress.matterDepartmentCode = matter.departmentCode;
        this.record('information_captured', a, {
          matter: {
            code: matter.code,
            name: matter.name,
            category: matter.category,
            level: matter.level,
            departmentCode: matter.departmentCode ?? null,
            ...(matter.version !== undefined ? { version: matter.version } : {}),
          },
          party: req.body.party,
          evidenceCount: req.body.evidence?.length ?? 0,
          ...(this.view.timeBar ? { timeBar: this.view.timeBar } : {}),
          ...(routing ? { routing } : {}),
        });
        if (routing) tellCooperatingUnits(this.view, routing, `routing-${this.seq}`, (key, n) => this.notify(key, n));
        await this.enterStage('assignment');
        break;
      }
      case 'assign':
        if (req.body.level === 'township') {
          const check = await acts.checkOfficers({
            officerIds: req.body.officerIds,
            townshipCode: this.view.townshipCode,
            at: nowIso(),
            // the officers' domains are checked against it (the input of a local activity is not part of replay)
            ...(this.view.matterCode ? { matterCode: this.view.matterCode } : {}),
          });
          if (check.certified.length < 2) {
            refuse({
              type: REFUSAL.businessRule,
              message: `at least 2 certified officers of brigade ${this.view.townshipCode} must act (行政处罚法 Art 42); certified: ${check.certified.length}; ${check.refused.map((r) => `${r.officerId}: ${r.reason}`).join('; ')}`,
              details: { field: 'officerIds', refused: check.refused },
            });
          }
          this.view.handler = { level: 'township', officerIds: check.certified };
          this.record('assigned_to_brigade', a, {
            officerIds: check.certified,
            refused: check.refused,
            // the certificates as they were when the officers were assigned (older histories have none)
            ...(check.certificates ? { certificates: check.certificates } : {}),
          });
          this.book.close('county-response', 'cancelled', nowIso());
          await this.enterStage('handling');
        } else {
          const dept = await acts.lookupDepartment({ departmentCode: req.body.departmentCode, countyCode: this.view.countyCode });
          if (!dept.found) refuse({ type: REFUSAL.businessRule, message: dept.reason, details: { field: 'departmentCode' } });
          this.view.handler = { level: 'county', departmentCode: req.body.departmentCode };
          this.progress.awaiting = 'county-response';
          this.book.close('assignment', 'met', nowIso());
          const [due] = await this.startSla('county-response', 'assignment');
          this.record('transferred_to_county', a, { departmentCode: req.body.departmentCode, department: dept.name, dueAt: due?.dueAt });
          this.notify(`transfer-${this.seq}`, {
            channel: 'county-transfer',
            recipient: `department:${req.body.departmentCode}`,
            subject: `乡呼县应: case ${this.view.caseId} transferred by ${this.view.townshipCode}`,
            payload: { caseId: this.view.caseId, matterCode: this.view.matterCode ?? null, dueAt: due?.dueAt },
          });
        }
        break;
      case 'handle':
        await this.handle(req.body.outcome, a, req.body.notes);
        break;
      case 'file': {
        const filedAt = req.body.filedAt ?? nowIso();
        this.penalty().filedAt = filedAt;
        this.book.close('filing', 'met', nowIso());
        this.record('case_filed', a, { filedAt });
        await this.startStatutory('decision', filedAt);
        break;
      }
      case 'notify-rights': {
        const p = this.penalty();
        const renotified = p.rightsNotifiedAt !== undefined;
        if (renotified) {
          // A new notice (e.g. of a heavier penalty, 行政处罚法 Arts 44–45) opens a new hearing window.
          this.book.close('hearing-request', 'cancelled', nowIso());
          delete p.hearingRequested;
          delete p.hearingHeld;
        }
        p.rightsNotifiedAt = nowIso();
        if (req.body.proposedFine !== undefined) p.proposedFine = req.body.proposedFine;
        else delete p.proposedFine;
        const [window] = await this.startStatutory('hearing-request');
        this.record('rights_notified', a, { proposedFine: req.body.proposedFine ?? null, hearingWindowEnds: window?.dueAt, ...(renotified ? { renotified: true } : {}) });
        break;
      }
      case 'hearing-request':
        this.penalty().hearingRequested = true;
        if (this.patches.has('hearing-notice')) this.penalty().hearingNoticeRequired = true;
        this.book.close('hearing-request', 'met', nowIso());
        this.record('hearing_requested', a);
        break;
      case 'hearing-held':
        this.penalty().hearingHeld = true;
        this.record('hearing_held', a, req.body.notes ? { notes: req.body.notes } : undefined);
        break;
      case 'decide':
        await this.decide(req.body, a);
        break;
      case 'serve': {
        const servedAt = req.body.servedAt ?? nowIso();
        this.penalty().servedAt = servedAt;
        this.book.close('service', 'met', nowIso());
        const [pay] = await this.startStatutory('payment', servedAt);
        this.record('decision_served', a, { servedAt, paymentDueAt: pay?.dueAt });
        this.noticeOfDisclosure();
        break;
      }
      case 'record-payment': {
        const p = this.penalty();
        p.paidAmount += req.body.amount;
        p.paidAt = req.body.paidAt ?? nowIso();
        this.record('payment_recorded', a, { amount: req.body.amount, paidAmount: p.paidAmount, outstanding: this.outstanding() });
        const enforcement = this.childHandles.get('court-enforcement');
        if (this.progress.awaiting === 'court-enforcement' && enforcement) {
          await enforcement.signal(paymentSignal, { amount: req.body.amount, at: p.paidAt, actor: a });
        } else if (this.outstanding() === 0) {
          this.book.close('payment', 'met', nowIso());
          this.view.resolution = 'penalty_paid';
          await this.enterStage('verification');
        }
        break;
      }
      case 'return':
        // 退回: not the township's business; the dispatcher (12345 platform) is told and re-dispatches it.
        this.book.close('complaint-acceptance', 'met', nowIso()); // returning is deciding not to accept it
        this.record('returned_to_dispatcher', a, { reason: req.body.reason });
        this.view.resolution = 'returned_to_dispatcher';
        this.notify('returned-to-dispatcher', {
          channel: 'dispatcher',
          recipient: `upstream:${this.view.createdBy.sub}`,
          subject: `退回工单 work order ${this.view.externalRef ?? this.view.caseId} returned by ${this.view.townshipCode}`,
          payload: { caseId: this.view.caseId, externalRef: this.view.externalRef ?? null, townshipCode: this.view.townshipCode, reason: req.body.reason },
        });
        this.feedbackToReporter('returned_to_dispatcher', `工单已退回派单部门重新派单：${req.body.reason}`);
        await this.closeCase({ callback: false });
        break;
      case 'verify':
        if (req.body.passed) {
          this.record('verified', a, req.body.notes ? { notes: req.body.notes } : undefined);
          this.view.resolution ??= 'resolved';
          this.feedbackToReporter('handled', req.body.notes ?? '问题已处理并核查通过 handled and verified on site');
          await this.closeCase();
        } else {
          this.view.reworkCount += 1;
          this.record('verification_failed', a, { notes: req.body.notes ?? null, reworkCount: this.view.reworkCount });
          delete this.view.resolution;
          await this.enterStage('handling');
        }
        break;
      default:
        // evidence preservation, hearing notice, the party's appeals
        await this.statutory.act(req);
        break;
    }
    await this.flush();
    return { caseId: this.view.caseId, seq: this.seq, stage: this.view.stage, status: this.view.status };
  }

  private penalty() {
    return (this.view.penalty ??= { paidAmount: 0 });
  }

  private async handle(outcome: 'corrected' | 'no_violation' | 'case_required' | 'suspected_crime' | 'obstruction', a: Actor, notes?: string): Promise<void> {
    const data = notes ? { notes } : undefined;
    switch (outcome) {
      case 'corrected':
        this.record('corrected_on_site', a, data);
        await this.enterStage('verification');
        return;
      case 'no_violation':
        // 检查未发现违法: a random inspection (or any on-site check) that finds the object compliant; the
        // verification confirms it like any handling.
        this.record('no_violation_found', a, data);
        await this.enterStage('verification');
        return;
      case 'case_required':
        if (this.view.penalty) {
          // Rework after an earlier decision: that procedure is finished; a new one starts from filing.
          await signalDecisionChanged(this.view.penalty, `rework: ${notes ?? 'a new procedure replaces the decision'}`);
          (this.view.previousPenalties ??= []).push(this.view.penalty);
          delete this.view.penalty;
        }
        this.record('formal_case_required', a, data);
        await this.enterStage('processing');
        await this.startStatutory('filing');
        return;
      case 'suspected_crime':
        this.record('suspected_crime', a, data);
        this.book.close('handling', 'met', nowIso());
        await this.startJudicialTransfer();
        return;
      case 'obstruction':
        // 暴力抗法: public security is notified at once; handling goes on.
        this.record('obstruction_reported', a, data);
        this.notify(`obstruction-${this.seq}`, {
          channel: 'public-security',
          recipient: `public-security:${this.view.countyCode}`,
          subject: `妨碍执法 officers obstructed on case ${this.view.caseId}`,
          payload: { caseId: this.view.caseId, location: this.view.location, townshipCode: this.view.townshipCode, notes: notes ?? null },
        });
        return;
    }
  }

  private async decide(body: { kind: 'penalty' | 'no_penalty'; fine?: number | undefined; summary?: boolean | undefined }, a: Actor): Promise<void> {
    const p = this.penalty();
    const at = nowIso();
    p.kind = body.kind;
    p.decidedAt = at;
    if (body.fine !== undefined) p.fine = body.fine;
    if (body.summary) p.summary = true;
    this.book.close('decision', 'met', at);
    this.book.close('filing', body.summary ? 'met' : 'cancelled', at);
    this.book.close('hearing-request', 'cancelled', at);
    this.record('decided', a, { kind: body.kind, fine: body.fine ?? null, summary: body.summary ?? false });
    if (body.kind === 'penalty' && this.patches.has('disclosure')) await startDisclosure(this.view);
    if (body.kind === 'no_penalty' || !(body.fine && body.fine > 0)) {
      this.view.resolution = body.kind === 'no_penalty' ? 'no_penalty' : 'resolved';
      await this.enterStage('verification');
    } else if (body.summary) {
      // 当场处罚决定书当场交付 (行政处罚法 Art 52): served on the spot.
      p.servedAt = at;
      const [pay] = await this.startStatutory('payment', at);
      this.record('decision_served', a, { servedAt: at, onTheSpot: true, paymentDueAt: pay?.dueAt });
    } else {
      await this.startStatutory('service');
    }
    // 告知公示 (Art 8): with the decision served on the spot, or a warning with no service step to come.
    if (p.servedAt || !(body.fine && body.fine > 0)) this.noticeOfDisclosure();
  }

  /** The party is told at service that the decision will be published (when a disclosure runs). */
  private noticeOfDisclosure(): void {
    const notice = disclosureNotice(this.view);
    if (notice) this.notify(`disclosure-notice-${this.seq}`, notice);
  }

  private feedbackToReporter(kind: string, message: string): void {
    if (this.view.source === 'patrol' || this.view.source === 'inspection') return;
    this.notify(`feedback-${kind}-${this.seq}`, {
      channel: 'reporter-feedback',
      recipient: this.view.reporter?.phone ? `phone:${this.view.reporter.phone}` : `upstream:${this.view.createdBy.sub}`,
      subject: `办理结果反馈 case ${this.view.caseId}${this.view.externalRef ? ` (${this.view.externalRef})` : ''}`,
      payload: { caseId: this.view.caseId, externalRef: this.view.externalRef ?? null, outcome: kind, message },
    });
  }

  private async closeCase(opts: { callback: boolean } = { callback: true }): Promise<void> {
    await this.enterStage('review');
    const at = nowIso();
    this.book.closeAll('cancelled', at);
    this.visits.at(-1)!.leftAt = at;
    const review = reviewCase(this.view, this.visits, at, this.escalations);
    this.view.review = review;
    this.view.status = 'closed';
    this.view.closedAt = at;
    this.record('case_closed', SYSTEM_ACTOR, { resolution: this.view.resolution ?? null, onTime: review.onTime, reworkCount: review.reworkCount, escalations: review.escalations });
    const calledBack = opts.callback && DISPATCHED_SOURCES.includes(this.view.source);
    if (this.projectionComputes()) {
      // Patched 'callback-in-transition': the closing step's projection computes the callback window too.
      const deferCallback = calledBack && this.patches.has('callback-in-transition') && this.patches.has('satisfaction-callback');
      if (deferCallback) this.book.defer([this.callbackWindow()]);
      await this.flush(review);
      if (deferCallback) return;
    } else {
      await this.flush();
      await acts.recordReview({ caseId: this.view.caseId, snapshot: this.view, review });
    }
    if (calledBack && this.patches.has('satisfaction-callback')) await this.book.start([this.callbackWindow()]);
  }

  /** 回访: the platform calls the reporter back within the policy's window; unsatisfied may reopen. */
  private callbackWindow(): DeadlineSpec {
    return { kind: 'callback', stage: 'review', holder: 'party', period: slaFor(this.policy, 'callback', false), basis: `SLA policy v${this.policy.version} (回访)`, onExpiry: 'lapse' };
  }

  // ---- signals and children --------------------------------------------------------------------

  private async receive(item: InboxItem): Promise<void> {
    switch (item.kind) {
      case 'county-response':
        return this.countyResponse(item.signal);
      case 'judicial-event':
        return this.forward('judicial-transfer', (h) => h.signal(judicialEventSignal, item.event));
      case 'court-event':
        return this.forward('court-enforcement', (h) => h.signal(courtEventSignal, item.event));
      case 'child-progress':
        return this.childProgress(item.progress);
      case 'child-result':
        return this.childResult(item.child, item.outcome);
      case 'calendar-published':
        return this.recomputeEstimated(item.year, item.version);
    }
  }

  /** The period a deadline of this case runs: its SLA under the case's policy, or the law's. */
  private periodOf(d: Deadline): Period | undefined {
    if (d.kind === 'summons') return slaFor(this.policy, 'county-response', this.view.urgent);
    if ((SLA_KEYS as readonly string[]).includes(d.kind)) return slaFor(this.policy, d.kind as SlaKey, this.view.urgent);
    const law = (LAW as Record<string, { period: Period } | undefined>)[d.kind];
    return law?.period;
  }

  /** A holiday schedule was published: estimated deadlines of this case are computed again, on the timeline. */
  private async recomputeEstimated(year: number, version: number): Promise<void> {
    const estimated = this.view.deadlines.filter((d) => d.status === 'running' && d.calendarEstimated && d.owner === undefined);
    if (estimated.length === 0 || !this.patches.has('calendar-recompute')) return;
    const changes: Record<string, unknown>[] = [];
    for (const d of estimated) {
      const period = this.periodOf(d);
      if (!period) continue;
      const changed = await this.book.recompute(d.id, period, { year, version });
      if (changed) changes.push({ deadlineId: d.id, kind: d.kind, previousDueAt: changed.previousDueAt, dueAt: d.dueAt, calendarEstimated: d.calendarEstimated ?? false });
    }
    if (changes.length > 0) this.record('deadlines_recomputed', SYSTEM_ACTOR, { reason: `holiday calendar ${year} published (version ${version})`, changes });
  }

  private validateChildEvent(req: ChildEventRequest): void {
    const refusal =
      checkChildEvent(this.view, req.kind, req.event.event, this.forwardedChildEvents.get(req.kind)) ??
      (req.kind === 'court-enforcement' ? checkCourtEventDates(this.view, req.event, Date.now()) : undefined);
    if (refusal) refuse(refusal);
  }

  /** A judicial or court event, checked against the step the child waits for, then forwarded to it. */
  private async childEvent(req: ChildEventRequest): Promise<{ accepted: true; event: string }> {
    this.validateChildEvent(req);
    const handle = this.childHandles.get(req.kind);
    if (!handle) refuse({ type: REFUSAL.wrongStage, message: `the case has no running ${req.kind}`, details: { kind: req.kind } });
    this.forwardedChildEvents.set(req.kind, req.event.event);
    if (req.kind === 'judicial-transfer') await (handle as wf.ChildWorkflowHandle<never>).signal(judicialEventSignal, req.event);
    else await (handle as wf.ChildWorkflowHandle<never>).signal(courtEventSignal, req.event);
    return { accepted: true, event: req.event.event };
  }

  // ---- requests about the case (12345 work-order semantics) -----------------------------------

  private validateRequest(req: CaseRequest): void {
    const schema = bodySchema('request', req.kind);
    if (!schema) refuse({ type: REFUSAL.invalidInput, message: `unknown request "${String(req.kind)}"`, details: { field: 'kind' } });
    refuseInvalidBody(schema, req.body);
    this.checkRequestRules(req);
  }

  private checkRequestRules(req: CaseRequest): void {
    const refusal = checkCaseRequest(this.view, req, Date.now());
    if (refusal) refuse(refusal);
  }

  private handlerUnit(): string {
    return this.view.handler.departmentCode ? `department:${this.view.handler.departmentCode}` : `brigade:${this.view.townshipCode}`;
  }

  private async request(req: CaseRequest): Promise<StepOutcome & { requestId?: string }> {
    this.checkRequestRules(req); // the case may have moved while this request waited for its turn (its body was checked on acceptance)
    const at = nowIso();
    let requestId: string | undefined;
    switch (req.kind) {
      case 'extension-request': {
        const target = extensionTarget(this.view, req.body.deadlineKind)!;
        requestId = `EXT-${this.seq + 1}`;
        const { reason, workingDays, newDueAt } = req.body;
        (this.view.extensionRequests ??= []).push({
          requestId,
          deadlineId: target.id,
          deadlineKind: target.kind,
          reason,
          ...(workingDays !== undefined ? { workingDays } : {}),
          ...(newDueAt !== undefined ? { newDueAt } : {}),
          requestedBy: req.actor,
          requestedAt: at,
          status: 'pending',
        });
        this.record('extension_requested', req.actor, { requestId, deadlineId: target.id, kind: target.kind, dueAt: target.dueAt, reason, workingDays: workingDays ?? null, newDueAt: newDueAt ?? null });
        this.notify(`extension-${requestId}`, {
          channel: 'extension',
          recipient: `county-supervisor:${this.view.countyCode}`,
          subject: `延期申请 extension requested on case ${this.view.caseId} (${target.kind}, due ${target.dueAt})`,
          payload: { caseId: this.view.caseId, requestId, kind: target.kind, dueAt: target.dueAt, reason },
        });
        break;
      }
      case 'extension-decision': {
        const r = this.view.extensionRequests!.find((x) => x.requestId === req.requestId)!;
        requestId = r.requestId;
        r.status = req.body.approved ? 'approved' : 'refused';
        r.decidedBy = req.actor;
        r.decidedAt = at;
        if (req.body.reason) r.decisionReason = req.body.reason;
        let dueAt: string | undefined;
        if (req.body.approved) {
          const before = this.view.deadlines.find((d) => d.id === r.deadlineId)!.dueAt;
          const extended = await this.book.extend(r.deadlineId, r.newDueAt ? { dueAt: r.newDueAt } : { period: { workingDays: r.workingDays ?? 1 } });
          dueAt = extended?.dueAt;
          r.previousDueAt = before;
          if (dueAt) r.grantedDueAt = dueAt;
        }
        this.record('extension_decided', req.actor, {
          requestId,
          approved: req.body.approved,
          deadlineId: r.deadlineId,
          kind: r.deadlineKind,
          previousDueAt: r.previousDueAt ?? null,
          dueAt: dueAt ?? null,
          reason: req.body.reason ?? null,
        });
        this.notify(`extension-decided-${requestId}`, {
          channel: 'extension',
          recipient: this.handlerUnit(),
          subject: `延期${req.body.approved ? '批准' : '不予批准'} extension ${req.body.approved ? 'approved' : 'refused'} on case ${this.view.caseId}`,
          payload: { caseId: this.view.caseId, requestId, approved: req.body.approved, dueAt: dueAt ?? null, reason: req.body.reason ?? null },
        });
        break;
      }
      case 'supervision-order': {
        requestId = `SUP-${this.seq + 1}`;
        const handler = this.handlerUnit();
        const { note, dueAt } = req.body;
        (this.view.supervisionOrders ??= []).push({ orderId: requestId, note, ...(dueAt ? { dueAt } : {}), orderedBy: req.actor, orderedAt: at, handler });
        this.record('supervision_ordered', req.actor, { orderId: requestId, note, dueAt: dueAt ?? null, handler });
        this.notify(`supervision-${requestId}`, {
          channel: 'supervision',
          recipient: handler,
          subject: `督办 case ${this.view.caseId} is urged by the supervisor${dueAt ? `, due ${dueAt}` : ''}`,
          payload: { caseId: this.view.caseId, orderId: requestId, note, dueAt: dueAt ?? null, stage: this.view.stage },
        });
        if (dueAt) {
          // A duration in whole seconds, counted from just before now so that it ends exactly at dueAt.
          const seconds = Math.max(1, Math.ceil((Date.parse(dueAt) - Date.now()) / 1000));
          await this.book.start([
            {
              kind: 'supervision',
              stage: this.view.stage,
              holder: this.view.handler.level === 'county' ? 'county' : 'agency',
              period: { duration: `PT${seconds}S` },
              from: toShanghaiIso(Date.parse(dueAt) - seconds * 1000),
              basis: `督办 ${requestId}`,
            },
          ]);
        }
        break;
      }
      case 'summons':
        requestId = await this.summons.summon(req.body, req.actor);
        break;
      case 'summons-answer':
        requestId = this.summons.answer(req.departmentCode, req.body, req.actor);
        break;
      case 'satisfaction': {
        const { rating, note, reopen } = req.body;
        (this.view.satisfaction ??= []).push({ rating, ...(note ? { note } : {}), reopened: reopen === true, by: req.actor, at });
        this.record('satisfaction_recorded', req.actor, { rating, note: note ?? null, reopen: reopen === true });
        this.book.close('callback', 'met', at);
        if (reopen) await this.reopen(req.actor, note);
        break;
      }
    }
    await this.flush();
    return { caseId: this.view.caseId, seq: this.seq, stage: this.view.stage, status: this.view.status, ...(requestId ? { requestId } : {}) };
  }

  /** An unsatisfied callback reopens the case: the same case, back to handling by the same handler. */
  private async reopen(actor: Actor, note: string | undefined): Promise<void> {
    this.view.status = 'open';
    delete this.view.closedAt;
    delete this.view.resolution;
    this.view.reopenCount = (this.view.reopenCount ?? 0) + 1;
    this.record('case_reopened', actor, { reason: note ?? null, reopenCount: this.view.reopenCount });
    this.notify(`reopened-${this.seq}`, {
      channel: 'reopen',
      recipient: this.handlerUnit(),
      subject: `回访不满意，重新办理 case ${this.view.caseId} reopened after an unsatisfied callback`,
      payload: { caseId: this.view.caseId, note: note ?? null, reopenCount: this.view.reopenCount },
    });
    await this.enterStage('handling');
  }

  private async countyResponse(s: CountyResponseSignal): Promise<void> {
    if (this.progress.awaiting !== 'county-response' || s.departmentCode !== this.view.handler.departmentCode) {
      wf.log.warn('county response ignored: no transfer to that department is awaiting an answer', { departmentCode: s.departmentCode });
      return;
    }
    delete this.progress.awaiting;
    this.book.close('county-response', 'met', nowIso());
    if (s.decision === 'return') {
      this.progress.transferReturned = true;
      this.view.handler = { level: 'township' };
      this.record('transfer_returned', s.actor, { departmentCode: s.departmentCode, reason: s.reason ?? null });
      this.notify(`returned-${this.seq}`, {
        channel: 'county-transfer',
        recipient: `brigade:${this.view.townshipCode}`,
        subject: `县级部门退回 case ${this.view.caseId} returned by ${s.departmentCode}`,
        payload: { caseId: this.view.caseId, reason: s.reason ?? null },
      });
      await this.startSla('assignment', 'assignment');
      if (this.patches.has('summons')) this.summons.bounce(s.departmentCode, 'transfer-return');
      return;
    }
    const joint = s.decision === 'joint';
    this.view.handler = { level: 'county', departmentCode: s.departmentCode, ...(joint ? { joint: true } : {}) };
    this.record(joint ? 'joint_enforcement_agreed' : 'transfer_accepted', s.actor, { departmentCode: s.departmentCode, reason: s.reason ?? null });
    await this.enterStage('handling');
  }

  private async forward(kind: ChildKind, send: (h: wf.ChildWorkflowHandle<never>) => Promise<void>): Promise<void> {
    const handle = this.childHandles.get(kind);
    if (!handle || this.progress.awaiting !== kind) {
      wf.log.warn('event ignored: no such child process is running', { kind });
      return;
    }
    await send(handle as wf.ChildWorkflowHandle<never>);
  }

  private async childProgress(p: ChildProgress): Promise<void> {
    if (this.seenChildSteps.has(p.stepId)) return;
    this.seenChildSteps.add(p.stepId);
    for (const d of p.deadlines ?? []) {
      const i = this.view.deadlines.findIndex((x) => x.id === d.id);
      if (i >= 0) this.view.deadlines[i] = d;
      else this.view.deadlines.push(d);
    }
    const child = this.view.children.find((c) => c.kind === p.kind && c.status === 'running');
    if (child && p.step) child.step = p.step;
    if (p.step && p.type !== 'deadline_breached' && p.type !== 'deadline_lapsed') this.forwardedChildEvents.delete(p.kind);
    if (p.type === 'deadline_breached') {
      const d = p.deadlines?.[0];
      if (d) this.breach(d, d.escalationLevel === 2 ? 2 : 1, p.at);
    } else {
      this.record(p.type, p.actor, { child: p.kind, ...(p.data ?? {}) }, p.at);
    }
    this.notifications.push(...(p.notifications ?? []));
  }

  private async startJudicialTransfer(): Promise<void> {
    const workflowId = judicialTransferWorkflowId(this.view.caseId);
    const attempt = this.view.children.filter((c) => c.kind === 'judicial-transfer').length + 1;
    const handle = await wf.startChild(judicialTransferWorkflow, {
      workflowId: attempt === 1 ? workflowId : `${workflowId}-${attempt}`,
      args: [{ caseId: this.view.caseId, parentWorkflowId: wf.workflowInfo().workflowId, attempt, countyCode: this.view.countyCode, townshipCode: this.view.townshipCode }],
      parentClosePolicy: wf.ParentClosePolicy.TERMINATE,
    });
    this.track('judicial-transfer', handle, 'judicial');
  }

  private async startCourtEnforcement(): Promise<void> {
    const p = this.penalty();
    const workflowId = courtEnforcementWorkflowId(this.view.caseId);
    const attempt = this.view.children.filter((c) => c.kind === 'court-enforcement').length + 1;
    const handle = await wf.startChild(courtEnforcementWorkflow, {
      workflowId: attempt === 1 ? workflowId : `${workflowId}-${attempt}`,
      args: [
        {
          caseId: this.view.caseId,
          parentWorkflowId: wf.workflowInfo().workflowId,
          attempt,
          countyCode: this.view.countyCode,
          townshipCode: this.view.townshipCode,
          fine: p.fine ?? 0,
          paidAmount: p.paidAmount,
          servedAt: p.servedAt ?? nowIso(),
          ...(this.patches.has('late-surcharge') ? { paymentDueAt: paymentDeadline(this.view)?.dueAt, appeals: (p.appeals ?? []).map((x) => ({ ...x })) } : {}),
        },
      ],
      parentClosePolicy: wf.ParentClosePolicy.TERMINATE,
    });
    this.track('court-enforcement', handle, 'court');
  }

  private track(kind: ChildKind, handle: wf.ChildWorkflowHandle<typeof judicialTransferWorkflow | typeof courtEnforcementWorkflow>, level: 'judicial' | 'court'): void {
    this.childHandles.set(kind, handle);
    this.progress.awaiting = kind;
    this.view.handler = { ...this.view.handler, level };
    this.view.children.push({ kind, workflowId: handle.workflowId, status: 'running' });
    this.record(kind === 'judicial-transfer' ? 'judicial_transfer_opened' : 'court_enforcement_opened', SYSTEM_ACTOR, { workflowId: handle.workflowId });
    handle.result().then(
      (outcome) => void this.inbox.push({ kind: 'child-result', child: kind, outcome }),
      (err: unknown) => void this.inbox.push({ kind: 'child-result', child: kind, outcome: `failed: ${err instanceof Error ? err.message : String(err)}` }),
    );
  }

  private async childResult(kind: ChildKind, outcome: string): Promise<void> {
    const child = this.view.children.find((c) => c.kind === kind && c.status === 'running');
    if (child) {
      child.status = 'completed';
      child.outcome = outcome;
      delete child.step;
    }
    this.childHandles.delete(kind);
    this.forwardedChildEvents.delete(kind);
    delete this.progress.awaiting;
    this.view.handler = { ...this.view.handler, level: this.view.handler.departmentCode ? 'county' : 'township' };
    if (kind === 'judicial-transfer') {
      const result = outcome as JudicialTransferOutcome;
      if (result === 'accepted') {
        this.view.resolution = 'transferred_judicial';
        this.record('judicial_transfer_completed', SYSTEM_ACTOR, { outcome });
        if (this.patches.has('feedback-on-judicial-close')) {
          this.feedbackToReporter('transferred_judicial', '案件涉嫌犯罪，已移送公安机关处理 transferred to public security as a suspected crime');
        }
        await this.closeCase();
      } else {
        // Refused for good (or the child failed): back to administrative processing.
        this.record('judicial_transfer_completed', SYSTEM_ACTOR, { outcome });
        await this.enterStage('processing');
        await this.startStatutory('filing');
      }
      return;
    }
    const result = outcome as CourtEnforcementOutcome;
    this.record('court_enforcement_completed', SYSTEM_ACTOR, { outcome });
    if (result === 'paid' || result === 'executed' || result === 'refused') {
      this.view.resolution = result === 'paid' ? 'penalty_paid' : result === 'executed' ? 'enforced' : 'enforcement_refused';
      await this.enterStage('verification');
    } else if (result === 'revoked') {
      // The party's reconsideration or lawsuit revoked the penalty: nothing is left to enforce or verify.
      this.view.resolution = 'penalty_revoked';
      await this.closeCase();
    }
    // A failed child leaves the case in processing with payment open for a person to act on.
  }
}

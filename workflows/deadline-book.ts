import { proxyLocalActivities } from '@temporalio/workflow';
import type { CaseActivities } from '../activities/contract';
import type { Deadline, DeadlineAnswer, DeadlineHolder, DeadlineKind } from '../domain/deadlines';
import { completeDeadline, type PendingDeadline } from '../domain/deadline-entries';
import type { Period } from '../domain/periods';
import type { Stage } from '../domain/stages';
import { activityOptions } from './options';
import { toShanghaiIso } from '../domain/time';

const { computeDeadlines } = proxyLocalActivities<Pick<CaseActivities, 'computeDeadlines'>>(activityOptions);

export interface DeadlineSpec {
  kind: DeadlineKind;
  stage: Stage;
  holder: DeadlineHolder;
  period: Period;
  basis: string;
  /** When the period starts; default now (workflow time). */
  from?: string;
  onExpiry?: 'escalate' | 'lapse';
}

/** Something that happened to a deadline when its time came. */
export interface DeadlineExpiry {
  deadline: Deadline;
  /** 1 or 2 for an escalation, 'lapsed' for a window that ended. */
  outcome: 1 | 2 | 'lapsed';
  /** The exact instant it happened: the due time (or level-2 time), not the timer's wake-up. */
  at: string;
}

/**
 * The deadlines one workflow runs. Due dates come from an activity, so they are recorded in history
 * and a calendar or policy update never changes a running case on replay. The book only says when
 * the next timer should fire and what expired; the workflow decides what each expiry means.
 */
export class DeadlineBook {
  constructor(
    /** The case's (or child's) deadline list; the book appends to it and updates entries in place. */
    private readonly deadlines: Deadline[],
    private readonly owner?: string,
    private readonly idPrefix = '',
    /** Deadlines started so far (ids are numbered): carried over when a case continues as new. */
    private counter = 0,
  ) {}

  /** Started with `defer`, due dates not computed yet: the next transition's projection computes them. */
  private pending: PendingDeadline[] = [];

  get started(): number {
    return this.counter;
  }

  private draft(s: DeadlineSpec, now: string): PendingDeadline {
    this.counter += 1;
    const from = s.from ?? now;
    const onExpiry = s.onExpiry ?? 'escalate';
    return {
      draft: {
        id: `${this.idPrefix}${s.kind}-${this.counter}`,
        kind: s.kind,
        stage: s.stage,
        holder: s.holder,
        startedAt: from,
        status: 'running',
        onExpiry,
        overdue: false,
        escalationLevel: 0,
        basis: s.basis,
        ...(this.owner ? { owner: this.owner } : {}),
      },
      request: { from, period: s.period, withEscalation: onExpiry === 'escalate' },
    };
  }

  /** Starts deadlines now (one activity computes their due dates, and those of any deferred ones first). */
  async start(specs: DeadlineSpec[]): Promise<Deadline[]> {
    if (specs.length === 0) return [];
    const now = toShanghaiIso(Date.now());
    const earlier = this.takePending();
    const fresh = specs.map((s) => this.draft(s, now));
    const all = [...earlier, ...fresh];
    const answers = await computeDeadlines(all.map((p) => p.request));
    return this.settle(all, answers).slice(earlier.length);
  }

  /**
   * Starts deadlines whose due dates nothing in this step needs: their entries join the list when the
   * step's transition is projected (the projection computes them in the same activity, one marker less
   * per stage). Until then the book does not know them; `running`, `close`, `expire`… refuse to answer.
   */
  defer(specs: DeadlineSpec[]): void {
    const now = toShanghaiIso(Date.now());
    for (const s of specs) this.pending.push(this.draft(s, now));
  }

  /** Whether deadlines started with `defer` wait for a projection. */
  hasPending(): boolean {
    return this.pending.length > 0;
  }

  /** The deferred deadlines, handed to the projection (which answers their due dates). */
  takePending(): PendingDeadline[] {
    const taken = this.pending;
    this.pending = [];
    return taken;
  }

  /** Enters computed deadlines into the list, in the order they were started. */
  settle(started: PendingDeadline[], answers: DeadlineAnswer[]): Deadline[] {
    return started.map((p) => {
      const a = answers.shift();
      if (!a) throw new Error('fewer due dates answered than deadlines started');
      const d = completeDeadline(p.draft, a);
      this.deadlines.push(d);
      return d;
    });
  }

  private mine(): Deadline[] {
    return this.deadlines.filter((d) => d.status === 'running' && d.owner === this.owner);
  }

  /** Changes to the list wait for deferred deadlines to be entered (a bug in the caller otherwise). */
  private settled(): void {
    if (this.pending.length > 0) throw new Error(`deadline book changed with ${this.pending.length} deferred deadline(s) not yet projected`);
  }

  running(kind: DeadlineKind): Deadline | undefined {
    return this.mine().find((d) => d.kind === kind);
  }

  /** Epoch ms of the next expiry or escalation, if any. */
  nextWakeUp(): number | undefined {
    let next: number | undefined;
    for (const d of this.mine()) {
      const at =
        d.escalationLevel === 0 ? Date.parse(d.dueAt) : d.escalationLevel === 1 && d.escalateAt ? Date.parse(d.escalateAt) : undefined;
      if (at !== undefined && (next === undefined || at < next)) next = at;
    }
    return next;
  }

  /** Applies every expiry due by now, in time order. */
  expire(nowMs: number): DeadlineExpiry[] {
    this.settled();
    const out: DeadlineExpiry[] = [];
    for (const d of this.mine()) {
      if (d.escalationLevel === 0 && Date.parse(d.dueAt) <= nowMs) {
        if (d.onExpiry === 'lapse') {
          d.status = 'lapsed';
          d.closedAt = d.dueAt;
          out.push({ deadline: d, outcome: 'lapsed', at: d.dueAt });
          continue;
        }
        d.overdue = true;
        d.escalationLevel = 1;
        out.push({ deadline: d, outcome: 1, at: d.dueAt });
      }
      if (d.escalationLevel === 1 && d.escalateAt && Date.parse(d.escalateAt) <= nowMs) {
        d.escalationLevel = 2;
        out.push({ deadline: d, outcome: 2, at: d.escalateAt });
      }
    }
    return out.sort((a, b) => Date.parse(a.at) - Date.parse(b.at));
  }

  /**
   * An approved extension (延期): the deadline falls due later, by a period counted from its current
   * due date or at a given instant; its level-2 escalation moves by as much.
   */
  async extend(id: string, by: { period: Period } | { dueAt: string }): Promise<Deadline | undefined> {
    this.settled();
    const d = this.mine().find((x) => x.id === id);
    if (!d) return undefined;
    let dueAt: string;
    if ('dueAt' in by) dueAt = by.dueAt;
    else {
      // Counted from the deadline's last day (its dueAt is 24:00 of it, i.e. 00:00 of the next day): the
      // extra days start the day after, not a day later (a 15-working-day extension is 15, not 16).
      const [answer] = await computeDeadlines([{ from: toShanghaiIso(Date.parse(d.dueAt) - 1), period: by.period, withEscalation: false }]);
      if (!answer) throw new Error('computeDeadlines answered no due date');
      dueAt = answer.dueAt;
      if (answer.calendarEstimated) d.calendarEstimated = true;
    }
    const shift = Date.parse(dueAt) - Date.parse(d.dueAt);
    if (d.escalateAt) d.escalateAt = toShanghaiIso(Date.parse(d.escalateAt) + shift);
    d.dueAt = dueAt;
    d.extensions = (d.extensions ?? 0) + 1;
    return d;
  }

  /**
   * Computes a running deadline again from its start on today's calendar (a holiday schedule was
   * published for a year it was estimated in). Only deadlines not yet due or escalated and never
   * extended: what already happened stays as it happened. Returns the deadline when it changed.
   */
  async recompute(
    id: string,
    period: Period,
    calendarAtLeast: { year: number; version: number },
  ): Promise<{ deadline: Deadline; previousDueAt: string } | undefined> {
    this.settled();
    const d = this.mine().find((x) => x.id === id);
    if (!d || !d.calendarEstimated || d.escalationLevel > 0 || d.extensions) return undefined;
    const [answer] = await computeDeadlines([{ from: d.startedAt, period, withEscalation: d.onExpiry === 'escalate', calendarAtLeast }]);
    if (!answer) throw new Error('computeDeadlines answered no due date');
    const previousDueAt = d.dueAt;
    const changed = answer.dueAt !== d.dueAt || answer.escalateAt !== d.escalateAt || !answer.calendarEstimated;
    if (!changed) return undefined;
    d.dueAt = answer.dueAt;
    if (answer.escalateAt) d.escalateAt = answer.escalateAt;
    if (answer.calendarEstimated) d.calendarEstimated = true;
    else delete d.calendarEstimated;
    return { deadline: d, previousDueAt };
  }

  /** Ends a running deadline of this kind (met: the step was done; cancelled: no longer needed). */
  close(kind: DeadlineKind, status: 'met' | 'cancelled', at: string): Deadline | undefined {
    this.settled();
    const d = this.running(kind);
    if (d) {
      d.status = status;
      d.closedAt = at;
    }
    return d;
  }

  /** Ends one running deadline by id (several of a kind may run at once, e.g. one per summoned department). */
  closeById(id: string, status: 'met' | 'cancelled', at: string): Deadline | undefined {
    const d = this.mine().find((x) => x.id === id);
    if (d) {
      d.status = status;
      d.closedAt = at;
    }
    return d;
  }

  closeAll(status: 'met' | 'cancelled', at: string): void {
    this.settled();
    for (const d of this.mine()) {
      d.status = status;
      d.closedAt = at;
    }
  }
}

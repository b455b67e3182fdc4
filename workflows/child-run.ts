import { toShanghaiIso } from '../domain/time';
import { condition, getExternalWorkflowHandle, workflowInfo } from '@temporalio/workflow';
import type { Notification } from '../activities/contract';
import { SYSTEM_ACTOR, type Actor, type ChildKind } from '../domain/case';
import type { Deadline } from '../domain/deadlines';
import { DeadlineBook, type DeadlineSpec } from './deadline-book';
import { childProgressSignal, type ChildInput } from './definitions';

/**
 * What a child process (judicial transfer, court enforcement) shares: its own deadlines and timers,
 * and progress reports to its case, which records them in the timeline and the read model.
 */
export class ChildRun {
  readonly deadlines: Deadline[] = [];
  readonly book: DeadlineBook;
  private steps = 0;
  private readonly parent;

  constructor(
    private readonly kind: ChildKind,
    private readonly input: ChildInput,
  ) {
    this.book = new DeadlineBook(this.deadlines, workflowInfo().workflowId, `${kind}#${input.attempt}:`);
    this.parent = getExternalWorkflowHandle(input.parentWorkflowId);
  }

  async report(
    type: string,
    opts: { step?: string; actor?: Actor; at?: string; data?: Record<string, unknown>; deadlines?: Deadline[]; notifications?: Notification[] } = {},
  ): Promise<void> {
    this.steps += 1;
    await this.parent.signal(childProgressSignal, {
      kind: this.kind,
      stepId: `${this.kind}#${this.input.attempt}:${this.steps}`,
      type,
      at: opts.at ?? toShanghaiIso(Date.now()),
      actor: opts.actor ?? SYSTEM_ACTOR,
      ...(opts.step ? { step: opts.step } : {}),
      ...(opts.data ? { data: opts.data } : {}),
      ...(opts.deadlines ? { deadlines: opts.deadlines.map((d) => ({ ...d })) } : {}),
      ...(opts.notifications ? { notifications: opts.notifications } : {}),
    });
  }

  start(specs: DeadlineSpec[]): Promise<Deadline[]> {
    return this.book.start(specs);
  }

  /** Ends a deadline and returns a copy to report. */
  close(kind: DeadlineSpec['kind'], status: 'met' | 'cancelled' = 'met'): Deadline[] {
    const d = this.book.close(kind, status, toShanghaiIso(Date.now()));
    return d ? [d] : [];
  }

  /** Waits until `done()`, reporting every breach (escalation) and lapse of this child's deadlines. */
  async waitUntil(done: () => boolean): Promise<void> {
    while (!done()) {
      const wake = this.book.nextWakeUp();
      if (wake === undefined) {
        await condition(done);
        return;
      }
      if (await condition(done, Math.max(1, wake - Date.now()))) return;
      for (const e of this.book.expire(Date.now())) {
        await this.report(e.outcome === 'lapsed' ? 'deadline_lapsed' : 'deadline_breached', {
          step: e.deadline.kind,
          at: e.at,
          data: { deadlineId: e.deadline.id, kind: e.deadline.kind, dueAt: e.deadline.dueAt, ...(e.outcome === 'lapsed' ? {} : { level: e.outcome }) },
          deadlines: [e.deadline],
        });
      }
    }
  }

  notification(key: string, n: Omit<Notification, 'dedupeKey'>): Notification {
    return { dedupeKey: `${workflowInfo().workflowId}#${this.input.attempt}:${key}`, ...n };
  }

  async finish(type: string, data: Record<string, unknown>, actor?: Actor): Promise<void> {
    this.book.closeAll('cancelled', toShanghaiIso(Date.now()));
    await this.report(type, { step: 'done', data, deadlines: this.deadlines.filter((d) => d.status === 'cancelled'), ...(actor ? { actor } : {}) });
  }
}

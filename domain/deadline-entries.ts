import type { Deadline, DeadlineAnswer, DeadlineRequest } from './deadlines';

/*
 * A deadline's entry in a case's list, built from its start and its computed due dates. Shared by the
 * deadline book (workflow) and the projection, which computes the due dates of deadlines a step
 * started without needing them (workflows/deadline-book.ts `defer`) in the same activity that writes
 * the step, and enters them into the case row exactly as the book then enters them into the case.
 */

/** A deadline started but not yet computed: its entry (due dates to come) and the request for them. */
export interface PendingDeadline {
  draft: DeadlineDraft;
  request: DeadlineRequest;
}
export type DeadlineDraft = Omit<Deadline, 'dueAt' | 'escalateAt' | 'calendarEstimated'>;

/** A started deadline's entry with its computed due dates (the book and the projection build it alike). */
export function completeDeadline(draft: DeadlineDraft, a: DeadlineAnswer): Deadline {
  const { status, onExpiry, overdue, escalationLevel, basis, owner, ...head } = draft;
  return {
    ...head,
    dueAt: a.dueAt,
    ...(a.escalateAt ? { escalateAt: a.escalateAt } : {}),
    status,
    onExpiry,
    overdue,
    escalationLevel,
    ...(a.calendarEstimated ? { calendarEstimated: true } : {}),
    basis,
    ...(owner !== undefined ? { owner } : {}),
  };
}


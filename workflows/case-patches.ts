import * as wf from '@temporalio/workflow';

/** Every patch of the case workflow: a change that cases running under the older code replay around. */
export type CasePatch =
  | 'continue-as-new'
  | 'satisfaction-callback'
  | 'feedback-on-judicial-close'
  | 'calendar-recompute'
  | 'complaint-acceptance'
  | 'summons'
  | 'disclosure'
  | 'hearing-notice'
  | 'late-surcharge'
  | 'deadlines-in-transition'
  | 'callback-in-transition'
  | 'quiet-wakeups';

/**
 * Recorded once, at the opening, by a case whose code knows every patch in `CasePatch`: such a case
 * takes every patched path without asking patch by patch. Each `patched()` a case asks costs two history
 * events — a marker, and an upsert of the TemporalChangeVersion search attribute (a visibility write on
 * the server) — so a hotline case paid for three of them. A case opened earlier did not record this
 * marker (replaying its opening answers false) and keeps asking each patch where its code path meets it.
 *
 * A new patch joins `CasePatch` and is asked on its own by every case, until the next such marker
 * (a new id here) covers it for the cases opened after it.
 */
export const OPENED_WITH_EVERY_PATCH = 'opened-with-every-patch-2026-11';

export class CasePatches {
  /** @param every carried over by continue-as-new: whether the case opened with every patch. */
  constructor(private every?: boolean) {}

  /** At the opening (first run only): records the marker for a case opened by this code. */
  open(): void {
    this.every = wf.patched(OPENED_WITH_EVERY_PATCH);
  }

  /** Whether this case follows `patch`: the patched path for new cases, where it was reached after the deploy for older ones. */
  has(patch: CasePatch): boolean {
    return this.every === true || wf.patched(patch);
  }

  /** For the next run after continue-as-new. */
  get openedWithEveryPatch(): boolean | undefined {
    return this.every;
  }
}

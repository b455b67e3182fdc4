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
  | 'quiet-wakeups'
  | 'kept-wake-up-timer';

/**
 * The markers a case records once, at its opening, when its code knows every patch up to then: such a
 * case takes those patched paths without asking patch by patch. Each `patched()` a case asks costs two
 * history events — a marker, and an upsert of the TemporalChangeVersion search attribute (a visibility
 * write on the server) — so a hotline case paid for three of them. A case opened earlier did not record
 * the marker (replaying its opening answers false) and keeps asking each patch where its code meets it.
 *
 * Oldest first; each covers its own patches and every older marker's. A new patch is asked on its own by
 * every case until a new marker here covers it for the cases opened after that deploy.
 */
const OPENING_MARKERS: readonly { id: string; covers: readonly CasePatch[] }[] = [
  {
    id: 'opened-with-every-patch-2026-11',
    covers: [
      'continue-as-new',
      'satisfaction-callback',
      'feedback-on-judicial-close',
      'calendar-recompute',
      'complaint-acceptance',
      'summons',
      'disclosure',
      'hearing-notice',
      'late-surcharge',
      'deadlines-in-transition',
      'callback-in-transition',
      'quiet-wakeups',
    ],
  },
  { id: 'opened-with-every-patch-2026-12', covers: ['kept-wake-up-timer'] },
];

/** The marker a case opened by this code records. */
export const OPENED_WITH_EVERY_PATCH = OPENING_MARKERS[OPENING_MARKERS.length - 1]!.id;

export class CasePatches {
  /** How many OPENING_MARKERS generations the case's opening covered (0: none). */
  private generation: number;

  /**
   * @param carried by continue-as-new: the marker the first run recorded (`true`: the first marker, as
   * runs carried it before there were two).
   */
  constructor(carried?: boolean | string) {
    this.generation = carried === true ? 1 : typeof carried === 'string' ? OPENING_MARKERS.findIndex((m) => m.id === carried) + 1 : 0;
  }

  /** At the opening (first run only): records the newest marker for a case opened by this code. */
  open(): void {
    // Newest first: a new case records only the newest; a replayed older opening finds the one it recorded.
    for (let i = OPENING_MARKERS.length - 1; i >= 0; i--) {
      if (wf.patched(OPENING_MARKERS[i]!.id)) {
        this.generation = i + 1;
        return;
      }
    }
  }

  /** Whether this case follows `patch`: the patched path for new cases, where it was reached after the deploy for older ones. */
  has(patch: CasePatch): boolean {
    const covered = OPENING_MARKERS.slice(0, this.generation).some((m) => m.covers.includes(patch));
    return covered || wf.patched(patch);
  }

  /** For the next run after continue-as-new: the marker the opening recorded. */
  get openedWith(): string | undefined {
    return this.generation > 0 ? OPENING_MARKERS[this.generation - 1]!.id : undefined;
  }
}

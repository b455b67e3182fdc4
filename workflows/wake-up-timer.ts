import * as wf from '@temporalio/workflow';

/**
 * The run loop's timer for its next deadline, kept across steps (patched 'kept-wake-up-timer').
 *
 * `condition(fn, timeout)` starts a timer per wait and cancels it when `fn` comes true first: every step
 * moves the next deadline, so every step cost a TIMER_CANCELED and a TIMER_STARTED (14 of a hotline
 * case's 68 events). This timer is replaced only when the next wake-up comes EARLIER than it; a later one
 * keeps it, and if it fires before the real deadline the loop finds nothing due and sets it again (one
 * quiet wake-up). Deadlines are never late: the timer always fires at or before the next one.
 */
export class WakeUpTimer {
  private current?: { at: number; fired: boolean; scope: wf.CancellationScope };

  /** Makes sure a timer fires no later than `at` (epoch ms); none is started for no deadline. */
  keepBy(at: number | undefined): void {
    if (this.current?.fired) this.current = undefined; // spent
    if (at === undefined) return;
    const current = this.current;
    if (current && current.at <= at) return;
    current?.scope.cancel();
    const timer = { at, fired: false, scope: new wf.CancellationScope() };
    this.current = timer;
    timer.scope.run(() => wf.sleep(Math.max(1, at - Date.now()))).then(
      () => void (timer.fired = true),
      (err: unknown) => {
        // cancelled: replaced by an earlier one (or the workflow was cancelled; its run loop sees that itself)
        if (!wf.isCancellation(err)) throw err;
      },
    );
  }

  /** The timer has fired (the run loop then looks at what is due and sets the next one). */
  get fired(): boolean {
    return this.current?.fired === true;
  }
}

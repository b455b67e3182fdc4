import type { LocalActivityOptions } from '@temporalio/workflow';

/**
 * The case's activities are short database reads and writes, so they run as local activities: in the
 * same workflow task as the step that needs them, which keeps an action's round trip to one task
 * instead of three. Their results are still recorded in history (as markers), so due dates and lookups
 * never change on replay. They retry until they succeed (a case is never lost to a database outage;
 * past a minute of backoff the SDK waits on a durable timer); every activity is idempotent, so a retry
 * after a lost acknowledgement writes nothing twice.
 */
export const activityOptions: LocalActivityOptions = {
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '200 milliseconds', backoffCoefficient: 2, maximumInterval: '1 minute' },
};

import type { ActivityOptions } from '@temporalio/workflow';

/**
 * Activities retry until they succeed (a case is never lost to a database outage); every activity is
 * idempotent, so a retry after a lost acknowledgement writes nothing twice.
 */
export const activityOptions: ActivityOptions = {
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '1 minute' },
};

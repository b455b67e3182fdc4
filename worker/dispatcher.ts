import type { Pool } from 'pg';
import type { Logger } from 'pino';
import { Dispatcher } from '../delivery/dispatcher';
import type { DeliverySettings } from '../delivery/settings';

/**
 * The outbox dispatcher in the worker process (delivery/dispatcher.ts): started beside the Temporal
 * worker, stopped before the pool closes. Several worker processes may each run one: they share the
 * work through `SKIP LOCKED` and leases.
 */
export function startDispatcher(pool: Pool, logger: Logger, settings: DeliverySettings): { stop: () => Promise<void> } {
  const dispatcher = new Dispatcher({ pool, logger: logger.child({ component: 'dispatcher' }), settings });
  dispatcher.start();
  logger.info({ retrySchedule: settings.retrySchedule, leaseMs: settings.leaseMs }, 'outbox dispatcher running');
  return { stop: () => dispatcher.stop() };
}

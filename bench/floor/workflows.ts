import * as wf from '@temporalio/workflow';
import type { FloorActivities } from './activities';

/**
 * The floor of `npm run bench:throughput`: the least a Temporal workflow can do for a case of six
 * human steps. Each step is an Update whose handler runs one local activity writing one row; the
 * workflow completes after the sixth. Nothing else: no state, no lock, no timers, no queries.
 * The real case workflow is compared against this on the same server at the same concurrency.
 */
export const FLOOR_STEPS = 6;

export const floorStepUpdate = wf.defineUpdate<number, [number]>('floorStep');

const { recordFloorStep } = wf.proxyLocalActivities<FloorActivities>({ startToCloseTimeout: '10s' });

export async function floorWorkflow(caseId: string): Promise<number> {
  let done = 0;
  wf.setHandler(floorStepUpdate, async (step) => {
    await recordFloorStep({ caseId, step });
    done += 1;
    return done;
  });
  await wf.condition(() => done >= FLOOR_STEPS && wf.allHandlersFinished());
  return done;
}

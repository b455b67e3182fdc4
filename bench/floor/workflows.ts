import * as wf from '@temporalio/workflow';
import type { FloorActivities } from './activities';

/**
 * The floor of `npm run bench:throughput`: the least a Temporal workflow can do for a case of as many
 * human steps as the bench's hotline loop sends Updates (opening, the six actions, the 回访 callback:
 * eight). Each step is an Update whose handler runs one local activity writing one row; the workflow
 * completes after the last. Nothing else: no state, no lock, no timers, no queries. The real case
 * workflow is compared against this on the same server at the same concurrency. (Issue 7's first table
 * had six steps against a loop of seven Updates; the loop has eight since the 回访 step.)
 */
export const FLOOR_STEPS = 8;

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

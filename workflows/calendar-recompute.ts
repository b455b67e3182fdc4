import { continueAsNew, getExternalWorkflowHandle, proxyActivities, workflowInfo } from '@temporalio/workflow';
import type { CaseActivities } from '../activities/contract';
import { calendarPublishedSignal } from './definitions';

const { listCasesWithEstimatedDeadlines } = proxyActivities<Pick<CaseActivities, 'listCasesWithEstimatedDeadlines'>>({
  startToCloseTimeout: '1 minute',
});

export interface CalendarRecomputeInput {
  year: number;
  version: number;
  /** The last case told, when the run continued as new. */
  after?: string;
}

/**
 * After a year of the holiday calendar is published: tells every open case with an estimated deadline,
 * page by page, so that it computes them again (each case records what moved on its timeline). Durable:
 * an API that dies after publishing leaves this running; a case told twice finds nothing left to change.
 */
export async function calendarRecomputeWorkflow(input: CalendarRecomputeInput): Promise<number> {
  let after = input.after;
  let told = 0;
  for (;;) {
    const caseIds = await listCasesWithEstimatedDeadlines({ after, limit: 200 });
    if (caseIds.length === 0) return told;
    await Promise.all(
      caseIds.map((id) =>
        getExternalWorkflowHandle(id)
          .signal(calendarPublishedSignal, { year: input.year, version: input.version })
          // closed since the page was read: nothing to recompute
          .catch(() => undefined),
      ),
    );
    told += caseIds.length;
    after = caseIds.at(-1);
    if (workflowInfo().continueAsNewSuggested || workflowInfo().historyLength > 5000) {
      await continueAsNew<typeof calendarRecomputeWorkflow>({ ...input, after });
    }
  }
}

import {
  ApplicationFailure,
  WorkflowExecutionAlreadyStartedError,
  WorkflowNotFoundError,
  WorkflowUpdateFailedError,
  type Client,
} from '@temporalio/client';
import type { Pool } from 'pg';
import { recordTransition } from '../../activities';
import type { CaseView, CaseWorkflowInput } from '../../domain/case';

/**
 * A stand-in for the Temporal Client where a test is about the HTTP layer (auth, jurisdiction, input
 * validation, error mapping) and not about the workflows: cases live in a map, starts/updates/signals
 * are recorded. Real-Temporal behaviour is covered by idempotency.test.ts and walkthrough.test.ts.
 */
export interface RecordedSignal {
  workflowId: string;
  name: string;
  arg: unknown;
}

export class FakeTemporal {
  readonly cases = new Map<string, CaseView>();
  readonly starts: { workflowId: string; workflowType: string; input: CaseWorkflowInput }[] = [];
  readonly signals: RecordedSignal[] = [];
  readonly updates: { workflowId: string; name: string; arg: unknown }[] = [];
  /** The next update fails with this ApplicationFailure (as a workflow refusal would). */
  refuseNextUpdate: ApplicationFailure | undefined;
  /** Every call to the service fails with this error (Temporal down). */
  unavailable: Error | undefined;
  /** Queries fail with this error (e.g. an unexpected bug) instead of answering. */
  queryError: Error | undefined;

  readonly client: Client;

  /** With a pool, a started case is projected to the read model as the real workflow does on opening. */
  constructor(pool?: Pool) {
    // eslint-disable-next-line @typescript-eslint/no-this-alias
    const fake = this;
    const check = () => {
      if (fake.unavailable) throw fake.unavailable;
    };
    const handle = (workflowId: string) => ({
      workflowId,
      async query(def: { name: string }) {
        check();
        if (fake.queryError) throw fake.queryError;
        const c = fake.cases.get(workflowId);
        if (!c) throw new WorkflowNotFoundError(`workflow ${workflowId} not found`, workflowId, undefined);
        void def;
        return structuredClone(c);
      },
      async executeUpdate(def: { name: string }, options: { args: unknown[] }) {
        check();
        const c = fake.cases.get(workflowId);
        if (!c) throw new WorkflowNotFoundError(`workflow ${workflowId} not found`, workflowId, undefined);
        fake.updates.push({ workflowId, name: def.name, arg: options.args[0] });
        const refusal = fake.refuseNextUpdate;
        if (refusal) {
          fake.refuseNextUpdate = undefined;
          throw new WorkflowUpdateFailedError('Workflow Update failed', refusal);
        }
        return structuredClone(c);
      },
      async signal(def: { name: string }, arg: unknown) {
        check();
        if (!fake.cases.has(workflowId)) throw new WorkflowNotFoundError(`workflow ${workflowId} not found`, workflowId, undefined);
        fake.signals.push({ workflowId, name: def.name, arg });
      },
    });
    const open = async (workflowType: string, workflowId: string, input: CaseWorkflowInput): Promise<CaseView> => {
      fake.starts.push({ workflowId, workflowType, input });
      const c = caseFromInput(input);
      fake.cases.set(workflowId, c);
      if (pool) await recordTransition(pool, { workflowId, snapshot: c, seq: c.timeline.length, events: c.timeline, notifications: [] });
      return c;
    };
    const client = {
      withDeadline: <R>(_deadline: number | Date, fn: () => Promise<R>) => fn(),
      workflowService: {
        getSystemInfo: async () => {
          check();
          return {};
        },
      },
      workflow: {
        getHandle: handle,
        async start(workflowType: string, options: { workflowId: string; args: [CaseWorkflowInput] }) {
          check();
          const { workflowId } = options;
          if (fake.cases.has(workflowId)) {
            throw new WorkflowExecutionAlreadyStartedError('Workflow execution already started', workflowId, workflowType);
          }
          if (workflowType !== 'caseWorkflow') {
            // another process (e.g. calendarRecomputeWorkflow): recorded only
            fake.starts.push({ workflowId, workflowType, input: options.args[0] });
            return handle(workflowId);
          }
          await open(workflowType, workflowId, options.args[0]);
          return handle(workflowId);
        },
        /** Update-with-start of the `opened` update, with workflowIdConflictPolicy USE_EXISTING. */
        async executeUpdateWithStart(
          _def: { name: string },
          options: { startWorkflowOperation: { workflowTypeOrFunc: string; options: { workflowId: string; args: [CaseWorkflowInput] } } },
        ) {
          check();
          const { workflowTypeOrFunc, options: start } = options.startWorkflowOperation;
          const existing = fake.cases.get(start.workflowId);
          if (existing) return { created: false, case: structuredClone(existing) };
          return { created: true, case: structuredClone(await open(workflowTypeOrFunc, start.workflowId, start.args[0])) };
        },
      },
    };
    this.client = client as unknown as Client;
  }
}

/** The case a new workflow would show right after starting (enough for the HTTP layer). */
export function caseFromInput(input: CaseWorkflowInput, at = new Date().toISOString()): CaseView {
  const { caseId, createdBy, source, countyCode, townshipCode, location, description } = input;
  return {
    caseId,
    ...(input.externalRef ? { externalRef: input.externalRef } : {}),
    source,
    status: 'open',
    stage: source === 'patrol' ? 'discovery' : 'patrol',
    countyCode,
    townshipCode,
    ...(input.gridCode ? { gridCode: input.gridCode } : {}),
    location,
    description,
    urgent: input.urgent ?? false,
    handler: { level: 'township' },
    openedAt: at,
    updatedAt: at,
    slaPolicyVersion: 1,
    reworkCount: 0,
    deadlines: [],
    timeline: [{ seq: 1, at, type: 'case_opened', stage: 'patrol', actor: createdBy }],
    children: [],
    createdBy,
  };
}

export { ApplicationFailure };

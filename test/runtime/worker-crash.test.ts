import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { WithStartWorkflowOperation, WorkflowUpdateFailedError, type Client } from '@temporalio/client';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO } from '../../db/seed';
import type { ActionRequest } from '../../domain/actions';
import type { Actor, CaseView } from '../../domain/case';
import { actionUpdate, caseQuery, openedUpdate } from '../../workflows/definitions';
import { testDatabaseUrl, useTestPool } from '../helpers/db';
import { hotlineCase, quietRuntime, replayFailures } from '../workflows/rig';
import { expectEveryRowOnce } from '../helpers/read-model';

/**
 * A crash test on a real Temporal dev server: 100 cases in flight, driven through the SDK as the API
 * drives them (update-with-start, then each action as an Update with a stable Update ID, retried on
 * failure as a client with an Idempotency-Key would), while the worker process is killed with SIGKILL
 * and restarted. Every case must close, every timeline row and notification be written once, and
 * every history replay.
 */

const CASES = 100;
const CONCURRENCY = 20;
const KILL_AFTER_STEPS = 250;

const pool = useTestPool();
let env: TestWorkflowEnvironment;
const run = `${process.pid}-${Date.now().toString(36)}`;
const taskQueue = `crash-${run}`;
let worker: ChildProcess | undefined;

/** Starts `npm run worker`'s entry point as a process of its own; resolves once it polls. */
function startWorker(): Promise<ChildProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'worker/main.ts'], {
    cwd: path.resolve(__dirname, '../..'),
    env: { ...process.env, TEMPORAL_ADDRESS: env.address, DATABASE_URL: testDatabaseUrl(), TEMPORAL_TASK_QUEUE: taskQueue, LOG_LEVEL: 'info' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  return new Promise((resolve, reject) => {
    let out = '';
    const onData = (chunk: Buffer) => {
      out += chunk.toString();
      if (out.includes('worker running')) resolve(child);
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', (chunk: Buffer) => (out += chunk.toString()));
    child.once('exit', (code) => reject(new Error(`worker exited (${code}) before it ran: ${out.slice(-2000)}`)));
  });
}

beforeAll(async () => {
  quietRuntime();
  const cliPath = process.env.TEMPORAL_CLI_PATH;
  env = await TestWorkflowEnvironment.createLocal(cliPath ? { server: { executable: { type: 'existing-path', path: cliPath } } } : {});
  worker = await startWorker();
}, 180_000);

afterAll(async () => {
  worker?.kill('SIGKILL');
  await env?.teardown();
});

const officer: Actor = { sub: 'officer-lead', role: 'township', unit: DEMO.township };
const STEPS: Omit<ActionRequest, 'actor'>[] = [
  { action: 'patrol-report', body: { gridMemberId: 'grid-member-7', observedAt: '2026-11-25T10:00:00+08:00', findings: '占道经营属实' } },
  { action: 'confirm', body: { confirmed: true } },
  { action: 'capture', body: { matterCode: DEMO.matters.townshipPenalty, party: { kind: 'person', name: '李某' } } },
  { action: 'assign', body: { level: 'township', officerIds: DEMO.officers.certified.slice(0, 2) } },
  { action: 'handle', body: { outcome: 'corrected' } },
  { action: 'verify', body: { passed: true } },
] as Omit<ActionRequest, 'actor'>[];

/** Retries a call until it succeeds (bounded): the worker may be dead for a while. */
async function persist<T>(what: string, call: () => Promise<T>): Promise<T> {
  const until = Date.now() + 120_000;
  for (let attempt = 1; ; attempt++) {
    try {
      return await call();
    } catch (err) {
      // A refusal by the workflow is an answer, not an outage: it must not happen here.
      if (err instanceof WorkflowUpdateFailedError) throw err;
      if (Date.now() > until) throw new Error(`${what} kept failing: ${String(err)}`);
      await new Promise((r) => setTimeout(r, Math.min(2000, 100 * attempt)));
    }
  }
}

async function driveCase(client: Client, caseId: string, onStep: () => void): Promise<CaseView> {
  await persist(`open ${caseId}`, () =>
    client.workflow.executeUpdateWithStart(openedUpdate, {
      updateId: `open-${caseId}`,
      startWorkflowOperation: new WithStartWorkflowOperation('caseWorkflow', {
        workflowId: caseId,
        taskQueue,
        args: [hotlineCase(caseId)],
        workflowIdConflictPolicy: 'USE_EXISTING',
      }),
    }),
  );
  onStep();
  for (const [i, step] of STEPS.entries()) {
    const handle = client.workflow.getHandle(caseId);
    await persist(`${step.action} on ${caseId}`, () =>
      handle.executeUpdate(actionUpdate, { args: [{ ...step, actor: officer } as ActionRequest], updateId: `${caseId}-step-${i}` }),
    );
    onStep();
  }
  return persist(`the closed case ${caseId}`, () => client.workflow.getHandle(caseId).query(caseQuery));
}

describe('the worker killed mid-run (SIGKILL) and restarted', () => {
  it(`closes all ${CASES} cases, writes every row once and every history replays`, async () => {
    const client = env.client;
    const ids = Array.from({ length: CASES }, (_, i) => `T-crash-${run}-${i}`);
    let steps = 0;
    let killed: Promise<void> | undefined;
    const onStep = () => {
      steps += 1;
      if (steps === KILL_AFTER_STEPS && !killed) {
        killed = (async () => {
          worker!.kill('SIGKILL');
          await new Promise((r) => worker!.once('exit', r));
          worker = await startWorker();
        })();
      }
    };
    const queue = [...ids];
    const closed: CaseView[] = [];
    await Promise.all(
      Array.from({ length: CONCURRENCY }, async () => {
        for (let id = queue.shift(); id; id = queue.shift()) closed.push(await driveCase(client, id, onStep));
      }),
    );
    await killed;
    expect(killed, 'the worker was killed during the run').toBeDefined();
    expect(closed).toHaveLength(CASES);
    for (const c of closed) expect(c).toMatchObject({ status: 'closed', resolution: 'resolved' });

    // every row once, and the projected timeline is the one the workflow answers
    await expectEveryRowOnce(pool, ids);
    const projected = await pool.query<{ case_id: string; timeline: number }>(
      "SELECT case_id, jsonb_array_length(snapshot -> 'timeline')::int AS timeline FROM cases WHERE case_id = ANY($1)",
      [ids],
    );
    const timelineLength = new Map(closed.map((c) => [c.caseId, c.timeline.length]));
    for (const r of projected.rows) expect(r.timeline, r.case_id).toBe(timelineLength.get(r.case_id));

    const histories = await Promise.all(ids.map(async (workflowId) => ({ workflowId, history: await client.workflow.getHandle(workflowId).fetchHistory() })));
    expect(await replayFailures(histories)).toEqual([]);
  });
});

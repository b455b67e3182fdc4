import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO } from '../../db/seed';
import { freePort } from '../../runtime/ports';
import { hotlineOpening, TEST_JWT_SECRET, tokenFor } from '../helpers/api';
import { testDatabaseUrl, useTestPool } from '../helpers/db';
import { quietRuntime } from '../workflows/rig';
import { expectEveryRowOnce } from '../helpers/read-model';

/**
 * Scale-out shown (issue 7): one Temporal dev server and one database, TWO worker processes and TWO API
 * processes (`worker/main.ts`, `api/main.ts`, as `npm run worker` / `npm run api` run them). Hotline
 * cases are driven over HTTP, requests spread round-robin over both APIs; mid-run one worker and one
 * API are killed with SIGKILL. The client retries a failed request on the other API with the same
 * Idempotency-Key (as a client behind a load balancer would). Every case closes, every row is written
 * once, both APIs answered and both workers ran workflow tasks, and the surviving worker serves the
 * Temporal SDK's metrics (WORKER_METRICS_ADDRESS).
 */

const CASES = 30;
const CONCURRENCY = 10;
const KILL_AFTER_STEPS = 60;

const root = path.resolve(__dirname, '../..');
const pool = useTestPool();
const run = `${process.pid}-${Date.now().toString(36)}`;
const taskQueue = `scale-${run}`;
let env: TestWorkflowEnvironment;
const children: ChildProcess[] = [];

interface Api {
  url: string;
  process: ChildProcess;
  answered: number;
}
let workers: ChildProcess[] = [];
let apis: Api[] = [];
let metricsAddress = '';

/** `node --import tsx <entry>` with the shared settings; resolves once `ready` says so. */
function startProcess(entry: string, extraEnv: Record<string, string>, ready: (output: string) => boolean | Promise<boolean>): Promise<ChildProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', entry], {
    cwd: root,
    env: {
      ...process.env,
      TEMPORAL_ADDRESS: env.address,
      DATABASE_URL: testDatabaseUrl(),
      TEMPORAL_TASK_QUEUE: taskQueue,
      JWT_SECRET: TEST_JWT_SECRET,
      LOG_LEVEL: 'info',
      ...extraEnv,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(child);
  let out = '';
  child.stdout!.on('data', (c: Buffer) => (out = (out + c.toString()).slice(-20_000)));
  child.stderr!.on('data', (c: Buffer) => (out = (out + c.toString()).slice(-20_000)));
  return new Promise((resolve, reject) => {
    const deadline = Date.now() + 100_000;
    const poll = async () => {
      if (child.exitCode !== null) return reject(new Error(`${entry} exited (${child.exitCode}): ${out.slice(-2000)}`));
      if (await ready(out)) return resolve(child);
      if (Date.now() > deadline) return reject(new Error(`${entry} not ready: ${out.slice(-2000)}`));
      setTimeout(() => void poll(), 200);
    };
    void poll();
  });
}

async function startApi(): Promise<Api> {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const child = await startProcess('api/main.ts', { PORT: String(port), HOST: '127.0.0.1' }, async () => {
    try {
      return (await fetch(`${url}/readyz`)).status === 200;
    } catch {
      return false;
    }
  });
  return { url, process: child, answered: 0 };
}

function killed(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    child.once('exit', () => resolve());
    child.kill('SIGKILL');
  });
}

beforeAll(async () => {
  quietRuntime();
  const cliPath = process.env.TEMPORAL_CLI_PATH;
  env = await TestWorkflowEnvironment.createLocal(cliPath ? { server: { executable: { type: 'existing-path', path: cliPath } } } : {});
  metricsAddress = `127.0.0.1:${await freePort()}`;
  const workerReady = (out: string) => out.includes('worker running');
  [workers, apis] = await Promise.all([
    Promise.all([
      startProcess('worker/main.ts', {}, workerReady),
      // the survivor serves the SDK's metrics
      startProcess('worker/main.ts', { WORKER_METRICS_ADDRESS: metricsAddress }, workerReady),
    ]),
    Promise.all([startApi(), startApi()]),
  ]);
}, 180_000);

afterAll(async () => {
  await Promise.all(children.map(killed));
  await env?.teardown();
});

const STEPS: { action: string; body: unknown }[] = [
  { action: 'patrol-report', body: { gridMemberId: 'grid-member-7', observedAt: '2026-11-25T10:00:00+08:00', findings: '占道经营属实' } },
  { action: 'confirm', body: { confirmed: true } },
  { action: 'capture', body: { matterCode: DEMO.matters.townshipPenalty, party: { kind: 'person', name: '李某' } } },
  { action: 'assign', body: { level: 'township', officerIds: DEMO.officers.certified.slice(0, 2) } },
  { action: 'handle', body: { outcome: 'corrected' } },
  { action: 'verify', body: { passed: true } },
];

let next = 0;

/**
 * POST to the APIs round-robin; a failed attempt (connection refused or reset, 5xx) is retried on the
 * next API with the same Idempotency-Key. 4xx is an answer and fails the test.
 */
async function post(pathname: string, token: string, key: string, body: unknown): Promise<Record<string, unknown>> {
  const until = Date.now() + 60_000;
  for (let attempt = 1; ; attempt++) {
    const api = apis[next++ % apis.length]!;
    let failure: string;
    try {
      const res = await fetch(`${api.url}${pathname}`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', 'idempotency-key': key },
        body: JSON.stringify(body),
      });
      const text = await res.text();
      if (res.status < 300) {
        api.answered += 1;
        return JSON.parse(text) as Record<string, unknown>;
      }
      if (res.status < 500) throw new Error(`${pathname}: ${res.status} ${text}`);
      failure = `${res.status} ${text}`;
    } catch (err) {
      if (err instanceof Error && err.message.startsWith(pathname)) throw err;
      failure = String(err);
    }
    if (Date.now() > until) throw new Error(`${pathname} kept failing: ${failure}`);
    await new Promise((r) => setTimeout(r, Math.min(1000, 50 * attempt)));
  }
}

describe('two workers and two APIs on one Temporal server and one database', () => {
  it(`closes all ${CASES} cases with one worker and one API killed mid-run; every row once`, async () => {
    const upstream = tokenFor('upstream');
    const township = tokenFor('township');
    let steps = 0;
    let kill: Promise<void> | undefined;
    const onStep = () => {
      steps += 1;
      if (steps === KILL_AFTER_STEPS) kill = Promise.all([killed(workers[0]!), killed(apis[0]!.process)]).then(() => undefined);
    };
    const refs = Array.from({ length: CASES }, (_, i) => `12345-scale-${run}-${i}`);
    const caseIds: string[] = [];
    const queue = [...refs];
    await Promise.all(
      Array.from({ length: CONCURRENCY }, async () => {
        for (let ref = queue.shift(); ref; ref = queue.shift()) {
          const opened = await post('/v1/cases', upstream, ref, hotlineOpening(ref));
          const caseId = String(opened.caseId);
          caseIds.push(caseId);
          onStep();
          let last: Record<string, unknown> = opened;
          for (const step of STEPS) {
            last = await post(`/v1/cases/${caseId}/actions/${step.action}`, township, `${ref}-${step.action}`, step.body);
            onStep();
          }
          expect(last, caseId).toMatchObject({ status: 'closed', resolution: 'resolved' });
          // 回访: the satisfaction callback ends the case's workflow (it stays open through the callback window)
          const called = await post(`/v1/cases/${caseId}/satisfaction`, township, `${ref}-callback`, { rating: 'satisfied' });
          expect(called, caseId).toMatchObject({ stage: 'review', status: 'closed' });
        }
      }),
    );
    await kill;
    expect(kill, 'a worker and an API were killed during the run').toBeDefined();
    expect(workers[0]!.signalCode).toBe('SIGKILL');
    expect(apis[0]!.process.signalCode).toBe('SIGKILL');
    // the load was spread: both APIs answered
    expect(apis[0]!.answered, 'API 1 answered before it was killed').toBeGreaterThan(0);
    expect(apis[1]!.answered, 'API 2 answered').toBeGreaterThan(0);

    expect(new Set(caseIds).size).toBe(CASES);
    await expectEveryRowOnce(pool, caseIds);
    const resolved = await pool.query<{ n: number }>("SELECT count(*)::int AS n FROM cases WHERE case_id = ANY($1) AND resolution = 'resolved'", [caseIds]);
    expect(resolved.rows[0]?.n).toBe(CASES);

    // both workers ran workflow tasks (the identity of each completed workflow task is in history)
    const identities = new Set<string>();
    for (const caseId of caseIds) {
      const history = await env.client.workflow.getHandle(caseId).fetchHistory();
      for (const e of history.events ?? []) {
        const identity = e.workflowTaskCompletedEventAttributes?.identity;
        if (identity) identities.add(identity);
      }
    }
    expect(identities).toContain(`${workers[0]!.pid}@${os.hostname()}`);
    expect(identities).toContain(`${workers[1]!.pid}@${os.hostname()}`);

    // the surviving worker's Temporal SDK metrics, for Prometheus
    const metrics = await (await fetch(`http://${metricsAddress}/metrics`)).text();
    expect(metrics).toMatch(/^temporal_workflow_task_schedule_to_start_latency_seconds_bucket\{/m);
    expect(metrics).toMatch(/^temporal_workflow_completed_total\{[^}]*\} [1-9]/m);
    // … and they are the ones the Grafana dashboard queries (a failure counter appears only once something failed)
    const dashboard = fs.readFileSync(path.join(root, 'ops/grafana/enforcement-cases.json'), 'utf8');
    const used = new Set([...dashboard.matchAll(/\b(temporal_[a-z_]+?)(?:_bucket|_count|_sum)?\b/g)].map((m) => m[1]!));
    expect(used.size).toBeGreaterThan(3);
    for (const name of used) if (!name.includes('failed')) expect(metrics, name).toContain(`# TYPE ${name} `);
  });
});

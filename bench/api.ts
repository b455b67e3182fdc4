/**
 * `npm run bench:api`: latency of the API against a Temporal dev server and a read model of 100,000 cases.
 *
 * - A throwaway database `enforcement_bench_<ts>_<pid>_<random>` (db/scratch-database.ts) on BENCH_ADMIN_URL
 *   (else DATABASE_URL, else postgres://postgres@127.0.0.1:5432/postgres), migrated, seeded, filled with
 *   BENCH_CASES (100,000) synthetic rows by generate_series, ANALYZEd; dropped at the end.
 * - A Temporal dev server (TEMPORAL_CLI_PATH, else the SDK's download) in a temporary directory, the
 *   worker and the real API on a loopback port (runtime/service.ts), measured over HTTP with fetch.
 * - Bounded loops, one request at a time; prints one JSON document and exits.
 *
 * Measured: POST /v1/cases; an action round trip (POST actions/patrol-report on a fresh hotline case:
 * the workflow update and its answer); GET /v1/cases/{id} (workflow query); GET /v1/cases?overdue=true
 * for a county supervisor (100k rows in the county mix) and for a city-wide admin.
 *
 * The action's absolute target (p50 ≤ 30 ms) holds on an idle machine; on a loaded or slower one it is read
 * as ratios against what Temporal itself takes on the same server in the same run, interleaved with the HTTP
 * action one by one: the same patrol-report as a raw SDK Update (what the API adds), and the floor, a bare
 * workflow's Update running one local activity that writes one row (bench/floor, as bench:throughput's).
 */
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { bundleWorkflowCode, DefaultLogger, NativeConnection, Worker } from '@temporalio/worker';
import pino from 'pino';
import { createEmptyDatabase, DEFAULT_ADMIN_URL } from '../db/scratch-database';
import { DEMO } from '../db/seed';
import { loadConfig } from '../runtime/config';
import { actorFromClaims } from '../api/auth';
import type { ActionRequest } from '../domain/actions';
import { DEMO_CLAIMS, startService, type RunningService } from '../runtime/service';
import { actionUpdate } from '../workflows/definitions';
import { createFloorActivities, FLOOR_TABLE_DDL } from './floor/activities';
import { floorStepUpdate, type floorWorkflow } from './floor/workflows';
import { latencySummary, type LatencySummary } from './latency';

const ROWS = Number(process.env.BENCH_CASES ?? 100_000);
const ITERATIONS = {
  createCase: Number(process.env.BENCH_CREATE ?? 200),
  action: Number(process.env.BENCH_ACTIONS ?? 150),
  getCase: Number(process.env.BENCH_GETS ?? 300),
  overdueList: Number(process.env.BENCH_LISTS ?? 500),
};
const WARMUP = 20;
const TARGETS = { overdueListP99Ms: 20, actionRoundTripP50Ms: 30, actionVsSdkUpdateP50: 1.3 };

type Stats = LatencySummary;
const stats = latencySummary;

/** 100k cases of the demo jurisdictions: 70 % open, about a third of those overdue, the rest closed. */
async function fillReadModel(databaseUrl: string, rows: number): Promise<{ seconds: number; open: number; overdue: number; countyOverdue: number }> {
  const started = Date.now();
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    await client.query(
      `WITH t AS (SELECT array_agg(code ORDER BY code) AS codes, array_agg(county_code ORDER BY code) AS counties FROM townships),
            d AS (SELECT array_agg(code ORDER BY code) AS codes FROM departments WHERE county_code = $2)
       INSERT INTO cases (case_id, workflow_id, external_ref, source, county_code, township_code, matter_code, status, stage,
                          resolution, urgent, handler_level, handler_department_code, handler_officer_ids,
                          current_deadline_kind, current_due_at, overdue, ever_overdue, escalation_level, rework_count,
                          created_by, opened_at, updated_at, closed_at, seq, snapshot)
       SELECT 'BENCH' || lpad(i::text, 7, '0'), 'BENCH' || lpad(i::text, 7, '0'), NULL,
              (ARRAY['patrol','hotline','complaint','inspection','referral'])[1 + i % 5],
              t.counties[1 + i % cardinality(t.codes)], t.codes[1 + i % cardinality(t.codes)],
              'UM-P-001',
              CASE WHEN i % 10 < 7 THEN 'open' ELSE 'closed' END,
              CASE WHEN i % 10 < 7 THEN (ARRAY['patrol','discovery','capture','assignment','handling','processing','verification'])[1 + i % 7] ELSE 'review' END,
              CASE WHEN i % 10 < 7 THEN NULL ELSE 'resolved' END,
              i % 17 = 0,
              CASE WHEN i % 13 = 0 THEN 'county' ELSE 'township' END,
              CASE WHEN i % 13 = 0 THEN d.codes[1 + i % cardinality(d.codes)] END,
              ARRAY['officer-a','officer-b'],
              CASE WHEN i % 10 < 7 THEN 'stage' END,
              CASE WHEN i % 10 < 7 THEN now() + ((i % 300) - 100) * interval '1 hour' END,
              false, i % 9 = 0, (i % 3)::smallint, i % 4,
              'bench', now() - (i % 2000) * interval '1 hour', now() - (i % 500) * interval '1 minute',
              CASE WHEN i % 10 < 7 THEN NULL ELSE now() - (i % 400) * interval '1 minute' END,
              3,
              jsonb_build_object('caseId', 'BENCH' || lpad(i::text, 7, '0'), 'description', repeat('占道经营 ', 40),
                                 'location', jsonb_build_object('address', '莲塘镇解放路' || i || '号'),
                                 'timeline', jsonb_build_array(jsonb_build_object('seq', 1, 'type', 'case_opened')))
         FROM generate_series(1, $1::int) AS i, t, d`,
      [rows, DEMO.county],
    );
    // Overdue flags as the workflow would have projected them (the list evaluates now() anyway).
    await client.query(`UPDATE cases SET overdue = true WHERE status = 'open' AND current_due_at < now() AND created_by = 'bench'`);
    await client.query('VACUUM ANALYZE cases');
    const { rows: counts } = await client.query<{ open: number; overdue: number; county_overdue: number }>(
      `SELECT count(*) FILTER (WHERE status = 'open')::int AS open,
              count(*) FILTER (WHERE status = 'open' AND current_due_at < now())::int AS overdue,
              count(*) FILTER (WHERE status = 'open' AND current_due_at < now() AND county_code = $1)::int AS county_overdue
         FROM cases`,
      [DEMO.county],
    );
    return { seconds: (Date.now() - started) / 1000, open: counts[0]!.open, overdue: counts[0]!.overdue, countyOverdue: counts[0]!.county_overdue };
  } finally {
    await client.end();
  }
}

async function main(): Promise<void> {
  const adminUrl = process.env.BENCH_ADMIN_URL ?? process.env.DATABASE_URL ?? DEFAULT_ADMIN_URL;
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'enforcement-bench-'));
  // Logs to stderr: stdout carries only the JSON report.
  const logger = pino({ level: process.env.LOG_LEVEL ?? 'warn' }, pino.destination(2));

  // Empty: startService below migrates and seeds it, as it would any DATABASE_URL.
  const db = await createEmptyDatabase(adminUrl, 'enforcement_bench');
  const databaseUrl = db.url;
  let service: RunningService | undefined;
  let floorWorker: { worker: Worker; running: Promise<void> } | undefined;
  let floorConnection: NativeConnection | undefined;
  let stopping = false;
  const cleanup = async () => {
    if (stopping) return;
    stopping = true;
    if (floorWorker) {
      floorWorker.worker.shutdown();
      await floorWorker.running.catch((err: unknown) => logger.error({ err }, 'floor worker'));
    }
    await floorConnection?.close();
    await service?.stop().catch((err: unknown) => logger.error({ err }, 'stop'));
    await db.drop().catch((err: unknown) => logger.error({ err }, `could not drop ${db.name}`));
    fs.rmSync(dataDir, { recursive: true, force: true });
  };
  const onSignal = () => void cleanup().then(() => process.exit(130));
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);

  try {
    const config = loadConfig({
      DATABASE_URL: databaseUrl,
      DATA_DIR: dataDir,
      PORT: '0',
      HOST: '127.0.0.1',
      LOG_LEVEL: 'warn',
      TEMPORAL_TASK_QUEUE: `bench-${process.pid}`,
      JWT_SECRET: `bench-${randomBytes(16).toString('hex')}`,
      ...(process.env.TEMPORAL_CLI_PATH ? { TEMPORAL_CLI_PATH: process.env.TEMPORAL_CLI_PATH } : {}),
    });
    const setupStarted = Date.now();
    service = await startService(config, {
      logger,
      app: { caseCreationRateLimit: { max: 1_000_000, timeWindow: '1 minute' } },
    });
    const serviceSeconds = (Date.now() - setupStarted) / 1000;
    const readModel = await fillReadModel(databaseUrl, ROWS);
    const api = service.urls.api;
    const township = { authorization: `Bearer ${service.tokens.township}`, 'content-type': 'application/json' };
    const supervisor = { authorization: `Bearer ${service.tokens.supervisor}` };
    const admin = { authorization: `Bearer ${service.tokens.admin}` };

    let serial = 0;
    const openCase = async (): Promise<{ ms: number; caseId: string }> => {
      serial += 1;
      const t0 = performance.now();
      const res = await fetch(`${api}/v1/cases`, {
        method: 'POST',
        headers: township,
        body: JSON.stringify({
          source: 'hotline',
          externalRef: `bench-${process.pid}-${serial}`,
          countyCode: DEMO.county,
          townshipCode: DEMO.township,
          location: { address: `莲塘镇解放路${serial}号` },
          description: '占道经营 (bench)',
        }),
      });
      const body = (await res.json()) as { caseId?: string };
      const ms = performance.now() - t0;
      if (res.status !== 201) throw new Error(`POST /v1/cases: ${res.status} ${JSON.stringify(body)}`);
      return { ms, caseId: body.caseId! };
    };
    const timed = async (url: string, init: RequestInit, expected = 200): Promise<number> => {
      const t0 = performance.now();
      const res = await fetch(url, init);
      const text = await res.text();
      const ms = performance.now() - t0;
      if (res.status !== expected) throw new Error(`${init.method ?? 'GET'} ${url}: ${res.status} ${text.slice(0, 500)}`);
      return ms;
    };

    // ---- POST /v1/cases
    const caseIds: string[] = [];
    for (let i = 0; i < WARMUP; i++) caseIds.push((await openCase()).caseId);
    const createMs: number[] = [];
    for (let i = 0; i < ITERATIONS.createCase; i++) {
      const { ms, caseId } = await openCase();
      createMs.push(ms);
      caseIds.push(caseId);
    }

    // ---- action round trip: patrol-report on a fresh hotline case (opened outside the timing), interleaved
    // with the same step as a raw SDK Update on another fresh case and with the floor's Update, in turn
    // (the order rotates, so neither rides on the other's warm caches)
    const floorTaskQueue = `bench-floor-${process.pid}`;
    const floorPool = new pg.Pool({ connectionString: databaseUrl, max: 2 });
    await floorPool.query(FLOOR_TABLE_DDL);
    floorConnection = await NativeConnection.connect({ address: service.temporalAddress });
    const worker = await Worker.create({
      connection: floorConnection,
      taskQueue: floorTaskQueue,
      workflowBundle: await bundleWorkflowCode({ workflowsPath: require.resolve('./floor/workflows'), logger: new DefaultLogger('WARN') }),
      activities: createFloorActivities(floorPool),
    });
    floorWorker = { worker, running: worker.run().finally(() => floorPool.end()) };
    const client = service.client;
    const officer = actorFromClaims(DEMO_CLAIMS.township);
    const patrolReport = () => ({ gridMemberId: 'grid-member-1', observedAt: new Date().toISOString(), findings: '占道经营，摊位三处' });
    const actionMs: number[] = [];
    const sdkUpdateMs: number[] = [];
    const floorUpdateMs: number[] = [];
    for (let i = 0; i < WARMUP + ITERATIONS.action; i++) {
      const [{ caseId: viaHttp }, { caseId: viaSdk }] = [await openCase(), await openCase()];
      const floorId = `bench-floor-${process.pid}-${i}`;
      const floor = await client.workflow.start<typeof floorWorkflow>('floorWorkflow', { taskQueue: floorTaskQueue, workflowId: floorId, args: [floorId] });
      await floor.executeUpdate(floorStepUpdate, { args: [1] });
      const measures: Array<() => Promise<number>> = [
        () =>
          timed(`${api}/v1/cases/${viaHttp}/actions/patrol-report`, { method: 'POST', headers: township, body: JSON.stringify(patrolReport()) }),
        async () => {
          const req = { action: 'patrol-report', body: patrolReport(), actor: officer } as ActionRequest;
          const t0 = performance.now();
          await client.workflow.getHandle(viaSdk).executeUpdate(actionUpdate, { args: [req] });
          return performance.now() - t0;
        },
        async () => {
          const t0 = performance.now();
          await floor.executeUpdate(floorStepUpdate, { args: [2] });
          return performance.now() - t0;
        },
      ];
      const ms = [0, 0, 0];
      for (let k = 0; k < measures.length; k++) {
        const m = (i + k) % measures.length;
        ms[m] = await measures[m]!();
      }
      await floor.terminate('bench: measured');
      if (i >= WARMUP) (actionMs.push(ms[0]!), sdkUpdateMs.push(ms[1]!), floorUpdateMs.push(ms[2]!));
    }

    // ---- GET /v1/cases/{id} (the live case: a workflow query)
    const getMs: number[] = [];
    for (let i = 0; i < WARMUP + ITERATIONS.getCase; i++) {
      const ms = await timed(`${api}/v1/cases/${caseIds[i % caseIds.length]}`, { headers: township });
      if (i >= WARMUP) getMs.push(ms);
    }

    // ---- GET /v1/cases?overdue=true over the read model
    const listMs: number[] = [];
    const cityListMs: number[] = [];
    for (let i = 0; i < WARMUP + ITERATIONS.overdueList; i++) {
      const a = await timed(`${api}/v1/cases?overdue=true`, { headers: supervisor });
      const b = await timed(`${api}/v1/cases?overdue=true`, { headers: admin });
      if (i >= WARMUP) (listMs.push(a), cityListMs.push(b));
    }
    const page = (await (await fetch(`${api}/v1/cases?overdue=true`, { headers: supervisor })).json()) as { items: unknown[] };

    const overdueList = stats(listMs);
    const actionRoundTrip = stats(actionMs);
    const sdkUpdate = stats(sdkUpdateMs);
    const floorUpdate = stats(floorUpdateMs);
    const ratio = (a: number, b: number) => Math.round((a / b) * 100) / 100;
    const actionVsSdkUpdateP50 = ratio(actionRoundTrip.p50, sdkUpdate.p50);
    const report = {
      bench: 'api',
      at: new Date().toISOString(),
      node: process.version,
      cpus: os.cpus().length,
      setup: {
        temporal: service.embedded.temporal ? 'dev server (temporal CLI, SQLite)' : service.temporalAddress,
        postgres: 'throwaway database on ' + new URL(adminUrl).host,
        serviceStartSeconds: serviceSeconds,
        readModel: { rows: ROWS, ...readModel, pageSize: page.items.length },
        transport: 'HTTP/1.1 over loopback (fetch, keep-alive), one request at a time',
      },
      latencyMs: {
        'POST /v1/cases': stats(createMs),
        'POST /v1/cases/{id}/actions/patrol-report': actionRoundTrip,
        'the same patrol-report as a raw SDK Update': sdkUpdate,
        'floor: a bare workflow Update running one local activity': floorUpdate,
        'GET /v1/cases/{id}': stats(getMs),
        'GET /v1/cases?overdue=true (county supervisor)': overdueList,
        'GET /v1/cases?overdue=true (city admin)': stats(cityListMs),
      },
      ratios: {
        actionVsSdkUpdateP50,
        actionVsFloorUpdateP50: ratio(actionRoundTrip.p50, floorUpdate.p50),
        sdkUpdateVsFloorUpdateP50: ratio(sdkUpdate.p50, floorUpdate.p50),
      },
      targets: {
        overdueListP99Ms: { target: TARGETS.overdueListP99Ms, measured: overdueList.p99, met: overdueList.p99 <= TARGETS.overdueListP99Ms },
        actionRoundTripP50Ms: {
          target: TARGETS.actionRoundTripP50Ms,
          measured: actionRoundTrip.p50,
          met: actionRoundTrip.p50 <= TARGETS.actionRoundTripP50Ms,
        },
        actionVsSdkUpdateP50: { target: TARGETS.actionVsSdkUpdateP50, measured: actionVsSdkUpdateP50, met: actionVsSdkUpdateP50 <= TARGETS.actionVsSdkUpdateP50 },
      },
    };
    process.stdout.write(JSON.stringify(report, null, 2) + '\n');
  } finally {
    await cleanup();
  }
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    console.error(err instanceof Error ? (err.stack ?? err.message) : err);
    process.exit(1);
  },
);

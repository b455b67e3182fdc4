/**
 * `npm run bench:delivery`: throughput of the outbox dispatcher and latency of the inbox stream.
 *
 * - A throwaway database (db/scratch-database.ts) on BENCH_ADMIN_URL (else DATABASE_URL, else the local
 *   server), migrated and seeded; dropped at the end.
 * - Webhooks: BENCH_MESSAGES (2,000) cases opened by recordTransition, two subscribed endpoints on a
 *   loopback receiver that verifies nothing (signing is measured, verifying is the receiver's cost); one
 *   dispatcher (default settings), then two. Reported: messages fanned out and deliveries sent per second.
 * - Inbox: BENCH_STREAM (50) notifications, each written and fanned out while a township's SSE stream
 *   is open; the time from the outbox write to the event arriving.
 * Prints one JSON document and exits.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { recordTransition } from '../activities';
import { buildApp } from '../api/app';
import { createSeededDatabase, DEFAULT_ADMIN_URL } from '../db/scratch-database';
import { createPool } from '../db/pool';
import { DEMO } from '../db/seed';
import type { Actor, CaseView } from '../domain/case';
import { Dispatcher } from '../delivery/dispatcher';
import { createEndpoint } from '../delivery/subscriptions';
import { signDevToken } from '../runtime/dev-token';
import { quantile, round2 } from './latency';

const MESSAGES = Number(process.env.BENCH_MESSAGES ?? 2000);
const STREAM = Number(process.env.BENCH_STREAM ?? 50);
const SECRET = 'bench-secret-at-least-16-characters';

function snapshot(caseId: string, seq: number, at: string): CaseView {
  const actor: Actor = { sub: 'hotline-12345', role: 'upstream', unit: DEMO.county };
  return {
    caseId,
    source: 'hotline',
    status: 'open',
    stage: 'patrol',
    countyCode: DEMO.county,
    townshipCode: DEMO.township,
    location: { address: 'bench' },
    description: 'bench',
    urgent: false,
    handler: { level: 'township' },
    openedAt: at,
    updatedAt: at,
    slaPolicyVersion: 1,
    reworkCount: 0,
    deadlines: [],
    timeline: [{ seq, at, type: seq === 1 ? 'case_opened' : 'deadline_breached', stage: 'patrol', actor }],
    children: [],
    createdBy: actor,
  };
}

const percentile = (xs: number[], q: number) => round2(quantile([...xs].sort((a, b) => a - b), q));

async function main(): Promise<void> {
  const adminUrl = process.env.BENCH_ADMIN_URL ?? process.env.DATABASE_URL ?? DEFAULT_ADMIN_URL;
  const db = await createSeededDatabase(adminUrl, 'enforcement_bench');
  const pool = createPool(db.url, { max: 10 });
  let received = 0;
  const receiver = http.createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      received += 1;
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hooks`;
  const result: Record<string, unknown> = { messages: MESSAGES };
  try {
    for (const ownerSub of ['hotline-12345', 'admin-1']) {
      await createEndpoint(pool, { ownerSub, ownerRole: ownerSub === 'admin-1' ? 'admin' : 'upstream', url, eventTypes: ['case.opened'] });
    }
    const at = new Date().toISOString();
    for (let i = 0; i < MESSAGES; i++) {
      const s = snapshot(`B-${i}`, 1, at);
      await recordTransition(pool, { workflowId: s.caseId, snapshot: s, seq: 1, events: s.timeline, notifications: [] });
    }

    // ---- one dispatcher, then the same again with two sharing the queue
    for (const dispatchers of [1, 2]) {
      if (dispatchers === 2) {
        await pool.query('UPDATE case_events SET published_at = NULL');
        await pool.query('DELETE FROM webhook_deliveries');
        await pool.query('DELETE FROM webhook_messages');
        received = 0;
      }
      const started = performance.now();
      const running = Array.from({ length: dispatchers }, () => new Dispatcher({ pool, settings: { pollIntervalMs: 20 } }));
      running.forEach((d) => d.start());
      while (received < MESSAGES * 2) await new Promise((r) => setTimeout(r, 20));
      const seconds = (performance.now() - started) / 1000;
      await Promise.all(running.map((d) => d.stop()));
      const { rows } = await pool.query<{ n: number }>(`SELECT count(*) AS n FROM webhook_deliveries WHERE status = 'delivered'`);
      result[`webhooks_${dispatchers}_dispatcher${dispatchers > 1 ? 's' : ''}`] = {
        deliveries: MESSAGES * 2,
        recordedDelivered: rows[0]!.n,
        seconds: Math.round(seconds * 100) / 100,
        deliveriesPerSecond: Math.round((MESSAGES * 2) / seconds),
      };
    }

    // ---- inbox stream latency: outbox write → SSE event
    const app = await buildApp({ pool, temporal: { client: undefined as never, taskQueue: 'unused' }, jwtSecret: SECRET });
    const base = await app.listen({ port: 0, host: '127.0.0.1' });
    const token = signDevToken({ sub: 'bench-township', role: 'township', countyCode: DEMO.county, townshipCode: DEMO.township }, SECRET);
    const controller = new AbortController();
    const res = await fetch(`${base}/v1/inbox/stream`, { headers: { authorization: `Bearer ${token}`, accept: 'text/event-stream' }, signal: controller.signal });
    const reader = res.body!.pipeThrough(new TextDecoderStream()).getReader();
    let buffer = '';
    const waitFor = async (needle: string) => {
      while (!buffer.includes(needle)) {
        const { value, done } = await reader.read();
        if (done) throw new Error('stream ended');
        buffer += value;
      }
      buffer = buffer.slice(buffer.indexOf(needle) + needle.length);
    };
    await waitFor('event: ready');
    const dispatcher = new Dispatcher({ pool, settings: { pollIntervalMs: 20 } });
    dispatcher.start();
    const latencies: number[] = [];
    for (let i = 0; i < STREAM; i++) {
      const caseId = `S-${i}`;
      const s = snapshot(caseId, 2, new Date().toISOString());
      const t0 = performance.now();
      await recordTransition(pool, {
        workflowId: caseId,
        snapshot: s,
        seq: 2,
        events: s.timeline,
        notifications: [{ dedupeKey: `${caseId}:bench`, channel: 'escalation', recipient: `township-leader:${DEMO.township}`, subject: 'bench', payload: { caseId } }],
      });
      await waitFor(`"caseId":"${caseId}"`);
      latencies.push(performance.now() - t0);
    }
    await dispatcher.stop();
    controller.abort();
    await app.close();
    result.inboxStream = {
      notifications: STREAM,
      note: 'outbox write → SSE event; includes the dispatcher poll interval (20 ms here, 500 ms by default)',
      p50Ms: percentile(latencies, 0.5),
      p90Ms: percentile(latencies, 0.9),
      maxMs: percentile(latencies, 1),
    };
  } finally {
    receiver.close();
    await pool.end();
    await db.drop();
  }
  console.log(JSON.stringify(result, null, 2));
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import type { Pool } from 'pg';
import { createActivities } from '../../activities';
import type { Notification } from '../../activities/contract';
import type { Claims } from '../../api/claims';
import type { TimelineEntry } from '../../domain/case';
import { DEMO } from '../../db/seed';
import { Dispatcher } from '../../delivery/dispatcher';
import { CALLERS, fixtureCase, tokenFor, type CallerName } from '../helpers/api';
import { scratchDatabase } from '../helpers/db';
import { buildDeliveryApp, TEST_DELIVERY } from './receiver';

let db: Awaited<ReturnType<typeof scratchDatabase>>;
let pool: Pool;
let app: FastifyInstance;
let dispatcher: Dispatcher;

beforeAll(async () => {
  db = await scratchDatabase();
  pool = db.pool;
  app = await buildDeliveryApp(pool);
  dispatcher = new Dispatcher({ pool, settings: TEST_DELIVERY });
});
afterAll(async () => {
  await app?.close();
  await db?.dispose();
});

const DEPT = DEMO.departments.urbanManagement;
let seq = 0;

/** Notifications written as the case workflow writes them (recordTransition), for a case of DEMO.township. */
async function notify(caseId: string, notifications: Omit<Notification, 'dedupeKey'>[]): Promise<void> {
  seq += 1;
  const at = new Date().toISOString();
  const snapshot = fixtureCase(caseId, { stage: 'assignment', handler: { level: 'county', departmentCode: DEPT } });
  const events: TimelineEntry[] = [{ seq, at, type: 'deadline_breached', stage: 'assignment', actor: { sub: 'system', role: 'system' } }];
  await createActivities(pool).recordTransition({
    workflowId: caseId,
    snapshot: { ...snapshot, timeline: events },
    seq,
    events,
    notifications: notifications.map((n, i) => ({ dedupeKey: `${caseId}:n${seq}-${i}`, ...n })),
  });
}

const escalation = (level: 1 | 2, recipient: string, caseId: string): Omit<Notification, 'dedupeKey'> => ({
  channel: 'escalation',
  recipient,
  subject: `超期预警 level ${level}: assignment of case ${caseId}`,
  payload: { caseId, deadline: 'assignment', stage: 'assignment', level },
});

async function inbox(caller: CallerName | Claims, query = ''): Promise<{ id: string; caseId: string; recipient: string; readAt: string | null }[]> {
  const res = await app.inject({ method: 'GET', url: `/v1/inbox${query}`, headers: { authorization: `Bearer ${tokenFor(caller)}` } });
  expect(res.statusCode, res.body).toBe(200);
  return res.json().items;
}

describe('in-app inbox', () => {
  it('puts each notification in the inbox of its unit and nobody else’s', async () => {
    const caseId = `T-inbox-${process.pid}`;
    await notify(caseId, [
      escalation(1, `township-leader:${DEMO.township}`, caseId),
      escalation(2, `county-supervisor:${DEMO.county}`, caseId),
      { channel: 'county-transfer', recipient: `department:${DEPT}`, subject: `乡呼县应: case ${caseId}`, payload: { caseId } },
      { channel: 'reporter-feedback', recipient: 'phone:13800000000', subject: `办理结果反馈 case ${caseId}`, payload: { caseId, message: 'x' } },
    ]);
    while ((await dispatcher.round()).outbox > 0);

    const recipients = async (caller: CallerName) => (await inbox(caller, `?caseId=${caseId}`)).map((i) => i.recipient).sort();
    expect(await recipients('township')).toEqual([`township-leader:${DEMO.township}`]);
    expect(await recipients('supervisor')).toEqual([`county-supervisor:${DEMO.county}`]);
    expect(await recipients('citySupervisor')).toEqual([`county-supervisor:${DEMO.county}`]);
    expect(await recipients('county')).toEqual([`department:${DEPT}`]);
    expect(await recipients('admin')).toEqual([`county-supervisor:${DEMO.county}`, `department:${DEPT}`, `township-leader:${DEMO.township}`]);
    for (const outsider of ['otherTownship', 'otherDepartment', 'otherSupervisor', 'upstream'] as const) {
      expect(await recipients(outsider), outsider).toEqual([]);
    }

    // The outbox rows left the outbox: in-app ones delivered, the phone one dispatched without an in-app inbox.
    const outbox = await pool.query<{ recipient: string; delivered: boolean; dispatched: boolean }>(
      'SELECT recipient, delivered_at IS NOT NULL AS delivered, dispatched_at IS NOT NULL AS dispatched FROM outbox WHERE case_id = $1 ORDER BY id',
      [caseId],
    );
    expect(outbox.rows.map((r) => [r.recipient.split(':')[0], r.delivered, r.dispatched])).toEqual([
      ['township-leader', true, true],
      ['county-supervisor', true, true],
      ['department', true, true],
      ['phone', false, true],
    ]);
  });

  it('marks a notification read for the reader only; another township gets 404', async () => {
    const caseId = `T-inbox-read-${process.pid}`;
    await notify(caseId, [escalation(1, `township-leader:${DEMO.township}`, caseId)]);
    while ((await dispatcher.round()).outbox > 0);
    const [item] = await inbox('township', `?caseId=${caseId}`);
    expect(item).toMatchObject({ readAt: null });

    const foreign = await app.inject({ method: 'POST', url: `/v1/inbox/${item!.id}/read`, headers: { authorization: `Bearer ${tokenFor('otherTownship')}` } });
    expect(foreign.statusCode).toBe(404);
    const read = await app.inject({ method: 'POST', url: `/v1/inbox/${item!.id}/read`, headers: { authorization: `Bearer ${tokenFor('township')}` } });
    expect(read.statusCode).toBe(200);
    expect(read.json().readAt).toEqual(expect.any(String));
    expect(await inbox('township', `?caseId=${caseId}&unread=true`)).toEqual([]);
    // Another officer of the same brigade still has it unread.
    const colleague: Claims = { ...CALLERS.township, sub: 'brigade-lt-2' };
    expect(await inbox(colleague, `?caseId=${caseId}&unread=true`)).toHaveLength(1);
    const bad = await app.inject({ method: 'POST', url: '/v1/inbox/abc/read', headers: { authorization: `Bearer ${tokenFor('township')}` } });
    expect(bad.statusCode).toBe(400);
    const anonymous = await app.inject({ method: 'GET', url: '/v1/inbox' });
    expect(anonymous.statusCode).toBe(401);
  });

  it('streams a new notification over Server-Sent Events, to its unit only', async () => {
    const base = await app.listen({ port: 0, host: '127.0.0.1' });
    const township = await openStream(`${base}/v1/inbox/stream`, 'township');
    const other = await openStream(`${base}/v1/inbox/stream`, 'otherTownship');
    try {
      await township.next('ready');
      await other.next('ready');
      const caseId = `T-inbox-sse-${process.pid}`;
      await notify(caseId, [escalation(1, `township-leader:${DEMO.township}`, caseId)]);
      const running = new Dispatcher({ pool, settings: TEST_DELIVERY });
      running.start();
      try {
        const got = await township.next('notification');
        expect(JSON.parse(got.data)).toMatchObject({ caseId, recipient: `township-leader:${DEMO.township}`, channel: 'escalation' });
        // A marker for the other township: the first notification its stream shows must be that one.
        const marker = `T-inbox-sse-marker-${process.pid}`;
        await notify(marker, [{ channel: 'county-transfer', recipient: `brigade:${DEMO.otherTownship}`, subject: 'marker', payload: { caseId: marker } }]);
        const theirs = await other.next('notification');
        expect(JSON.parse(theirs.data)).toMatchObject({ caseId: marker });

        // Reconnecting with Last-Event-ID replays what came after it.
        const replay = await openStream(`${base}/v1/inbox/stream`, 'township', String(Number(got.id) - 1));
        try {
          const again = await replay.next('notification');
          expect(again.id).toBe(got.id);
        } finally {
          replay.close();
        }
      } finally {
        await running.stop();
      }
    } finally {
      township.close();
      other.close();
    }
  });
});

describe('stream negotiation', () => {
  it('answers 406 in api.md’s error body when the Accept header refuses text/event-stream', async () => {
    const res = await app.inject({ method: 'GET', url: '/v1/inbox/stream', headers: { authorization: `Bearer ${tokenFor('township')}`, accept: 'application/json' } });
    expect(res.statusCode).toBe(406);
    expect(res.headers['content-type']).toMatch(/application\/json/);
    expect(res.json()).toEqual({
      error: { code: 'not_acceptable', message: expect.stringContaining('text/event-stream'), details: [{ path: 'headers.accept', message: expect.any(String) }] },
    });
  });
});

describe('shutdown', () => {
  it('ends open streams when the API closes, so a graceful shutdown does not hang on them', async () => {
    const own = await buildDeliveryApp(pool);
    const base = await own.listen({ port: 0, host: '127.0.0.1' });
    const stream = await openStream(`${base}/v1/inbox/stream`, 'supervisor');
    await stream.next('ready');
    await own.close();
    await expect(stream.next('notification', 10_000)).rejects.toThrow(/stream ended|terminated|abort/i);
  });
});

interface SseEvent {
  event: string;
  data: string;
  id: string;
}

/** A minimal SSE client over fetch (EventSource cannot send an Authorization header). */
async function openStream(url: string, caller: CallerName, lastEventId?: string) {
  const controller = new AbortController();
  const res = await fetch(url, {
    headers: { authorization: `Bearer ${tokenFor(caller)}`, accept: 'text/event-stream', ...(lastEventId ? { 'last-event-id': lastEventId } : {}) },
    signal: controller.signal,
  });
  expect(res.status).toBe(200);
  expect(res.headers.get('content-type')).toMatch(/text\/event-stream/);
  const reader = res.body!.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = '';
  const queue: SseEvent[] = [];
  const pump = async () => {
    const { value, done } = await reader.read();
    if (done) throw new Error('stream ended');
    buffer += value;
    let cut: number;
    while ((cut = buffer.indexOf('\n\n')) >= 0) {
      const block = buffer.slice(0, cut);
      buffer = buffer.slice(cut + 2);
      const e: SseEvent = { event: 'message', data: '', id: '' };
      for (const line of block.split('\n')) {
        if (line.startsWith('event:')) e.event = line.slice(6).trim();
        else if (line.startsWith('data:')) e.data += line.slice(5).trim();
        else if (line.startsWith('id:')) e.id = line.slice(3).trim();
      }
      if (block.split('\n').some((l) => !l.startsWith(':'))) queue.push(e);
    }
  };
  return {
    /** The next event of this type (others are skipped); a generous bound, no timing assertion. */
    async next(event: string, timeoutMs = 20_000): Promise<SseEvent> {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const i = queue.findIndex((e) => e.event === event);
        if (i >= 0) return queue.splice(i, 1)[0]!;
        if (Date.now() > deadline) throw new Error(`no ${event} event within ${timeoutMs} ms`);
        await Promise.race([pump(), new Promise((r) => setTimeout(r, 200))]);
      }
    },
    close: () => controller.abort(),
  };
}

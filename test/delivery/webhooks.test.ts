import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import type { Pool } from 'pg';
import { recordTransition } from '../../activities';
import type { Claims } from '../../api/claims';
import { DEMO } from '../../db/seed';
import { Dispatcher } from '../../delivery/dispatcher';
import { WEBHOOK_EVENT_TYPES } from '../../delivery/events';
import { scratchDatabase } from '../helpers/db';
import { fixtureCase, tokenFor } from '../helpers/api';
import { act, hotlineCase, newCaseId, settled, startCaseRig, upstreamActor, type CaseRig } from '../workflows/rig';
import { buildDeliveryApp, drainUntil, Receiver, TEST_DELIVERY } from './receiver';

/** The 12345 platform as the rig's cases know it (they are opened by upstreamActor). */
const PLATFORM: Claims = { sub: upstreamActor.sub, role: 'upstream', countyCode: DEMO.county };
const OTHER_UPSTREAM: Claims = { sub: 'grid-app', role: 'upstream', countyCode: DEMO.county };
const ADMIN: Claims = { sub: 'admin-1', role: 'admin' };
const TOWNSHIP: Claims = { sub: 'brigade-lt', role: 'township', countyCode: DEMO.county, townshipCode: DEMO.township };

let db: Awaited<ReturnType<typeof scratchDatabase>>;
let pool: Pool;
let app: FastifyInstance;
let rig: CaseRig;
const receivers: Receiver[] = [];

beforeAll(async () => {
  db = await scratchDatabase();
  pool = db.pool;
  app = await buildDeliveryApp(pool);
  rig = await startCaseRig(pool, 'delivery-webhooks');
});
afterAll(async () => {
  await rig?.teardown();
  await app?.close();
  for (const r of receivers) await r.close();
  await db?.dispose();
});

async function subscribe(owner: Claims, body: Record<string, unknown> = {}): Promise<{ id: string; receiver: Receiver }> {
  const receiver = new Receiver();
  receivers.push(receiver);
  const url = await receiver.listen();
  const res = await app.inject({ method: 'POST', url: '/v1/webhooks/endpoints', headers: { authorization: `Bearer ${tokenFor(owner)}` }, payload: { url, ...body } });
  expect(res.statusCode, res.body).toBe(201);
  const created = res.json() as { id: string; secret: string };
  expect(created.secret).toMatch(/^whsec_[A-Za-z0-9+/]+=*$/);
  receiver.secret = created.secret;
  return { id: created.id, receiver };
}

async function unsubscribe(id: string): Promise<void> {
  const res = await app.inject({ method: 'DELETE', url: `/v1/webhooks/endpoints/${id}`, headers: { authorization: `Bearer ${tokenFor(ADMIN)}` } });
  expect(res.statusCode).toBe(204);
}

/** A case opened by `by`, recorded as the workflow's first transition. */
async function openFixtureCase(prefix: string, by: Claims = PLATFORM): Promise<string> {
  const caseId = newCaseId(prefix);
  const actor = { sub: by.sub, role: by.role, unit: DEMO.county };
  const snapshot = fixtureCase(caseId, {
    stage: 'patrol',
    createdBy: actor,
    timeline: [{ seq: 1, at: new Date().toISOString(), type: 'case_opened', stage: 'patrol', actor }],
  });
  await recordTransition(pool, { workflowId: caseId, snapshot, seq: 1, events: snapshot.timeline, notifications: [] });
  return caseId;
}

const deliveries = async (endpointId: string) =>
  (
    await app.inject({ method: 'GET', url: `/v1/webhooks/messages?endpointId=${endpointId}`, headers: { authorization: `Bearer ${tokenFor(ADMIN)}` } })
  ).json() as { items: { id: string; status: string; attempts: number; messageId: string; lastStatusCode: number | null }[] };

describe('signed webhooks (Standard Webhooks)', () => {
  it('delivers every event of a case walked from open to close, each signature verified, in timeline order', async () => {
    const { id, receiver } = await subscribe(PLATFORM);
    const dispatcher = new Dispatcher({ pool, settings: TEST_DELIVERY });

    const handle = await rig.start(hotlineCase(newCaseId('walk')));
    const assign = { level: 'township' as const, officerIds: DEMO.officers.certified.slice(0, 2) };
    await act(handle, { action: 'patrol-report', body: { gridMemberId: 'grid-member-7', observedAt: new Date().toISOString(), findings: '占道经营属实' } });
    await act(handle, { action: 'confirm', body: { confirmed: true } });
    await act(handle, { action: 'capture', body: { matterCode: DEMO.matters.townshipPenalty, party: { kind: 'person', name: '李某' } } });
    await act(handle, { action: 'assign', body: assign });
    await act(handle, { action: 'handle', body: { outcome: 'obstruction', notes: '当事人阻挠执法' } });
    await act(handle, { action: 'handle', body: { outcome: 'corrected', notes: '当场责令改正' } });
    const closed = await act(handle, { action: 'verify', body: { passed: true, notes: '已整改' } });
    expect(closed.status).toBe('closed');
    const c = await settled(handle, pool);

    await drainUntil(dispatcher, () => receiver.unique().some((r) => r.body.type === 'case.closed'), 'case.closed');
    await drainUntil(dispatcher, async () => (await deliveries(id)).items.every((d) => d.status === 'delivered'), 'every delivery');

    expect(receiver.requests.every((r) => r.verified), JSON.stringify(receiver.requests.filter((r) => !r.verified))).toBe(true);
    const got = receiver.unique().sort((a, b) => a.body.data.seq - b.body.data.seq || a.body.type.localeCompare(b.body.type));
    expect(got.map((r) => [r.body.data.seq, r.body.type])).toEqual(
      [
        [1, 'case.opened'],
        [2, 'case.stage_changed'], // patrol_reported: patrol → discovery
        [3, 'case.stage_changed'], // source_confirmed: discovery → capture
        [4, 'case.stage_changed'], // information_captured: capture → assignment
        [5, 'case.stage_changed'], // assigned_to_brigade: assignment → handling
        [6, 'case.police_notified'], // obstruction_reported
        [7, 'case.stage_changed'], // corrected_on_site: handling → verification
        [8, 'case.stage_changed'], // verified: verification → review
        [9, 'case.closed'],
      ],
    );
    expect(c.timeline.map((e) => e.seq)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9]);
    const byType = (t: string) => got.filter((r) => r.body.type === t);
    expect(byType('case.opened')[0]!.body.data).toMatchObject({ caseId: c.caseId, externalRef: c.externalRef, stage: 'patrol', countyCode: DEMO.county, townshipCode: DEMO.township });
    expect(byType('case.stage_changed').map((r) => [r.body.data.from, r.body.data.to])).toEqual([
      ['patrol', 'discovery'],
      ['discovery', 'capture'],
      ['capture', 'assignment'],
      ['assignment', 'handling'],
      ['handling', 'verification'],
      ['verification', 'review'],
    ]);
    expect(byType('case.police_notified')[0]!.body.data).toMatchObject({ reason: 'obstruction', stage: 'handling' });
    expect(byType('case.closed')[0]!.body.data).toMatchObject({
      caseId: c.caseId,
      seq: 9,
      resolution: 'resolved',
      feedback: { outcome: 'handled', message: '已整改' },
    });
    // Thin payloads: no reporter data, no party, no description.
    for (const r of got) expect(JSON.stringify(r.body)).not.toMatch(/13800000000|王先生|李某/);
    expect(new Set(got.map((r) => r.body.type)).size).toBeLessThanOrEqual(WEBHOOK_EVENT_TYPES.length);

    // The outbox rows of the case left the outbox: the reporter feedback and the police notice are external.
    const outbox = await pool.query<{ channel: string; dispatched: boolean }>(
      'SELECT channel, dispatched_at IS NOT NULL AS dispatched FROM outbox WHERE case_id = $1',
      [c.caseId],
    );
    expect(outbox.rows.length).toBeGreaterThan(0);
    expect(outbox.rows.every((r) => r.dispatched)).toBe(true);
    await unsubscribe(id);
  });

  it('gets a message to a receiver that answers 500 twice on the third attempt, with the same webhook-id', async () => {
    const { id, receiver } = await subscribe(PLATFORM, { eventTypes: ['case.opened'] });
    receiver.answers = [{ status: 500 }, { status: 500 }];
    const dispatcher = new Dispatcher({ pool, settings: TEST_DELIVERY });
    const caseId = await openFixtureCase('retry');
    await drainUntil(dispatcher, () => receiver.unique().length === 1, 'the third attempt');
    expect(receiver.requests.map((r) => r.answeredWith)).toEqual([500, 500, 204]);
    expect(new Set(receiver.requests.map((r) => r.webhookId)).size).toBe(1);
    expect(receiver.requests.every((r) => r.verified)).toBe(true);
    expect(receiver.requests[0]!.body.data.caseId).toBe(caseId);
    const [d] = (await deliveries(id)).items;
    expect(d).toMatchObject({ status: 'delivered', attempts: 3, lastStatusCode: 204 });
    await unsubscribe(id);
  });

  it('honours Retry-After when it asks for longer than the schedule', async () => {
    const { id, receiver } = await subscribe(PLATFORM, { eventTypes: ['case.opened'] });
    receiver.answers = [{ status: 503, headers: { 'retry-after': '120' } }];
    const dispatcher = new Dispatcher({ pool, settings: TEST_DELIVERY });
    await openFixtureCase('retry-after');
    await drainUntil(dispatcher, () => receiver.requests.length === 1, 'the first attempt');
    await dispatcher.round();
    const { rows } = await pool.query<{ wait: number }>(
      `SELECT extract(epoch FROM next_attempt_at - last_attempt_at)::float AS wait FROM webhook_deliveries WHERE endpoint_id = $1`,
      [id],
    );
    // The schedule says 50 ms; the receiver asked for 120 s.
    expect(rows[0]!.wait).toBeGreaterThanOrEqual(119);
    expect(receiver.requests).toHaveLength(1);
    await unsubscribe(id);
  });

  it('disables an endpoint that answers 410 and sends it nothing more', async () => {
    const { id, receiver } = await subscribe(PLATFORM, { eventTypes: ['case.opened'] });
    receiver.answers = [{ status: 410 }];
    const dispatcher = new Dispatcher({ pool, settings: TEST_DELIVERY });
    await openFixtureCase('gone-1');
    await drainUntil(dispatcher, async () => (await deliveries(id)).items[0]?.status === 'dead', 'the 410');
    const list = await app.inject({ method: 'GET', url: '/v1/webhooks/endpoints', headers: { authorization: `Bearer ${tokenFor(PLATFORM)}` } });
    expect(list.json().items.find((e: { id: string }) => e.id === id)).toMatchObject({ enabled: false, disabledReason: expect.stringContaining('410') });
    await openFixtureCase('gone-2');
    for (let i = 0; i < 5; i++) await dispatcher.round();
    expect(receiver.requests).toHaveLength(1);
    await unsubscribe(id);
  });

  it('turns a message into a dead letter after the last retry; an admin lists and replays it', async () => {
    const { id, receiver } = await subscribe(PLATFORM, { eventTypes: ['case.opened'] });
    receiver.otherwise = { status: 500 };
    const dispatcher = new Dispatcher({ pool, settings: TEST_DELIVERY });
    await openFixtureCase('dead');
    await drainUntil(dispatcher, async () => (await deliveries(id)).items[0]?.status === 'dead', 'the dead letter');
    expect(receiver.requests).toHaveLength(1 + TEST_DELIVERY.retrySchedule!.length);

    const dead = await app.inject({ method: 'GET', url: `/v1/webhooks/messages?status=dead&endpointId=${id}`, headers: { authorization: `Bearer ${tokenFor(ADMIN)}` } });
    const [letter] = dead.json().items as { id: string; messageId: string }[];
    expect(letter).toBeDefined();
    // Only an admin replays.
    const refused = await app.inject({ method: 'POST', url: `/v1/webhooks/messages/${letter!.id}/replay`, headers: { authorization: `Bearer ${tokenFor(PLATFORM)}` } });
    expect(refused.statusCode).toBe(403);

    receiver.otherwise = { status: 200 };
    const replay = await app.inject({ method: 'POST', url: `/v1/webhooks/messages/${letter!.id}/replay`, headers: { authorization: `Bearer ${tokenFor(ADMIN)}` } });
    expect(replay.statusCode, replay.body).toBe(202);
    await drainUntil(dispatcher, () => receiver.unique().length === 1, 'the replay');
    expect(receiver.unique()[0]!.webhookId).toBe(letter!.messageId);
    const again = await app.inject({ method: 'POST', url: `/v1/webhooks/messages/${letter!.id}/replay`, headers: { authorization: `Bearer ${tokenFor(ADMIN)}` } });
    expect(again.statusCode).toBe(409);
    const keyed = { authorization: `Bearer ${tokenFor(ADMIN)}`, 'idempotency-key': 'replay-once' };
    await pool.query(`UPDATE webhook_deliveries SET status = 'dead' WHERE id = $1`, [letter!.id]);
    const once = await app.inject({ method: 'POST', url: `/v1/webhooks/messages/${letter!.id}/replay`, headers: keyed });
    const twice = await app.inject({ method: 'POST', url: `/v1/webhooks/messages/${letter!.id}/replay`, headers: keyed });
    expect([once.statusCode, twice.statusCode]).toEqual([202, 202]);
    await unsubscribe(id);
  });

  it('signs with both secrets while a rotation is in its grace period', async () => {
    const { id, receiver } = await subscribe(PLATFORM, { eventTypes: ['case.opened'] });
    const rotated = await app.inject({ method: 'POST', url: `/v1/webhooks/endpoints/${id}/rotate-secret`, headers: { authorization: `Bearer ${tokenFor(PLATFORM)}` } });
    expect(rotated.statusCode).toBe(200);
    const oldSecret = receiver.secret;
    const dispatcher = new Dispatcher({ pool, settings: TEST_DELIVERY });
    await openFixtureCase('rotate-1');
    await drainUntil(dispatcher, () => receiver.unique().length === 1, 'a delivery signed by the old secret');
    expect(receiver.requests[0]!.verified).toBe(true); // receiver still on the old secret
    receiver.secret = rotated.json().secret;
    expect(receiver.secret).not.toBe(oldSecret);
    await openFixtureCase('rotate-2');
    await drainUntil(dispatcher, () => receiver.unique().length === 2, 'a delivery signed by the new secret');
    expect(receiver.requests[1]!.verified).toBe(true);
    await unsubscribe(id);
  });

  it('gives an upstream system only the cases it may read, and only its own endpoints', async () => {
    const mine = await subscribe(PLATFORM, { eventTypes: ['case.opened'] });
    const theirs = await subscribe(OTHER_UPSTREAM, { eventTypes: ['case.opened'] });
    const dispatcher = new Dispatcher({ pool, settings: TEST_DELIVERY });
    const ownCase = await openFixtureCase('own', PLATFORM);
    const otherCase = await openFixtureCase('other', OTHER_UPSTREAM);
    await drainUntil(dispatcher, () => mine.receiver.unique().length === 1 && theirs.receiver.unique().length === 1, 'both receivers');
    for (let i = 0; i < 3; i++) await dispatcher.round();
    expect(mine.receiver.unique().map((r) => r.body.data.caseId)).toEqual([ownCase]);
    expect(theirs.receiver.unique().map((r) => r.body.data.caseId)).toEqual([otherCase]);

    const listed = await app.inject({ method: 'GET', url: '/v1/webhooks/endpoints', headers: { authorization: `Bearer ${tokenFor(PLATFORM)}` } });
    expect(listed.json().items.map((e: { id: string }) => e.id)).toEqual([mine.id]);
    expect(JSON.stringify(listed.json())).not.toContain('whsec_');
    const foreign = await app.inject({ method: 'DELETE', url: `/v1/webhooks/endpoints/${theirs.id}`, headers: { authorization: `Bearer ${tokenFor(PLATFORM)}` } });
    expect(foreign.statusCode).toBe(404);
    const outside = await app.inject({
      method: 'POST',
      url: '/v1/webhooks/endpoints',
      headers: { authorization: `Bearer ${tokenFor(PLATFORM)}` },
      payload: { url: 'http://127.0.0.1:9/x', countyCode: DEMO.otherCounty },
    });
    expect(outside.statusCode).toBe(403);
    const township = await app.inject({ method: 'GET', url: '/v1/webhooks/endpoints', headers: { authorization: `Bearer ${tokenFor(TOWNSHIP)}` } });
    expect(township.statusCode).toBe(403);
    await unsubscribe(mine.id);
    await unsubscribe(theirs.id);
  });

  it('checks the address again when sending: a dispatcher that does not allow private URLs sends nothing there', async () => {
    const { id, receiver } = await subscribe(PLATFORM, { eventTypes: ['case.opened'] });
    const strict = new Dispatcher({ pool, settings: { ...TEST_DELIVERY, allowPrivateUrls: false } });
    await openFixtureCase('rebinding');
    await drainUntil(strict, async () => (await deliveries(id)).items[0]?.status === 'dead', 'the refused delivery');
    expect(receiver.requests).toHaveLength(0);
    const { rows } = await pool.query<{ last_error: string }>('SELECT last_error FROM webhook_deliveries WHERE endpoint_id = $1', [id]);
    expect(rows[0]!.last_error).toMatch(/not sent: host 127\.0\.0\.1 resolves to 127\.0\.0\.1/);
    await unsubscribe(id);
  });

  it('honours Idempotency-Key: a retried subscription, rotation or replay changes nothing and answers the same', async () => {
    const headers = { authorization: `Bearer ${tokenFor(PLATFORM)}`, 'idempotency-key': `sub-${process.pid}` };
    const payload = { url: 'http://127.0.0.1:9/idempotent', eventTypes: ['case.closed'] };
    const answers = await Promise.all(Array.from({ length: 8 }, () => app.inject({ method: 'POST', url: '/v1/webhooks/endpoints', headers, payload })));
    expect(answers.map((a) => a.statusCode).sort()).toEqual([200, 200, 200, 200, 200, 200, 200, 201]);
    expect(new Set(answers.map((a) => a.json().id)).size).toBe(1);
    expect(new Set(answers.map((a) => a.json().secret)).size).toBe(1);
    const id = answers[0]!.json().id as string;

    const rotate = () =>
      app.inject({ method: 'POST', url: `/v1/webhooks/endpoints/${id}/rotate-secret`, headers: { ...headers, 'idempotency-key': `rot-${process.pid}` } });
    const first = await rotate();
    const retried = await rotate();
    expect(first.statusCode).toBe(200);
    expect(retried.json().secret).toBe(first.json().secret);
    const { rows } = await pool.query<{ previous_secret: string }>('SELECT previous_secret FROM webhook_endpoints WHERE id = $1', [id]);
    expect(rows[0]!.previous_secret).toBe(answers[0]!.json().secret);
    await unsubscribe(id);
  });

  it('refuses private and loopback endpoint URLs unless the deployment allows them, and unknown event types', async () => {
    const strict = await buildDeliveryApp(pool, { ...TEST_DELIVERY, allowPrivateUrls: false });
    try {
      for (const url of ['http://127.0.0.1:8080/x', 'http://10.1.2.3/x', 'http://[::1]/x', 'http://169.254.169.254/latest', 'http://localhost/x', 'ftp://example.com/x']) {
        const res = await strict.inject({ method: 'POST', url: '/v1/webhooks/endpoints', headers: { authorization: `Bearer ${tokenFor(ADMIN)}` }, payload: { url } });
        expect(res.statusCode, url).toBe(422);
        expect(res.json().error.details[0].path).toBe('body.url');
      }
      const badType = await strict.inject({
        method: 'POST',
        url: '/v1/webhooks/endpoints',
        headers: { authorization: `Bearer ${tokenFor(ADMIN)}` },
        payload: { url: 'https://8.8.8.8/x', eventTypes: ['case.exploded'] },
      });
      expect(badType.statusCode).toBe(400);
      expect(badType.json().error.details[0].path).toMatch(/^body\.eventTypes/);
    } finally {
      await strict.close();
    }
  });
});

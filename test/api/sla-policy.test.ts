import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import type { Pool } from 'pg';
import type { SlaPolicyResponse } from '../../api/read-model/sla-policy';
import { DEFAULT_SLA_POLICY, SLA_KEYS } from '../../domain/sla';
import { CALLERS, bearer, buildTestApp, type CallerName } from '../helpers/api';
import { scratchDatabase } from '../helpers/db';
import { loadSlaPolicy } from '../../activities';

/**
 * GET/PUT /v1/admin/sla-policy. Publishing changes what every new case starts with, so this file works on
 * a scratch database of its own, never the run's shared one.
 */
let db: Awaited<ReturnType<typeof scratchDatabase>>;
let pool: Pool;
let app: FastifyInstance;

const put = async (body: unknown, caller: CallerName = 'admin') => {
  const res = await app.inject({ method: 'PUT', url: '/v1/admin/sla-policy', headers: bearer(caller), payload: body as object });
  return { status: res.statusCode, body: res.json() };
};
const getPolicy = async (caller: CallerName = 'admin') => {
  const res = await app.inject({ method: 'GET', url: '/v1/admin/sla-policy', headers: bearer(caller) });
  return { status: res.statusCode, body: res.json() };
};

beforeAll(async () => {
  db = await scratchDatabase();
  pool = db.pool;
  ({ app } = await buildTestApp(pool));
});

afterAll(async () => {
  await app?.close();
  await db?.dispose();
});

describe('SLA policy', () => {
  it('GET: the seeded version 1 with the defaults of deadlines.md', async () => {
    const { status, body } = await getPolicy();
    expect(status).toBe(200);
    expect(body).toMatchObject({ version: 1, slas: DEFAULT_SLA_POLICY.slas, urgent: DEFAULT_SLA_POLICY.urgent });
  });

  it('PUT publishes the next version; stages left out keep their values', async () => {
    const first = await put({ slas: { handling: { workingDays: 3 } } });
    expect(first.status).toBe(200);
    const v2 = first.body as SlaPolicyResponse;
    expect(v2.version).toBe(2);
    expect(v2.slas).toEqual({ ...DEFAULT_SLA_POLICY.slas, handling: { workingDays: 3 } });
    expect(v2.urgent).toEqual(DEFAULT_SLA_POLICY.urgent);
    expect(v2.publishedBy).toBe(CALLERS.admin.sub);
    expect(v2.publishedAt).toMatch(/\+08:00$/);

    const second = await put({ urgent: { handling: { duration: 'PT4H' } }, slas: { assignment: { duration: 'PT20M' } } });
    const v3 = second.body as SlaPolicyResponse;
    expect(v3.version).toBe(3);
    expect(v3.slas.handling).toEqual({ workingDays: 3 }); // kept from version 2
    expect(v3.slas.assignment).toEqual({ duration: 'PT20M' });
    expect(v3.slas.patrol).toEqual(DEFAULT_SLA_POLICY.slas.patrol);
    expect(v3.urgent).toEqual({ ...DEFAULT_SLA_POLICY.urgent, handling: { duration: 'PT4H' } });

    expect((await getPolicy()).body).toEqual(v3);
    // Older versions stay: running cases keep the version they started with.
    const { rows } = await pool.query<{ version: number }>('SELECT version FROM sla_policies ORDER BY version');
    expect(rows.map((r) => r.version)).toEqual([1, 2, 3]);
  });

  it('concurrent PUTs each build on the previous version: consecutive versions, no lost update', async () => {
    const before = ((await getPolicy()).body as SlaPolicyResponse).version;
    const answers = await Promise.all(SLA_KEYS.map((key, i) => put({ slas: { [key]: { workingDays: 10 + i } } })));
    expect(answers.map((a) => a.status)).toEqual(SLA_KEYS.map(() => 200));
    const versions = answers.map((a) => (a.body as SlaPolicyResponse).version).sort((a, b) => a - b);
    expect(versions).toEqual(SLA_KEYS.map((_, i) => before + 1 + i));
    const latest = (await getPolicy()).body as SlaPolicyResponse;
    expect(latest.version).toBe(before + SLA_KEYS.length);
    // Every change survived: the last version carries all of them.
    expect(latest.slas).toEqual(Object.fromEntries(SLA_KEYS.map((key, i) => [key, { workingDays: 10 + i }])));
  });

  it('the bounce limit (吹哨报到, returns + declines of one department) is a versioned value: default 2, kept when left out', async () => {
    const before = (await getPolicy()).body as SlaPolicyResponse;
    expect(before.limits).toEqual({ bounces: 2 });
    const changed = await put({ limits: { bounces: 3 } });
    expect(changed.status).toBe(200);
    expect(changed.body).toMatchObject({ version: before.version + 1, limits: { bounces: 3 }, slas: before.slas });
    const kept = await put({ slas: { handling: { workingDays: 4 } } });
    expect((kept.body as SlaPolicyResponse).limits).toEqual({ bounces: 3 });
    // what a new case starts with (activities loadSlaPolicy)
    const loaded = await loadSlaPolicy(pool);
    expect(loaded).toMatchObject({ version: before.version + 2, limits: { bounces: 3 } });
    const bad = await put({ limits: { bounces: 0 } });
    expect(bad.status).toBe(400);
    expect((bad.body as { error: { details: { path: string }[] } }).error.details[0]!.path).toBe('body.limits.bounces');
  });

  it('a bad period is 400 and names the field; nothing is published', async () => {
    const before = ((await getPolicy()).body as SlaPolicyResponse).version;
    for (const [body, path] of [
      [{ slas: { patrol: { duration: 'PT0S' } } }, 'body.slas.patrol'],
      [{ slas: { patrol: { duration: 'two hours' } } }, 'body.slas.patrol'],
      [{ slas: { handling: { workingDays: -1 } } }, 'body.slas.handling'],
      [{ slas: { handling: { hours: 3 } } }, 'body.slas.handling'],
      [{ urgent: { verification: { workingDays: 1.5 } } }, 'body.urgent.verification'],
      [{ slas: { review: { workingDays: 1 } } }, 'body.slas'],
      [{ slas: {}, extra: true }, 'body'],
    ] as const) {
      const res = await put(body);
      expect({ body, status: res.status }).toEqual({ body, status: 400 });
      const paths = (res.body as { error: { details: { path: string }[] } }).error.details.map((d) => d.path);
      expect(paths.some((p) => p.startsWith(path))).toBe(true);
    }
    expect(((await getPolicy()).body as SlaPolicyResponse).version).toBe(before);
  });

  it('admin only: 403 for other roles (whatever the body), 401 without a token', async () => {
    for (const caller of ['supervisor', 'township', 'county', 'upstream'] as const) {
      expect((await getPolicy(caller)).status).toBe(403);
      expect((await put({ slas: { patrol: { duration: 'nonsense' } } }, caller)).status).toBe(403);
    }
    const anonymous = await app.inject({ method: 'PUT', url: '/v1/admin/sla-policy', payload: { slas: {} } });
    expect(anonymous.statusCode).toBe(401);
  });
});

import net from 'node:net';
import type { FastifyInstance } from 'fastify';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SESSION_COOKIE } from '../../api/accounts';
import { buildApp } from '../../api/app';
import { isDatabaseUnavailable } from '../../api/outage';
import { DEMO } from '../../db/seed';
import { freePort } from '../../runtime/ports';
import { bearer, fixtureCase, TEST_JWT_SECRET, type CallerName } from '../helpers/api';
import { FakeTemporal } from '../helpers/fake-temporal';

/**
 * PostgreSQL down (issue 6, defect 6): every route that needs the database answers 503 `unavailable`
 * with Retry-After — never 500 — whether the port refuses connections or a server accepts them and
 * never answers (the pool's connect timeout). /readyz says `postgres: down` without the reason.
 */

type Outage = { label: string; pool: pg.Pool; app: FastifyInstance; close: () => Promise<void> };

async function outageApp(label: string, port: number, onClose: () => Promise<void> = async () => undefined): Promise<Outage> {
  const pool = new pg.Pool({ connectionString: `postgres://postgres@127.0.0.1:${port}/none`, connectionTimeoutMillis: 300 });
  const fake = new FakeTemporal();
  // A case Temporal knows (so actions get as far as the database), with Postgres down.
  const live = fixtureCase(`outage-${process.pid}`);
  fake.cases.set(live.caseId, live);
  const app = await buildApp({ pool, temporal: { client: fake.client, taskQueue: 'unused' }, jwtSecret: TEST_JWT_SECRET });
  return {
    label,
    pool,
    app,
    close: async () => {
      await app.close();
      await pool.end();
      await onClose();
    },
  };
}

const outages: Outage[] = [];
beforeAll(async () => {
  // Nothing listens on a free port: ECONNREFUSED.
  outages.push(await outageApp('connection refused', await freePort()));
  // A server that accepts and never speaks: the pool's connect timeout.
  const sockets = new Set<net.Socket>();
  const silent = net.createServer((s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  const silentPort = await freePort();
  await new Promise<void>((resolve) => silent.listen(silentPort, '127.0.0.1', resolve));
  outages.push(
    await outageApp('server never answers', silentPort, async () => {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => silent.close(() => resolve()));
    }),
  );
});
afterAll(async () => {
  for (const o of outages) await o.close();
});

const caseId = `outage-${process.pid}`;

type OutageRequest = {
  method: 'GET' | 'POST' | 'PUT';
  url: string;
  /** Who calls (a bearer token); none: a public route, or `headers` authenticate. */
  caller?: CallerName;
  headers?: Record<string, string>;
  payload?: object;
  /** Open311 GeoReport v2 answers errors in the spec's format (`[{code, description}]`), not api.md's. */
  georeport?: true;
};

/** Every documented route that reads or writes the database, with a valid request and an entitled caller. */
function requests(): OutageRequest[] {
  return [
    { method: 'GET', url: '/v1/cases', caller: 'supervisor' },
    { method: 'GET', url: '/v1/cases?overdue=true', caller: 'admin' },
    { method: 'GET', url: '/v1/cases?townshipCode=350722101', caller: 'supervisor' },
    { method: 'GET', url: `/v1/cases/unknown-${process.pid}`, caller: 'admin' },
    { method: 'GET', url: '/v1/stats/efficiency?groupBy=township', caller: 'supervisor' },
    { method: 'GET', url: '/v1/stats/overview', caller: 'supervisor' },
    { method: 'GET', url: '/v1/admin/calendar/2027', caller: 'admin' },
    { method: 'GET', url: '/v1/stats/trend?interval=month', caller: 'supervisor' },
    { method: 'GET', url: '/v1/jurisdictions', caller: 'township' },
    { method: 'GET', url: '/v1/matters', caller: 'township' },
    { method: 'GET', url: '/v1/matters/UM-P-001', caller: 'township' },
    { method: 'GET', url: '/v1/officers', caller: 'admin' },
    { method: 'GET', url: '/v1/admin/sla-policy', caller: 'admin' },
    { method: 'PUT', url: '/v1/admin/sla-policy', caller: 'admin', payload: { slas: { patrol: { duration: 'PT2H' } } } },
    { method: 'GET', url: '/v1/public/disclosures', caller: 'admin' },
    // 双随机 campaigns
    { method: 'GET', url: '/v1/inspections/plans', caller: 'supervisor' },
    { method: 'GET', url: '/v1/inspections/plans/IP-outage', caller: 'supervisor' },
    { method: 'GET', url: '/v1/inspections/plans/IP-outage/results', caller: 'supervisor' },
    { method: 'GET', url: '/v1/inspections/draws/IP-outage-D1', caller: 'supervisor' },
    { method: 'GET', url: '/v1/inspections/draws/IP-outage-D1/verify', caller: 'supervisor' },
    { method: 'GET', url: '/v1/public/inspection-results' },
    {
      method: 'POST',
      url: '/v1/cases',
      caller: 'township',
      payload: { source: 'hotline', countyCode: DEMO.county, townshipCode: DEMO.township, location: { address: 'a' }, description: 'x' },
    },
    { method: 'POST', url: `/v1/cases/${caseId}/actions/confirm`, caller: 'township', payload: { confirmed: true } },
    { method: 'POST', url: `/v1/cases/${caseId}/summons`, caller: 'township', payload: { departmentCodes: [DEMO.departments.ecology], reason: '联合执法' } },
    { method: 'POST', url: `/v1/cases/${caseId}/summons/${DEMO.departments.urbanManagement}/answer`, caller: 'county', payload: { answer: 'report' } },
    { method: 'GET', url: `/v1/cases/${caseId}/disclosure`, caller: 'admin' },
    { method: 'POST', url: `/v1/cases/${caseId}/disclosure/withdraw`, caller: 'township', payload: { reason: '原决定已撤销' } },
    // inbox (the stream fails before it starts: the feed's first query needs the database)
    { method: 'GET', url: '/v1/inbox?unread=true', caller: 'township' },
    { method: 'GET', url: '/v1/inbox/stream', caller: 'township', headers: { accept: 'text/event-stream' } },
    { method: 'POST', url: '/v1/inbox/1/read', caller: 'township' },
    // webhooks
    { method: 'GET', url: '/v1/webhooks/endpoints', caller: 'upstream' },
    { method: 'GET', url: '/v1/webhooks/messages?status=dead', caller: 'admin' },
    { method: 'POST', url: '/v1/webhooks/endpoints', caller: 'admin', payload: { url: 'https://example.org/hook', countyCode: DEMO.county } },
    // sign-in and the caller (a session cookie is looked up in PostgreSQL; a bearer token is not)
    { method: 'GET', url: '/v1/me', headers: { cookie: `${SESSION_COOKIE}=outage-session` } },
    { method: 'POST', url: '/v1/session', payload: { username: 'admin', password: 'secret-password' } },
    // administration
    { method: 'GET', url: '/v1/admin/accounts', caller: 'admin' },
    { method: 'GET', url: '/v1/admin/open311/keys', caller: 'admin' },
    { method: 'GET', url: '/v1/admin/open311/services', caller: 'admin' },
    // registries (issue 10)
    ...['officers', 'enforcement-objects', 'matters', `responsibility-lists/${DEMO.county}`].flatMap((r) => [
      { method: 'GET' as const, url: `/v1/admin/${r}`, caller: 'admin' as const },
      { method: 'GET' as const, url: `/v1/admin/${r}/x-1`, caller: 'admin' as const },
      { method: 'GET' as const, url: `/v1/admin/${r}/x-1/history`, caller: 'admin' as const },
      { method: 'GET' as const, url: `/v1/admin/${r}/changes`, caller: 'admin' as const },
      { method: 'GET' as const, url: `/v1/admin/${r}/export.xlsx`, caller: 'admin' as const },
      { method: 'GET' as const, url: `/v1/admin/${r}/export.csv`, caller: 'admin' as const },
    ]),
    { method: 'GET', url: '/v1/enforcement-objects', caller: 'township' },
    { method: 'GET', url: '/v1/enforcement-objects/EO-0001', caller: 'township' },
    // Open311 GeoReport v2
    { method: 'GET', url: '/open311/v2/services.json', georeport: true },
    { method: 'GET', url: '/open311/v2/services.xml', georeport: true },
    { method: 'GET', url: '/open311/v2/requests.json', georeport: true },
    { method: 'GET', url: '/open311/v2/requests.xml', georeport: true },
    { method: 'GET', url: '/open311/v2/services/UM-P-001.json', georeport: true },
    { method: 'GET', url: `/open311/v2/requests/unknown-${process.pid}.json`, georeport: true },
  ];
}

/** A documented path (`/v1/cases/{caseId}`) as a pattern of the URLs it serves. */
const pathPattern = (path: string) => new RegExp(`^${path.split(/\{\w+\}/).map((part) => part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('[^/]+')}$`);

describe('PostgreSQL unreachable', () => {
  it('the requests list covers every documented GET route', async () => {
    const res = await outages[0]!.app.inject({ method: 'GET', url: '/docs/json' });
    const doc = res.json() as { paths: Record<string, Record<string, unknown>> };
    const documented = Object.entries(doc.paths)
      .filter(([path, ops]) => 'get' in ops && !['/healthz', '/readyz'].includes(path))
      .map(([path]) => path);
    const covered = requests()
      .filter((r) => r.method === 'GET')
      .map((r) => r.url.split('?')[0]!);
    expect(documented.length).toBeGreaterThan(20);
    for (const path of documented) expect(covered.some((url) => pathPattern(path).test(url)), path).toBe(true);
  });

  for (const index of [0, 1]) {
    it(`${index === 0 ? 'connection refused' : 'server never answers'}: lists, reads, actions, creation, admin and reference routes are 503 with Retry-After`, async () => {
      const { app } = outages[index]!;
      const failures: string[] = [];
      for (const r of requests()) {
        const headers = { ...(r.caller ? bearer(r.caller) : {}), ...r.headers };
        const res = await app.inject({ method: r.method, url: r.url, headers, ...(r.payload ? { payload: r.payload } : {}) });
        const unavailable = r.georeport
          ? /\.xml$/.test(r.url.split('?')[0]!)
            ? /<code>503<\/code>/.test(res.body)
            : (res.json() as { code?: number }[])[0]?.code === 503
          : (res.json() as { error?: { code?: string } }).error?.code === 'unavailable';
        if (res.statusCode !== 503 || !unavailable || res.headers['retry-after'] === undefined) {
          failures.push(`${r.method} ${r.url} → ${res.statusCode} retry-after=${String(res.headers['retry-after'])} ${res.body.slice(0, 160)}`);
        }
        expect(res.body).not.toMatch(/127\.0\.0\.1|ECONNREFUSED|timeout exceeded/);
      }
      expect(failures).toEqual([]);
    });
  }

  it('/readyz says postgres: down (or temporal: down), never the error text', async () => {
    const res = await outages[0]!.app.inject({ method: 'GET', url: '/readyz' });
    expect(res.statusCode).toBe(503);
    expect(res.json()).toEqual({ status: 'not_ready', checks: { postgres: 'down', temporal: 'ok' } });
  });
});

describe('isDatabaseUnavailable', () => {
  const sqlError = (code: string) => Object.assign(new Error(`sqlstate ${code}`), { code });
  it('knows outages by SQLSTATE, socket code and pool message', () => {
    for (const code of ['57P01', '57P02', '57P03', '08006', '08001', '08P01', '53300', 'ECONNREFUSED', 'ETIMEDOUT']) {
      expect(isDatabaseUnavailable(sqlError(code)), code).toBe(true);
    }
    expect(isDatabaseUnavailable(new Error('timeout exceeded when trying to connect'))).toBe(true);
    expect(isDatabaseUnavailable(new Error('Connection terminated unexpectedly'))).toBe(true);
    expect(isDatabaseUnavailable(new AggregateError([sqlError('ECONNREFUSED')], 'connect'))).toBe(true);
  });
  it('leaves bugs and bad input alone (they stay 4xx/500)', () => {
    for (const code of ['23505', '22009', '42P01', '22P02']) expect(isDatabaseUnavailable(sqlError(code)), code).toBe(false);
    expect(isDatabaseUnavailable(new Error('boom'))).toBe(false);
    expect(isDatabaseUnavailable('ECONNREFUSED')).toBe(false);
  });
});

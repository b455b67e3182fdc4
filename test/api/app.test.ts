import { ApplicationFailure } from '@temporalio/client';
import type { FastifyInstance } from 'fastify';
import { calendarWarnings, PACKAGE_CALENDAR } from '../../domain/holiday-calendar';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../api/app';
import { claimsSchema } from '../../api/claims';
import { DEMO } from '../../db/seed';
import { REFUSAL } from '../../domain/errors';
import { DEV_JWT_SECRET } from '../../runtime/config';
import { tokenFromArgs } from '../../runtime/token';
import { bearer, buildFixtureApp, fixtureCases, TEST_JWT_SECRET } from '../helpers/api';
import { useTestPool } from '../helpers/db';
import { FakeTemporal } from '../helpers/fake-temporal';

/**
 * The app shell: operational endpoints, OpenAPI, the one error shape (404, 500 hiding internals,
 * workflow refusals → 409/422/400/403), the case-creation rate limit, and the token script.
 */

const pool = useTestPool();
const cases = fixtureCases(`app${process.pid}`);
let app: FastifyInstance;
let fake: FakeTemporal;

beforeAll(async () => {
  ({ app, fake } = await buildFixtureApp(pool, cases));
});
afterAll(async () => {
  await app?.close();
});

type ErrorBody = { error: { code: string; message: string; details: { path: string; message: string }[] } };

describe('operational endpoints', () => {
  it('/healthz is live without auth', async () => {
    const res = await app.inject({ method: 'GET', url: '/healthz' });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ status: 'ok' });
  });

  it('/readyz is 200 when Postgres and Temporal answer, 503 naming Temporal when it does not', async () => {
    const ok = await app.inject({ method: 'GET', url: '/readyz' });
    expect(ok.statusCode).toBe(200);
    // ready; from November on it also warns when next year's holiday calendar is missing (none is published here)
    const warnings = calendarWarnings(Date.now(), PACKAGE_CALENDAR);
    expect(ok.json()).toEqual({ status: 'ready', checks: { postgres: 'ok', temporal: 'ok' }, ...(warnings.length ? { warnings } : {}) });

    fake.unavailable = new Error('14 UNAVAILABLE: connect ECONNREFUSED');
    try {
      const down = await app.inject({ method: 'GET', url: '/readyz' });
      expect(down.statusCode).toBe(503);
      expect(down.json()).toEqual({ status: 'not_ready', checks: { postgres: 'ok', temporal: 'down' } });
      expect(down.body).not.toContain('ECONNREFUSED');
    } finally {
      fake.unavailable = undefined;
    }
  });

  it('/readyz is 503 when Postgres is unreachable', async () => {
    const pg = await import('pg');
    const deadPool = new pg.default.Pool({ connectionString: 'postgres://postgres@127.0.0.1:1/none', connectionTimeoutMillis: 500 });
    const other = await buildApp({ pool: deadPool, temporal: { client: new FakeTemporal().client, taskQueue: 'x' }, jwtSecret: TEST_JWT_SECRET });
    try {
      const res = await other.inject({ method: 'GET', url: '/readyz' });
      expect(res.statusCode).toBe(503);
      expect(res.json()).toEqual({ status: 'not_ready', checks: { temporal: 'ok', postgres: 'down' } });
    } finally {
      await other.close();
      await deadPool.end();
    }
  });

  it('/metrics exposes default metrics and counts requests by route and status', async () => {
    await app.inject({ method: 'GET', url: `/v1/cases/${cases.own.caseId}`, headers: bearer('township') });
    const res = await app.inject({ method: 'GET', url: '/metrics' });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toContain('text/plain');
    expect(res.body).toContain('process_cpu_user_seconds_total');
    expect(res.body).toMatch(/http_requests_total\{method="GET",route="\/v1\/cases\/:caseId",status_code="200"\} [1-9]/);
    expect(res.body).toContain('http_request_duration_seconds_bucket');
  });

  it('/docs/json is OpenAPI 3 with the case routes, their bodies and responses; /docs serves the UI', async () => {
    const res = await app.inject({ method: 'GET', url: '/docs/json' });
    const doc = res.json() as {
      openapi: string;
      paths: Record<string, Record<string, { requestBody?: unknown; responses: Record<string, unknown>; parameters?: { name: string; in: string }[] }>>;
      components: { securitySchemes: Record<string, unknown> };
    };
    expect(doc.openapi).toMatch(/^3\./);
    expect(doc.components.securitySchemes).toHaveProperty('bearerAuth');
    const open = doc.paths['/v1/cases']?.post;
    expect(open?.requestBody).toBeDefined();
    expect(Object.keys(open?.responses ?? {})).toEqual(expect.arrayContaining(['200', '201', '400', '401', '403', '422']));
    expect(open?.parameters?.some((p) => p.in === 'header' && p.name === 'idempotency-key')).toBe(true);
    expect(JSON.stringify(open?.requestBody)).toContain('townshipCode');
    const capture = doc.paths['/v1/cases/{caseId}/actions/capture']?.post;
    expect(JSON.stringify(capture?.requestBody)).toContain('matterCode');
    expect(Object.keys(capture?.responses ?? {})).toEqual(expect.arrayContaining(['200', '409', '422']));
    expect(doc.paths['/v1/cases/{caseId}/county-response']?.post?.responses).toHaveProperty('202');
    expect(doc.paths['/v1/cases/{caseId}/judicial/police-decision']).toBeDefined();
    expect(doc.paths['/v1/cases/{caseId}/court/court-ruling']).toBeDefined();
    expect(doc.paths['/v1/cases/{caseId}']?.get?.responses).toHaveProperty('200');
    // the catch-all routes for unknown names stay out of the document
    expect(doc.paths['/v1/cases/{caseId}/actions/{action}']).toBeUndefined();
    const ui = await app.inject({ method: 'GET', url: '/docs' });
    expect(ui.statusCode).toBe(200);
    expect(ui.headers['content-type']).toMatch(/text\/html/);
    expect(ui.body).toContain('swagger-ui');
    const assets = await app.inject({ method: 'GET', url: '/docs/static/swagger-ui-bundle.js' });
    expect(assets.statusCode).toBe(200);
  });

  it('security headers (helmet) are set', async () => {
    const res = await app.inject({ method: 'GET', url: '/healthz' });
    expect(res.headers['x-content-type-options']).toBe('nosniff');
  });
});

describe('one error shape', () => {
  it('unknown routes: 404 in the api.md shape', async () => {
    const res = await app.inject({ method: 'GET', url: '/v1/nothing-here' });
    expect(res.statusCode).toBe(404);
    expect(res.json()).toEqual({ error: { code: 'not_found', message: expect.any(String), details: [] } });
  });

  it('malformed JSON: 400 naming the body', async () => {
    const res = await app.inject({
      method: 'POST',
      url: '/v1/cases',
      headers: { ...bearer('township'), 'content-type': 'application/json' },
      payload: '{"source": "hotline",',
    });
    expect(res.statusCode).toBe(400);
    expect((res.json() as ErrorBody).error.details).toEqual([expect.objectContaining({ path: 'body' })]);
  });

  it('a JSON body sent as text/plain is 415 naming the expected content type (not a misleading schema error)', async () => {
    const res = await app.inject({
      method: 'POST',
      url: `/v1/cases/${cases.own.caseId}/actions/confirm`,
      headers: { ...bearer('township'), 'content-type': 'text/plain' },
      payload: '{"confirmed": true}',
    });
    expect(res.statusCode).toBe(415);
    const body = res.json() as ErrorBody;
    expect(body.error.code).toBe('unsupported_media_type');
    expect(body.error.message).toMatch(/application\/json/);
    expect(body.error.message).toMatch(/text\/plain/);
    expect(body.error.details).toEqual([{ path: 'headers.content-type', message: 'expected application/json' }]);
  });

  it('schema errors name each bad field with its part', async () => {
    const res = await app.inject({
      method: 'POST',
      url: '/v1/cases',
      headers: bearer('township'),
      payload: { source: 'fax', countyCode: DEMO.county, townshipCode: DEMO.township, location: { address: '' }, description: 'x' },
    });
    expect(res.statusCode).toBe(400);
    const paths = (res.json() as ErrorBody).error.details.map((d) => d.path);
    expect(paths).toEqual(expect.arrayContaining(['body.source', 'body.location.address']));
    const patrol = await app.inject({
      method: 'POST',
      url: '/v1/cases',
      headers: bearer('township'),
      payload: { source: 'patrol', countyCode: DEMO.county, townshipCode: DEMO.township, location: { address: 'a' }, description: 'x' },
    });
    expect((patrol.json() as ErrorBody).error.details.map((d) => d.path)).toEqual(['body.patrol']);
  });

  it('text Postgres cannot store (NUL) is refused with 400 naming the field, never 500', async () => {
    const res = await app.inject({
      method: 'POST',
      url: `/v1/cases/${cases.own.caseId}/actions/capture`,
      headers: bearer('township'),
      payload: { matterCode: 'UM-P-001', party: { kind: 'person', name: 'a\u0000b' } },
    });
    expect(res.statusCode).toBe(400);
    expect((res.json() as ErrorBody).error.details).toEqual([expect.objectContaining({ path: 'body.party.name' })]);
  });

  it('an unexpected failure is 500 with internals hidden', async () => {
    fake.queryError = new Error('secret internal detail: connection string postgres://u:p@db');
    try {
      const res = await app.inject({ method: 'GET', url: `/v1/cases/nowhere-${process.pid}`, headers: bearer('admin') });
      expect(res.statusCode).toBe(500);
      expect(res.json()).toEqual({ error: { code: 'internal', message: 'internal error', details: [] } });
      expect(res.body).not.toContain('secret');
    } finally {
      fake.queryError = undefined;
    }
  });

  it('Temporal unreachable and no read-model row: 503, not 500', async () => {
    const { ServiceError } = await import('@temporalio/client');
    fake.unavailable = new ServiceError('Failed to query Workflow');
    try {
      const res = await app.inject({ method: 'GET', url: `/v1/cases/nowhere-${process.pid}`, headers: bearer('admin') });
      expect(res.statusCode).toBe(503);
      expect(res.headers['retry-after']).toBe('5');
      // a case in the read model is still served from it
      const fromSnapshot = await app.inject({ method: 'GET', url: `/v1/cases/${cases.own.caseId}`, headers: bearer('township') });
      expect(fromSnapshot.statusCode).toBe(200);
      expect(fromSnapshot.json()).toMatchObject({ caseId: cases.own.caseId });
    } finally {
      fake.unavailable = undefined;
    }
  });

  const refusals: [string, number, string][] = [
    [REFUSAL.wrongStage, 409, 'wrong_stage'],
    [REFUSAL.businessRule, 422, 'business_rule'],
    [REFUSAL.invalidInput, 400, 'invalid_input'],
    [REFUSAL.notAllowed, 403, 'forbidden'],
  ];
  for (const [type, status, code] of refusals) {
    it(`a workflow refusal of type ${type} is ${status} with the failure's message and details`, async () => {
      fake.refuseNextUpdate = ApplicationFailure.create({
        type,
        message: `refused: case is in stage "capture"; allowed: capture`,
        details: [{ stage: 'capture', allowedActions: ['capture'], field: 'officerIds' }],
        nonRetryable: true,
      });
      const res = await app.inject({
        method: 'POST',
        url: `/v1/cases/${cases.own.caseId}/actions/assign`,
        headers: bearer('township'),
        payload: { level: 'township', officerIds: ['a', 'b'] },
      });
      expect(res.statusCode).toBe(status);
      const body = res.json() as ErrorBody;
      expect(body.error.code).toBe(code);
      expect(body.error.message).toBe('refused: case is in stage "capture"; allowed: capture');
      expect(body.error.details).toEqual(
        expect.arrayContaining([
          { path: 'stage', message: 'capture' },
          { path: 'allowedActions', message: 'capture' },
          expect.objectContaining({ path: 'body.officerIds' }),
        ]),
      );
    });
  }
});

describe('rate limit on case creation', () => {
  it('POST /v1/cases is limited per caller (configurable), in the error shape; reads are not', async () => {
    const limited = await buildApp({
      pool,
      temporal: { client: new FakeTemporal(pool).client, taskQueue: 'x' },
      jwtSecret: TEST_JWT_SECRET,
      caseCreationRateLimit: { max: 2, timeWindow: '1 minute' },
    });
    try {
      const open = () =>
        limited.inject({
          method: 'POST',
          url: '/v1/cases',
          headers: bearer('township'),
          payload: { source: 'hotline', countyCode: DEMO.county, townshipCode: DEMO.township, location: { address: 'a' }, description: 'x' },
        });
      expect((await open()).statusCode).toBe(201);
      expect((await open()).statusCode).toBe(201);
      const third = await open();
      expect(third.statusCode).toBe(429);
      expect((third.json() as ErrorBody).error.code).toBe('rate_limited');
      // another caller has its own budget
      const other = await limited.inject({
        method: 'POST',
        url: '/v1/cases',
        headers: bearer('admin'),
        payload: { source: 'hotline', countyCode: DEMO.county, townshipCode: DEMO.township, location: { address: 'a' }, description: 'x' },
      });
      expect(other.statusCode).toBe(201);
      for (let i = 0; i < 5; i++) {
        expect((await limited.inject({ method: 'GET', url: `/v1/cases/${cases.own.caseId}`, headers: bearer('township') })).statusCode).toBe(200);
      }
    } finally {
      await limited.close();
    }
  });
});

describe('npm run token', () => {
  const decode = (token: string) => JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString()) as Record<string, unknown>;

  it('signs valid claims with JWT_SECRET, or the development secret', async () => {
    const t = tokenFromArgs(['--role', 'supervisor', '--county', '350722'], {});
    expect(claimsSchema.parse(decode(t))).toMatchObject({ role: 'supervisor', countyCode: '350722' });
    const dev = await buildApp({ pool, temporal: { client: fake.client, taskQueue: 'x' }, jwtSecret: DEV_JWT_SECRET });
    try {
      expect((await dev.inject({ method: 'GET', url: `/v1/cases/${cases.own.caseId}`, headers: { authorization: `Bearer ${t}` } })).statusCode).toBe(200);
    } finally {
      await dev.close();
    }
    const withSecret = tokenFromArgs(['--role', 'township', '--county', DEMO.county, '--township', DEMO.township], { JWT_SECRET: TEST_JWT_SECRET });
    expect((await app.inject({ method: 'GET', url: `/v1/cases/${cases.own.caseId}`, headers: { authorization: `Bearer ${withSecret}` } })).statusCode).toBe(200);
    const upstream = decode(tokenFromArgs(['--role', 'upstream', '--county', DEMO.county, '--townships', `${DEMO.township},${DEMO.otherTownship}`, '--sub', 'hotline'], {}));
    expect(upstream).toMatchObject({ sub: 'hotline', townshipCodes: [DEMO.township, DEMO.otherTownship] });
  });

  it('refuses, naming the flag, when a needed claim is missing or the role is unknown', () => {
    expect(() => tokenFromArgs(['--role', 'township', '--county', DEMO.county], {})).toThrow(/--township/);
    expect(() => tokenFromArgs(['--role', 'county', '--county', DEMO.county], {})).toThrow(/--department/);
    expect(() => tokenFromArgs(['--role', 'upstream'], {})).toThrow(/--county/);
    expect(() => tokenFromArgs(['--role', 'root'], {})).toThrow(/--role/);
    expect(() => tokenFromArgs([], {})).toThrow(/--role/);
    expect(() => tokenFromArgs(['--bogus'], {})).toThrow();
  });
});

import { createHmac } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Claims } from '../../api/claims';
import { DEMO } from '../../db/seed';
import { signDevToken } from '../../runtime/dev-token';
import { bearer, buildFixtureApp, CALLERS, fixtureCases, tokenFor, type CallerName } from '../helpers/api';
import { useTestPool } from '../helpers/db';
import type { FakeTemporal } from '../helpers/fake-temporal';

/**
 * Authentication (401) on every route and jurisdiction (403) across townships, departments, counties
 * and callers (domain.md "Roles"), with the HTTP layer against the run's Postgres and a stand-in for
 * Temporal (test/helpers/fake-temporal.ts).
 */

const pool = useTestPool();
const cases = fixtureCases(`auth${process.pid}`);
let app: FastifyInstance;
let fake: FakeTemporal;

beforeAll(async () => {
  ({ app, fake } = await buildFixtureApp(pool, cases));
});
afterAll(async () => {
  await app?.close();
});

// Open311 authenticates with its own api_key (test/open311/open311.test.ts: a bad key is 403), not a bearer token.
const PUBLIC = [/^\/v1\/session$/, /^\/healthz$/, /^\/readyz$/, /^\/metrics$/, /^\/docs/, /^\/v1\/public\//, /^\/open311\/v2\//];

interface RouteRef {
  method: string;
  url: string;
}

/** Every documented route (OpenAPI) plus the undocumented /metrics, with path parameters filled in. */
async function allRoutes(): Promise<RouteRef[]> {
  const res = await app.inject({ method: 'GET', url: '/docs/json' });
  expect(res.statusCode).toBe(200);
  const doc = res.json() as { paths: Record<string, Record<string, unknown>> };
  const out: RouteRef[] = [];
  for (const [path, ops] of Object.entries(doc.paths)) {
    for (const method of Object.keys(ops)) {
      if (!['get', 'post', 'put', 'patch', 'delete'].includes(method)) continue;
      const url = path.replace(/\{(\w+)\}/g, (_, name: string) => (name === 'caseId' ? cases.own.caseId : 'UM-P-001'));
      out.push({ method: method.toUpperCase(), url });
    }
  }
  return out;
}

function b64(obj: object): string {
  return Buffer.from(JSON.stringify(obj)).toString('base64url');
}

const now = () => Math.floor(Date.now() / 1000);
const BAD_AUTH: Record<string, Record<string, string>> = {
  'no Authorization header': {},
  'not a bearer scheme': { authorization: `Basic ${Buffer.from('a:b').toString('base64')}` },
  'garbage token': { authorization: 'Bearer not-a-jwt' },
  'signed with another secret': { authorization: `Bearer ${signDevToken(CALLERS.admin, 'another-secret-of-16-chars')}` },
  'alg none': { authorization: `Bearer ${b64({ alg: 'none', typ: 'JWT' })}.${b64({ ...CALLERS.admin, iat: now(), exp: now() + 600 })}.` },
  'signed, without exp': {
    authorization: `Bearer ${(() => {
      const header = b64({ alg: 'HS256', typ: 'JWT' });
      const payload = b64({ ...CALLERS.admin, iat: now() });
      const sig = createHmac('sha256', 'test-secret-at-least-16-characters').update(`${header}.${payload}`).digest('base64url');
      return `${header}.${payload}.${sig}`;
    })()}`,
  },
  expired: { authorization: `Bearer ${signDevToken(CALLERS.admin, 'test-secret-at-least-16-characters', -60)}` },
  'valid signature, claims missing townshipCode': {
    authorization: `Bearer ${signDevToken({ sub: 'x', role: 'township', countyCode: DEMO.county } as Claims, 'test-secret-at-least-16-characters')}`,
  },
  'valid signature, unknown role': {
    authorization: `Bearer ${(() => {
      const header = b64({ alg: 'HS256', typ: 'JWT' });
      const payload = b64({ sub: 'x', role: 'root', iat: now(), exp: now() + 60 });
      const sig = createHmac('sha256', 'test-secret-at-least-16-characters').update(`${header}.${payload}`).digest('base64url');
      return `${header}.${payload}.${sig}`;
    })()}`,
  },
};

describe('401 without a valid token', () => {
  it('covers every route of the OpenAPI document, and the document covers the contract', async () => {
    const routes = await allRoutes();
    const keys = routes.map((r) => `${r.method} ${r.url}`);
    // the case routes of api.md are all documented
    expect(keys).toContain(`POST /v1/cases`);
    expect(keys).toContain(`GET /v1/cases/${cases.own.caseId}`);
    expect(keys).toContain(`POST /v1/cases/${cases.own.caseId}/actions/capture`);
    expect(keys).toContain(`POST /v1/cases/${cases.own.caseId}/county-response`);
    expect(keys).toContain(`POST /v1/cases/${cases.own.caseId}/judicial/police-decision`);
    expect(keys).toContain(`POST /v1/cases/${cases.own.caseId}/court/court-ruling`);
    expect(keys).toContain('GET /healthz');
  });

  for (const [label, headers] of Object.entries(BAD_AUTH)) {
    it(`${label}: every protected route answers 401 in the error shape`, async () => {
      const routes = (await allRoutes()).filter((r) => !PUBLIC.some((p) => p.test(r.url)));
      expect(routes.length).toBeGreaterThan(20);
      const failures: string[] = [];
      for (const r of routes) {
        const res = await app.inject({
          method: r.method as 'GET',
          url: r.url,
          headers,
          ...(r.method === 'GET' ? {} : { payload: {} }),
        });
        const body = res.json() as { error?: { code?: string; details?: unknown } };
        if (res.statusCode !== 401 || body.error?.code !== 'unauthorized' || !Array.isArray(body.error.details)) {
          failures.push(`${r.method} ${r.url} → ${res.statusCode} ${res.body.slice(0, 120)}`);
        }
      }
      expect(failures).toEqual([]);
    });
  }

  it('public routes answer without a token', async () => {
    for (const url of ['/healthz', '/readyz', '/metrics', '/docs/json']) {
      const res = await app.inject({ method: 'GET', url });
      expect(res.statusCode, url).toBe(200);
    }
  });
});

async function get(caller: CallerName, caseId: string) {
  return app.inject({ method: 'GET', url: `/v1/cases/${caseId}`, headers: bearer(caller) });
}

function expectError(res: { statusCode: number; json: () => unknown }, status: number) {
  expect(res.statusCode).toBe(status);
  const body = res.json() as { error: { code: string; message: string; details: unknown[] } };
  expect(typeof body.error.code).toBe('string');
  expect(typeof body.error.message).toBe('string');
  expect(Array.isArray(body.error.details)).toBe(true);
  return body;
}

describe('GET /v1/cases/{caseId}: who may read which case', () => {
  const table: [CallerName, keyof typeof cases, 200 | 403][] = [
    ['upstream', 'own', 200], // created it
    ['upstream', 'otherTownship', 403], // created by another upstream
    ['upstreamOther', 'own', 403],
    ['upstreamOther', 'otherTownship', 200],
    ['township', 'own', 200],
    ['township', 'otherTownship', 403],
    ['township', 'otherCounty', 403],
    ['otherTownship', 'own', 403],
    ['otherTownship', 'otherTownship', 200],
    ['county', 'transferred', 200], // handler is its department
    ['county', 'returned', 200], // its department answered the transfer (timeline)
    ['county', 'own', 403], // never involved
    ['otherDepartment', 'transferred', 403],
    ['otherDepartment', 'returned', 403],
    ['supervisor', 'own', 200],
    ['supervisor', 'otherTownship', 200],
    ['supervisor', 'otherCounty', 403],
    ['otherSupervisor', 'otherCounty', 200],
    ['otherSupervisor', 'own', 403],
    ['citySupervisor', 'otherCounty', 200],
    ['citySupervisor', 'own', 200],
    ['admin', 'otherCounty', 200],
    ['admin', 'closed', 200], // closed: read model only
    ['township', 'closed', 200],
    ['otherTownship', 'closed', 403],
  ];
  for (const [caller, which, status] of table) {
    it(`${caller} reading the ${which} case → ${status}`, async () => {
      const res = await get(caller, cases[which].caseId);
      if (status === 200) {
        expect(res.statusCode).toBe(200);
        expect(res.json()).toMatchObject({ caseId: cases[which].caseId, countyCode: cases[which].countyCode });
      } else {
        const body = expectError(res, 403);
        // nothing of the case leaks into the refusal
        expect(JSON.stringify(body)).not.toContain(cases[which].description);
      }
    });
  }

  it('an unknown case is 404 for everyone, and a malformed id 400', async () => {
    for (const caller of ['township', 'admin', 'upstream'] as const) {
      const body = expectError(await get(caller, `nope-${process.pid}`), 404);
      expect(body.error.code).toBe('not_found');
    }
    const res = await app.inject({ method: 'GET', url: '/v1/cases/bad%20id!', headers: bearer('admin') });
    const body = expectError(res, 400);
    expect(body.error.details).toEqual([expect.objectContaining({ path: 'params.caseId' })]);
  });
});

const newCase = (townshipCode: string = DEMO.township, countyCode: string = DEMO.county) => ({
  source: 'hotline',
  countyCode,
  townshipCode,
  location: { address: '莲塘镇街上路1号' },
  description: '占道经营，堵塞通道',
});

describe('POST /v1/cases: who may open where', () => {
  const table: [CallerName, string, string, 201 | 403 | 422][] = [
    ['township', DEMO.township, DEMO.county, 201],
    ['township', DEMO.otherTownship, DEMO.county, 403],
    ['otherTownship', DEMO.township, DEMO.county, 403],
    ['upstream', DEMO.otherTownship, DEMO.county, 201],
    ['upstream', DEMO.otherCountyTownship, DEMO.otherCounty, 403],
    ['upstreamOneTownship', DEMO.township, DEMO.county, 403],
    ['upstreamOneTownship', DEMO.otherTownship, DEMO.county, 201],
    ['county', DEMO.township, DEMO.county, 403],
    ['supervisor', DEMO.township, DEMO.county, 403],
    ['citySupervisor', DEMO.township, DEMO.county, 403],
    ['admin', DEMO.otherCountyTownship, DEMO.otherCounty, 201],
    ['admin', 'NOPE-999', DEMO.county, 422], // unknown township
    ['admin', DEMO.otherCountyTownship, DEMO.county, 422], // township of another county
  ];
  for (const [caller, township, county, status] of table) {
    it(`${caller} opening in ${township}/${county} → ${status}`, async () => {
      const before = fake.starts.length;
      const res = await app.inject({ method: 'POST', url: '/v1/cases', headers: bearer(caller), payload: newCase(township, county) });
      if (status === 201) {
        expect(res.statusCode).toBe(201);
        const c = res.json() as { caseId: string; townshipCode: string; createdBy: { sub: string } };
        expect(c.townshipCode).toBe(township);
        expect(c.createdBy.sub).toBe(CALLERS[caller].sub);
        expect(fake.starts.length).toBe(before + 1);
        expect(fake.starts.at(-1)?.input).toMatchObject({ caseId: c.caseId, createdBy: { sub: CALLERS[caller].sub, role: CALLERS[caller].role } });
      } else {
        const body = expectError(res, status);
        if (status === 422) expect(body.error.details.length).toBeGreaterThan(0);
        expect(fake.starts.length).toBe(before); // nothing started
      }
    });
  }
});

describe('actions: township on its own cases, county on transfers it holds', () => {
  const url = (caseId: string) => `/v1/cases/${caseId}/actions/capture`;
  const body = { matterCode: DEMO.matters.townshipPenalty, party: { kind: 'person', name: '张三' } };
  const table: [CallerName, keyof typeof cases, 200 | 403 | 404 | 409][] = [
    ['township', 'own', 200],
    ['otherTownship', 'own', 403],
    ['township', 'otherCounty', 403],
    ['county', 'own', 403], // not transferred to it
    ['county', 'transferred', 200], // handler is its department
    ['otherDepartment', 'transferred', 403],
    ['county', 'returned', 403], // returned: no longer its case to act on
    ['upstream', 'own', 403], // upstream reads, never acts
    ['supervisor', 'own', 403],
    ['admin', 'own', 403],
    ['township', 'closed', 409],
  ];
  for (const [caller, which, status] of table) {
    it(`${caller} capturing on the ${which} case → ${status}`, async () => {
      const before = fake.updates.length;
      const res = await app.inject({ method: 'POST', url: url(cases[which].caseId), headers: bearer(caller), payload: body });
      if (status === 200) {
        expect(res.statusCode).toBe(200);
        expect(res.json()).toMatchObject({ caseId: cases[which].caseId });
        const sent = fake.updates.at(-1);
        expect(sent).toMatchObject({
          workflowId: cases[which].caseId,
          name: 'action',
          arg: { action: 'capture', body, actor: { sub: CALLERS[caller].sub, role: CALLERS[caller].role } },
        });
      } else {
        expectError(res, status);
        expect(fake.updates.length).toBe(before);
      }
    });
  }
  it('an unknown case is 404', async () => {
    expectError(await app.inject({ method: 'POST', url: url('nope-x'), headers: bearer('township'), payload: body }), 404);
  });
});

describe('county-response: only the department the case awaits', () => {
  const url = (caseId: string) => `/v1/cases/${caseId}/county-response`;
  const table: [CallerName, keyof typeof cases, 202 | 403 | 409][] = [
    ['county', 'transferred', 202],
    ['otherDepartment', 'transferred', 403],
    ['township', 'transferred', 403],
    ['supervisor', 'transferred', 403],
    ['admin', 'transferred', 403],
    ['county', 'own', 403], // not involved: nothing revealed
    ['county', 'returned', 409], // involved before, awaits nothing now
  ];
  for (const [caller, which, status] of table) {
    it(`${caller} answering the ${which} case → ${status}`, async () => {
      const before = fake.signals.length;
      const res = await app.inject({ method: 'POST', url: url(cases[which].caseId), headers: bearer(caller), payload: { decision: 'accept' } });
      if (status === 202) {
        expect(res.statusCode).toBe(202);
        expect(res.json()).toMatchObject({ accepted: true, caseId: cases[which].caseId });
        expect(fake.signals.at(-1)).toMatchObject({
          workflowId: cases[which].caseId,
          name: 'countyResponse',
          arg: { decision: 'accept', departmentCode: DEMO.departments.urbanManagement, actor: { sub: CALLERS.county.sub } },
        });
      } else {
        expectError(res, status);
        expect(fake.signals.length).toBe(before);
      }
    });
  }
});

describe('judicial and court events: township (own) and admin, only with a running child', () => {
  const table: [CallerName, 'judicial' | 'court', keyof typeof cases, 202 | 403 | 409][] = [
    ['township', 'judicial', 'judicial', 202],
    ['admin', 'judicial', 'judicial', 202],
    ['otherTownship', 'judicial', 'judicial', 403],
    ['county', 'judicial', 'judicial', 403],
    ['supervisor', 'judicial', 'judicial', 403],
    ['upstream', 'judicial', 'judicial', 403],
    ['township', 'judicial', 'own', 409], // no judicial transfer running
    ['township', 'judicial', 'court', 409],
    ['township', 'court', 'court', 202],
    ['admin', 'court', 'court', 202],
    ['otherTownship', 'court', 'court', 403],
    ['citySupervisor', 'court', 'court', 403],
    ['township', 'court', 'judicial', 409],
  ];
  for (const [caller, kind, which, status] of table) {
    it(`${caller} sending a ${kind} event on the ${which} case → ${status}`, async () => {
      const before = fake.updates.length;
      const [event, payload] = kind === 'judicial' ? ['police-decision', { accepted: true }] : ['court-ruling', { granted: true }];
      const res = await app.inject({ method: 'POST', url: `/v1/cases/${cases[which].caseId}/${kind}/${event}`, headers: bearer(caller), payload });
      if (status === 202) {
        expect(res.statusCode).toBe(202);
        // sent as the case's childEvent update, which checks the order of events before forwarding it
        expect(fake.updates.at(-1)).toMatchObject({
          workflowId: cases[which].caseId,
          name: 'childEvent',
          arg: { kind: kind === 'judicial' ? 'judicial-transfer' : 'court-enforcement', event: { event, ...payload, actor: { sub: CALLERS[caller].sub } } },
        });
      } else {
        expectError(res, status);
        expect(fake.updates.length).toBe(before);
      }
    });
  }
});

describe('GET /v1/cases lists only the caller’s jurisdiction', () => {
  async function list(caller: CallerName, query = '') {
    const res = await app.inject({ method: 'GET', url: `/v1/cases?limit=500${query}`, headers: bearer(caller) });
    return res;
  }
  const rows = async (caller: CallerName, query = '') => {
    const res = await list(caller, query);
    expect(res.statusCode, res.body).toBe(200);
    return (res.json() as { items: { caseId: string; countyCode: string; townshipCode: string; handler?: { departmentCode?: string } }[] }).items;
  };
  const ours = (items: { caseId: string }[]) => items.map((i) => i.caseId).filter((id) => id.startsWith(`auth${process.pid}-`)).sort();

  it('township: its own township only', async () => {
    const items = await rows('township');
    expect(items.every((i) => i.townshipCode === DEMO.township)).toBe(true);
    expect(ours(items)).toContain(cases.own.caseId);
    expect(ours(items)).not.toContain(cases.otherTownship.caseId);
    expect(ours(items)).not.toContain(cases.otherCounty.caseId);
  });
  it('county: the cases its department handles', async () => {
    const items = await rows('county');
    expect(ours(items)).toContain(cases.transferred.caseId);
    expect(ours(items)).not.toContain(cases.own.caseId);
    expect(ours(items)).not.toContain(cases.otherCounty.caseId);
    expect((await rows('otherDepartment')).map((i) => i.caseId)).not.toContain(cases.transferred.caseId);
  });
  it('supervisor: its county; city supervisor: all', async () => {
    const items = await rows('supervisor');
    expect(items.every((i) => i.countyCode === DEMO.county)).toBe(true);
    expect(ours(items)).toEqual(expect.arrayContaining([cases.own.caseId, cases.otherTownship.caseId]));
    expect(ours(items)).not.toContain(cases.otherCounty.caseId);
    expect(ours(await rows('otherSupervisor'))).toEqual([cases.otherCounty.caseId]);
    expect(ours(await rows('citySupervisor'))).toEqual(expect.arrayContaining([cases.own.caseId, cases.otherCounty.caseId]));
  });
  it('a filter outside the jurisdiction is refused, never answered with foreign rows', async () => {
    expectError(await list('township', `&townshipCode=${DEMO.otherTownship}`), 403);
    expectError(await list('supervisor', `&countyCode=${DEMO.otherCounty}`), 403);
    expectError(await list('county', `&departmentCode=${DEMO.departments.ecology}`), 403);
  });
  it('upstream may not list', async () => {
    expectError(await list('upstream'), 403);
  });
});

describe('tokens', () => {
  it('a township token without its townshipCode claim is refused even with a good signature', async () => {
    const res = await app.inject({
      method: 'GET',
      url: `/v1/cases/${cases.own.caseId}`,
      headers: { authorization: `Bearer ${tokenFor({ sub: 'x', role: 'township', countyCode: DEMO.county } as Claims)}` },
    });
    const body = expectError(res, 401);
    expect(body.error.details).toEqual([expect.objectContaining({ path: 'token.townshipCode' })]);
  });
});

describe('token lifetime', () => {
  const secret = 'test-secret-at-least-16-characters';
  const unsigned = (payload: object) => {
    const header = b64({ alg: 'HS256', typ: 'JWT' });
    const body = b64(payload);
    const sig = createHmac('sha256', secret).update(`${header}.${body}`).digest('base64url');
    return `${header}.${body}.${sig}`;
  };

  it('a signed token without exp is refused with 401 saying tokens must expire', async () => {
    const token = unsigned({ ...CALLERS.admin, iat: now() });
    const res = await app.inject({ method: 'GET', url: '/v1/jurisdictions', headers: { authorization: `Bearer ${token}` } });
    expect(res.statusCode).toBe(401);
    const body = res.json() as { error: { code: string; message: string; details: { path: string }[] } };
    expect(body.error.code).toBe('unauthorized');
    expect(body.error.message).toMatch(/no exp claim/);
    expect(body.error.details).toEqual([{ path: 'token.exp', message: 'required' }]);
  });

  it('an expired token says "token expired"', async () => {
    const res = await app.inject({ method: 'GET', url: '/v1/jurisdictions', headers: BAD_AUTH.expired! });
    expect(res.statusCode).toBe(401);
    expect((res.json() as { error: { message: string } }).error.message).toBe('token expired');
  });

  it('the same token with exp in the future is accepted; test and dev tokens carry exp (12 hours by default)', async () => {
    const ok = await app.inject({
      method: 'GET',
      url: '/v1/jurisdictions',
      headers: { authorization: `Bearer ${unsigned({ ...CALLERS.admin, iat: now(), exp: now() + 60 })}` },
    });
    expect(ok.statusCode).toBe(200);
    const payload = JSON.parse(Buffer.from(tokenFor('admin').split('.')[1]!, 'base64url').toString()) as { exp?: number; iat?: number };
    expect(payload.exp! - payload.iat!).toBe(12 * 3600);
  });

  it('a token verified (and so remembered by the verifier) is refused once its exp has passed', async () => {
    const exp = now() + 2;
    const headers = { authorization: `Bearer ${unsigned({ ...CALLERS.admin, iat: now(), exp })}` };
    for (let i = 0; i < 2; i++) expect((await app.inject({ method: 'GET', url: '/v1/jurisdictions', headers })).statusCode).toBe(200);
    // exp is in whole seconds: wait until it is past (real time; nothing here is timed)
    await new Promise((resolve) => setTimeout(resolve, exp * 1000 - Date.now() + 50));
    const res = await app.inject({ method: 'GET', url: '/v1/jurisdictions', headers });
    expect(res.statusCode).toBe(401);
    expect((res.json() as { error: { message: string } }).error.message).toBe('token expired');
  });

  it('tokens the app itself signs (app.jwt.sign) carry exp, and verify', async () => {
    const token = app.jwt.sign({ ...CALLERS.admin });
    const payload = JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString()) as { exp?: number; iat?: number };
    expect(payload.exp! - payload.iat!).toBe(12 * 3600);
    const res = await app.inject({ method: 'GET', url: '/v1/jurisdictions', headers: { authorization: `Bearer ${token}` } });
    expect(res.statusCode).toBe(200);
  });
});

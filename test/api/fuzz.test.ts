import fc from 'fast-check';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO } from '../../db/seed';
import { ACTIONS, type ActionName } from '../../domain/stages';
import { COURT_EVENTS, JUDICIAL_EVENTS } from '../../domain/actions';
import { bearer, buildFixtureApp, fixtureCases, type CallerName } from '../helpers/api';
import { useTestPool } from '../helpers/db';

/**
 * Property-based fuzzing of every route's body, path parameters, query and headers: random JSON,
 * wrong types, missing fields, huge and unusual strings. Whatever comes in, the API never answers 5xx,
 * always answers errors in api.md's shape, and a 400 names the bad field (`details[].path`).
 */

const pool = useTestPool();
const cases = fixtureCases(`fuzz${process.pid}`);
let app: FastifyInstance;

const RUNS = 100;

beforeAll(async () => {
  ({ app } = await buildFixtureApp(pool, cases));
});
afterAll(async () => {
  await app?.close();
});

// ------------------------------------------------------------------ valid requests to mutate

const VALID_ACTION_BODIES: Record<ActionName, Record<string, unknown>> = {
  'patrol-report': { gridMemberId: 'GM-1', observedAt: '2026-03-02T09:00:00+08:00', findings: '占道', photos: ['https://example.org/a.jpg'] },
  confirm: { confirmed: true, reason: 'seen' },
  capture: {
    matterCode: DEMO.matters.townshipPenalty,
    party: { kind: 'organization', name: '好味来小吃店', creditCode: '92350722DEMO00002X' },
    evidence: [{ kind: 'photo' }],
    urgent: false,
  },
  assign: { level: 'township', officerIds: [...DEMO.officers.certified.slice(0, 2)] },
  handle: { outcome: 'corrected', notes: 'done' },
  file: { filedAt: '2026-03-02T09:00:00+08:00' },
  'notify-rights': { proposedFine: 100 },
  'hearing-request': {},
  'hearing-held': { notes: 'held' },
  decide: { kind: 'penalty', fine: 100, summary: true },
  serve: { servedAt: '2026-03-02T09:00:00+08:00' },
  'record-payment': { amount: 100, paidAt: '2026-03-02T09:00:00+08:00' },
  verify: { passed: true, notes: 'ok' },
  return: { reason: '不属于本镇职责，请重新派单' },
  'preserve-evidence': { items: ['货物 20 箱'], preservedAt: '2026-03-02T09:00:00+08:00', approvedBy: '大队长' },
  'decide-preserved-evidence': { decision: 'release', notes: 'ok' },
  'hearing-notice': { hearingAt: '2026-03-20T09:00:00+08:00', noticeServedAt: '2026-03-02T09:00:00+08:00', place: '大队会议室' },
  'appeal-filed': { kind: 'lawsuit', filedAt: '2026-03-02T09:00:00+08:00', body: '浦城县人民法院' },
  'appeal-decided': { upheld: false, decidedAt: '2026-03-02T09:00:00+08:00', reason: '撤销' },
};

interface BodyRoute {
  method?: 'POST' | 'PUT';
  url: string;
  valid: Record<string, unknown>;
  caller: CallerName;
}

const caseId = () => cases.own.caseId;
const BODY_ROUTES = (): BodyRoute[] => [
  {
    url: '/v1/cases',
    caller: 'township',
    valid: {
      source: 'hotline',
      externalRef: 'T-1',
      countyCode: DEMO.county,
      townshipCode: DEMO.township,
      gridCode: DEMO.townshipGrid,
      location: { address: '莲塘镇', lat: 27.9, lng: 118.5 },
      description: '占道经营',
      urgent: true,
      reporter: { name: '李四', phone: '12345' },
    },
  },
  ...ACTIONS.map((a) => ({ url: `/v1/cases/${caseId()}/actions/${a}`, caller: 'township' as const, valid: VALID_ACTION_BODIES[a] })),
  { url: `/v1/cases/${cases.transferred.caseId}/county-response`, caller: 'county', valid: { decision: 'return', reason: 'not ours' } },
  { url: `/v1/cases/${cases.judicial.caseId}/judicial/police-decision`, caller: 'township', valid: { accepted: false, reason: 'no crime' } },
  { url: `/v1/cases/${cases.judicial.caseId}/judicial/head-approval`, caller: 'township', valid: { notes: 'ok' } },
  { url: `/v1/cases/${cases.judicial.caseId}/judicial/reconsideration-request`, caller: 'township', valid: { reason: 'disagree' } },
  { url: `/v1/cases/${cases.judicial.caseId}/judicial/reconsideration-answer`, caller: 'township', valid: { accepted: true } },
  { url: `/v1/cases/${cases.court.caseId}/court/court-accepted`, caller: 'township', valid: { notes: 'x' } },
  { url: `/v1/cases/${cases.court.caseId}/court/court-ruling`, caller: 'township', valid: { granted: true, notes: 'x' } },
  { url: `/v1/cases/${cases.court.caseId}/court/executed`, caller: 'township', valid: { notes: 'x' } },
  { method: 'PUT', url: '/v1/admin/sla-policy', caller: 'admin', valid: { slas: { patrol: { duration: 'PT2H' } } } },
];

// ------------------------------------------------------------------ the invariant

interface Sent {
  body?: unknown;
  query?: Record<string, string>;
  params?: Record<string, string>;
  headers?: Record<string, string>;
}

const PARTS = ['body', 'querystring', 'params', 'headers'] as const;

/** Checks api.md's error contract for one response; returns the error body when there is one. */
function checkResponse(
  res: { statusCode: number; body: string; headers: Record<string, unknown> },
  sent: Sent,
): { code: string; message: string; details: { path: string; message: string }[] } | undefined {
  expect(res.statusCode, res.body).toBeLessThan(500);
  if (res.statusCode < 400) return undefined;
  const parsed = JSON.parse(res.body) as { error: { code: string; message: string; details: { path: string; message: string }[] } };
  expect(Object.keys(parsed)).toEqual(['error']);
  expect(typeof parsed.error.code).toBe('string');
  expect(typeof parsed.error.message).toBe('string');
  expect(Array.isArray(parsed.error.details)).toBe(true);
  for (const d of parsed.error.details) {
    expect(typeof d.path).toBe('string');
    expect(typeof d.message).toBe('string');
  }
  if (res.statusCode === 400) {
    expect(parsed.error.details.length, res.body).toBeGreaterThan(0);
    for (const d of parsed.error.details) {
      // the path names a part of the request, or a field that was sent
      const [head, field] = d.path.split('.');
      const sentKeys = new Set<string>([
        ...Object.keys(sent.query ?? {}),
        ...Object.keys(sent.params ?? {}),
        ...(sent.body && typeof sent.body === 'object' && !Array.isArray(sent.body) ? Object.keys(sent.body) : []),
      ]);
      const namesPart = (PARTS as readonly string[]).includes(head ?? '');
      expect(namesPart || sentKeys.has(head ?? ''), `${d.path} in ${res.body}`).toBe(true);
      if (namesPart && head === 'params' && field) expect(Object.keys(sent.params ?? {})).toContain(field);
    }
  }
  return parsed.error;
}

// ------------------------------------------------------------------ arbitraries

const weirdString = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 50 }),
  fc.string({ unit: 'grapheme', maxLength: 50 }),
  fc.constantFrom('', ' ', '\u0000', 'a\u0000b', '\ud800', 'x\udfffy', '\u202e', '💥'.repeat(100), 'a'.repeat(6000), '../../etc/passwd', "'; drop table cases; --", '{{7*7}}', '%00'),
);
/** Object keys, without the prototype-poisoning ones the JSON parser refuses outright (a 400 on the whole body). */
const safeKey = fc.string({ maxLength: 10 }).filter((k) => k !== '__proto__' && k !== 'constructor');
const anyJson = fc.oneof(fc.jsonValue({ maxDepth: 3 }), weirdString, fc.constant(null));

/** A value of a type the field never accepts, given a valid value of it. */
function wrongTypeFor(valid: unknown): fc.Arbitrary<unknown> {
  if (Array.isArray(valid)) return fc.oneof(fc.constant(null), fc.integer(), weirdString, fc.dictionary(safeKey, fc.integer(), { maxKeys: 2 }));
  if (valid !== null && typeof valid === 'object')
    return fc.oneof(fc.constant(null), fc.integer(), weirdString, fc.boolean(), fc.array(fc.integer(), { maxLength: 2 }));
  return fc.oneof(fc.constant(null), fc.dictionary(safeKey, fc.integer(), { maxKeys: 2 }), fc.array(weirdString, { maxLength: 2 }));
}

/** A path segment for `s`; undefined when `s` cannot be a URL at all (an unpaired surrogate). */
function segment(s: string): string | undefined {
  try {
    return encodeURIComponent(s);
  } catch {
    return undefined;
  }
}

async function post(url: string, caller: CallerName, payload: unknown, headers: Record<string, string> = {}, method: 'POST' | 'PUT' = 'POST') {
  return app.inject({
    method,
    url,
    headers: { ...bearer(caller), 'content-type': 'application/json', ...headers },
    payload: JSON.stringify(payload),
  });
}

// ------------------------------------------------------------------ properties

describe('bodies', () => {
  it('the valid bodies used below are valid (a 400 here means the fuzz baseline is wrong)', async () => {
    for (const r of BODY_ROUTES()) {
      const res = await post(r.url, r.caller, r.valid, r.url === '/v1/cases' ? { 'idempotency-key': `fuzz-baseline-${process.pid}` } : {}, r.method);
      expect(res.statusCode, `${r.url}: ${res.body}`).not.toBe(400);
      checkResponse(res, { body: r.valid });
    }
  });

  for (const r of BODY_ROUTES()) {
    describe(r.url.replace(/fuzz\d+-\w+/, '{caseId}'), () => {
      it('random JSON bodies: never 5xx, errors in shape', async () => {
        await fc.assert(
          fc.asyncProperty(anyJson, async (body) => {
            checkResponse(await post(r.url, r.caller, body, {}, r.method), { body });
          }),
          { numRuns: RUNS },
        );
      });

      const keys = Object.keys(r.valid);
      if (keys.length === 0) return;
      it('a field of the wrong type: 400 naming body.<field>', async () => {
        const arb = fc.constantFrom(...keys).chain((k) => wrongTypeFor(r.valid[k]).map((v) => ({ k, v })));
        await fc.assert(
          fc.asyncProperty(arb, async ({ k, v }) => {
            const body = { ...r.valid, [k]: v };
            const res = await post(r.url, r.caller, body, {}, r.method);
            const err = checkResponse(res, { body });
            expect(res.statusCode, res.body).toBe(400);
            expect(err?.details.map((d) => d.path), res.body).toEqual(
              expect.arrayContaining([expect.stringMatching(new RegExp(`^body\\.${k.replace(/[.-]/g, '\\$&')}(\\.|$)`))]),
            );
          }),
          { numRuns: RUNS },
        );
      });

      it('a field removed or an unknown field added: never 5xx; a 400 names the field', async () => {
        const arb = fc.oneof(
          fc.constantFrom(...keys).map((k) => ({ drop: k, add: undefined as string | undefined })),
          fc.string({ minLength: 1, maxLength: 20 }).filter((k) => !keys.includes(k) && k !== '__proto__').map((k) => ({ drop: undefined as string | undefined, add: k })),
        );
        await fc.assert(
          fc.asyncProperty(arb, anyJson, async ({ drop, add }, value) => {
            const body: Record<string, unknown> = { ...r.valid };
            if (drop) delete body[drop];
            if (add) body[add] = value;
            const res = await post(r.url, r.caller, body, {}, r.method);
            const err = checkResponse(res, { body: { ...body, ...(drop ? { [drop]: undefined } : {}) } });
            if (add) {
              // every body schema is strict: an unknown field is refused, at the body (zod's unrecognized_keys) or the field
              expect(res.statusCode, res.body).toBe(400);
              expect(err?.details.some((d) => d.path === 'body' || d.path === `body.${add}` || d.path.startsWith(`body.${add}.`)), res.body).toBe(true);
            }
            if (drop && res.statusCode === 400) {
              expect(err?.details.some((d) => d.path === `body.${drop}` || d.path.startsWith(`body.${drop}.`) || d.path === 'body'), res.body).toBe(true);
            }
          }),
          { numRuns: RUNS },
        );
      });

      it('string fields filled with huge or unusual strings: never 5xx', async () => {
        const stringKeys = keys.filter((k) => typeof r.valid[k] === 'string');
        if (stringKeys.length === 0) return;
        await fc.assert(
          fc.asyncProperty(fc.constantFrom(...stringKeys), weirdString, async (k, v) => {
            const body = { ...r.valid, [k]: v };
            checkResponse(await post(r.url, r.caller, body, {}, r.method), { body });
          }),
          { numRuns: RUNS },
        );
      });
    });
  }

  it('raw bytes that are not JSON, or JSON of the wrong kind: 400 naming the body, never 5xx', async () => {
    await fc.assert(
      fc.asyncProperty(fc.string({ unit: 'binary', maxLength: 200 }), fc.constantFrom(...BODY_ROUTES()), async (raw, r) => {
        const res = await app.inject({
          method: r.method ?? 'POST',
          url: r.url,
          headers: { ...bearer(r.caller), 'content-type': 'application/json' },
          payload: raw,
        });
        checkResponse(res, {});
        let isJson = true;
        try {
          JSON.parse(raw);
        } catch {
          isJson = false;
        }
        if (!isJson) {
          expect(res.statusCode, res.body).toBe(400);
          expect((res.json() as { error: { details: { path: string }[] } }).error.details[0]?.path).toBe('body');
        }
      }),
      { numRuns: RUNS },
    );
  });

  it('a body over the size limit is 413 in the error shape; other media types 415', async () => {
    const big = { ...BODY_ROUTES()[0]!.valid, description: 'x'.repeat(300 * 1024) };
    const res = await post('/v1/cases', 'township', big);
    expect(res.statusCode).toBe(413);
    checkResponse(res, {});
    const xml = await app.inject({ method: 'POST', url: '/v1/cases', headers: { ...bearer('township'), 'content-type': 'application/xml' }, payload: '<a/>' });
    expect(xml.statusCode).toBe(415);
    checkResponse(xml, {});
  });
});

describe('path parameters', () => {
  const caseRoutes = (id: string): [string, string, Record<string, unknown> | undefined][] => [
    ['GET', `/v1/cases/${id}`, undefined],
    ['POST', `/v1/cases/${id}/actions/confirm`, { confirmed: true }],
    ['POST', `/v1/cases/${id}/county-response`, { decision: 'accept' }],
    ['POST', `/v1/cases/${id}/judicial/head-approval`, {}],
    ['POST', `/v1/cases/${id}/court/executed`, {}],
  ];
  it('random case ids: 400 naming params.caseId, 404 or 403; never 5xx', async () => {
    await fc.assert(
      fc.asyncProperty(fc.oneof(weirdString, fc.stringMatching(/^[A-Za-z0-9_.-]{1,80}$/)), fc.constantFrom<CallerName>('admin', 'township', 'county', 'upstream'), async (raw, caller) => {
        const id = segment(raw);
        if (!id) return;
        for (const [method, url, payload] of caseRoutes(id)) {
          const res = await app.inject({ method: method as 'GET', url, headers: bearer(caller), ...(payload === undefined ? {} : { payload }) });
          const err = checkResponse(res, { params: { caseId: raw } });
          expect([400, 403, 404, 409, 414]).toContain(res.statusCode);
          if (res.statusCode === 400 || res.statusCode === 414) {
            expect(err?.details.some((d) => d.path === 'params.caseId' || d.path === 'params'), res.body).toBe(true);
          }
        }
      }),
      { numRuns: RUNS },
    );
  });

  it('unknown action, judicial or court event names: 400 naming the parameter (or 404 for no route)', async () => {
    const known = new Set<string>([...ACTIONS, ...JUDICIAL_EVENTS, ...COURT_EVENTS]);
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(weirdString, fc.stringMatching(/^[a-z-]{1,30}$/)).filter((s) => !known.has(s) && !!segment(s)),
        fc.constantFrom(['actions', 'action'], ['judicial', 'event'], ['court', 'event']),
        async (name, [part, param]) => {
          const res = await post(`/v1/cases/${cases.own.caseId}/${part}/${segment(name)}`, 'township', {});
          const err = checkResponse(res, { params: { caseId: cases.own.caseId, [param!]: name } });
          expect([400, 404, 414]).toContain(res.statusCode);
          if (res.statusCode === 400 || res.statusCode === 414) {
            expect(err?.details.some((d) => d.path === `params.${param}` || d.path === 'params'), res.body).toBe(true);
          }
        },
      ),
      { numRuns: RUNS },
    );
  });
});

describe('query strings and headers', () => {
  const GET_ROUTES: [string, CallerName, string[]][] = [
    ['/v1/cases', 'admin', ['overdue', 'status', 'stage', 'countyCode', 'townshipCode', 'departmentCode', 'source', 'openedFrom', 'openedTo', 'limit', 'cursor']],
    ['/v1/cases', 'township', ['overdue', 'status', 'townshipCode', 'limit', 'cursor']],
    ['/v1/stats/efficiency', 'supervisor', ['groupBy', 'from', 'to']],
    ['/v1/stats/trend', 'supervisor', ['interval', 'from', 'to']],
    ['/v1/stats/overview', 'supervisor', []],
    ['/v1/jurisdictions', 'township', []],
    ['/v1/matters', 'township', ['level', 'category', 'limit', 'cursor']],
    [`/v1/matters/${DEMO.matters.townshipPenalty}`, 'township', []],
    ['/v1/officers', 'admin', ['townshipCode', 'departmentCode', 'limit', 'cursor']],
    ['/v1/admin/sla-policy', 'admin', []],
    ['/v1/public/disclosures', 'admin', ['limit', 'cursor', 'countyCode']],
    [`/v1/cases/${'x'}`, 'admin', []],
  ];
  for (const [url, caller, knownKeys] of GET_ROUTES) {
    it(`GET ${url} as ${caller}: random query strings never 5xx; a 400 names the parameter`, async () => {
      const key = fc.oneof(knownKeys.length ? fc.constantFrom(...knownKeys) : fc.constant('q'), fc.string({ minLength: 1, maxLength: 10 }));
      await fc.assert(
        fc.asyncProperty(fc.dictionary(key, fc.oneof(weirdString, fc.integer().map(String), fc.constantFrom('true', '0', '-1', '501', '2026-02-30', 'township')), { maxKeys: 4 }), async (query) => {
          const res = await app.inject({ method: 'GET', url, query, headers: bearer(caller) });
          checkResponse(res, { query });
        }),
        { numRuns: RUNS },
      );
    });
  }

  it('Idempotency-Key header: too long is 400 naming headers.idempotency-key; never 5xx', async () => {
    const body = BODY_ROUTES()[0]!.valid;
    await fc.assert(
      fc.asyncProperty(fc.string({ unit: 'grapheme-ascii', minLength: 1, maxLength: 300 }), async (key) => {
        const res = await post('/v1/cases', 'township', body, { 'idempotency-key': key });
        const err = checkResponse(res, { headers: { 'idempotency-key': key } });
        if (key.trim().length > 200 || key.trim().length === 0) {
          expect(res.statusCode).toBe(400);
          expect(err?.details.map((d) => d.path)).toContain('headers.idempotency-key');
        } else {
          expect([200, 201]).toContain(res.statusCode);
        }
      }),
      { numRuns: RUNS },
    );
  });
});

describe('instants at the edges: extreme UTC offsets and dates in list and statistics filters', () => {
  const pad = (n: number, w: number) => String(n).padStart(w, '0');
  const instant = fc
    .record({
      year: fc.constantFrom(1, 1899, 1900, 1970, 2016, 2026, 9000, 9001, 9999),
      month: fc.constantFrom(1, 2, 12, 13),
      day: fc.constantFrom(1, 28, 29, 30, 31),
      time: fc.constantFrom('00:00:00', '23:59:59', '23:59:60', '24:00:00', '11:39:42.123456', '12:00:00.999999999'),
      offset: fc.constantFrom('Z', '+00:00', '+08:00', '+14:00', '-12:00', '+15:59', '-15:59', '+16:00', '-16:00', '+23:59', '-23:59', '+0800'),
      dateOnly: fc.boolean(),
    })
    .map(({ year, month, day, time, offset, dateOnly }) => {
      const date = `${pad(year, 4)}-${pad(month, 2)}-${pad(day, 2)}`;
      return dateOnly ? date : `${date}T${time}${offset}`;
    });
  const routes: [string, CallerName, [string, string]][] = [
    ['/v1/cases', 'admin', ['openedFrom', 'openedTo']],
    ['/v1/cases', 'township', ['openedFrom', 'openedTo']],
    ['/v1/cases?overdue=true', 'supervisor', ['openedFrom', 'openedTo']],
    ['/v1/stats/efficiency', 'supervisor', ['from', 'to']],
  ];
  for (const [url, caller, [fromKey, toKey]] of routes) {
    it(`GET ${url} as ${caller}: ${fromKey}/${toKey} at the edges never 5xx; a 400 names the parameter`, async () => {
      await fc.assert(
        fc.asyncProperty(fc.option(instant, { nil: undefined }), fc.option(instant, { nil: undefined }), async (from, to) => {
          const query: Record<string, string> = {
            ...Object.fromEntries(new URLSearchParams(url.split('?')[1] ?? '')),
            ...(from === undefined ? {} : { [fromKey]: from }),
            ...(to === undefined ? {} : { [toKey]: to }),
          };
          const res = await app.inject({ method: 'GET', url: url.split('?')[0]!, query, headers: bearer(caller) });
          checkResponse(res, { query });
        }),
        { numRuns: RUNS },
      );
    });
  }

  it('an offset beyond ±15:59 is 400 naming the field (Postgres would refuse it with 22009); ±15:59, +14:00 and -12:00 are served', async () => {
    for (const offset of ['-16:00', '+16:00', '+23:59']) {
      for (const key of ['openedFrom', 'openedTo']) {
        const res = await app.inject({ method: 'GET', url: '/v1/cases', query: { [key]: `2026-11-25T11:39:42${offset}` }, headers: bearer('admin') });
        expect(res.statusCode, res.body).toBe(400);
        expect((res.json() as { error: { details: { path: string; message: string }[] } }).error.details).toEqual([
          { path: `querystring.${key}`, message: expect.stringContaining('offset') },
        ]);
      }
    }
    for (const offset of ['-15:59', '+15:59', '+14:00', '-12:00', 'Z']) {
      const res = await app.inject({ method: 'GET', url: '/v1/cases', query: { openedFrom: `2026-11-25T11:39:42${offset}` }, headers: bearer('admin') });
      expect(res.statusCode, `${offset}: ${res.body}`).toBe(200);
    }
  });
});

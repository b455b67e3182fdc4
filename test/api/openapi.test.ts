import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp } from '../helpers/api';
import { useTestPool } from '../helpers/db';

/**
 * The OpenAPI document (/docs/json) lists, for every operation, the error answers it can give (issue 6,
 * defect 9), each with the api.md error body, so a client generated from it knows them:
 * 400 when it takes input, 401 when it needs a token, 403 when it checks role or jurisdiction, 404 when
 * it names a resource, 406 when it only streams Server-Sent Events, 413/415 when it takes a body, 429 when rate-limited, 503 when it needs PostgreSQL
 * or Temporal; 409/422 only on state-changing routes, never on a GET.
 */

const pool = useTestPool();
let app: FastifyInstance;
beforeAll(async () => {
  ({ app } = await buildTestApp(pool));
});
afterAll(async () => {
  await app?.close();
});

interface Operation {
  parameters?: { in: string; name: string }[];
  requestBody?: unknown;
  security?: unknown[];
  responses: Record<string, { content?: Record<string, { schema?: { properties?: Record<string, unknown> } }> }>;
}
type Doc = { paths: Record<string, Record<string, Operation>> };

/** Operations that check the caller's role or jurisdiction (403). */
const CHECKS_ROLE = new Set([
  'get /v1/cases',
  'get /v1/stats/efficiency',
  'get /v1/stats/overview',
  'get /v1/stats/trend',
  'get /v1/officers',
  'get /v1/admin/sla-policy',
  'put /v1/admin/sla-policy',
  // webhooks: admin and upstream (an upstream system within its county and townships); replay: admin only
  'post /v1/webhooks/endpoints',
  'get /v1/webhooks/endpoints',
  'delete /v1/webhooks/endpoints/{id}',
  'post /v1/webhooks/endpoints/{id}/rotate-secret',
  'get /v1/webhooks/messages',
  'post /v1/webhooks/messages/{id}/replay',
  // admin only
  'post /v1/admin/open311/keys',
  'get /v1/admin/open311/keys',
  'delete /v1/admin/open311/keys/{id}',
  'get /v1/admin/open311/services',
  'put /v1/admin/open311/services/{serviceCode}',
  'get /v1/admin/accounts',
  'post /v1/admin/accounts',
  'patch /v1/admin/accounts/{username}',
  'put /v1/admin/accounts/{username}/password',
  'get /v1/admin/calendar/{year}',
  'put /v1/admin/calendar/{year}',
  // 双随机 campaigns: county (own county), supervisor, admin
  'post /v1/inspections/plans',
  'get /v1/inspections/plans',
  'get /v1/inspections/plans/{planId}',
  'post /v1/inspections/plans/{planId}/draws',
  'get /v1/inspections/draws/{drawId}',
  'get /v1/inspections/draws/{drawId}/verify',
  'post /v1/inspections/plans/{planId}/results',
  'get /v1/inspections/plans/{planId}/results',
]);
/** The registries (api/routes/registries.ts): every operation checks the admin's county (403); a create may find the id taken and
 * a PUT a retired row (409); a PUT needs If-Match (428) and a PUT or DELETE with a stale one is refused (412); an import with bad rows is 422. */
const REGISTRY_BASES = ['/v1/admin/officers', '/v1/admin/enforcement-objects', '/v1/admin/matters', '/v1/admin/responsibility-lists/{countyCode}'];
const REGISTRY_OPERATIONS = REGISTRY_BASES.flatMap((b) => [
  `get ${b}`,
  `post ${b}`,
  `get ${b}/{id}`,
  `put ${b}/{id}`,
  `delete ${b}/{id}`,
  `get ${b}/{id}/history`,
  `get ${b}/changes`,
  `post ${b}/import`,
  `get ${b}/export.xlsx`,
  `get ${b}/export.csv`,
]);
for (const op of [...REGISTRY_OPERATIONS, 'get /v1/enforcement-objects', 'get /v1/enforcement-objects/{id}']) CHECKS_ROLE.add(op);
const STALE_IF_MATCH = new Set(REGISTRY_BASES.flatMap((b) => [`put ${b}/{id}`, `delete ${b}/{id}`]));
const NEEDS_IF_MATCH = new Set(REGISTRY_BASES.map((b) => `put ${b}/{id}`));
/** Operations whose body is a file (.xlsx or CSV), not a JSON schema: still too large (413) or of another type (415). */
const TAKES_FILE = new Set(REGISTRY_BASES.map((b) => `post ${b}/import`));
/** Rate-limited operations (429): case creation per caller; sign-in after repeated failures per username and address. */
const RATE_LIMITED = new Set(['post /v1/cases', 'post /v1/session']);
/** Public operations (no token) that still answer 401: sign-in with a wrong username or password. */
const ANSWERS_401_WITHOUT_TOKEN = new Set(['post /v1/session']);
/** State-changing operations outside the case routes that answer 409 (the state or an existing resource forbids it). */
const CONFLICTS = new Set([
  ...REGISTRY_BASES.flatMap((b) => [`post ${b}`, `put ${b}/{id}`, `post ${b}/import`]), // id taken, row retired, or the keyed first request still running
  'post /v1/webhooks/messages/{id}/replay', // not a dead letter, or its endpoint was deleted
  'post /v1/admin/accounts', // the username is taken
  'post /v1/inspections/plans/{planId}/draws', // the inspection has started
  'post /v1/inspections/plans/{planId}/results', // the campaign has published its results
]);
/** State-changing operations outside the case routes that answer 422 (a business rule refuses it). */
const BUSINESS_RULES = new Set([
  ...REGISTRY_BASES.flatMap((b) => [`post ${b}/import`, `post ${b}`]), // rows that fail validation (each by line and column); an Idempotency-Key reused
  'post /v1/webhooks/endpoints', // unknown county/township, or a refused URL (private address, …)
  'post /v1/admin/open311/keys', // unknown county, or townships not of it
  'put /v1/admin/open311/services/{serviceCode}', // unknown matter
  'post /v1/admin/accounts', // unknown unit, or a unit of another county
  'put /v1/admin/calendar/{year}', // a schedule that breaks the rules (make-up day on a weekday, a statutory holiday missing)
  'post /v1/inspections/plans', // matters not of category inspection, units or townships not of the county
  'post /v1/inspections/plans/{planId}/draws', // insufficient_inspectors
  'post /v1/inspections/plans/{planId}/results', // an object not drawn in the campaign
]);
/** Server-Sent Events streams: 406 when the Accept header refuses text/event-stream. */
const STREAMS = new Set(['get /v1/inbox/stream']);
/** Operations with a path parameter that create or replace what it names, so never answer 404. */
const CREATES_OR_REPLACES = new Set(['put /v1/admin/open311/services/{serviceCode}', 'put /v1/admin/calendar/{year}']);
/** Operations with a path parameter that answer for every value (a year nobody scheduled: source "none"). */
const ANSWERS_EVERY_VALUE = new Set(['get /v1/admin/calendar/{year}']);
/** Operations of api/routes/cases.ts: every one checks jurisdiction; the state-changing ones may answer 409 and 422. */
const isCaseRoute = (method: string, path: string) => path.startsWith('/v1/cases/') || (method === 'post' && path === '/v1/cases');
/** Open311 GeoReport v2: the spec's own error format, api_key instead of a token (checked against OPEN311 below). */
const isOpen311Route = (path: string) => path.startsWith('/open311/');

function expectedStatuses(method: string, path: string, op: Operation): Set<string> {
  const key = `${method} ${path}`;
  const params = op.parameters ?? [];
  const out = new Set<string>();
  if (params.length > 0 || op.requestBody) out.add('400');
  if (op.security?.length || ANSWERS_401_WITHOUT_TOKEN.has(key)) out.add('401');
  if (CHECKS_ROLE.has(key) || isCaseRoute(method, path)) out.add('403');
  if (params.some((p) => p.in === 'path') && !CREATES_OR_REPLACES.has(key) && !ANSWERS_EVERY_VALUE.has(key)) out.add('404');
  if (STREAMS.has(key)) out.add('406');
  if (op.requestBody || TAKES_FILE.has(key)) (out.add('413'), out.add('415'));
  if (isCaseRoute(method, path) && method !== 'get') {
    // a case that exists may be in the wrong state (409); creation has no state yet, only rules (422)
    if (path !== '/v1/cases') out.add('409');
    out.add('422');
  }
  if (CONFLICTS.has(key)) out.add('409');
  if (BUSINESS_RULES.has(key)) out.add('422');
  if (STALE_IF_MATCH.has(key)) out.add('412');
  if (NEEDS_IF_MATCH.has(key)) out.add('428');
  if (RATE_LIMITED.has(key)) out.add('429');
  if (path.startsWith('/v1/')) out.add('503');
  return out;
}

/**
 * What each Open311 operation can answer (api/routes/open311.ts): 400 for bad input (the spec's catch-all,
 * also for a too-large or non-form body), 403 for a missing or invalid api_key, 404 for an unknown service or
 * request, 429 when the case creation it adapts is rate-limited, 503 when PostgreSQL or Temporal is down.
 */
const OPEN311: Record<string, string[]> = {
  'get /open311/v2/services.json': ['503'],
  'get /open311/v2/services.xml': ['503'],
  'get /open311/v2/requests.json': ['400', '403', '503'],
  'get /open311/v2/requests.xml': ['400', '403', '503'],
  'post /open311/v2/requests.json': ['400', '403', '404', '429', '503'],
  'post /open311/v2/requests.xml': ['400', '403', '404', '429', '503'],
  'get /open311/v2/services/{file}': ['404', '503'],
  'get /open311/v2/requests/{file}': ['403', '404', '503'],
};

async function operations(): Promise<{ key: string; method: string; path: string; op: Operation }[]> {
  const res = await app.inject({ method: 'GET', url: '/docs/json' });
  expect(res.statusCode).toBe(200);
  const doc = res.json() as Doc;
  return Object.entries(doc.paths).flatMap(([path, ops]) =>
    Object.entries(ops)
      .filter(([method]) => ['get', 'post', 'put', 'patch', 'delete'].includes(method))
      .map(([method, op]) => ({ key: `${method} ${path}`, method, path, op })),
  );
}

function problems(ops: Awaited<ReturnType<typeof operations>>): string[] {
  const out: string[] = [];
  for (const { key, method, path, op } of ops) {
    if (path === '/healthz' || path === '/readyz') continue;
    const listed = Object.keys(op.responses).filter((s) => Number(s) >= 400);
    const open311 = isOpen311Route(path);
    const expected = open311 ? [...(OPEN311[key] ?? ['(not in OPEN311)'])].sort() : [...expectedStatuses(method, path, op)].sort();
    if (JSON.stringify(listed.sort()) !== JSON.stringify(expected)) out.push(`${key}: lists ${listed.join(',')}; can answer ${expected.join(',')}`);
    if (method === 'get' && listed.some((s) => s === '409' || s === '422')) out.push(`${key}: a GET never answers 409/422`);
    for (const status of listed) {
      const schema = op.responses[status]?.content?.['application/json']?.schema as
        | { properties?: Record<string, unknown>; type?: string; items?: { properties?: Record<string, unknown> } }
        | undefined;
      if (open311) {
        if (schema?.type !== 'array' || !schema.items?.properties?.code || !schema.items.properties.description) out.push(`${key} ${status}: not the GeoReport error body`);
      } else if (!schema?.properties?.error) out.push(`${key} ${status}: not the api.md error body`);
    }
  }
  return out;
}

describe('OpenAPI error answers', () => {
  it('every operation outside api/routes/cases.ts lists exactly the error statuses it can answer, with the error body', async () => {
    const ops = (await operations()).filter((o) => !isCaseRoute(o.method, o.path) && !isOpen311Route(o.path));
    expect(ops.length).toBeGreaterThanOrEqual(10);
    expect(problems(ops)).toEqual([]);
  });

  it('every Open311 operation lists exactly the errors it can answer, in the GeoReport error format', async () => {
    const ops = (await operations()).filter((o) => isOpen311Route(o.path));
    expect(ops.map((o) => o.key).sort()).toEqual(Object.keys(OPEN311).sort());
    expect(problems(ops)).toEqual([]);
  });

  // api/routes/cases.ts: GET never lists 409/422; the state-changing routes list 409, 413, 415 and 422.
  it('every operation of api/routes/cases.ts lists exactly the error statuses it can answer', async () => {
    const ops = (await operations()).filter((o) => isCaseRoute(o.method, o.path));
    expect(ops.length).toBeGreaterThan(10);
    expect(problems(ops)).toEqual([]);
  });

  it('filters document the year and offset range the server enforces, and the cross-field rule', async () => {
    const ops = await operations();
    const list = ops.find((o) => o.key === 'get /v1/cases')!.op;
    const openedFrom = list.parameters!.find((p) => p.name === 'openedFrom') as unknown as { schema: { pattern?: string } };
    const pattern = new RegExp(openedFrom.schema.pattern!);
    expect(pattern.test('2026-11-25T11:39:42+08:00')).toBe(true);
    expect(pattern.test('2026-11-25')).toBe(true);
    expect(pattern.test('2026-11-25T11:39:42-16:00')).toBe(false);
    expect(pattern.test('0001-01-01T00:00:00Z')).toBe(false);
    const openedTo = list.parameters!.find((p) => p.name === 'openedTo') as unknown as { description?: string };
    expect(openedTo.description).toMatch(/after openedFrom/);
  });
});

describe('cross-field rules in the document', () => {
  it('POST /v1/cases says when patrol is required', async () => {
    const res = await app.inject({ method: 'GET', url: '/docs/json' });
    const body = JSON.stringify((res.json() as Doc).paths['/v1/cases']?.post?.requestBody);
    expect(body).toMatch(/required when source is \\"patrol\\"/);
  });
});

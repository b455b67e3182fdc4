import ExcelJS from 'exceljs';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO, DEMO_PASSWORD } from '../../db/seed';
import { ApiError, createApiClient, type ApiClient } from '../../web/src/api/client';
import { ASSESSMENT_HEADER, assessmentWorkbook, SHEET_NAMES } from '../../web/src/assessment';
import { buildFixtureApp, fixtureCases, tokenFor, type CallerName } from '../helpers/api';
import { useTestPool } from '../helpers/db';

/**
 * The console's typed client (web/src/api/client.ts) against the real HTTP layer: the answers have the
 * API's shapes, refusals become ApiError with api.md's details, and every path the client calls is a
 * route of the OpenAPI document. Also the 量化考核 workbook built from a real stats answer.
 */
const pool = useTestPool();
const cases = fixtureCases(`client${process.pid}`);
let app: FastifyInstance;
let baseUrl: string;
const calls: string[] = [];
const keys: (string | undefined)[] = [];

const recordingFetch: typeof fetch = async (input, init) => {
  const url = new URL(String(input));
  calls.push(`${init?.method ?? 'GET'} ${url.pathname}`);
  keys.push((init?.headers as Record<string, string> | undefined)?.['idempotency-key']);
  return fetch(input, init);
};
const clientFor = (caller: CallerName, onUnauthorized?: (e: ApiError) => void): ApiClient =>
  createApiClient({ baseUrl, headers: { authorization: `Bearer ${tokenFor(caller)}` }, fetch: recordingFetch, ...(onUnauthorized ? { onUnauthorized } : {}) });

beforeAll(async () => {
  ({ app } = await buildFixtureApp(pool, cases));
  baseUrl = await app.listen({ port: 0, host: '127.0.0.1' });
});
afterAll(async () => {
  await app?.close();
});

describe('typed API client', () => {
  it('reads cases, lists, reference data and stats in the shapes the API answers', async () => {
    const township = clientFor('township');
    const c = await township.cases.get(cases.own.caseId);
    expect(c.caseId).toBe(cases.own.caseId);
    expect(c.townshipCode).toBe(DEMO.township);
    const list = await township.cases.list({ status: 'open', limit: 500 });
    expect(list.items.every((i) => i.townshipCode === DEMO.township)).toBe(true);
    const j = await township.reference.jurisdictions();
    expect(j.counties.map((x) => x.code)).toContain(DEMO.county);
    const officers = await township.reference.officers({ townshipCode: DEMO.township });
    expect(officers.items.map((o) => o.id)).toContain(DEMO.officers.expired);
    const supervisor = clientFor('supervisor');
    const stats = await supervisor.stats.efficiency({ groupBy: 'township' });
    expect(stats.groupBy).toBe('township');
    expect((await clientFor('admin').admin.slaPolicy()).version).toBeGreaterThanOrEqual(1);
    expect((await createApiClient({ baseUrl }).public.disclosures()).items).toBeInstanceOf(Array);
  });

  it('turns refusals into ApiError with status, code and the details naming the field', async () => {
    const township = clientFor('township');
    const forbidden = await township.cases.get(cases.otherTownship.caseId).catch((e: unknown) => e);
    expect(forbidden).toBeInstanceOf(ApiError);
    expect(forbidden).toMatchObject({ status: 403, code: 'forbidden' });
    const invalid = await township.cases
      .open({ source: 'hotline', countyCode: DEMO.county, townshipCode: DEMO.township, location: { address: '' }, description: 'x' })
      .catch((e: unknown) => e as ApiError);
    expect(invalid).toMatchObject({ status: 400 });
    expect((invalid as ApiError).details.map((d) => d.path)).toContain('body.location.address');
  });

  it('signs in with the session routes; a 401 calls onUnauthorized, except for GET /v1/me which just says nobody is signed in', async () => {
    const ended: ApiError[] = [];
    const anonymous = createApiClient({ baseUrl, fetch: recordingFetch, onUnauthorized: (e) => ended.push(e) });
    const session = await anonymous.session.signIn('pc-supervisor', DEMO_PASSWORD);
    expect(session.claims).toEqual({ sub: 'pc-supervisor', role: 'supervisor', countyCode: DEMO.county });
    await expect(anonymous.session.me()).rejects.toMatchObject({ status: 401 });
    expect(ended).toEqual([]);
    await expect(anonymous.cases.list()).rejects.toMatchObject({ status: 401 });
    expect(ended).toHaveLength(1);
    // the short-lived token the sign-in answered works as a bearer token
    const withToken = createApiClient({ baseUrl, headers: { authorization: `Bearer ${session.token}` } });
    expect((await withToken.session.me()).claims.sub).toBe('pc-supervisor');
  });

  it('the work-order routes (延期, 督办, 回访): a refusal names the field, another role is refused', async () => {
    const supervisor = clientFor('supervisor');
    const unexplained = await supervisor.cases.decideExtension(cases.own.caseId, 'X1', { approved: false }).catch((e: unknown) => e as ApiError);
    expect(unexplained).toMatchObject({ status: 400 });
    expect((unexplained as ApiError).details.map((d) => d.path)).toContain('body.reason');
    const township = clientFor('township');
    await expect(township.cases.supervise(cases.own.caseId, { note: '请尽快处理' })).rejects.toMatchObject({ status: 403, code: 'forbidden' });
    await expect(township.cases.decideExtension(cases.own.caseId, 'X1', { approved: true })).rejects.toMatchObject({ status: 403 });
    await expect(supervisor.cases.requestExtension(cases.own.caseId, { reason: '需延期', workingDays: 2 })).rejects.toMatchObject({ status: 403 });
    await expect(supervisor.cases.recordSatisfaction(cases.own.caseId, { rating: 'satisfied' })).rejects.toMatchObject({ status: 403 });
  });

  it('吹哨报到 and 公示: keyed requests; a refusal names the field or says who may act', async () => {
    const county = clientFor('county');
    const township = clientFor('township');
    keys.length = 0;
    const unexplained = await county.cases
      .answerSummons(cases.own.caseId, DEMO.departments.urbanManagement, { answer: 'decline' }, 'console-key-1')
      .catch((e: unknown) => e as ApiError);
    expect(unexplained).toMatchObject({ status: 400 });
    expect((unexplained as ApiError).details.map((d) => d.path)).toContain('body.reason');
    expect(keys).toEqual(['console-key-1']);
    const forOther = await county.cases.answerSummons(cases.own.caseId, DEMO.departments.ecology, { answer: 'report' }).catch((e: unknown) => e as ApiError);
    expect(forOther).toMatchObject({ status: 403 });
    expect((forOther as ApiError).message).toMatch(/answers only for itself/);
    expect(keys[1]).toMatch(/^console-[0-9a-f]{32}$/);
    await expect(county.cases.summon(cases.own.caseId, { departmentCodes: [DEMO.departments.ecology], reason: '联合执法' })).rejects.toMatchObject({ status: 403 });
    await expect(clientFor('otherTownship').cases.summon(cases.own.caseId, { departmentCodes: [DEMO.departments.ecology], reason: '联合执法' })).rejects.toMatchObject({
      status: 403,
    });
    expect(await township.cases.disclosures(cases.own.caseId)).toEqual({ items: [] });
    await expect(township.cases.publishDisclosure(cases.own.caseId)).rejects.toMatchObject({ status: 409, code: 'no_disclosure' });
    await expect(county.cases.withdrawDisclosure(cases.own.caseId, '决定已撤销')).rejects.toMatchObject({ status: 403 });
  });

  it('calls only routes of the OpenAPI document', async () => {
    const doc = (await app.inject({ method: 'GET', url: '/docs/json' })).json() as { paths: Record<string, Record<string, unknown>> };
    const routes = Object.entries(doc.paths).flatMap(([p, ops]) => Object.keys(ops).map((m) => ({ method: m.toUpperCase(), re: new RegExp(`^${p.replace(/\{\w+\}/g, '[^/]+')}$`) })));
    expect(calls.length).toBeGreaterThan(8);
    for (const call of new Set(calls)) {
      const [method, path] = call.split(' ') as [string, string];
      expect(routes.some((r) => r.method === method && r.re.test(path)), call).toBe(true);
    }
  });

  it('the 量化考核 workbook holds the numbers of the stats answer, with a definitions sheet', async () => {
    const supervisor = clientFor('supervisor');
    const [township, department] = await Promise.all([
      supervisor.stats.efficiency({ groupBy: 'township' }),
      supervisor.stats.efficiency({ groupBy: 'department' }),
    ]);
    const wb = await assessmentWorkbook([township, department]);
    const reread = new ExcelJS.Workbook();
    await reread.xlsx.load(await wb.xlsx.writeBuffer());
    const sheet = reread.getWorksheet(SHEET_NAMES.township)!;
    const withCases = township.items.find((u) => u.cases > 0) ?? township.items[0]!;
    let found = false;
    sheet.eachRow((row) => {
      const v = (row.values as ExcelJS.CellValue[]).slice(1);
      if (v[0] !== withCases.code) return;
      found = true;
      expect(v[2]).toBe(withCases.cases);
      expect(v[3] ?? null).toBe(withCases.closureRate.rate);
      expect(v[4]).toBe(withCases.closureRate.numerator);
      expect(v[5]).toBe(withCases.closureRate.denominator);
      // 满意率 (the sixth indicator) and 督办次数 (after 每百件升级次数)
      expect(v[18] ?? null).toBe(withCases.satisfactionRate.rate);
      expect(v[19]).toBe(withCases.satisfactionRate.numerator);
      expect(v[20]).toBe(withCases.satisfactionRate.denominator);
      expect(v[22]).toBe(withCases.supervisionOrders);
    });
    expect(found).toBe(true);
    expect((sheet.getRow(2).values as ExcelJS.CellValue[]).slice(1)).toEqual(ASSESSMENT_HEADER);
    expect(ASSESSMENT_HEADER).toContain('满意率');
    expect(reread.getWorksheet(SHEET_NAMES.department)?.rowCount).toBe(department.items.length + 2);
    const defs = reread.getWorksheet(SHEET_NAMES.definitions)!;
    expect(defs.rowCount).toBe(Object.keys(township.definitions).length + 1);
  });
});

import ExcelJS from 'exceljs';
import type { FastifyInstance } from 'fastify';
import type { Pool } from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Claims } from '../../api/claims';
import { DEMO } from '../../db/seed';
import { createActivities } from '../../activities';
import { bearer, buildTestApp, fixtureCase } from '../helpers/api';
import { scratchDatabase } from '../helpers/db';

/**
 * Issue 10: the registries as maintained data. CRUD with If-Match (428 without, 412 stale, 409 on a
 * retired row), the audit trail, a county admin's jurisdiction, CSV/Excel import with a dry run, and
 * the export round trip.
 */

// A database of this file's own: it adds, changes and retires registry rows that other files list exactly.
let db: Awaited<ReturnType<typeof scratchDatabase>>;
let pool: Pool;
let app: FastifyInstance;
beforeAll(async () => {
  db = await scratchDatabase();
  pool = db.pool;
  ({ app } = await buildTestApp(pool));
});
afterAll(async () => {
  await app?.close();
  await db?.dispose();
});

const pid = process.pid;
const CITY_ADMIN: Claims = { sub: 'admin-city', role: 'admin' };
const PUCHENG_ADMIN: Claims = { sub: 'admin-pc', role: 'admin', countyCode: DEMO.county };
const SHAOWU_ADMIN: Claims = { sub: 'admin-sw', role: 'admin', countyCode: DEMO.otherCounty };
const CSV = 'text/csv';
const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

type Json = Record<string, unknown>;
const send = (caller: Claims, method: 'GET' | 'POST' | 'PUT' | 'DELETE', url: string, payload?: object, headers: Record<string, string> = {}) =>
  app.inject({ method, url, headers: { ...bearer(caller), ...headers }, ...(payload ? { payload } : {}) });
const upload = (caller: Claims, url: string, type: string, body: string | Buffer) =>
  app.inject({ method: 'POST', url, headers: { ...bearer(caller), 'content-type': type }, payload: body });

const officer = (id: string, extra: Json = {}): Json => ({
  id,
  name: '陈立新',
  townshipCode: DEMO.township,
  certificateNo: `闽执${id}`,
  validFrom: '2026-01-01',
  validUntil: '2031-12-31',
  domains: ['urban_management'],
  ...extra,
});

describe('officers: create, read, update with If-Match, retire, history', () => {
  it('answers ETags, refuses a PUT without If-Match (428) or with a stale one (412), keeps a retired row (409 on change)', async () => {
    const id = `OF-T${pid}-crud`;
    const created = await send(CITY_ADMIN, 'POST', '/v1/admin/officers', officer(id));
    expect(created.statusCode, created.body).toBe(201);
    expect(created.headers.etag).toBe('"1"');
    expect(created.json()).toMatchObject({ id, countyCode: DEMO.county, version: 1, active: true, domains: ['urban_management'] });

    const again = await send(CITY_ADMIN, 'POST', '/v1/admin/officers', officer(id));
    expect(again.statusCode).toBe(409);

    const read = await send(CITY_ADMIN, 'GET', `/v1/admin/officers/${id}`);
    expect(read.headers.etag).toBe('"1"');

    const suspension = officer(id, { suspendedFrom: '2026-03-01', suspendedUntil: '2026-03-31' });
    const noIfMatch = await send(CITY_ADMIN, 'PUT', `/v1/admin/officers/${id}`, suspension);
    expect(noIfMatch.statusCode).toBe(428);
    expect(noIfMatch.json().error.details).toEqual([{ path: 'headers.if-match', message: 'required' }]);

    const updated = await send(CITY_ADMIN, 'PUT', `/v1/admin/officers/${id}`, suspension, { 'if-match': '"1"' });
    expect(updated.statusCode, updated.body).toBe(200);
    expect(updated.headers.etag).toBe('"2"');
    expect(updated.json()).toMatchObject({ version: 2, suspendedFrom: '2026-03-01', suspendedUntil: '2026-03-31' });

    // Someone else's change came first: the stale ETag is refused and the row stays as it is.
    const stale = await send(PUCHENG_ADMIN, 'PUT', `/v1/admin/officers/${id}`, officer(id, { name: '陈立' }), { 'if-match': '"1"' });
    expect(stale.statusCode).toBe(412);
    expect(stale.json().error.message).toMatch(/version 2/);
    expect((await send(CITY_ADMIN, 'GET', `/v1/admin/officers/${id}`)).json()).toMatchObject({ name: '陈立新', version: 2 });

    const retired = await send(PUCHENG_ADMIN, 'DELETE', `/v1/admin/officers/${id}`, undefined, { 'if-match': '"2"' });
    expect(retired.statusCode, retired.body).toBe(200);
    expect(retired.json()).toMatchObject({ version: 3, active: false, retiredAt: expect.any(String) });
    const changeRetired = await send(CITY_ADMIN, 'PUT', `/v1/admin/officers/${id}`, officer(id), { 'if-match': '"3"' });
    expect(changeRetired.statusCode).toBe(409);

    const list = await send(CITY_ADMIN, 'GET', '/v1/admin/officers?limit=1000');
    expect((list.json().items as Json[]).some((o) => o.id === id)).toBe(false);
    const withRetired = await send(CITY_ADMIN, 'GET', '/v1/admin/officers?limit=1000&includeRetired=true');
    expect((withRetired.json().items as Json[]).some((o) => o.id === id)).toBe(true);

    // The audit trail: every version, who and what, before and after.
    const history = await send(CITY_ADMIN, 'GET', `/v1/admin/officers/${id}/history`);
    expect(history.statusCode).toBe(200);
    const items = history.json().items as Json[];
    expect(items.map((i) => [i.version, i.action, i.actor])).toEqual([
      [1, 'create', 'admin-city'],
      [2, 'update', 'admin-city'],
      [3, 'retire', 'admin-pc'],
    ]);
    expect(items[0]).toMatchObject({ before: null, after: { id, version: 1 } });
    expect(items[1]).toMatchObject({ before: { version: 1 }, after: { version: 2, suspendedFrom: '2026-03-01' } });
    expect((items[1]!.before as Json).suspendedFrom).toBeUndefined();
    expect(items[2]).toMatchObject({ before: { active: true }, after: { active: false, retiredAt: expect.any(String) } });

    // Across rows: the county's latest changes, newest first; Shaowu's admin sees none of Pucheng's.
    const changes = (await send(PUCHENG_ADMIN, 'GET', '/v1/admin/officers/changes?limit=500')).json().items as Json[];
    expect(changes.filter((c) => c.id === id).map((c) => c.action)).toEqual(['retire', 'update', 'create']);
    const shaowu = (await send(SHAOWU_ADMIN, 'GET', '/v1/admin/officers/changes?limit=500')).json().items as Json[];
    expect(shaowu.some((c) => c.id === id)).toBe(false);
  });

  it('lists by a search: contains, in the key, the name and the codes people search by; a county admin still sees only the county', async () => {
    await send(CITY_ADMIN, 'POST', '/v1/admin/officers', officer(`OF-T${pid}-q1`, { name: `检索测试${pid}甲`, certificateNo: `闽Q${pid}01` }));
    await send(CITY_ADMIN, 'POST', '/v1/admin/officers', officer(`OF-T${pid}-q2`, { name: `检索测试${pid}乙`, certificateNo: `闽Q${pid}02` }));
    const ids = async (caller: Claims, q: string) =>
      ((await send(caller, 'GET', `/v1/admin/officers?q=${encodeURIComponent(q)}`)).json().items as Json[]).map((o) => o.id);
    expect(await ids(CITY_ADMIN, `检索测试${pid}`)).toEqual([`OF-T${pid}-q1`, `OF-T${pid}-q2`]);
    expect(await ids(CITY_ADMIN, `测试${pid}乙`)).toEqual([`OF-T${pid}-q2`]);
    expect(await ids(CITY_ADMIN, `闽q${pid}01`)).toEqual([`OF-T${pid}-q1`]); // certificate number, any case
    expect(await ids(CITY_ADMIN, `of-t${pid}-q`)).toEqual([`OF-T${pid}-q1`, `OF-T${pid}-q2`]); // the key
    // LIKE's wildcards are matched as themselves
    expect(await ids(CITY_ADMIN, '%')).toEqual([]);
    expect(await ids(CITY_ADMIN, `检索测试${pid}_`)).toEqual([]);
    expect(await ids(SHAOWU_ADMIN, `检索测试${pid}`)).toEqual([]);
    const blank = await send(CITY_ADMIN, 'GET', '/v1/admin/officers?q=%20');
    expect(blank.statusCode).toBe(400);
    expect(blank.json().error.details[0].path).toBe('querystring.q');
  });

  it('names each bad field: one unit only, a validity for a certificate, an unknown township', async () => {
    const both = await send(CITY_ADMIN, 'POST', '/v1/admin/officers', officer(`OF-T${pid}-bad`, { departmentCode: DEMO.departments.ecology, validFrom: undefined }));
    expect(both.statusCode).toBe(400);
    expect((both.json().error.details as Json[]).map((d) => d.path).sort()).toEqual(['body.townshipCode', 'body.validFrom']);
    const unknown = await send(CITY_ADMIN, 'POST', '/v1/admin/officers', officer(`OF-T${pid}-bad`, { townshipCode: '999999999' }));
    expect(unknown.statusCode).toBe(400);
    expect(unknown.json().error.details).toEqual([{ path: 'body.townshipCode', message: 'unknown township 999999999' }]);
  });
});

describe('Idempotency-Key on the registry POSTs', () => {
  it('a retried create or import answers as the first did and changes nothing; the key on another request is 422', async () => {
    const id = `OF-T${pid}-key`;
    const key = { 'idempotency-key': `create-${pid}` };
    const first = await send(CITY_ADMIN, 'POST', '/v1/admin/officers', officer(id), key);
    const retry = await send(CITY_ADMIN, 'POST', '/v1/admin/officers', officer(id), key);
    expect([first.statusCode, retry.statusCode]).toEqual([201, 201]);
    expect(retry.json()).toEqual(first.json());
    expect(retry.headers.etag).toBe('"1"');
    expect((await send(CITY_ADMIN, 'GET', `/v1/admin/officers/${id}/history`)).json().items).toHaveLength(1);
    const reused = await send(CITY_ADMIN, 'POST', '/v1/admin/officers', officer(`${id}-2`), key);
    expect(reused.statusCode).toBe(422);
    expect(reused.json().error.code).toBe('idempotency_key_reused');

    const file = [HEADER, `OF-T${pid}-k1,孔某,${DEMO.township},,闽执K1,2026-01-01,2030-12-31,,,,true`].join('\n');
    const importKey = { ...bearer(CITY_ADMIN), 'content-type': CSV, 'idempotency-key': `import-${pid}` };
    const imported = await app.inject({ method: 'POST', url: '/v1/admin/officers/import', headers: importKey, payload: file });
    const again = await app.inject({ method: 'POST', url: '/v1/admin/officers/import', headers: importKey, payload: file });
    expect(imported.json()).toMatchObject({ created: 1, unchanged: 0 });
    expect(again.json()).toEqual(imported.json());
  });
});

describe('jurisdiction: a county admin manages only its county', () => {
  it("Pucheng's admin cannot read, change, retire or create Shaowu's rows, nor its responsibility list", async () => {
    const id = `OF-T${pid}-sw`;
    const created = await send(SHAOWU_ADMIN, 'POST', '/v1/admin/officers', officer(id, { townshipCode: DEMO.otherCountyTownship }));
    expect(created.statusCode, created.body).toBe(201);

    expect((await send(PUCHENG_ADMIN, 'GET', `/v1/admin/officers/${id}`)).statusCode).toBe(403);
    expect((await send(PUCHENG_ADMIN, 'PUT', `/v1/admin/officers/${id}`, officer(id), { 'if-match': '"1"' })).statusCode).toBe(403);
    expect((await send(PUCHENG_ADMIN, 'DELETE', `/v1/admin/officers/${id}`)).statusCode).toBe(403);
    expect((await send(PUCHENG_ADMIN, 'GET', `/v1/admin/officers/${id}/history`)).statusCode).toBe(403);
    const elsewhere = await send(PUCHENG_ADMIN, 'POST', '/v1/admin/officers', officer(`${id}-2`, { townshipCode: DEMO.otherCountyTownship }));
    expect(elsewhere.statusCode).toBe(403);
    // Moving one's own officer into the other county is refused too.
    const own = `OF-T${pid}-pc`;
    expect((await send(PUCHENG_ADMIN, 'POST', '/v1/admin/officers', officer(own))).statusCode).toBe(201);
    expect((await send(PUCHENG_ADMIN, 'PUT', `/v1/admin/officers/${own}`, officer(own, { townshipCode: DEMO.otherCountyTownship }), { 'if-match': '"1"' })).statusCode).toBe(403);

    const listed = (await send(PUCHENG_ADMIN, 'GET', '/v1/admin/officers?limit=1000')).json().items as Json[];
    expect(listed.length).toBeGreaterThan(0);
    expect(listed.every((o) => o.countyCode === DEMO.county)).toBe(true);

    expect((await send(PUCHENG_ADMIN, 'GET', `/v1/admin/responsibility-lists/${DEMO.otherCounty}`)).statusCode).toBe(403);
    const item = { itemName: '测试事项', primaryUnit: DEMO.otherCountyDepartments.urbanManagement, cooperatingUnits: ['township'] };
    expect((await send(PUCHENG_ADMIN, 'POST', `/v1/admin/responsibility-lists/${DEMO.otherCounty}`, item)).statusCode).toBe(403);
    // The catalog is city-wide: read by everyone, changed only by a city-wide admin.
    expect((await send(PUCHENG_ADMIN, 'GET', `/v1/admin/matters/${DEMO.matters.townshipPenalty}`)).statusCode).toBe(200);
    const matter = (await send(CITY_ADMIN, 'GET', `/v1/admin/matters/${DEMO.matters.townshipPenalty}`)).json() as Json;
    const { version, ...body } = matter;
    expect((await send(PUCHENG_ADMIN, 'PUT', `/v1/admin/matters/${DEMO.matters.townshipPenalty}`, body, { 'if-match': `"${String(version)}"` })).statusCode).toBe(403);
    // Other roles never reach the registries.
    expect((await send({ sub: 'sup', role: 'supervisor', countyCode: DEMO.county }, 'GET', '/v1/admin/officers')).statusCode).toBe(403);
  });

  it('the demo responsibility lists: 145 items for Pucheng, 98 for Shaowu, marked DEMO', async () => {
    const pc = (await send(PUCHENG_ADMIN, 'GET', `/v1/admin/responsibility-lists/${DEMO.county}?limit=1000`)).json().items as Json[];
    const demo = pc.filter((i) => i.demo === true);
    expect(demo).toHaveLength(145);
    expect(demo.every((i) => String(i.itemName).endsWith('（DEMO）') && i.countyCode === DEMO.county)).toBe(true);
    const sw = (await send(CITY_ADMIN, 'GET', `/v1/admin/responsibility-lists/${DEMO.otherCounty}?limit=1000`)).json().items as Json[];
    expect(sw.filter((i) => i.demo === true)).toHaveLength(98);
    expect((await send(CITY_ADMIN, 'GET', '/v1/admin/responsibility-lists/999999')).statusCode).toBe(404);
  });
});

describe('enforcement objects: check digits and masking', () => {
  it('refuses a credit code whose check character is wrong and masks ID numbers on every read', async () => {
    const base = { kind: 'organization', name: '浦城县某某测试有限公司', address: '莲塘镇测试路1号', townshipCode: DEMO.township, gridCode: DEMO.townshipGrid };
    const bad = await send(CITY_ADMIN, 'POST', '/v1/admin/enforcement-objects', { ...base, id: `EO-T${pid}-bad`, creditCode: '91350100M000100Y44' });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error.details).toEqual([{ path: 'body.creditCode', message: 'check character does not match (GB 32100-2015)' }]);

    const person = await send(CITY_ADMIN, 'POST', '/v1/admin/enforcement-objects', {
      id: `EO-T${pid}-p`,
      kind: 'person',
      name: '张某',
      idNumber: '11010519491231002X',
      address: '莲塘镇',
      townshipCode: DEMO.township,
      creditClass: 'C',
    });
    expect(person.statusCode, person.body).toBe(201);
    expect(person.json()).toMatchObject({ idNumber: '110105********002X', creditClass: 'C' });
    expect((await send(CITY_ADMIN, 'GET', `/v1/admin/enforcement-objects/EO-T${pid}-p`)).json().idNumber).toBe('110105********002X');
    const history = (await send(CITY_ADMIN, 'GET', `/v1/admin/enforcement-objects/EO-T${pid}-p/history`)).json().items as Json[];
    expect((history[0]!.after as Json).idNumber).toBe('110105********002X');
    const roster = (await send(CITY_ADMIN, 'GET', `/v1/enforcement-objects?q=${encodeURIComponent('张某')}`)).json().items as Json[];
    expect(roster.find((o) => o.id === `EO-T${pid}-p`)?.idNumber).toBe('110105********002X');
    expect(JSON.stringify(roster)).not.toContain('11010519491231002X');

    // edited from what was read: the masked number sent back keeps the stored one; another mask is refused
    const read = await send(CITY_ADMIN, 'GET', `/v1/admin/enforcement-objects/EO-T${pid}-p`);
    // sent back whole, as read (with its county and version, which a read adds)
    const asRead = read.json() as Json;
    expect(asRead).toMatchObject({ countyCode: DEMO.county, version: 1 });
    const edited = await send(CITY_ADMIN, 'PUT', `/v1/admin/enforcement-objects/EO-T${pid}-p`, { ...asRead, address: '莲塘镇新街2号' }, { 'if-match': read.headers.etag as string });
    expect(edited.statusCode, edited.body).toBe(200);
    expect(edited.json()).toMatchObject({ idNumber: '110105********002X', address: '莲塘镇新街2号' });
    const stored = await pool.query(`SELECT id_number FROM enforcement_objects WHERE id = $1`, [`EO-T${pid}-p`]);
    expect(stored.rows).toEqual([{ id_number: '11010519491231002X' }]);
    const other = await send(CITY_ADMIN, 'PUT', `/v1/admin/enforcement-objects/EO-T${pid}-p`, { ...asRead, idNumber: '350722********0031' }, { 'if-match': edited.headers.etag as string });
    expect(other.statusCode).toBe(400);
    expect(other.json().error.details.map((d: { path: string }) => d.path)).toEqual(['body.idNumber']);
  });

  it("an inspection case's party is linked when its capture is projected, and listed among the object's inspections", async () => {
    const caseId = `REG-T${pid}-insp`;
    const at = '2026-03-03T10:00:00.000+08:00';
    // EO-0002's demo credit code (check character C, hand-checked against GB 32100-2015)
    const party = { kind: 'organization' as const, name: '好味来小吃店', creditCode: '92350722MA2Y00002C' };
    const snapshot = fixtureCase(caseId, { source: 'inspection', stage: 'assignment', townshipCode: DEMO.street, party });
    const captured = { seq: 2, at, type: 'information_captured', stage: 'capture' as const, actor: { sub: 'insp', role: 'township' as const, unit: DEMO.street }, data: { party } };
    snapshot.timeline.push(captured);
    const record = { workflowId: caseId, snapshot, seq: 2, events: [captured], notifications: [] };
    const activities = createActivities(pool);
    await activities.recordTransition(record);
    await activities.recordTransition(record); // a retried activity changes nothing
    const linked = await pool.query('SELECT enforcement_object_id FROM cases WHERE case_id = $1', [caseId]);
    expect(linked.rows).toEqual([{ enforcement_object_id: 'EO-0002' }]);

    const page = await send({ sub: 'sup', role: 'supervisor', countyCode: DEMO.county }, 'GET', '/v1/enforcement-objects/EO-0002');
    expect(page.statusCode, page.body).toBe(200);
    expect(page.json()).toMatchObject({ id: 'EO-0002', creditCode: '92350722MA2Y00002C', inspections: [expect.objectContaining({ caseId, source: 'inspection' })] });
    expect((page.json().cases as Json[]).some((c) => c.caseId === caseId)).toBe(false);
  });

  it('a party whose credit code fails its check is one object without that code, found again by the next case', async () => {
    const party = { kind: 'organization' as const, name: '某无效代码商行', creditCode: '91350722MA00000001' };
    const activities = createActivities(pool);
    const objects: unknown[] = [];
    for (const n of [1, 2]) {
      const caseId = `REG-T${pid}-bad-code-${n}`;
      const snapshot = fixtureCase(caseId, { stage: 'assignment', party });
      const captured = { seq: 2, at: '2026-03-03T10:00:00.000+08:00', type: 'information_captured', stage: 'capture' as const, actor: { sub: 'lt', role: 'township' as const }, data: { party } };
      snapshot.timeline.push(captured);
      await activities.recordTransition({ workflowId: caseId, snapshot, seq: 2, events: [captured], notifications: [] });
      const { rows } = await pool.query(
        'SELECT o.id, o.credit_code, o.name FROM cases c JOIN enforcement_objects o ON o.id = c.enforcement_object_id WHERE c.case_id = $1',
        [caseId],
      );
      objects.push(rows[0]);
    }
    expect(objects[0]).toEqual({ id: expect.stringMatching(/^EO-/), credit_code: null, name: '某无效代码商行' });
    expect(objects[1]).toEqual(objects[0]);
  });

  it('the roster of the caller: a township sees its own objects, another county is 403', async () => {
    const own = (await send({ sub: 't', role: 'township', countyCode: DEMO.county, townshipCode: DEMO.township }, 'GET', '/v1/enforcement-objects')).json().items as Json[];
    expect(own.length).toBeGreaterThan(0);
    expect(own.every((o) => o.townshipCode === DEMO.township)).toBe(true);
    const other = await send({ sub: 's', role: 'supervisor', countyCode: DEMO.otherCounty }, 'GET', `/v1/enforcement-objects/${DEMO.enforcementObjects.township}`);
    expect(other.statusCode).toBe(403);
  });
});

const HEADER = 'id,name,townshipCode,departmentCode,certificateNo,validFrom,validUntil,domains,suspendedFrom,suspendedUntil,active';

describe('import and export', () => {
  const mixed = () =>
    [
      HEADER,
      `OF-T${pid}-i1,张三,${DEMO.township},,闽执I1,2026-01-01,2030-12-31,urban_management;ecology,,,true`,
      `OF-T${pid}-i2,李四,999999999,,闽执I2,2026-01-01,2030-12-31,,,,true`,
      `OF-T${pid}-i3,,${DEMO.township},,,,,,,,true`,
      `OF-T${pid}-i4,王五,${DEMO.township},,闽执I4,2026-01-01,2025-12-31,,,,maybe`,
      `OF-T${pid}-i5,赵六,${DEMO.township},,闽执I5,2026-01-01,2030-12-31,,,,true`,
    ].join('\n');
  const count = async () => Number((await pool.query(`SELECT count(*) AS n FROM officers WHERE id LIKE $1`, [`OF-T${pid}-i%`])).rows[0].n);

  it('a dry run of mixed good and bad rows reports every bad row by line and column and changes nothing', async () => {
    const res = await upload(CITY_ADMIN, '/v1/admin/officers/import?dryRun=true', CSV, mixed());
    expect(res.statusCode, res.body).toBe(200);
    const report = res.json();
    expect(report).toMatchObject({ dryRun: true, rows: 5 });
    expect((report.errors as Json[]).map((e) => [e.line, e.column]).sort()).toEqual([
      [3, 'townshipCode'],
      [4, 'name'],
      [5, 'active'],
      [5, 'validUntil'],
    ]);
    // a rule zod worded comes with its issue (never the cell's value), so a client can word it in its own language
    const byCell = new Map((report.errors as Json[]).map((e) => [`${e.line}.${e.column}`, e]));
    expect(byCell.get('4.name')).toMatchObject({ message: 'Invalid input: expected string, received undefined', issue: { code: 'invalid_type', expected: 'string' } });
    expect(byCell.get('5.validUntil')).toMatchObject({ message: 'before validFrom', issue: { code: 'custom' } });
    expect(byCell.get('3.townshipCode')).not.toHaveProperty('issue');
    for (const e of report.errors as Json[]) expect(e.issue ?? {}).not.toHaveProperty('input');
    expect(await count()).toBe(0);

    // The same file for real: 422 naming each bad row, and still nothing changed.
    const real = await upload(CITY_ADMIN, '/v1/admin/officers/import', CSV, mixed());
    expect(real.statusCode).toBe(422);
    expect((real.json().error.details as Json[]).map((d) => d.path).sort()).toEqual([
      'body.lines.3.townshipCode',
      'body.lines.4.name',
      'body.lines.5.active',
      'body.lines.5.validUntil',
    ]);
    expect(await count()).toBe(0);
  });

  it('a good import upserts every row in one go and audits it; the same file again changes nothing', async () => {
    const good = [HEADER, `OF-T${pid}-i1,张三,${DEMO.township},,闽执I1,2026-01-01,2030-12-31,urban_management;ecology,,,true`, `OF-T${pid}-i5,赵六,${DEMO.township},,闽执I5,2026-01-01,2030-12-31,,,,true`].join('\n');
    const res = await upload(CITY_ADMIN, '/v1/admin/officers/import', CSV, good);
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toEqual({ dryRun: false, rows: 2, created: 2, updated: 0, unchanged: 0, errors: [] });
    expect(await count()).toBe(2);
    const history = (await send(CITY_ADMIN, 'GET', `/v1/admin/officers/OF-T${pid}-i1/history`)).json().items as Json[];
    expect(history).toEqual([expect.objectContaining({ version: 1, action: 'import', actor: 'admin-city', before: null })]);
    expect((history[0]!.after as Json).domains).toEqual(['urban_management', 'ecology']);

    const renewed = good.replace('闽执I5,2026-01-01,2030-12-31', '闽执I5,2026-01-01,2032-12-31');
    const second = await upload(CITY_ADMIN, '/v1/admin/officers/import', CSV, renewed);
    expect(second.json()).toMatchObject({ created: 0, updated: 1, unchanged: 1 });
    expect((await send(CITY_ADMIN, 'GET', `/v1/admin/officers/OF-T${pid}-i5`)).json()).toMatchObject({ validUntil: '2032-12-31', version: 2 });
  });

  it('a county admin importing a row of another county gets that row reported, nothing changed', async () => {
    const file = [HEADER, `OF-T${pid}-j1,钱七,${DEMO.otherCountyTownship},,闽执J1,2026-01-01,2030-12-31,,,,true`].join('\n');
    const res = await upload(PUCHENG_ADMIN, '/v1/admin/officers/import?dryRun=true', CSV, file);
    expect(res.json().errors).toEqual([{ line: 2, column: 'townshipCode', message: `county ${DEMO.otherCounty} is outside your jurisdiction (${DEMO.county})` }]);
  });

  it('export.xlsx and export.csv read back by import change nothing (Shaowu officers and objects, ID numbers masked)', async () => {
    const person = await send(SHAOWU_ADMIN, 'POST', '/v1/admin/enforcement-objects', {
      id: `EO-T${pid}-sw`,
      kind: 'person',
      name: '孙某',
      idNumber: '350781198001010036',
      address: '拿口镇',
      townshipCode: DEMO.otherCountyTownship,
    });
    expect(person.statusCode, person.body).toBe(201);

    const xlsx = await send(SHAOWU_ADMIN, 'GET', '/v1/admin/officers/export.xlsx');
    expect(xlsx.statusCode).toBe(200);
    expect(xlsx.headers['content-type']).toBe(XLSX);
    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.load(xlsx.rawPayload as unknown as ArrayBuffer);
    const sheet = workbook.worksheets[0]!;
    expect(sheet.getRow(1).values).toEqual([undefined, ...HEADER.split(',')]);
    const exported = sheet.rowCount - 1;
    expect(exported).toBeGreaterThan(10);
    const back = await upload(SHAOWU_ADMIN, '/v1/admin/officers/import', XLSX, xlsx.rawPayload);
    expect(back.statusCode, back.body).toBe(200);
    expect(back.json()).toEqual({ dryRun: false, rows: exported, created: 0, updated: 0, unchanged: exported, errors: [] });

    const csv = await send(SHAOWU_ADMIN, 'GET', '/v1/admin/enforcement-objects/export.csv');
    expect(csv.statusCode).toBe(200);
    expect(csv.body).toContain('350781********0036');
    expect(csv.body).not.toContain('350781198001010036');
    const csvBack = await upload(SHAOWU_ADMIN, '/v1/admin/enforcement-objects/import', CSV, csv.rawPayload);
    expect(csvBack.statusCode, csvBack.body).toBe(200);
    expect(csvBack.json()).toMatchObject({ created: 0, updated: 0, errors: [] });
    expect(csvBack.json().unchanged).toBeGreaterThanOrEqual(3);
    // the stored number is untouched by the masked round trip
    expect((await pool.query('SELECT id_number FROM enforcement_objects WHERE id = $1', [`EO-T${pid}-sw`])).rows).toEqual([{ id_number: '350781198001010036' }]);
  });

  it('refuses a body that is neither CSV nor .xlsx (415) and unknown columns (400)', async () => {
    const json = await send(CITY_ADMIN, 'POST', '/v1/admin/officers/import', { rows: [] });
    expect(json.statusCode).toBe(415);
    const unknown = await upload(CITY_ADMIN, '/v1/admin/officers/import?dryRun=true', CSV, 'id,nickname\nx,y');
    expect(unknown.statusCode).toBe(400);
    expect(unknown.json().error.message).toMatch(/unknown column\(s\) nickname/);
  });
});

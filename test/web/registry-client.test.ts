import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Claims } from '../../api/claims';
import { DEMO } from '../../db/seed';
import { ApiError, createApiClient, type ApiClient } from '../../web/src/api/client';
import { buildTestApp, tokenFor } from '../helpers/api';
import { scratchDatabase } from '../helpers/db';

/**
 * The console's registry methods (web/src/api/client.ts `registries`) against the real HTTP layer: the
 * edit sends the version it read as If-Match (stale → 412, retired → 409), history, the import's dry run
 * and the export's files.
 */

// A database of this file's own: it adds, changes and retires registry rows that other files list exactly.
let db: Awaited<ReturnType<typeof scratchDatabase>>;
let app: FastifyInstance;
let admin: ApiClient;
const CITY_ADMIN: Claims = { sub: 'console-admin', role: 'admin' };

beforeAll(async () => {
  db = await scratchDatabase();
  ({ app } = await buildTestApp(db.pool));
  const baseUrl = await app.listen({ port: 0, host: '127.0.0.1' });
  admin = createApiClient({ baseUrl, headers: { authorization: `Bearer ${tokenFor(CITY_ADMIN)}` } });
});
afterAll(async () => {
  await app?.close();
  await db?.dispose();
});

const officers = { name: 'officers' } as const;

describe('registry client', () => {
  it('edits a row with the version it read: a stale version is 412, a retired row 409; the history names who and what', async () => {
    const made = await admin.registries.create(officers, { name: '陈立新', townshipCode: DEMO.township, domains: ['urban_management'] });
    expect(made).toMatchObject({ name: '陈立新', countyCode: DEMO.county, active: true, version: 1 });
    const read = await admin.registries.get(officers, made.id);
    const changed = await admin.registries.update(officers, made.id, { name: '陈立新', townshipCode: DEMO.township, domains: ['urban_management', 'ecology'] }, read.version);
    expect(changed).toMatchObject({ domains: ['urban_management', 'ecology'], version: 2 });

    const stale = await admin.registries.update(officers, made.id, { name: '陈立', townshipCode: DEMO.township }, read.version).catch((e: unknown) => e);
    expect(stale).toBeInstanceOf(ApiError);
    expect(stale).toMatchObject({ status: 412 });
    expect((stale as ApiError).details.map((d) => d.path)).toEqual(['headers.if-match']);

    const unknownTownship = await admin.registries.update(officers, made.id, { name: '陈立新', townshipCode: '999' }, changed.version).catch((e: unknown) => e);
    expect(unknownTownship).toBeInstanceOf(ApiError);
    expect(unknownTownship).toMatchObject({ status: 400 });
    expect((unknownTownship as ApiError).details.map((d) => d.path)).toEqual(['body.townshipCode']);

    const retired = await admin.registries.retire(officers, made.id, changed.version);
    expect(retired.retiredAt).toBeTruthy();
    await expect(admin.registries.update(officers, made.id, { name: '陈立新', townshipCode: DEMO.township }, retired.version)).rejects.toMatchObject({ status: 409 });
    expect((await admin.registries.list(officers)).items.map((o) => o.id)).not.toContain(made.id);
    expect((await admin.registries.list(officers, { includeRetired: true, limit: 1000 })).items.map((o) => o.id)).toContain(made.id);

    const { items } = await admin.registries.history(officers, made.id);
    expect(items.map((c) => [c.action, c.actor, c.version])).toEqual([
      ['create', 'console-admin', 1],
      ['update', 'console-admin', 2],
      ['retire', 'console-admin', 3],
    ]);
    expect(items[1]).toMatchObject({ before: { domains: ['urban_management'] }, after: { domains: ['urban_management', 'ecology'] } });
  });

  it('a dry run reports each bad row by line and column and changes nothing; a clean file imports', async () => {
    const header = 'id,name,townshipCode,departmentCode,certificateNo,validFrom,validUntil,domains,suspendedFrom,suspendedUntil,active';
    const good = `OF-console-1,黄海燕,${DEMO.township},,闽执C001,2026-01-01,2031-12-31,urban_management,,,true`;
    const bad = `OF-console-2,林文斌,${DEMO.township},,闽执C002,2026-01-01,2031-13-45,urban_management,,,maybe`;
    const csv = (...lines: string[]) => new Blob([[header, ...lines].join('\n')]);

    const report = await admin.registries.import(officers, csv(good, bad), 'csv', true);
    expect(report).toMatchObject({ dryRun: true, rows: 2 });
    expect(report.errors.map((e) => [e.line, e.column]).sort()).toEqual([
      [3, 'active'],
      [3, 'validUntil'],
    ]);
    await expect(admin.registries.get(officers, 'OF-console-1')).rejects.toMatchObject({ status: 404 });

    const refused = await admin.registries.import(officers, csv(good, bad), 'csv', false).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(ApiError);
    expect(refused).toMatchObject({ status: 422 });
    expect((refused as ApiError).details.map((d) => d.path)).toContain('body.lines.3.validUntil');

    expect(await admin.registries.import(officers, csv(good), 'csv', true)).toMatchObject({ dryRun: true, created: 1, errors: [] });
    expect(await admin.registries.import(officers, csv(good), 'csv', false)).toMatchObject({ dryRun: false, created: 1, errors: [] });
    expect((await admin.registries.get(officers, 'OF-console-1')).name).toBe('黄海燕');
  });

  it('exports files import reads back; a responsibility list lives under its county', async () => {
    const csv = await admin.registries.export(officers, 'csv');
    expect((await csv.text()).replace(/^\uFEFF/, '').split(/\r?\n/)[0]).toMatch(/^id,name,townshipCode/);
    const xlsx = await admin.registries.export({ name: 'matters' }, 'xlsx');
    expect(xlsx.size).toBeGreaterThan(1000);
    const list = await admin.registries.list({ name: 'responsibility-lists', countyCode: DEMO.otherCounty }, { limit: 1000 });
    expect(list.items.length).toBeGreaterThan(0);
    expect(list.items.every((i) => i.countyCode === DEMO.otherCounty)).toBe(true);
    await expect(admin.registries.list({ name: 'responsibility-lists', countyCode: '999999' })).rejects.toMatchObject({ status: 404 });
  });
});

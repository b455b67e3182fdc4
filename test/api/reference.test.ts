import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import type { Claims } from '../../api/claims';
import type { Jurisdictions, Matter, Officer } from '../../api/read-model/reference';
import { DEMO, DEMO_COUNTS } from '../../db/seed';
import { CALLERS, bearer, buildTestApp } from '../helpers/api';
import { useTestPool } from '../helpers/db';
import { ensureJurisdiction } from '../helpers/read-model';

/** Reference routes on the seeded demo registries (db/seed.ts), plus a brigade of this file's own. */
const pool = useTestPool();
let app: FastifyInstance;

const get = async (url: string, claims?: Claims) => {
  const res = await app.inject({ method: 'GET', url, headers: claims ? bearer(claims) : {} });
  return { status: res.statusCode, body: res.json() };
};

/** Today in Asia/Shanghai as YYYY-MM-DD, and the days around it. */
const shanghaiDay = (offsetDays: number) => new Date(Date.now() + 8 * 3_600_000 + offsetDays * 86_400_000).toISOString().slice(0, 10);

const OWN = { county: 'REF1', township: 'REF1-A' };
const ownTownship: Claims = { sub: 'ref-t', role: 'township', countyCode: OWN.county, townshipCode: OWN.township };

beforeAll(async () => {
  await ensureJurisdiction(pool, { county: OWN.county, townships: [OWN.township], departments: [] });
  // Certificates at the edges of today (Asia/Shanghai).
  const officers: [string, string | null, string | null, string | null, boolean][] = [
    ['REF-01-until-today', 'CERT-R1', shanghaiDay(-365), shanghaiDay(0), true], // last valid day: certified
    ['REF-02-until-yesterday', 'CERT-R2', shanghaiDay(-365), shanghaiDay(-1), true], // expired yesterday
    ['REF-03-from-tomorrow', 'CERT-R3', shanghaiDay(1), shanghaiDay(365), true], // not valid yet
    ['REF-04-from-today', 'CERT-R4', shanghaiDay(0), shanghaiDay(365), true], // valid from today: certified
    ['REF-05-no-certificate', null, null, null, true],
    ['REF-06-inactive', 'CERT-R6', shanghaiDay(-365), shanghaiDay(365), false],
  ];
  for (const [oid, cert, from, until, active] of officers) {
    await pool.query(
      `INSERT INTO officers (id, name, township_code, certificate_no, certificate_valid_from, certificate_valid_until, active)
       VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (id) DO NOTHING`,
      [oid, `测试${oid.slice(4, 6)}`, OWN.township, cert, from, until, active],
    );
  }
  ({ app } = await buildTestApp(pool));
});

afterAll(async () => {
  await app?.close();
});

describe('GET /v1/jurisdictions', () => {
  it('counties → townships → grids, and departments with their domain', async () => {
    const { status, body } = await get('/v1/jurisdictions', CALLERS.township);
    expect(status).toBe(200);
    const tree = body as Jurisdictions;
    const pucheng = tree.counties.find((c) => c.code === DEMO.county);
    expect(pucheng).toMatchObject({ name: DEMO.countyName, city: DEMO.city });
    const lt = pucheng!.townships.find((t) => t.code === DEMO.township);
    expect(lt?.grids?.map((g) => g.code)).toContain(DEMO.townshipGrid);
    expect(pucheng!.townships.find((t) => t.code === DEMO.street)?.kind).toBe('street');
    expect(pucheng!.departments).toContainEqual({ code: DEMO.departments.urbanManagement, name: expect.any(String), domain: 'urban_management' });
    expect(tree.counties.find((c) => c.code === DEMO.otherCounty)?.townships.map((t) => t.code)).toContain(DEMO.otherCountyTownship);
    // Every demo township and grid is in the tree exactly once.
    const townships = tree.counties.flatMap((c) => c.townships);
    expect(townships.filter((t) => !t.code.startsWith('REF') && /^\d+$/.test(t.code))).toHaveLength(DEMO_COUNTS.townships);
    expect(townships.flatMap((t) => t.grids ?? []).length).toBeGreaterThanOrEqual(DEMO_COUNTS.grids);
  });

  it('grids=false leaves grids out; 401 without a token', async () => {
    const { body } = await get('/v1/jurisdictions?grids=false', CALLERS.upstream);
    expect((body as Jurisdictions).counties.flatMap((c) => c.townships).every((t) => t.grids === undefined)).toBe(true);
    expect((await get('/v1/jurisdictions')).status).toBe(401);
  });
});

describe('GET /v1/matters', () => {
  it('the catalog; a county-level matter names the department of the caller’s county', async () => {
    const { status, body } = await get('/v1/matters', CALLERS.supervisor);
    expect(status).toBe(200);
    const items = (body as { items: Matter[] }).items;
    expect(items.length).toBeGreaterThanOrEqual(DEMO_COUNTS.matters);
    const county = items.find((m) => m.code === DEMO.matters.countyPenalty);
    expect(county).toMatchObject({ level: 'county', category: 'penalty', departmentCode: DEMO.departments.urbanManagement });
    expect(county?.legalBasis).toBeTruthy();
    expect(county?.primaryResponsibility).toBeTruthy();
    const township = items.find((m) => m.code === DEMO.matters.townshipPenalty);
    expect(township?.level).toBe('township');
    expect(township?.departmentCode).toBeUndefined();
    // Shaowu's caller gets Shaowu's department for the same matter.
    const shaowu = await get(`/v1/matters/${DEMO.matters.countyPenalty}`, CALLERS.otherSupervisor);
    expect(shaowu.body).toMatchObject({ departmentCode: DEMO.otherCountyDepartments.urbanManagement });
    // A city-wide caller names the county to resolve it.
    const admin = await get(`/v1/matters/${DEMO.matters.countyPenalty}?countyCode=${DEMO.county}`, CALLERS.admin);
    expect(admin.body).toMatchObject({ departmentCode: DEMO.departments.urbanManagement });
    expect((await get(`/v1/matters/${DEMO.matters.countyPenalty}`, CALLERS.admin)).body.departmentCode).toBeUndefined();
  });

  it('filters by level; 404 for an unknown code with the api.md error body', async () => {
    const { body } = await get('/v1/matters?level=county', CALLERS.township);
    expect((body as { items: Matter[] }).items.every((m) => m.level === 'county')).toBe(true);
    const missing = await get('/v1/matters/NO-SUCH-MATTER', CALLERS.township);
    expect(missing.status).toBe(404);
    expect(missing.body).toMatchObject({ error: { code: 'not_found', message: expect.stringContaining('NO-SUCH-MATTER') } });
    expect((await get('/v1/matters/a%00b', CALLERS.township)).status).toBe(400);
  });
});

describe('GET /v1/officers', () => {
  const ids = (body: unknown) => (body as { items: Officer[] }).items.map((o) => o.id);

  it('a township reads its own brigade, with certified computed for today', async () => {
    const { status, body } = await get('/v1/officers', CALLERS.township);
    expect(status).toBe(200);
    const items = (body as { items: Officer[] }).items;
    expect(items.every((o) => o.unit === DEMO.township && o.unitKind === 'township')).toBe(true);
    const byId = new Map(items.map((o) => [o.id, o]));
    for (const oid of DEMO.officers.certified) expect(byId.get(oid)).toMatchObject({ certified: true, active: true });
    expect(byId.get(DEMO.officers.expired)).toMatchObject({ certified: false, certificateValidUntil: '2025-06-30' });
    expect(byId.get(DEMO.officers.inactive)).toMatchObject({ certified: false, active: false });
  });

  it('certificate validity at the edges of today in Asia/Shanghai', async () => {
    const { body } = await get('/v1/officers', ownTownship);
    const certified = Object.fromEntries((body as { items: Officer[] }).items.map((o) => [o.id, o.certified]));
    expect(certified).toEqual({
      'REF-01-until-today': true,
      'REF-02-until-yesterday': false,
      'REF-03-from-tomorrow': false,
      'REF-04-from-today': true,
      'REF-05-no-certificate': false,
      'REF-06-inactive': false,
    });
    const only = await get('/v1/officers?certified=true', ownTownship);
    expect(ids(only.body)).toEqual(['REF-01-until-today', 'REF-04-from-today']);
  });

  it('a county department reads its own officers; a supervisor its county; admin all, with filters', async () => {
    const dept = await get('/v1/officers', CALLERS.county);
    expect((dept.body as { items: Officer[] }).items.every((o) => o.unit === DEMO.departments.urbanManagement)).toBe(true);
    expect(ids(dept.body)).toEqual(expect.arrayContaining([...DEMO.departmentOfficers.urbanManagement.certified]));

    const sup = await get(`/v1/officers?townshipCode=${DEMO.otherTownship}`, CALLERS.supervisor);
    expect(ids(sup.body)).toEqual(expect.arrayContaining([...DEMO.officers.otherTownshipCertified]));
    const all = await get('/v1/officers?limit=1000', CALLERS.supervisor);
    expect(ids(all.body)).not.toContain(DEMO.officers.otherCountyTownshipCertified[0]);
    expect(ids(all.body)).toContain(DEMO.departmentOfficers.ecology.certified[0]);

    const other = await get(`/v1/officers?townshipCode=${DEMO.otherCountyTownship}`, CALLERS.admin);
    expect(ids(other.body)).toEqual(expect.arrayContaining([...DEMO.officers.otherCountyTownshipCertified]));
  });

  it('pages by id with the cursor', async () => {
    const seen: string[] = [];
    let cursor: string | undefined;
    do {
      const { status, body } = await get(`/v1/officers?townshipCode=${DEMO.township}&limit=2${cursor ? `&cursor=${cursor}` : ''}`, CALLERS.admin);
      expect(status).toBe(200);
      seen.push(...ids(body));
      cursor = (body as { nextCursor?: string }).nextCursor;
    } while (cursor);
    expect(seen).toEqual([...DEMO.officers.certified, DEMO.officers.expired, DEMO.officers.inactive].sort());
    expect((await get('/v1/officers?cursor=AA', CALLERS.admin)).status).toBe(400); // decodes to a NUL
  });

  it('403 outside the jurisdiction; upstream may not read the roster', async () => {
    for (const [claims, query] of [
      [CALLERS.township, `townshipCode=${DEMO.otherTownship}`],
      [CALLERS.township, `departmentCode=${DEMO.departments.urbanManagement}`],
      [CALLERS.county, `departmentCode=${DEMO.departments.ecology}`],
      [CALLERS.county, `townshipCode=${DEMO.township}`],
      [CALLERS.supervisor, `townshipCode=${DEMO.otherCountyTownship}`],
      [CALLERS.supervisor, `departmentCode=${DEMO.otherCountyDepartments.urbanManagement}`],
      [CALLERS.otherSupervisor, `countyCode=${DEMO.county}`],
      [CALLERS.upstream, ''],
    ] as const) {
      const { status, body } = await get(`/v1/officers?${query}`, claims);
      expect({ who: claims.sub, query, status }).toEqual({ who: claims.sub, query, status: 403 });
      expect(body).toMatchObject({ error: { code: 'forbidden' } });
    }
  });
});

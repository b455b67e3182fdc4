import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import type { Claims } from '../../api/claims';
import type { CaseSummary } from '../../api/read-model/cases';
import { bearer, buildTestApp } from '../helpers/api';
import { useTestPool } from '../helpers/db';
import { DAY, HOUR, ensureJurisdiction, project, runningDeadline, snapshot } from '../helpers/read-model';

/**
 * GET /v1/cases?overdue=true reads "overdue" live from the read model (status open, current_due_at < now()):
 * every snapshot below says `overdue: false` on its deadlines — no workflow timer has fired — yet the cases
 * whose due time has passed are listed, most overdue first, and only within the caller's jurisdiction.
 *
 * The run's database is shared with other test files, so this file works in counties of its own.
 */
const pool = useTestPool();
let app: FastifyInstance;

const COUNTY = 'OVL1';
const OTHER_COUNTY = 'OVL2';
const TA = 'OVL1-A';
const TB = 'OVL1-B';
const TX = 'OVL2-A';
const DEPT = 'OVL1.cgj';
const OTHER_DEPT = 'OVL1.sthj';

const supervisor: Claims = { sub: 'ovl-sup', role: 'supervisor', countyCode: COUNTY };
const otherSupervisor: Claims = { sub: 'ovl-sup2', role: 'supervisor', countyCode: OTHER_COUNTY };
const townshipA: Claims = { sub: 'ovl-ta', role: 'township', countyCode: COUNTY, townshipCode: TA };
const county: Claims = { sub: 'ovl-cgj', role: 'county', countyCode: COUNTY, departmentCode: DEPT };
const upstream: Claims = { sub: 'ovl-up', role: 'upstream', countyCode: COUNTY };
const admin: Claims = { sub: 'ovl-admin', role: 'admin' };

const id = (s: string) => `OVL-${s}`;
/** Opened one after another, a minute apart, so "newest first" has a known order: ids in ALL order, newest last. */
const openedAt = (i: number) => new Date(Date.parse('2026-03-01T08:00:00.000+08:00') + i * 60_000).toISOString();

/** [name, township, due (ms ago; negative = in the future; null = no deadline), status, department] */
const CASES: [string, string, number | null, 'open' | 'closed', string?][] = [
  ['a1', TA, 3 * HOUR, 'open'],
  ['a2', TA, 1 * DAY, 'open'],
  ['a3', TA, -2 * HOUR, 'open'], // due in two hours: not overdue
  ['a4', TA, 5 * HOUR, 'closed'], // closed with a stale deadline: never overdue
  ['a5', TA, 6 * HOUR, 'open'],
  ['a6', TA, 6 * HOUR, 'open'], // same due instant as a5: tie broken by caseId
  ['b1', TB, 30 * 60_000, 'open'],
  ['b2', TB, 2 * DAY, 'open', DEPT],
  ['b3', TB, null, 'open'], // no running deadline
  ['b4', TB, 10 * HOUR, 'open'],
  ['b5', TB, -DAY, 'open', DEPT], // the department's, not overdue
  ['x1', TX, 4 * DAY, 'open'], // another county: never in OVL1's lists
];

let dueAtOf: Record<string, string> = {};
/** One instant for every due time, so a5 and a6 fall due at exactly the same moment. */
const NOW = Date.now();

async function list(claims: Claims, query: string): Promise<{ status: number; body: { items: CaseSummary[]; nextCursor?: string } & Record<string, unknown> }> {
  const res = await app.inject({ method: 'GET', url: `/v1/cases?${query}`, headers: bearer(claims) });
  return { status: res.statusCode, body: res.json() };
}

/** Follows nextCursor to the end; fails on a page that repeats an id. */
async function walk(claims: Claims, query: string): Promise<{ ids: string[]; pages: number }> {
  const ids: string[] = [];
  let cursor: string | undefined;
  let pages = 0;
  do {
    const { status, body } = await list(claims, `${query}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
    expect(status).toBe(200);
    pages++;
    for (const item of body.items) {
      expect(ids).not.toContain(item.caseId);
      ids.push(item.caseId);
    }
    cursor = body.nextCursor;
    expect(pages).toBeLessThan(50);
  } while (cursor);
  return { ids, pages };
}

beforeAll(async () => {
  await ensureJurisdiction(pool, {
    county: COUNTY,
    townships: [TA, TB],
    departments: [
      { code: DEPT, domain: 'urban_management' },
      { code: OTHER_DEPT, domain: 'ecology' },
    ],
  });
  await ensureJurisdiction(pool, { county: OTHER_COUNTY, townships: [TX], departments: [] });
  dueAtOf = {};
  for (const [i, [name, township, dueAgo, status, department]] of CASES.entries()) {
    const county = township === TX ? OTHER_COUNTY : COUNTY;
    const dueAt = dueAgo === null ? undefined : new Date(NOW - dueAgo).toISOString();
    if (dueAt) dueAtOf[id(name)] = dueAt;
    await project(
      pool,
      snapshot(id(name), county, township, {
        stage: status === 'closed' ? 'review' : 'handling',
        status,
        ...(status === 'closed' ? { resolution: 'resolved' as const, closedAt: openedAt(i + 1) } : {}),
        handler: department ? { level: 'county', departmentCode: department } : { level: 'township' },
        openedAt: openedAt(i),
        updatedAt: openedAt(i),
        // A closed case's deadline was met; an open one is still running and, in the snapshot, NOT overdue.
        deadlines: dueAt
          ? [runningDeadline('handling', dueAt, status === 'closed' ? { status: 'met', closedAt: openedAt(i + 1) } : {})]
          : [],
      }),
    );
  }
  ({ app } = await buildTestApp(pool));
});

afterAll(async () => {
  await app?.close();
});

describe('GET /v1/cases?overdue=true', () => {
  it('no workflow timer has fired: the read model says overdue = false for every case', async () => {
    const { rows } = await pool.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM cases WHERE case_id LIKE 'OVL-%' AND (overdue OR ever_overdue)`,
    );
    expect(rows[0]?.n).toBe(0);
  });

  it("lists exactly the supervisor's county's open cases past their due time, most overdue first (ties by caseId)", async () => {
    const { status, body } = await list(supervisor, 'overdue=true&limit=500');
    expect(status).toBe(200);
    expect(body.items.map((c) => c.caseId)).toEqual([id('b2'), id('a2'), id('b4'), id('a5'), id('a6'), id('a1'), id('b1')]);
    expect(body.nextCursor).toBeUndefined();
    for (const c of body.items) {
      expect(c.overdue).toBe(true);
      expect(c.status).toBe('open');
      expect(c.countyCode).toBe(COUNTY);
      expect(c.currentDeadline).toEqual({ kind: 'handling', dueAt: expect.any(String) });
      expect(Date.parse(c.currentDeadline!.dueAt)).toBe(Date.parse(dueAtOf[c.caseId]!));
    }
    // Lateness in seconds, computed by the database at query time: at least what was set up.
    const byId = Object.fromEntries(body.items.map((c) => [c.caseId, c]));
    expect(byId[id('b2')]!.overdueSeconds).toBeGreaterThanOrEqual(2 * 86_400);
    expect(byId[id('a2')]!.overdueSeconds).toBeGreaterThanOrEqual(86_400);
    expect(byId[id('a2')]!.overdueSeconds).toBeLessThan(2 * 86_400);
    expect(byId[id('b1')]!.overdueSeconds).toBeGreaterThanOrEqual(1_800);
    expect(byId[id('b2')]!.handler).toEqual({ level: 'county', departmentCode: DEPT });
  });

  it('limit=2 walks every page with the cursor: same rows, same order, no duplicates or misses', async () => {
    const { ids, pages } = await walk(supervisor, 'overdue=true&limit=2');
    expect(ids).toEqual([id('b2'), id('a2'), id('b4'), id('a5'), id('a6'), id('a1'), id('b1')]);
    expect(pages).toBe(4);
  });

  it('a township sees its own township only; a county department the cases it handles', async () => {
    expect((await walk(townshipA, 'overdue=true&limit=2')).ids).toEqual([id('a2'), id('a5'), id('a6'), id('a1')]);
    expect((await list(county, 'overdue=true')).body.items.map((c) => c.caseId)).toEqual([id('b2')]);
  });

  it('filters narrow within the jurisdiction; the other county is seen by its own supervisor and by admin', async () => {
    expect((await list(supervisor, `overdue=true&townshipCode=${TB}`)).body.items.map((c) => c.caseId)).toEqual([
      id('b2'),
      id('b4'),
      id('b1'),
    ]);
    expect((await list(supervisor, `overdue=true&departmentCode=${DEPT}`)).body.items.map((c) => c.caseId)).toEqual([id('b2')]);
    expect((await list(otherSupervisor, 'overdue=true')).body.items.map((c) => c.caseId)).toEqual([id('x1')]);
    expect((await list(admin, `overdue=true&countyCode=${COUNTY}&limit=500`)).body.items).toHaveLength(7);
    const city = await list({ sub: 'city', role: 'supervisor' }, 'overdue=true&limit=500');
    const mine = city.body.items.map((c) => c.caseId).filter((c) => c.startsWith('OVL-'));
    expect(mine).toEqual([id('x1'), id('b2'), id('a2'), id('b4'), id('a5'), id('a6'), id('a1'), id('b1')]);
  });

  it('a filter outside the jurisdiction is 403, never other rows', async () => {
    for (const [claims, query] of [
      [supervisor, `countyCode=${OTHER_COUNTY}`],
      [supervisor, `townshipCode=${TX}`],
      [supervisor, 'townshipCode=NO-SUCH-TOWNSHIP'],
      [otherSupervisor, `departmentCode=${DEPT}`],
      [townshipA, `townshipCode=${TB}`],
      [townshipA, `countyCode=${OTHER_COUNTY}`],
      [county, `departmentCode=${OTHER_DEPT}`],
      [county, `townshipCode=${TX}`],
    ] as const) {
      const { status, body } = await list(claims, `overdue=true&${query}`);
      expect({ query, status }).toEqual({ query, status: 403 });
      expect(body).toMatchObject({ error: { code: 'forbidden' } });
    }
    expect((await list(upstream, 'overdue=true')).status).toBe(403);
    const anonymous = await app.inject({ method: 'GET', url: '/v1/cases?overdue=true' });
    expect(anonymous.statusCode).toBe(401);
  });

  it('bad input is 400 with the field named: limit above 500, a forged cursor, an overdue cursor on the plain list', async () => {
    const tooMany = await list(supervisor, 'overdue=true&limit=501');
    expect(tooMany.status).toBe(400);
    expect(JSON.stringify(tooMany.body)).toContain('limit');
    const forged = await list(supervisor, 'overdue=true&cursor=bm90LWEtY3Vyc29y');
    expect(forged.status).toBe(400);
    expect(forged.body).toMatchObject({ error: { details: [{ path: 'cursor' }] } });
    const first = await list(supervisor, 'overdue=true&limit=1');
    const mixed = await list(supervisor, `limit=1&cursor=${first.body.nextCursor}`);
    expect(mixed.status).toBe(400);
    // Values Postgres would refuse never reach it: year 0000, a NUL in a cursor.
    expect((await list(supervisor, 'openedFrom=0000-01-01T00:00:00Z')).status).toBe(400);
    const nul = Buffer.from(JSON.stringify({ m: 'd', k: '2026-01-01T00:00:00.000000Z', id: 'a\u0000b' })).toString('base64url');
    expect((await list(supervisor, `overdue=true&cursor=${nul}`)).status).toBe(400);
    const year0 = Buffer.from(JSON.stringify({ m: 'd', k: '0000-01-01T00:00:00.000000Z', id: 'x' })).toString('base64url');
    expect((await list(supervisor, `overdue=true&cursor=${year0}`)).status).toBe(400);
  });
});

describe('GET /v1/cases (not overdue-only)', () => {
  it('lists newest first and pages with the cursor', async () => {
    const { ids } = await walk(supervisor, 'limit=3');
    const expected = CASES.filter(([, t]) => t !== TX)
      .map(([name]) => id(name))
      .reverse();
    expect(ids).toEqual(expected);
  });

  it('overdue=false lists the others; status and departmentCode filter', async () => {
    const { ids } = await walk(supervisor, 'overdue=false&limit=4');
    expect(ids).toEqual([id('b5'), id('b3'), id('a4'), id('a3')]);
    const closed = await list(supervisor, 'status=closed');
    expect(closed.body.items.map((c) => c.caseId)).toEqual([id('a4')]);
    expect(closed.body.items[0]).toMatchObject({ overdue: false, overdueSeconds: 0, resolution: 'resolved' });
    expect(closed.body.items[0]?.closedAt).toBeDefined();
    const dept = await list(county, '');
    expect(dept.body.items.map((c) => c.caseId)).toEqual([id('b5'), id('b2')]);
  });

  it('openedFrom/openedTo bound the opening time', async () => {
    const { body } = await list(supervisor, `openedFrom=${encodeURIComponent(openedAt(2))}&openedTo=${encodeURIComponent(openedAt(5))}`);
    expect(body.items.map((c) => c.caseId)).toEqual([id('a5'), id('a4'), id('a3')]);
  });
});

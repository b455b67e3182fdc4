import type { FastifyInstance } from 'fastify';
import type { Pool } from 'pg';
import { recordTransition } from '../../activities';
import { buildApp } from '../../api/app';
import type { Claims } from '../../api/claims';
import type { Actor, CaseView } from '../../domain/case';
import { DEMO } from '../../db/seed';
import { signDevToken } from '../../runtime/dev-token';
import { FakeTemporal } from './fake-temporal';

export const TEST_JWT_SECRET = 'test-secret-at-least-16-characters';

/** One caller per role and jurisdiction, in DEMO's codes. */
export const CALLERS = {
  upstream: { sub: 'hotline-12345', role: 'upstream', countyCode: DEMO.county },
  upstreamOther: { sub: 'grid-app', role: 'upstream', countyCode: DEMO.county },
  upstreamOneTownship: { sub: 'referrer', role: 'upstream', countyCode: DEMO.county, townshipCodes: [DEMO.otherTownship] },
  township: { sub: 'brigade-lt', role: 'township', countyCode: DEMO.county, townshipCode: DEMO.township },
  otherTownship: { sub: 'brigade-sp', role: 'township', countyCode: DEMO.county, townshipCode: DEMO.otherTownship },
  county: { sub: 'cgj-1', role: 'county', countyCode: DEMO.county, departmentCode: DEMO.departments.urbanManagement },
  otherDepartment: { sub: 'sthj-1', role: 'county', countyCode: DEMO.county, departmentCode: DEMO.departments.ecology },
  supervisor: { sub: 'sup-pc', role: 'supervisor', countyCode: DEMO.county },
  otherSupervisor: { sub: 'sup-sw', role: 'supervisor', countyCode: DEMO.otherCounty },
  citySupervisor: { sub: 'sup-city', role: 'supervisor' },
  admin: { sub: 'admin-1', role: 'admin' },
} satisfies Record<string, Claims>;
export type CallerName = keyof typeof CALLERS;

export function tokenFor(caller: CallerName | Claims, secret = TEST_JWT_SECRET): string {
  const claims = typeof caller === 'string' ? CALLERS[caller] : caller;
  return signDevToken(claims, secret);
}
export function bearer(caller: CallerName | Claims): { authorization: string } {
  return { authorization: `Bearer ${tokenFor(caller)}` };
}

export async function buildTestApp(pool: Pool, fake = new FakeTemporal(pool)): Promise<{ app: FastifyInstance; fake: FakeTemporal }> {
  const app = await buildApp({ pool, temporal: { client: fake.client, taskQueue: 'unused' }, jwtSecret: TEST_JWT_SECRET });
  return { app, fake };
}

const actor = (c: Claims): Actor => ({ sub: c.sub, role: c.role, unit: c.townshipCode ?? c.departmentCode ?? c.countyCode });

/** A case snapshot in the shape the workflow projects. */
export function fixtureCase(caseId: string, overrides: Partial<CaseView> = {}): CaseView {
  const at = '2026-03-02T09:00:00.000+08:00';
  return {
    caseId,
    source: 'hotline',
    status: 'open',
    stage: 'capture',
    countyCode: DEMO.county,
    townshipCode: DEMO.township,
    location: { address: '莲塘镇街上路18号' },
    description: 'fixture case',
    urgent: false,
    handler: { level: 'township' },
    openedAt: at,
    updatedAt: at,
    slaPolicyVersion: 1,
    reworkCount: 0,
    deadlines: [],
    timeline: [{ seq: 1, at, type: 'case_opened', stage: 'patrol', actor: actor(CALLERS.upstream) }],
    children: [],
    createdBy: actor(CALLERS.upstream),
    ...overrides,
  };
}

/**
 * Cases of every jurisdiction, unique to `prefix` (test files share the run's database). Each is in the
 * read model (recordTransition) and, when `live`, also answers queries in the fake Temporal.
 */
export function fixtureCases(prefix: string) {
  const id = (s: string) => `${prefix}-${s}`;
  return {
    /** DEMO.township, opened by CALLERS.upstream, township-handled, in capture. */
    own: fixtureCase(id('own')),
    /** Another township of the county, opened by CALLERS.upstreamOther. */
    otherTownship: fixtureCase(id('othertwp'), {
      townshipCode: DEMO.otherTownship,
      createdBy: actor(CALLERS.upstreamOther),
      timeline: [{ seq: 1, at: '2026-03-02T09:00:00.000+08:00', type: 'case_opened', stage: 'patrol', actor: actor(CALLERS.upstreamOther) }],
    }),
    /** Another county. */
    otherCounty: fixtureCase(id('othercty'), {
      countyCode: DEMO.otherCounty,
      townshipCode: DEMO.otherCountyTownship,
      createdBy: actor(CALLERS.upstreamOther),
    }),
    /** Transferred to the urban-management department, awaiting its answer. */
    transferred: fixtureCase(id('transfer'), {
      stage: 'assignment',
      handler: { level: 'county', departmentCode: DEMO.departments.urbanManagement },
    }),
    /** Was answered by urban management (returned), now back at the township in handling. */
    returned: fixtureCase(id('returned'), {
      stage: 'handling',
      handler: { level: 'township', officerIds: [...DEMO.officers.certified.slice(0, 2)] },
      timeline: [
        { seq: 1, at: '2026-03-02T09:00:00.000+08:00', type: 'case_opened', stage: 'patrol', actor: actor(CALLERS.upstream) },
        {
          seq: 2,
          at: '2026-03-02T10:00:00.000+08:00',
          type: 'county-returned',
          stage: 'assignment',
          actor: actor(CALLERS.county),
          data: { departmentCode: DEMO.departments.urbanManagement, reason: 'not ours' },
        },
      ],
    }),
    /** A running judicial transfer. */
    judicial: fixtureCase(id('judicial'), {
      stage: 'handling',
      handler: { level: 'judicial' },
      children: [{ kind: 'judicial-transfer', workflowId: `${id('judicial')}/judicial-transfer`, status: 'running' }],
    }),
    /** A running court enforcement. */
    court: fixtureCase(id('court'), {
      stage: 'processing',
      handler: { level: 'court' },
      children: [{ kind: 'court-enforcement', workflowId: `${id('court')}/court-enforcement`, status: 'running' }],
    }),
    /** Closed (only in the read model: its workflow is past retention). */
    closed: fixtureCase(id('closed'), { status: 'closed', stage: 'review', resolution: 'resolved', closedAt: '2026-03-03T09:00:00.000+08:00' }),
  };
}

export async function installFixtures(pool: Pool, fake: FakeTemporal, cases: Record<string, CaseView>): Promise<void> {
  for (const [name, c] of Object.entries(cases)) {
    await recordTransition(pool, { workflowId: c.caseId, snapshot: c, seq: c.timeline.length, events: c.timeline, notifications: [] });
    if (name !== 'closed') fake.cases.set(c.caseId, c);
  }
}

/** buildTestApp with `cases` installed in the read model and the fake Temporal (installFixtures). */
export async function buildFixtureApp(pool: Pool, cases: Record<string, CaseView>): Promise<{ app: FastifyInstance; fake: FakeTemporal }> {
  const built = await buildTestApp(pool);
  await installFixtures(pool, built.fake, cases);
  return built;
}

/** The body of a 12345 hotline work order in the demo township, as the platform sends it. */
export function hotlineOpening(externalRef: string): Record<string, unknown> {
  return {
    source: 'hotline',
    externalRef,
    countyCode: DEMO.county,
    townshipCode: DEMO.township,
    location: { address: '浦城县莲塘镇街上路18号' },
    description: '商户长期占道经营，影响通行',
    reporter: { name: '王女士', phone: '13800000000' },
  };
}

import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Claims } from '../../api/claims';
import type { CaseSummary } from '../../api/read-model/cases';
import { bearer, buildTestApp } from '../helpers/api';
import { useTestPool } from '../helpers/db';
import { ensureJurisdiction, project, snapshot } from '../helpers/read-model';

/**
 * GET /v1/cases as role county reads the token's countyCode as well as its departmentCode (issue 6,
 * defect 8): a county token of county A never lists county B's cases, whatever department it names.
 * Counties of this file's own (the run's database is shared).
 */
const pool = useTestPool();
let app: FastifyInstance;

const A = 'CLA1';
const B = 'CLA2';
const DEPT_A = 'CLA1.cgj';
const DEPT_B = 'CLA2.cgj';

const ownDepartment: Claims = { sub: 'cla-b', role: 'county', countyCode: B, departmentCode: DEPT_B };
const otherCountyToken: Claims = { sub: 'cla-a', role: 'county', countyCode: A, departmentCode: DEPT_B };
const countyA: Claims = { sub: 'cla-a2', role: 'county', countyCode: A, departmentCode: DEPT_A };

beforeAll(async () => {
  await ensureJurisdiction(pool, { county: A, townships: [`${A}-T`], departments: [{ code: DEPT_A, domain: 'urban_management' }] });
  await ensureJurisdiction(pool, { county: B, townships: [`${B}-T`], departments: [{ code: DEPT_B, domain: 'urban_management' }] });
  await project(pool, snapshot('CLA-b1', B, `${B}-T`, { stage: 'handling', handler: { level: 'county', departmentCode: DEPT_B } }));
  await project(pool, snapshot('CLA-a1', A, `${A}-T`, { stage: 'handling', handler: { level: 'county', departmentCode: DEPT_A } }));
  ({ app } = await buildTestApp(pool));
});
afterAll(async () => {
  await app?.close();
});

async function listed(claims: Claims, query = ''): Promise<string[]> {
  const res = await app.inject({ method: 'GET', url: `/v1/cases?limit=500${query}`, headers: bearer(claims) });
  expect(res.statusCode, res.body).toBe(200);
  return (res.json() as { items: CaseSummary[] }).items.map((c) => c.caseId).filter((id) => id.startsWith('CLA-'));
}

describe('GET /v1/cases as a county department', () => {
  it("lists its department's cases of its own county", async () => {
    expect(await listed(ownDepartment)).toEqual(['CLA-b1']);
    expect(await listed(countyA)).toEqual(['CLA-a1']);
  });

  it("a token of county A naming county B's department lists none of county B's cases", async () => {
    expect(await listed(otherCountyToken)).toEqual([]);
    expect(await listed(otherCountyToken, '&overdue=false')).toEqual([]);
  });
});

import type { Pool } from 'pg';
import type { Claims } from '../claims';
import { forbidden } from '../errors';

/**
 * Jurisdiction of the read-model endpoints (domain.md "Roles"): which rows a caller may see and whether
 * a filter it asks for lies inside its jurisdiction. A filter outside it is refused with 403, so a
 * list never answers with another jurisdiction's rows (nor hints at them with an empty page).
 */

/** Codes a caller may filter on. */
export interface UnitFilter {
  countyCode?: string | undefined;
  townshipCode?: string | undefined;
  departmentCode?: string | undefined;
}

type Queryable = Pick<Pool, 'query'>;

async function townshipCounty(db: Queryable, code: string): Promise<string | undefined> {
  const { rows } = await db.query<{ county_code: string }>('SELECT county_code FROM townships WHERE code = $1', [code]);
  return rows[0]?.county_code;
}

async function departmentCounty(db: Queryable, code: string): Promise<string | undefined> {
  const { rows } = await db.query<{ county_code: string }>('SELECT county_code FROM departments WHERE code = $1', [code]);
  return rows[0]?.county_code;
}

/**
 * Refuses (403) a filter that is not provably inside the caller's county: the township or department
 * must exist and belong to `county`. An unknown code is refused too — a scoped caller learns nothing
 * about codes outside its county.
 */
async function assertInCounty(db: Queryable, county: string, filter: UnitFilter): Promise<void> {
  if (filter.countyCode !== undefined && filter.countyCode !== county) {
    throw forbidden(`countyCode ${filter.countyCode} is outside your jurisdiction (county ${county})`);
  }
  if (filter.townshipCode !== undefined && (await townshipCounty(db, filter.townshipCode)) !== county) {
    throw forbidden(`townshipCode ${filter.townshipCode} is not a township of county ${county}`);
  }
  if (filter.departmentCode !== undefined && (await departmentCounty(db, filter.departmentCode)) !== county) {
    throw forbidden(`departmentCode ${filter.departmentCode} is not a department of county ${county}`);
  }
}

/** A supervisor of a county filters inside it (assertInCounty); a city supervisor, without countyCode, on anything. */
async function assertSupervisorFilters(db: Queryable, claims: Claims, filter: UnitFilter): Promise<void> {
  if (claims.countyCode !== undefined) await assertInCounty(db, claims.countyCode, filter);
}

/**
 * Checks the filters of a case list against the caller's jurisdiction:
 * - township: its own township; a departmentCode must be a department of its county;
 * - county: its own department; a townshipCode must be a township of its county;
 * - supervisor: its county (a city supervisor, without countyCode, everything);
 * - admin: everything; upstream: refused (lists are for township, county, supervisor, admin).
 */
export async function assertCaseFilters(db: Queryable, claims: Claims, filter: UnitFilter): Promise<void> {
  switch (claims.role) {
    case 'admin':
      return;
    case 'supervisor':
      return assertSupervisorFilters(db, claims, filter);
    case 'township':
      if (filter.townshipCode !== undefined && filter.townshipCode !== claims.townshipCode) {
        throw forbidden(`townshipCode ${filter.townshipCode} is outside your jurisdiction (township ${claims.townshipCode})`);
      }
      return assertInCounty(db, claims.countyCode ?? '', { ...filter, townshipCode: undefined });
    case 'county':
      if (filter.departmentCode !== undefined && filter.departmentCode !== claims.departmentCode) {
        throw forbidden(`departmentCode ${filter.departmentCode} is outside your jurisdiction (department ${claims.departmentCode})`);
      }
      return assertInCounty(db, claims.countyCode ?? '', { ...filter, departmentCode: undefined });
    default:
      throw forbidden(`role ${claims.role} may not list cases`);
  }
}

/**
 * What bounds the cases the caller sees; empty for admin and a city supervisor. `department`: the cases a
 * county department handles or was summoned to (吹哨报到).
 */
export function caseScope(claims: Claims): { column: 'county_code' | 'township_code' | 'department'; value: string }[] {
  switch (claims.role) {
    case 'admin':
      return [];
    case 'supervisor':
      return claims.countyCode === undefined ? [] : [{ column: 'county_code', value: claims.countyCode }];
    case 'township':
      if (!claims.townshipCode) throw forbidden('a township token needs townshipCode');
      return [{ column: 'township_code', value: claims.townshipCode }];
    case 'county':
      // Both codes: the department's cases inside the token's county only, whatever the department code.
      if (!claims.departmentCode || !claims.countyCode) throw forbidden('a county token needs countyCode and departmentCode');
      return [
        { column: 'county_code', value: claims.countyCode },
        { column: 'department', value: claims.departmentCode },
      ];
    default:
      throw forbidden(`role ${claims.role} may not list cases`);
  }
}

/** Supervisors and admins read statistics: supervisor of its county (city supervisor: all), admin all. */
export function statsScope(claims: Claims): { countyCode?: string } {
  if (claims.role === 'admin') return {};
  if (claims.role === 'supervisor') return claims.countyCode === undefined ? {} : { countyCode: claims.countyCode };
  throw forbidden(`role ${claims.role} may not read efficiency statistics`);
}

/** Officer roster: township its own brigade, county its own department, supervisor its county, admin all. */
export async function assertOfficerFilters(db: Queryable, claims: Claims, filter: UnitFilter): Promise<void> {
  switch (claims.role) {
    case 'admin':
      return;
    case 'supervisor':
      return assertSupervisorFilters(db, claims, filter);
    case 'township':
      if (filter.countyCode !== undefined && filter.countyCode !== claims.countyCode) throw forbidden('a township reads its own brigade only');
      if (filter.townshipCode !== undefined && filter.townshipCode !== claims.townshipCode) {
        throw forbidden(`townshipCode ${filter.townshipCode} is not your brigade (township ${claims.townshipCode})`);
      }
      if (filter.departmentCode !== undefined) throw forbidden('a township reads its own brigade only');
      return;
    case 'county':
      if (filter.countyCode !== undefined && filter.countyCode !== claims.countyCode) throw forbidden('a county department reads its own officers only');
      if (filter.departmentCode !== undefined && filter.departmentCode !== claims.departmentCode) {
        throw forbidden(`departmentCode ${filter.departmentCode} is not your department (${claims.departmentCode})`);
      }
      if (filter.townshipCode !== undefined) throw forbidden('a county department reads its own officers only');
      return;
    default:
      throw forbidden(`role ${claims.role} may not read the officer roster`);
  }
}

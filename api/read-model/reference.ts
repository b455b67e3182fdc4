import { z } from 'zod';
import type { Pool } from 'pg';
import type { Claims } from '../claims';
import { badRequest, forbidden, notFound } from '../errors';
import { assertOfficerFilters } from './jurisdiction';
import { paramList, shanghaiTodaySql } from './sql';

/** Reference data of the four registries: jurisdiction tree, matter catalog, personnel roster. */

const code = z.string().trim().min(1).max(64).regex(/^[A-Za-z0-9_.-]+$/, 'letters, digits, _ . - only');

// ---------------------------------------------------------------------------------------------------------
// Jurisdictions

export const jurisdictionsQuerySchema = z
  .object({ grids: z.enum(['true', 'false']).default('true').describe('false leaves the grids out of the tree') })
  .strict();

export const jurisdictionsSchema = z.object({
  counties: z.array(
    z.object({
      code: z.string(),
      name: z.string(),
      city: z.string(),
      townships: z.array(
        z.object({
          code: z.string(),
          name: z.string(),
          kind: z.enum(['township', 'street']),
          grids: z.array(z.object({ code: z.string(), name: z.string() })).optional(),
        }),
      ),
      departments: z.array(z.object({ code: z.string(), name: z.string(), domain: z.string() })),
    }),
  ),
});
export type Jurisdictions = z.infer<typeof jurisdictionsSchema>;
type County = Jurisdictions['counties'][number];
type Township = County['townships'][number];

export async function jurisdictions(pool: Pool, withGrids: boolean): Promise<Jurisdictions> {
  const [counties, townships, departments, grids] = await Promise.all([
    pool.query<{ code: string; name: string; city: string }>('SELECT code, name, city FROM counties ORDER BY code'),
    pool.query<{ code: string; name: string; kind: 'township' | 'street'; county_code: string }>(
      'SELECT code, name, kind, county_code FROM townships ORDER BY code',
    ),
    pool.query<{ code: string; name: string; domain: string; county_code: string }>(
      'SELECT code, name, domain, county_code FROM departments ORDER BY code',
    ),
    withGrids
      ? pool.query<{ code: string; name: string; township_code: string }>('SELECT code, name, township_code FROM grids ORDER BY code')
      : Promise.resolve({ rows: [] as { code: string; name: string; township_code: string }[] }),
  ]);
  const byCounty = new Map<string, County>();
  const out: Jurisdictions = { counties: [] };
  for (const c of counties.rows) {
    const county: County = { code: c.code, name: c.name, city: c.city, townships: [], departments: [] };
    byCounty.set(c.code, county);
    out.counties.push(county);
  }
  const byTownship = new Map<string, Township>();
  for (const t of townships.rows) {
    const township: Township = { code: t.code, name: t.name, kind: t.kind };
    if (withGrids) township.grids = [];
    byTownship.set(t.code, township);
    byCounty.get(t.county_code)?.townships.push(township);
  }
  for (const g of grids.rows) byTownship.get(g.township_code)?.grids?.push({ code: g.code, name: g.name });
  for (const d of departments.rows) byCounty.get(d.county_code)?.departments.push({ code: d.code, name: d.name, domain: d.domain });
  return out;
}

// ---------------------------------------------------------------------------------------------------------
// Matter catalog

export const matterSchema = z.object({
  code: z.string(),
  name: z.string(),
  category: z.enum(['penalty', 'inspection', 'compulsory', 'other']),
  domain: z.string(),
  level: z.enum(['township', 'county']),
  departmentCode: z
    .string()
    .optional()
    .describe("for a county-level matter: the department of the caller's county (or of ?countyCode) for the matter's domain"),
  legalBasis: z.string(),
  primaryResponsibility: z.string().describe('主体责任'),
  cooperatingResponsibility: z.string().optional().describe('配合责任'),
});
export type Matter = z.infer<typeof matterSchema>;

export const mattersQuerySchema = z
  .object({
    countyCode: code.optional().describe("resolve departmentCode in this county (default: the caller's county)"),
    level: z.enum(['township', 'county']).optional(),
    category: z.enum(['penalty', 'inspection', 'compulsory', 'other']).optional(),
  })
  .strict();
export const matterQuerySchema = z
  .object({ countyCode: code.optional().describe("resolve departmentCode in this county (default: the caller's county)") })
  .strict();

interface MatterRow {
  code: string;
  name: string;
  category: Matter['category'];
  domain: string;
  level: Matter['level'];
  department_code: string | null;
  legal_basis: string;
  primary_responsibility: string;
  cooperating_responsibility: string | null;
}

function toMatter(r: MatterRow): Matter {
  const m: Matter = {
    code: r.code,
    name: r.name,
    category: r.category,
    domain: r.domain,
    level: r.level,
    legalBasis: r.legal_basis,
    primaryResponsibility: r.primary_responsibility,
  };
  if (r.department_code !== null) m.departmentCode = r.department_code;
  if (r.cooperating_responsibility !== null) m.cooperatingResponsibility = r.cooperating_responsibility;
  return m;
}

const matterSelect = (countyP: string) => `
  SELECT m.code, m.name, m.category, m.domain, m.level, d.code AS department_code, m.legal_basis,
         m.primary_responsibility, m.cooperating_responsibility
    FROM matters m
    LEFT JOIN departments d ON m.level = 'county' AND d.domain = m.domain AND d.county_code = ${countyP}`;

export async function listMatters(
  pool: Pool,
  claims: Claims,
  query: { countyCode?: string | undefined; level?: Matter['level'] | undefined; category?: Matter['category'] | undefined },
): Promise<{ items: Matter[] }> {
  const { params, p } = paramList();
  const countyP = p(query.countyCode ?? claims.countyCode ?? null);
  // a retired matter stays readable by its code (cases refer to it) but leaves the catalog list
  const where: string[] = ['m.retired_at IS NULL'];
  if (query.level) where.push(`m.level = ${p(query.level)}`);
  if (query.category) where.push(`m.category = ${p(query.category)}`);
  const { rows } = await pool.query<MatterRow>(
    `${matterSelect(countyP)} WHERE ${where.join(' AND ')} ORDER BY m.code`,
    params,
  );
  return { items: rows.map(toMatter) };
}

export async function getMatter(pool: Pool, claims: Claims, matterCode: string, countyCode?: string): Promise<Matter> {
  const { rows } = await pool.query<MatterRow>(`${matterSelect('$1')} WHERE m.code = $2`, [
    countyCode ?? claims.countyCode ?? null,
    matterCode,
  ]);
  const row = rows[0];
  if (!row) throw notFound(`matter ${matterCode}`);
  return toMatter(row);
}

// ---------------------------------------------------------------------------------------------------------
// Personnel roster

export const officersQuerySchema = z
  .object({
    townshipCode: code.optional(),
    departmentCode: code.optional(),
    countyCode: code.optional(),
    certified: z.enum(['true', 'false']).optional().describe('only officers (not) certified today'),
    limit: z.coerce.number().int().min(1).max(1000).default(200),
    cursor: z.string().min(1).max(256).optional(),
  })
  .strict();
export type OfficersQuery = z.output<typeof officersQuerySchema>;

export const officerSchema = z.object({
  id: z.string(),
  name: z.string(),
  unit: z.string().describe('the code of the brigade (township) or department the officer belongs to'),
  unitKind: z.enum(['township', 'department']),
  unitName: z.string().nullable(),
  certificateNo: z.string().nullable(),
  certified: z.boolean().describe('active, with a certificate valid today (Asia/Shanghai)'),
  certificateValidFrom: z.string().nullable(),
  certificateValidUntil: z.string().nullable().describe('last day of validity, YYYY-MM-DD'),
  active: z.boolean(),
});
export type Officer = z.infer<typeof officerSchema>;
export const officerListSchema = z.object({ items: z.array(officerSchema), nextCursor: z.string().optional() });

interface OfficerRow {
  id: string;
  name: string;
  township_code: string | null;
  department_code: string | null;
  unit_name: string | null;
  certificate_no: string | null;
  certified: boolean;
  valid_from: string | null;
  valid_until: string | null;
  active: boolean;
}

/** Whether a certificate is valid today in Asia/Shanghai; the same rule as the officer check of assignments
 * (domain/registries.ts certificateRefusal): active, not retired, valid today, not suspended today. */
const certifiedSql = `(o.active AND o.retired_at IS NULL AND o.certificate_no IS NOT NULL
  AND (o.certificate_valid_from IS NULL OR o.certificate_valid_from <= ${shanghaiTodaySql})
  AND o.certificate_valid_until IS NOT NULL AND o.certificate_valid_until >= ${shanghaiTodaySql}
  AND NOT (o.suspended_from IS NOT NULL AND o.suspended_from <= ${shanghaiTodaySql} AND o.suspended_until >= ${shanghaiTodaySql}))`;

export async function listOfficers(pool: Pool, claims: Claims, query: OfficersQuery): Promise<{ items: Officer[]; nextCursor?: string }> {
  await assertOfficerFilters(pool, claims, query);
  const { params, p } = paramList();
  const where: string[] = [];
  switch (claims.role) {
    case 'township':
      where.push(`o.township_code = ${p(claims.townshipCode)}`);
      break;
    case 'county':
      where.push(`o.department_code = ${p(claims.departmentCode)}`);
      break;
    case 'supervisor':
      if (claims.countyCode !== undefined) where.push(`COALESCE(t.county_code, d.county_code) = ${p(claims.countyCode)}`);
      break;
    case 'admin':
      break;
    default:
      throw forbidden(`role ${claims.role} may not read the officer roster`);
  }
  if (query.townshipCode !== undefined) where.push(`o.township_code = ${p(query.townshipCode)}`);
  if (query.departmentCode !== undefined) where.push(`o.department_code = ${p(query.departmentCode)}`);
  if (query.countyCode !== undefined) where.push(`COALESCE(t.county_code, d.county_code) = ${p(query.countyCode)}`);
  if (query.certified !== undefined) where.push(query.certified === 'true' ? certifiedSql : `NOT ${certifiedSql}`);
  if (query.cursor !== undefined) {
    const after = Buffer.from(query.cursor, 'base64url').toString('utf8');
    // Postgres text holds no NUL; U+FFFD marks bytes that were not UTF-8: neither came from this list.
    if (!after || /[\u0000\uFFFD]/.test(after)) throw badRequest('invalid cursor', [{ path: 'cursor', message: 'not a cursor this list handed out' }]);
    where.push(`o.id > ${p(after)}`);
  }
  const { rows } = await pool.query<OfficerRow>(
    `SELECT o.id, o.name, o.township_code, o.department_code, COALESCE(t.name, d.name) AS unit_name, o.certificate_no,
            ${certifiedSql} AS certified,
            to_char(o.certificate_valid_from, 'YYYY-MM-DD') AS valid_from,
            to_char(o.certificate_valid_until, 'YYYY-MM-DD') AS valid_until, o.active
       FROM officers o
       LEFT JOIN townships t ON t.code = o.township_code
       LEFT JOIN departments d ON d.code = o.department_code
      ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
      ORDER BY o.id
      LIMIT ${p(query.limit + 1)}`,
    params,
  );
  const page = rows.slice(0, query.limit);
  const items = page.map(
    (r): Officer => ({
      id: r.id,
      name: r.name,
      unit: r.township_code ?? r.department_code ?? '',
      unitKind: r.township_code !== null ? 'township' : 'department',
      unitName: r.unit_name,
      certificateNo: r.certificate_no,
      certified: r.certified,
      certificateValidFrom: r.valid_from,
      certificateValidUntil: r.valid_until,
      active: r.active,
    }),
  );
  const last = page[page.length - 1];
  return rows.length > query.limit && last ? { items, nextCursor: Buffer.from(last.id, 'utf8').toString('base64url') } : { items };
}

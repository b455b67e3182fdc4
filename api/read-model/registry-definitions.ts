import { z } from 'zod';
import type { PoolClient } from 'pg';
import { maskIdNumber } from '../../domain/identifiers';
import {
  enforcementObjectInputSchema,
  matterInputSchema,
  officerInputSchema,
  responsibilityItemInputSchema,
  TOWNSHIP_UNIT,
  type EnforcementObjectInput,
  type MatterInput,
  type OfficerInput,
  type RegistryName,
  type ResponsibilityItemInput,
} from '../../domain/registries';

/**
 * How each registry maps to its table: the columns it writes, the row it reads back as the API object,
 * the county a row belongs to (jurisdiction of a county admin), the references a new version must
 * satisfy, and the columns of its Excel/CSV file. One definition per registry; the store
 * (registries.ts) is the same for all four.
 */

export type RegistryObject = Record<string, unknown> & { version: number };
export interface ReferenceIssue {
  path: string;
  message: string;
}
/** How a field is written in a file cell: text, a `;`-separated list, true/false, or JSON. */
export type FileFieldKind = 'text' | 'list' | 'boolean' | 'json';

export interface RegistryDefinition<I extends Record<string, unknown> = Record<string, unknown>> {
  name: RegistryName;
  /** What one row is called in messages: "officer", "matter", … */
  noun: string;
  table: string;
  key: string;
  /** The key field of the API object (`id`, `code`). */
  keyField: string;
  input: z.ZodType<I, unknown>;
  /** FROM clause (alias r) with the joins `select` needs. */
  from: string;
  select: string;
  /** SQL expression of the row's county (for filtering by a county admin's jurisdiction); null: city-wide. */
  countySql: string | null;
  /** Column → Postgres type, in write order (the key first). */
  columns: Record<string, string>;
  /** The columns a list's `q` looks in (contains, case-insensitive): the key, the name, the codes people search by. */
  searchColumns: string[];
  toColumns(input: I, key: string): Record<string, unknown>;
  newKey(input: I): string;
  fromRow(row: Record<string, unknown>): RegistryObject;
  /** The object as every read shows it (ID numbers masked). */
  mask<T extends Record<string, unknown>>(o: T): T;
  /** Unknown codes and other cross-row problems; `county` is the county the input belongs to (null: city-wide). */
  references(client: PoolClient, input: I): Promise<{ county: string | null; issues: ReferenceIssue[] }>;
  fileFields: { name: string; kind: FileFieldKind }[];
  /** The registry lives under a county in its path (`/responsibility-lists/{countyCode}`). */
  pathCounty?: boolean;
}

const compact = (o: Record<string, unknown>): Record<string, unknown> =>
  Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined && v !== null));

async function countyOfTownship(client: PoolClient, township: string): Promise<string | undefined> {
  const { rows } = await client.query<{ county_code: string }>('SELECT county_code FROM townships WHERE code = $1', [township]);
  return rows[0]?.county_code;
}

/* ---------- 执法人员名录库 ---------- */

export const officers: RegistryDefinition<OfficerInput> = {
  name: 'officers',
  noun: 'officer',
  table: 'officers',
  key: 'id',
  keyField: 'id',
  input: officerInputSchema,
  from: 'officers r LEFT JOIN townships t ON t.code = r.township_code LEFT JOIN departments d ON d.code = r.department_code',
  select: `r.id, r.name, r.township_code, r.department_code, r.certificate_no, r.certificate_valid_from::text AS valid_from,
           r.certificate_valid_until::text AS valid_until, r.domains, r.suspended_from::text AS suspended_from,
           r.suspended_until::text AS suspended_until, r.active, r.retired_at, r.version,
           COALESCE(t.county_code, d.county_code) AS county_code`,
  countySql: 'COALESCE(t.county_code, d.county_code)',
  columns: {
    id: 'text',
    name: 'text',
    township_code: 'text',
    department_code: 'text',
    certificate_no: 'text',
    certificate_valid_from: 'date',
    certificate_valid_until: 'date',
    domains: 'text[]',
    suspended_from: 'date',
    suspended_until: 'date',
    active: 'boolean',
  },
  searchColumns: ['id', 'name', 'certificate_no'],
  toColumns: (o, key) => ({
    id: key,
    name: o.name,
    township_code: o.townshipCode ?? null,
    department_code: o.departmentCode ?? null,
    certificate_no: o.certificateNo ?? null,
    certificate_valid_from: o.validFrom ?? null,
    certificate_valid_until: o.validUntil ?? null,
    domains: o.domains,
    suspended_from: o.suspendedFrom ?? null,
    suspended_until: o.suspendedUntil ?? null,
    active: o.active,
  }),
  newKey: () => `OF-${crypto.randomUUID()}`,
  fromRow: (r) =>
    ({
      ...compact({
        id: r.id,
        name: r.name,
        townshipCode: r.township_code,
        departmentCode: r.department_code,
        countyCode: r.county_code,
        certificateNo: r.certificate_no,
        validFrom: r.valid_from,
        validUntil: r.valid_until,
        suspendedFrom: r.suspended_from,
        suspendedUntil: r.suspended_until,
        retiredAt: r.retired_at,
      }),
      domains: r.domains ?? [],
      active: r.active,
      version: r.version,
    }) as RegistryObject,
  mask: (o) => o,
  async references(client, o) {
    const issues: ReferenceIssue[] = [];
    let county: string | null = null;
    if (o.townshipCode !== undefined) {
      county = (await countyOfTownship(client, o.townshipCode)) ?? null;
      if (!county) issues.push({ path: 'townshipCode', message: `unknown township ${o.townshipCode}` });
    }
    if (o.departmentCode !== undefined) {
      const { rows } = await client.query<{ county_code: string }>('SELECT county_code FROM departments WHERE code = $1', [o.departmentCode]);
      county = rows[0]?.county_code ?? null;
      if (!county) issues.push({ path: 'departmentCode', message: `unknown department ${o.departmentCode}` });
    }
    return { county, issues };
  },
  fileFields: [
    { name: 'id', kind: 'text' },
    { name: 'name', kind: 'text' },
    { name: 'townshipCode', kind: 'text' },
    { name: 'departmentCode', kind: 'text' },
    { name: 'certificateNo', kind: 'text' },
    { name: 'validFrom', kind: 'text' },
    { name: 'validUntil', kind: 'text' },
    { name: 'domains', kind: 'list' },
    { name: 'suspendedFrom', kind: 'text' },
    { name: 'suspendedUntil', kind: 'text' },
    { name: 'active', kind: 'boolean' },
  ],
};

/* ---------- 执法对象名录库 ---------- */

export function maskEnforcementObject<T extends Record<string, unknown>>(o: T): T {
  return typeof o.idNumber === 'string' ? { ...o, idNumber: maskIdNumber(o.idNumber) } : o;
}

export const enforcementObjects: RegistryDefinition<EnforcementObjectInput> = {
  name: 'enforcement-objects',
  noun: 'enforcement object',
  table: 'enforcement_objects',
  key: 'id',
  keyField: 'id',
  input: enforcementObjectInputSchema,
  from: 'enforcement_objects r JOIN townships t ON t.code = r.township_code',
  select: `r.id, r.kind, r.name, r.credit_code, r.id_number, r.address, r.township_code, r.grid_code, r.industry,
           r.credit_class, r.retired_at, r.version, t.county_code`,
  countySql: 't.county_code',
  columns: {
    id: 'text',
    kind: 'text',
    name: 'text',
    credit_code: 'text',
    id_number: 'text',
    address: 'text',
    township_code: 'text',
    grid_code: 'text',
    industry: 'text',
    credit_class: 'text',
  },
  searchColumns: ['id', 'name', 'credit_code', 'address'],
  toColumns: (o, key) => ({
    id: key,
    kind: o.kind,
    name: o.name,
    credit_code: o.creditCode ?? null,
    id_number: o.idNumber ?? null,
    address: o.address,
    township_code: o.townshipCode,
    grid_code: o.gridCode ?? null,
    industry: o.industry ?? null,
    credit_class: o.creditClass,
  }),
  newKey: () => `EO-${crypto.randomUUID()}`,
  fromRow: (r) =>
    ({
      ...compact({
        id: r.id,
        kind: r.kind,
        name: r.name,
        creditCode: r.credit_code,
        idNumber: r.id_number,
        address: r.address,
        townshipCode: r.township_code,
        countyCode: r.county_code,
        gridCode: r.grid_code,
        industry: r.industry,
        creditClass: r.credit_class,
        retiredAt: r.retired_at,
      }),
      version: r.version,
    }) as RegistryObject,
  mask: maskEnforcementObject,
  async references(client, o) {
    const issues: ReferenceIssue[] = [];
    const county = (await countyOfTownship(client, o.townshipCode)) ?? null;
    if (!county) issues.push({ path: 'townshipCode', message: `unknown township ${o.townshipCode}` });
    if (o.gridCode !== undefined) {
      const { rows } = await client.query<{ township_code: string }>('SELECT township_code FROM grids WHERE code = $1', [o.gridCode]);
      const township = rows[0]?.township_code;
      if (!township) issues.push({ path: 'gridCode', message: `unknown grid ${o.gridCode}` });
      else if (township !== o.townshipCode) issues.push({ path: 'gridCode', message: `grid ${o.gridCode} belongs to township ${township}` });
    }
    return { county, issues };
  },
  fileFields: [
    { name: 'id', kind: 'text' },
    { name: 'kind', kind: 'text' },
    { name: 'name', kind: 'text' },
    { name: 'creditCode', kind: 'text' },
    { name: 'idNumber', kind: 'text' },
    { name: 'address', kind: 'text' },
    { name: 'townshipCode', kind: 'text' },
    { name: 'gridCode', kind: 'text' },
    { name: 'industry', kind: 'text' },
    { name: 'creditClass', kind: 'text' },
  ],
};

/* ---------- 执法事项目录清单 ---------- */

export const matters: RegistryDefinition<MatterInput> = {
  name: 'matters',
  noun: 'matter',
  table: 'matters',
  key: 'code',
  keyField: 'code',
  input: matterInputSchema,
  from: 'matters r',
  select: `r.code, r.name, r.category, r.level, r.domain, r.legal_basis, r.primary_responsibility, r.cooperating_responsibility,
           r.discretion_bands, r.retired_at, r.version`,
  countySql: null,
  columns: {
    code: 'text',
    name: 'text',
    category: 'text',
    level: 'text',
    domain: 'text',
    legal_basis: 'text',
    primary_responsibility: 'text',
    cooperating_responsibility: 'text',
    discretion_bands: 'jsonb',
  },
  searchColumns: ['code', 'name', 'legal_basis'],
  toColumns: (o, key) => ({
    code: key,
    name: o.name,
    category: o.category,
    level: o.level,
    domain: o.domain,
    legal_basis: o.legalBasis,
    primary_responsibility: o.primaryResponsibility,
    cooperating_responsibility: o.cooperatingResponsibility ?? null,
    discretion_bands: JSON.stringify(o.discretionBands),
  }),
  newKey: (o) => o.code,
  fromRow: (r) =>
    ({
      ...compact({
        code: r.code,
        name: r.name,
        category: r.category,
        level: r.level,
        domain: r.domain,
        legalBasis: r.legal_basis,
        primaryResponsibility: r.primary_responsibility,
        cooperatingResponsibility: r.cooperating_responsibility,
        retiredAt: r.retired_at,
      }),
      discretionBands: r.discretion_bands ?? [],
      version: r.version,
    }) as RegistryObject,
  mask: (o) => o,
  references: async () => ({ county: null, issues: [] }),
  fileFields: [
    { name: 'code', kind: 'text' },
    { name: 'name', kind: 'text' },
    { name: 'category', kind: 'text' },
    { name: 'level', kind: 'text' },
    { name: 'domain', kind: 'text' },
    { name: 'legalBasis', kind: 'text' },
    { name: 'primaryResponsibility', kind: 'text' },
    { name: 'cooperatingResponsibility', kind: 'text' },
    { name: 'discretionBands', kind: 'json' },
  ],
};

/* ---------- 属地管理事项责任清单 ---------- */

export type ResponsibilityItemRecord = ResponsibilityItemInput & { countyCode: string };
export const responsibilityItemRecordSchema = responsibilityItemInputSchema.extend({ countyCode: z.string().min(1) });

export const responsibilityItems: RegistryDefinition<ResponsibilityItemRecord> = {
  name: 'responsibility-lists',
  noun: 'responsibility list item',
  table: 'responsibility_items',
  key: 'id',
  keyField: 'id',
  input: responsibilityItemRecordSchema,
  from: 'responsibility_items r',
  select: 'r.id, r.county_code, r.item_name, r.matter_code, r.primary_unit, r.cooperating_units, r.demo, r.retired_at, r.version',
  countySql: 'r.county_code',
  columns: {
    id: 'text',
    county_code: 'text',
    item_name: 'text',
    matter_code: 'text',
    primary_unit: 'text',
    cooperating_units: 'text[]',
    demo: 'boolean',
  },
  searchColumns: ['id', 'item_name', 'matter_code'],
  toColumns: (o, key) => ({
    id: key,
    county_code: o.countyCode,
    item_name: o.itemName,
    matter_code: o.matterCode ?? null,
    primary_unit: o.primaryUnit,
    cooperating_units: o.cooperatingUnits,
    demo: o.demo,
  }),
  newKey: (o) => `RL-${o.countyCode}-${crypto.randomUUID().slice(0, 8)}`,
  fromRow: (r) =>
    ({
      ...compact({
        id: r.id,
        countyCode: r.county_code,
        itemName: r.item_name,
        matterCode: r.matter_code,
        primaryUnit: r.primary_unit,
        retiredAt: r.retired_at,
      }),
      cooperatingUnits: r.cooperating_units ?? [],
      demo: r.demo,
      version: r.version,
    }) as RegistryObject,
  mask: (o) => o,
  async references(client, o) {
    const issues: ReferenceIssue[] = [];
    const { rows } = await client.query<{ code: string }>('SELECT code FROM departments WHERE county_code = $1', [o.countyCode]);
    const units = new Set([TOWNSHIP_UNIT, ...rows.map((r) => r.code)]);
    if (!units.has(o.primaryUnit)) {
      issues.push({ path: 'primaryUnit', message: `${o.primaryUnit} is neither a department of county ${o.countyCode} nor "township"` });
    }
    o.cooperatingUnits.forEach((u, i) => {
      if (!units.has(u)) issues.push({ path: `cooperatingUnits.${i}`, message: `${u} is neither a department of county ${o.countyCode} nor "township"` });
    });
    if (o.matterCode !== undefined) {
      const found = await client.query('SELECT 1 FROM matters WHERE code = $1', [o.matterCode]);
      if (found.rowCount === 0) issues.push({ path: 'matterCode', message: `unknown matter ${o.matterCode}` });
    }
    return { county: o.countyCode, issues };
  },
  fileFields: [
    { name: 'id', kind: 'text' },
    { name: 'itemName', kind: 'text' },
    { name: 'matterCode', kind: 'text' },
    { name: 'primaryUnit', kind: 'text' },
    { name: 'cooperatingUnits', kind: 'list' },
    { name: 'demo', kind: 'boolean' },
  ],
  pathCounty: true,
};

/**
 * A row as every read answers it (fromRow, then mask): the input with its key, the county the row
 * belongs to, when it was retired, and its version (the ETag is the version in quotes). The console
 * types its tables with these.
 */
type RowOf<I, K extends string> = Omit<I, K> & Record<K, string> & { countyCode?: string; retiredAt?: string; version: number };
export interface RegistryRows {
  officers: RowOf<OfficerInput, 'id'>;
  'enforcement-objects': RowOf<EnforcementObjectInput, 'id'>;
  matters: RowOf<MatterInput, 'code'>;
  'responsibility-lists': RowOf<ResponsibilityItemRecord, 'id'>;
}

export const REGISTRIES = {
  officers,
  'enforcement-objects': enforcementObjects,
  matters,
  'responsibility-lists': responsibilityItems,
} as unknown as Record<RegistryName, RegistryDefinition>;

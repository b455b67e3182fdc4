import type { Pool, PoolClient } from 'pg';
import type { z } from 'zod';
import { withTransaction } from '../../db/pool';
import { maskIdNumber } from '../../domain/identifiers';
import type { Claims } from '../claims';
import { forbidden, HttpError, notFound } from '../errors';
import type { RegistryDefinition, RegistryObject } from './registry-definitions';
import { paramList } from './sql';

/**
 * The registries' store: list, read, create, update (optimistic concurrency on `version`, the ETag),
 * retire, history, import and export, the same for all four registries (registry-definitions.ts).
 * Every change writes one version to registry_changes in the transaction that makes it.
 */

export type ChangeAction = 'create' | 'update' | 'retire' | 'import';

/** Where the caller may act: a county admin (`countyCode` in the token) only its county's rows. */
export interface RegistryScope {
  /** The admin's county; undefined for a city-wide admin. */
  adminCounty: string | undefined;
  /** The county of the path (`/responsibility-lists/{countyCode}`), for registries that live under one. */
  pathCounty?: string | undefined;
}

export const scopeOf = (claims: Claims, pathCounty?: string): RegistryScope => ({ adminCounty: claims.countyCode, pathCounty });

function assertJurisdiction(def: RegistryDefinition, scope: RegistryScope, county: string | null | undefined): void {
  if (scope.adminCounty === undefined) return;
  if (def.countySql === null) {
    throw forbidden(`the ${def.noun} catalog is city-wide: only an admin without a county may change it`);
  }
  if (county !== scope.adminCounty) {
    throw forbidden(`this ${def.noun} belongs to county ${county ?? '(none)'}; you administer county ${scope.adminCounty}`);
  }
}

function filters(def: RegistryDefinition, scope: RegistryScope, params: unknown[]): string[] {
  const where: string[] = [];
  if (def.countySql !== null && scope.adminCounty !== undefined) {
    params.push(scope.adminCounty);
    where.push(`${def.countySql} = $${params.length}`);
  }
  if (def.pathCounty && scope.pathCounty !== undefined) {
    params.push(scope.pathCounty);
    where.push(`r.county_code = $${params.length}`);
  }
  return where;
}

type Queryable = Pick<PoolClient, 'query'>;

async function readRow(db: Queryable, def: RegistryDefinition, key: string, lock = false): Promise<(RegistryObject & { countyCode?: string }) | undefined> {
  const { rows } = await db.query(`SELECT ${def.select} FROM ${def.from} WHERE r.${def.key} = $1${lock ? ' FOR UPDATE OF r' : ''}`, [key]);
  return rows[0] ? (def.fromRow(rows[0] as Record<string, unknown>) as RegistryObject & { countyCode?: string }) : undefined;
}

/** The row as the caller may see it: 404 when unknown or under another county of the path; 403 outside the admin's county. */
async function visibleRow(db: Queryable, def: RegistryDefinition, key: string, scope: RegistryScope, lock = false) {
  const row = await readRow(db, def, key, lock);
  if (!row || (def.pathCounty && scope.pathCounty !== undefined && row.countyCode !== scope.pathCounty)) throw notFound(`${def.noun} ${key}`);
  if (def.countySql !== null && scope.adminCounty !== undefined && row.countyCode !== scope.adminCounty) {
    throw forbidden(`this ${def.noun} belongs to county ${row.countyCode ?? '(none)'}; you administer county ${scope.adminCounty}`);
  }
  return row;
}

export interface ListQuery {
  includeRetired?: boolean | undefined;
  /** Contains, case-insensitive, in the registry's `searchColumns`. */
  q?: string | undefined;
  after?: string | undefined;
  limit: number;
}

export async function listRegistry(pool: Pool, def: RegistryDefinition, scope: RegistryScope, q: ListQuery) {
  const params: unknown[] = [];
  const where = filters(def, scope, params);
  if (!q.includeRetired) where.push('r.retired_at IS NULL');
  if (q.q !== undefined) {
    // a plain contains: LIKE's own wildcards in what was typed are matched as themselves
    params.push(`%${q.q.replace(/[\\%_]/g, (c) => `\\${c}`)}%`);
    where.push(`(${def.searchColumns.map((c) => `r.${c} ILIKE $${params.length}`).join(' OR ')})`);
  }
  if (q.after !== undefined) {
    params.push(q.after);
    where.push(`r.${def.key} > $${params.length}`);
  }
  params.push(q.limit + 1);
  const { rows } = await pool.query(
    `SELECT ${def.select} FROM ${def.from} ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY r.${def.key} LIMIT $${params.length}`,
    params,
  );
  const items = rows.slice(0, q.limit).map((r) => def.mask(def.fromRow(r as Record<string, unknown>)));
  const last = items[items.length - 1];
  return rows.length > q.limit && last ? { items, nextCursor: String(last[def.keyField]) } : { items };
}

export async function getRegistryRow(pool: Pool, def: RegistryDefinition, key: string, scope: RegistryScope) {
  return def.mask(await visibleRow(pool, def, key, scope));
}

function badReferences(issues: { path: string; message: string }[]): HttpError {
  return new HttpError(400, 'invalid_request', 'the body refers to unknown or mismatched codes', issues.map((i) => ({ path: `body.${i.path}`, message: i.message })));
}

async function writeColumns(client: PoolClient, def: RegistryDefinition, input: Record<string, unknown>, key: string, mode: 'insert' | 'update'): Promise<boolean> {
  const cols = def.toColumns(input, key);
  const names = Object.keys(def.columns);
  const values = names.map((n) => cols[n] ?? null);
  const casts = names.map((n, i) => `$${i + 1}::${def.columns[n]}`);
  if (mode === 'insert') {
    await client.query(`INSERT INTO ${def.table} (${names.join(', ')}) VALUES (${casts.join(', ')})`, values);
    return true;
  }
  const set = names.filter((n) => n !== def.key);
  const result = await client.query(
    `UPDATE ${def.table} SET ${set.map((n) => `${n} = $${names.indexOf(n) + 1}::${def.columns[n]}`).join(', ')}, version = version + 1
      WHERE ${def.key} = $1 AND (${set.join(', ')}) IS DISTINCT FROM (${set.map((n) => `$${names.indexOf(n) + 1}::${def.columns[n]}`).join(', ')})`,
    values,
  );
  return (result.rowCount ?? 0) > 0;
}

async function audit(client: PoolClient, def: RegistryDefinition, key: string, action: ChangeAction, actor: string, before: RegistryObject | undefined, after: RegistryObject) {
  await client.query(
    `INSERT INTO registry_changes (registry, row_key, version, action, actor, before, after) VALUES ($1, $2, $3, $4, $5, $6::jsonb, $7::jsonb)`,
    [def.name, key, after.version, action, actor, before ? JSON.stringify(before) : null, JSON.stringify(after)],
  );
}

export async function createRegistryRow(pool: Pool, def: RegistryDefinition, input: Record<string, unknown>, actor: string, scope: RegistryScope) {
  return withTransaction(pool, async (client) => {
    const refs = await def.references(client, input);
    if (refs.issues.length) throw badReferences(refs.issues);
    assertJurisdiction(def, scope, refs.county);
    const given = input[def.keyField];
    const key = typeof given === 'string' ? given : def.newKey(input);
    // Taken keys answer 409 (a retry of a create after its answer was lost sees the row it made).
    await client.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`${def.table}:${key}`]);
    if (await readRow(client, def, key)) throw new HttpError(409, 'conflict', `${def.noun} ${key} exists already; change it with PUT`, [{ path: `body.${def.keyField}`, message: 'taken' }]);
    await writeColumns(client, def, input, key, 'insert');
    const after = (await readRow(client, def, key))!;
    await audit(client, def, key, 'create', actor, undefined, after);
    return def.mask(after);
  });
}

/** `"3"` or `W/"3"` → 3; anything else → undefined. */
export function versionOfEtag(etag: string | undefined): number | undefined {
  const m = etag?.trim().match(/^(?:W\/)?"(\d+)"$/);
  return m ? Number(m[1]) : undefined;
}
export const etagOf = (version: number): string => `"${version}"`;

function assertCurrent(def: RegistryDefinition, key: string, current: RegistryObject, ifMatch: string | undefined): void {
  if (ifMatch === undefined) return;
  if (ifMatch.trim() === '*') return;
  if (versionOfEtag(ifMatch) !== current.version) {
    throw new HttpError(412, 'precondition_failed', `${def.noun} ${key} has changed: it is at version ${current.version} (ETag ${etagOf(current.version)}), you sent If-Match ${ifMatch}; read it again and reapply your change`, [
      { path: 'headers.if-match', message: `stale: current ETag is ${etagOf(current.version)}` },
    ]);
  }
}

export async function updateRegistryRow(
  pool: Pool,
  def: RegistryDefinition,
  key: string,
  input: Record<string, unknown>,
  ifMatch: string,
  actor: string,
  scope: RegistryScope,
) {
  return withTransaction(pool, async (client) => {
    const before = await visibleRow(client, def, key, scope, true);
    assertCurrent(def, key, before, ifMatch);
    if (before.retiredAt) throw new HttpError(409, 'conflict', `${def.noun} ${key} was retired on ${String(before.retiredAt)}; a retired row is kept for history and not changed`);
    const refs = await def.references(client, input);
    if (refs.issues.length) throw badReferences(refs.issues);
    assertJurisdiction(def, scope, refs.county);
    if (!(await writeColumns(client, def, input, key, 'update'))) return def.mask(before);
    const after = (await readRow(client, def, key))!;
    await audit(client, def, key, 'update', actor, before, after);
    return def.mask(after);
  });
}

export async function retireRegistryRow(pool: Pool, def: RegistryDefinition, key: string, ifMatch: string | undefined, actor: string, scope: RegistryScope) {
  return withTransaction(pool, async (client) => {
    const before = await visibleRow(client, def, key, scope, true);
    assertCurrent(def, key, before, ifMatch);
    assertJurisdiction(def, scope, (before.countyCode as string | undefined) ?? null);
    if (before.retiredAt) return def.mask(before);
    // A retired officer is also inactive (officers.active stays the switch older code reads).
    const alsoInactive = def.table === 'officers' ? ', active = false' : '';
    await client.query(`UPDATE ${def.table} SET retired_at = now(), version = version + 1${alsoInactive} WHERE ${def.key} = $1`, [key]);
    const after = (await readRow(client, def, key))!;
    await audit(client, def, key, 'retire', actor, before, after);
    return def.mask(after);
  });
}

interface ChangeRow {
  row_key: string;
  version: number;
  action: ChangeAction;
  actor: string;
  at: string;
  before: Record<string, unknown> | null;
  after: Record<string, unknown>;
}

/** A change of the audit trail as it is read: both sides masked as the registry masks its rows. */
const changeView = (def: RegistryDefinition, r: ChangeRow) => ({
  version: r.version,
  action: r.action,
  actor: r.actor,
  at: r.at,
  before: r.before ? def.mask(r.before) : null,
  after: def.mask(r.after),
});

/** One version of a row's audit trail, as GET …/{id}/history answers it. */
export type RegistryChange = ReturnType<typeof changeView>;

export async function registryHistory(pool: Pool, def: RegistryDefinition, key: string, scope: RegistryScope) {
  await visibleRow(pool, def, key, scope);
  const { rows } = await pool.query<ChangeRow>(
    `SELECT row_key, version, action, actor, at, before, after FROM registry_changes WHERE registry = $1 AND row_key = $2 ORDER BY version`,
    [def.name, key],
  );
  return { items: rows.map((r) => changeView(def, r)) };
}

/** The latest changes of a registry in the caller's scope, newest first: the audit trail across rows. */
export async function registryChanges(pool: Pool, def: RegistryDefinition, scope: RegistryScope, q: { since?: string | undefined; limit: number }) {
  const { params, p } = paramList();
  const where = [`registry = ${p(def.name)}`];
  const county = def.pathCounty ? (scope.pathCounty ?? scope.adminCounty) : def.countySql !== null ? scope.adminCounty : undefined;
  // a row's county as it was after the change (a row moved out of the county leaves with its change)
  if (county !== undefined) where.push(`after->>'countyCode' = ${p(county)}`);
  if (q.since !== undefined) where.push(`at >= ${p(q.since)}`);
  const { rows } = await pool.query<ChangeRow>(
    `SELECT row_key, version, action, actor, at, before, after FROM registry_changes WHERE ${where.join(' AND ')}
      ORDER BY at DESC, row_key, version DESC LIMIT ${p(q.limit)}`,
    params,
  );
  return { items: rows.map((r) => ({ id: r.row_key, ...changeView(def, r) })) };
}

/* ---------- import and export ---------- */

export interface ImportRow {
  /** The line of the file (1 is the header). */
  line: number;
  /** The row's values by field name, already converted from cell text (lists split, booleans parsed). */
  values: Record<string, unknown>;
  /** Cell problems found while converting (bad JSON, bad boolean). */
  problems: { column: string; message: string }[];
}
export interface ImportError {
  line: number;
  column: string;
  message: string;
  /** The validation issue behind `message` (zod's, without the value): a client words it in its own language. */
  issue?: ImportIssue;
}
export type ImportIssue = { code: string } & Record<string, unknown>;
export interface ImportReport {
  dryRun: boolean;
  rows: number;
  created: number;
  updated: number;
  unchanged: number;
  errors: ImportError[];
}

function issueErrors(line: number, issues: z.core.$ZodIssue[]): ImportError[] {
  return issues.map((i) => {
    const column = String(i.path[0] ?? '(row)');
    if (i.path.length > 1) return { line, column, message: `${i.path.join('.')}: ${i.message}` };
    // the cell's value stays out of the report (it may be an ID number); the rest describes the rule
    const { path: _path, message, input: _input, ...issue } = i as z.core.$ZodIssue & { input?: unknown };
    return { line, column, message, issue };
  });
}

/** Every read masks ID numbers (110105********002X), so what a client sends back may be masked. */
export const isMasked = (idNumber: unknown): idNumber is string => typeof idNumber === 'string' && idNumber.includes('*');
export const MASKED_ID_REFUSAL = 'a masked ID number is accepted only for an existing row whose number it masks; give the full number';

/**
 * The row's stored ID number when `masked` is its mask: an export read back, or a row edited from what was
 * read, keeps the number the registry holds. undefined: no such row, no number, or another number's mask.
 */
export async function storedIdNumberMasked(db: Pool | PoolClient, def: RegistryDefinition, key: string, masked: string): Promise<string | undefined> {
  if (!('id_number' in def.columns)) return undefined;
  const { rows } = await db.query<{ id_number: string | null }>(`SELECT id_number FROM ${def.table} WHERE ${def.key} = $1`, [key]);
  const stored = rows[0]?.id_number;
  return stored && maskIdNumber(stored) === masked ? stored : undefined;
}

/**
 * Validates every row and upserts them in one transaction (by key; an enforcement object without id
 * also by its credit code or ID number). A dry run, or any bad row, rolls everything back: the report
 * lists every bad row by line and column.
 */
export async function importRegistry(pool: Pool, def: RegistryDefinition, rows: ImportRow[], dryRun: boolean, actor: string, scope: RegistryScope): Promise<ImportReport> {
  const report: ImportReport = { dryRun, rows: rows.length, created: 0, updated: 0, unchanged: 0, errors: [] };
  const seen = new Map<string, number>();
  const run = async (client: PoolClient) => {
    for (const row of rows) {
      const errors: ImportError[] = row.problems.map((p) => ({ line: row.line, ...p }));
      const values: Record<string, unknown> = { ...row.values };
      if (def.pathCounty) values.countyCode = scope.pathCounty;
      const givenKey = typeof values[def.keyField] === 'string' ? (values[def.keyField] as string) : undefined;
      // An export masks ID numbers: a masked number that matches the stored one keeps it.
      if (isMasked(values.idNumber)) {
        const stored = givenKey ? await storedIdNumberMasked(client, def, givenKey, values.idNumber) : undefined;
        if (stored) values.idNumber = stored;
        else errors.push({ line: row.line, column: 'idNumber', message: MASKED_ID_REFUSAL });
      }
      const parsed = def.input.safeParse(values);
      if (!parsed.success) errors.push(...issueErrors(row.line, parsed.error.issues));
      if (errors.length || !parsed.success) {
        report.errors.push(...errors);
        continue;
      }
      const input = parsed.data;
      const refs = await def.references(client, input);
      for (const i of refs.issues) report.errors.push({ line: row.line, column: i.path.split('.')[0] ?? i.path, message: i.message });
      if (refs.issues.length) continue;
      if (scope.adminCounty !== undefined && (def.countySql === null || refs.county !== scope.adminCounty)) {
        report.errors.push({ line: row.line, column: def.countySql === null ? def.keyField : def.pathCounty ? '(row)' : 'townshipCode', message: def.countySql === null ? `the ${def.noun} catalog is city-wide: a county admin may not import it` : `county ${refs.county ?? '(none)'} is outside your jurisdiction (${scope.adminCounty})` });
        continue;
      }
      let key = givenKey;
      if (key === undefined && def.table === 'enforcement_objects') {
        const { rows: found } = await client.query<{ id: string }>(
          'SELECT id FROM enforcement_objects WHERE (credit_code = $1 OR id_number = $2) ORDER BY id LIMIT 1',
          [input.creditCode ?? null, input.idNumber ?? null],
        );
        key = found[0]?.id;
      }
      key ??= def.newKey(input);
      const earlier = seen.get(key);
      if (earlier !== undefined) {
        report.errors.push({ line: row.line, column: def.keyField, message: `${key} appears again (first on line ${earlier})` });
        continue;
      }
      seen.set(key, row.line);
      const before = await readRow(client, def, key, true);
      if (before && def.countySql !== null && scope.adminCounty !== undefined && before.countyCode !== scope.adminCounty) {
        report.errors.push({ line: row.line, column: def.keyField, message: `${key} belongs to county ${String(before.countyCode)}, outside your jurisdiction` });
        continue;
      }
      if (before?.retiredAt) {
        report.errors.push({ line: row.line, column: def.keyField, message: `${def.noun} ${key} is retired and kept for history; it cannot be changed` });
        continue;
      }
      if (report.errors.length) continue; // already failing: only validate the rest
      const changed = await writeColumns(client, def, input, key, before ? 'update' : 'insert');
      if (!changed) {
        report.unchanged++;
        continue;
      }
      const after = (await readRow(client, def, key))!;
      await audit(client, def, key, 'import', actor, before, after);
      if (before) report.updated++;
      else report.created++;
    }
  };
  await withTransaction(pool, async (client) => {
    // Everything is written, then undone for a dry run or any bad row: the counts are those of the real import.
    await client.query('SAVEPOINT import_rows');
    await run(client);
    if (dryRun || report.errors.length) await client.query('ROLLBACK TO SAVEPOINT import_rows');
  });
  return report;
}

/** Every current (not retired) row of the caller's scope, masked as every read is, for export. */
export async function exportRegistry(pool: Pool, def: RegistryDefinition, scope: RegistryScope): Promise<Record<string, unknown>[]> {
  const params: unknown[] = [];
  const where = filters(def, scope, params);
  where.push('r.retired_at IS NULL');
  const { rows } = await pool.query(`SELECT ${def.select} FROM ${def.from} WHERE ${where.join(' AND ')} ORDER BY r.${def.key}`, params);
  return rows.map((r) => def.mask(def.fromRow(r as Record<string, unknown>)));
}

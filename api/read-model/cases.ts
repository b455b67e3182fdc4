import { z } from 'zod';
import type { Pool } from 'pg';
import type { Claims } from '../claims';
import { badRequest } from '../errors';
import { CASE_SOURCES, CASE_STATUSES, STAGES } from '../../domain/stages';
import { cursorIdSchema, decodeCursor, encodeCursor, sortKeySchema, sortKeyText } from './cursor';
import { assertCaseFilters, caseScope } from './jurisdiction';
import { instantQuery, isoSql, paramList, prepared } from './sql';

/**
 * GET /v1/cases: the supervisor's case list from the Postgres read model (`cases`).
 *
 * Overdue is evaluated at query time — `status = 'open' AND current_due_at < now()` — so a case is listed
 * as overdue the moment its due time passes, without waiting for the workflow's timer to fire and
 * project `overdue = true`.
 *
 * Orderings and the indexes that serve them (keyset pagination, never OFFSET):
 * - overdue=true: most overdue first, `current_due_at ASC, case_id ASC`, on the partial indexes
 *   `cases_open_due_{county,township,department}` (… , current_due_at, case_id) WHERE status = 'open',
 *   and `cases_open_due` (current_due_at, case_id) WHERE status = 'open' for admin / city supervisor;
 * - otherwise newest first, `opened_at DESC, case_id DESC`, on `cases_{county,township,department}_opened`
 *   and `cases_opened`.
 */

const code = z.string().trim().min(1).max(64).regex(/^[A-Za-z0-9_.-]+$/, 'letters, digits, _ . - only');

const instant = instantQuery;

export const caseListQuerySchema = z
  .object({
    overdue: z
      .enum(['true', 'false'])
      .optional()
      .describe('true: open cases whose current deadline has passed (now), most overdue first; false: all others'),
    status: z.enum(CASE_STATUSES).optional(),
    stage: z.enum(STAGES).optional(),
    countyCode: code.optional(),
    townshipCode: code.optional(),
    departmentCode: code.optional().describe('the county department handling the case (handler_department_code)'),
    source: z.enum(CASE_SOURCES).optional(),
    openedFrom: instant.optional().describe('opened at or after (ISO 8601 with offset, or a date in Asia/Shanghai)'),
    openedTo: instant.optional().describe('opened before (exclusive); must be after openedFrom'),
    limit: z.coerce.number().int().min(1).max(500).default(50),
    cursor: z.string().min(1).max(512).optional().describe('opaque: the nextCursor of the previous page'),
  })
  .strict();
export type CaseListQuery = z.output<typeof caseListQuerySchema>;

export const caseSummarySchema = z.object({
  caseId: z.string(),
  externalRef: z.string().optional(),
  source: z.string(),
  status: z.enum(CASE_STATUSES),
  stage: z.string(),
  resolution: z.string().optional(),
  countyCode: z.string(),
  townshipCode: z.string(),
  gridCode: z.string().optional(),
  matterCode: z.string().optional(),
  urgent: z.boolean(),
  handler: z.object({
    level: z.string(),
    departmentCode: z.string().optional(),
    officerIds: z.array(z.string()).optional(),
  }),
  currentDeadline: z.object({ kind: z.string(), dueAt: z.string() }).optional(),
  overdue: z.boolean().describe('computed at query time: open and the current deadline has passed'),
  overdueSeconds: z.number().int().describe('how long past the current deadline, 0 when not overdue'),
  escalationLevel: z.number().int(),
  reworkCount: z.number().int(),
  openedAt: z.string(),
  updatedAt: z.string(),
  closedAt: z.string().optional(),
});
export type CaseSummary = z.infer<typeof caseSummarySchema>;

export const caseListSchema = z.object({
  items: z.array(caseSummarySchema),
  nextCursor: z.string().optional(),
});
export type CaseList = z.infer<typeof caseListSchema>;

interface CaseRow {
  case_id: string;
  external_ref: string | null;
  source: string;
  status: 'open' | 'closed';
  stage: string;
  resolution: string | null;
  county_code: string;
  township_code: string;
  grid_code: string | null;
  matter_code: string | null;
  urgent: boolean;
  handler_level: string;
  handler_department_code: string | null;
  handler_officer_ids: string[] | null;
  current_deadline_kind: string | null;
  current_due_at: string | null;
  live_overdue: boolean;
  overdue_seconds: number;
  escalation_level: number;
  rework_count: number;
  opened_at: string;
  updated_at: string;
  closed_at: string | null;
  sort_key: string | null;
}

/** Cursor: the sort key of the last row of a page and which ordering it belongs to. */
interface Cursor {
  /** 'd': overdue list (current_due_at ASC); 'o': opened_at DESC. */
  m: 'd' | 'o';
  /** The sort timestamp, UTC with microseconds. */
  k: string;
  id: string;
}
const cursorSchema = z.object({ m: z.enum(['d', 'o']), k: sortKeySchema, id: cursorIdSchema }).strict();

/** A case-list cursor of the ordering `mode`; 400 for anything else. */
function decodeCaseCursor(raw: string, mode: Cursor['m']): Cursor {
  const cursor = decodeCursor(raw, cursorSchema);
  if (cursor.m !== mode) {
    throw badRequest('cursor belongs to another ordering', [
      { path: 'cursor', message: 'a cursor of an overdue list only continues an overdue list, and vice versa' },
    ]);
  }
  return cursor;
}

export async function listCases(pool: Pool, claims: Claims, filters: CaseListQuery): Promise<CaseList> {
  await assertCaseFilters(pool, claims, filters);
  const overdueList = filters.overdue === 'true';
  const mode: Cursor['m'] = overdueList ? 'd' : 'o';
  const cursor = filters.cursor === undefined ? undefined : decodeCaseCursor(filters.cursor, mode);
  if (filters.openedFrom && filters.openedTo && Date.parse(filters.openedFrom) >= Date.parse(filters.openedTo)) {
    throw badRequest('openedFrom must be before openedTo', [{ path: 'openedFrom', message: 'must be before openedTo' }]);
  }

  const { params, p } = paramList();
  const where: string[] = [];
  for (const s of caseScope(claims)) {
    if (s.column === 'department') {
      const code = p(s.value);
      where.push(`(c.handler_department_code = ${code} OR c.summoned_department_codes @> ARRAY[${code}]::text[])`);
    } else where.push(`c.${s.column} = ${p(s.value)}`);
  }
  if (filters.countyCode !== undefined) where.push(`c.county_code = ${p(filters.countyCode)}`);
  if (filters.townshipCode !== undefined) where.push(`c.township_code = ${p(filters.townshipCode)}`);
  if (filters.departmentCode !== undefined) where.push(`c.handler_department_code = ${p(filters.departmentCode)}`);
  if (filters.status !== undefined) where.push(`c.status = ${p(filters.status)}`);
  if (filters.stage !== undefined) where.push(`c.stage = ${p(filters.stage)}`);
  if (filters.source !== undefined) where.push(`c.source = ${p(filters.source)}`);
  if (filters.openedFrom !== undefined) where.push(`c.opened_at >= ${p(filters.openedFrom)}::timestamptz`);
  if (filters.openedTo !== undefined) where.push(`c.opened_at < ${p(filters.openedTo)}::timestamptz`);

  let order: string;
  let sortKey: string;
  if (overdueList) {
    // Literal `status = 'open'` so the planner matches the partial indexes' predicate.
    where.push(`c.status = 'open'`, `c.current_due_at < now()`);
    if (cursor) where.push(`(c.current_due_at, c.case_id) > (${p(cursor.k)}::timestamptz, ${p(cursor.id)})`);
    order = 'c.current_due_at ASC, c.case_id ASC';
    sortKey = sortKeyText('c.current_due_at');
  } else {
    if (filters.overdue === 'false') where.push(`NOT (c.status = 'open' AND c.current_due_at IS NOT NULL AND c.current_due_at < now())`);
    if (cursor) where.push(`(c.opened_at, c.case_id) < (${p(cursor.k)}::timestamptz, ${p(cursor.id)})`);
    order = 'c.opened_at DESC, c.case_id DESC';
    sortKey = sortKeyText('c.opened_at');
  }

  const sql = `
    SELECT c.case_id, c.external_ref, c.source, c.status, c.stage, c.resolution, c.county_code, c.township_code,
           c.grid_code, c.matter_code, c.urgent, c.handler_level, c.handler_department_code, c.handler_officer_ids,
           c.current_deadline_kind, ${isoSql('c.current_due_at')} AS current_due_at,
           (c.status = 'open' AND c.current_due_at IS NOT NULL AND c.current_due_at < now()) AS live_overdue,
           CASE WHEN c.status = 'open' AND c.current_due_at < now()
                THEN floor(extract(epoch FROM now() - c.current_due_at))::bigint ELSE 0 END AS overdue_seconds,
           c.escalation_level, c.rework_count, ${isoSql('c.opened_at')} AS opened_at,
           ${isoSql('c.updated_at')} AS updated_at, ${isoSql('c.closed_at')} AS closed_at,
           ${sortKey} AS sort_key
      FROM cases c
     ${where.length ? `WHERE ${where.join('\n       AND ')}` : ''}
     ORDER BY ${order}
     LIMIT ${p(filters.limit + 1)}`;
  const { rows } = await pool.query<CaseRow>(prepared(sql, params));

  const page = rows.slice(0, filters.limit);
  const last = page[page.length - 1];
  const result: CaseList = { items: page.map(toSummary) };
  if (rows.length > filters.limit && last?.sort_key) result.nextCursor = encodeCursor({ m: mode, k: last.sort_key, id: last.case_id } satisfies Cursor);
  return result;
}

function toSummary(r: CaseRow): CaseSummary {
  const handler: CaseSummary['handler'] = { level: r.handler_level };
  if (r.handler_department_code !== null) handler.departmentCode = r.handler_department_code;
  if (r.handler_officer_ids !== null && r.handler_officer_ids.length > 0) handler.officerIds = r.handler_officer_ids;
  const s: CaseSummary = {
    caseId: r.case_id,
    source: r.source,
    status: r.status,
    stage: r.stage,
    countyCode: r.county_code,
    townshipCode: r.township_code,
    urgent: r.urgent,
    handler,
    overdue: r.live_overdue,
    overdueSeconds: Number(r.overdue_seconds),
    escalationLevel: r.escalation_level,
    reworkCount: r.rework_count,
    openedAt: r.opened_at,
    updatedAt: r.updated_at,
  };
  if (r.external_ref !== null) s.externalRef = r.external_ref;
  if (r.resolution !== null) s.resolution = r.resolution;
  if (r.grid_code !== null) s.gridCode = r.grid_code;
  if (r.matter_code !== null) s.matterCode = r.matter_code;
  if (r.current_due_at !== null) s.currentDeadline = { kind: r.current_deadline_kind ?? 'unknown', dueAt: r.current_due_at };
  if (r.closed_at !== null) s.closedAt = r.closed_at;
  return s;
}

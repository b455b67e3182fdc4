import type { Pool, PoolClient } from 'pg';
import { z } from 'zod';
import type { RecordedDrawInputs } from '../../activities/inspection-campaign';
import { CREDIT_CLASSES, seedFrom, verifyDraw, type Candidate, type DrawOutcome } from '../../domain/inspection-draw';
import { INSPECTION_OUTCOMES, inspectionPolicySchema, type CreatePlanBody, type InspectionPolicy, type SeedSource } from '../../domain/inspection-plan';
import { maskPersonName } from './disclosures';
import { cursorIdSchema, decodeCursor, encodeCursor, sortKeySchema, sortKeyText } from './cursor';

/** Reads of the 双随机 campaign tables for the API (the campaign workflow is their only writer after creation). */

const seedSourceView = z.object({ source: z.string(), publishedOn: z.string(), values: z.array(z.string()) });

export const drawSummarySchema = z.object({
  id: z.string(),
  attempt: z.number().int(),
  status: z.enum(['accepted', 'refused', 'superseded']),
  seed: z.string().describe('the seed string ranked with: publishedOn + "/" + values joined by "."'),
  seedSource: seedSourceView,
  poolHash: z.string(),
  redrawReason: z.string().nullable(),
  drawnBy: z.string(),
  drawnAt: z.string(),
});

export const planViewSchema = z.object({
  id: z.string(),
  countyCode: z.string(),
  name: z.string(),
  matterCodes: z.array(z.string()),
  ratios: z.partialRecord(z.enum(CREDIT_CLASSES), z.number()),
  units: z.array(z.string()),
  industry: z.string().nullable(),
  townshipCodes: z.array(z.string()),
  period: z.object({ from: z.string(), to: z.string() }),
  inspectionAt: z.string(),
  seedSource: z.string(),
  policy: inspectionPolicySchema,
  status: z.enum(['planned', 'pool_frozen', 'drawn', 'inspecting', 'published']),
  workflowId: z.string(),
  pool: z
    .object({
      hash: z.string().describe('SHA-256 over the sorted candidate ids, one per line'),
      size: z.number().int(),
      frozenAt: z.string(),
      strata: z.partialRecord(z.enum(CREDIT_CLASSES), z.number().int()),
    })
    .nullable()
    .describe('null until the campaign has frozen its candidate pool (moments after creation)'),
  draws: z.array(drawSummarySchema).describe('every attempt, redraws and refusals included'),
  publication: z.object({ dueAt: z.string().nullable(), escalatedAt: z.string().nullable(), publishedAt: z.string().nullable() }),
  results: z.object({ recorded: z.number().int(), published: z.number().int() }),
  createdBy: z.string(),
  createdAt: z.string(),
});
export type PlanView = z.infer<typeof planViewSchema>;

export const drawViewSchema = drawSummarySchema.extend({
  planId: z.string(),
  inspectionDate: z.string(),
  strata: z.array(z.object({ creditClass: z.enum(CREDIT_CLASSES), ratio: z.number(), size: z.number().int(), drawn: z.number().int(), objectIds: z.array(z.string()) })),
  assignments: z.array(z.object({ objectId: z.string(), officerIds: z.array(z.string()) })),
  refusal: z.object({ code: z.literal('insufficient_inspectors'), objectId: z.string(), eligible: z.number().int(), needed: z.number().int(), message: z.string() }).optional(),
  objects: z
    .array(
      z.object({
        id: z.string(),
        kind: z.enum(['person', 'organization']),
        name: z.string(),
        creditCode: z.string().nullable().describe('统一社会信用代码 of an organization'),
        address: z.string(),
        townshipCode: z.string(),
        retired: z.boolean().describe('retired from the registry since'),
      }),
    )
    .describe('the drawn objects (and a refused object) as the registry holds them now, for the inspectors to find them; never an ID number'),
});
export type DrawView = z.infer<typeof drawViewSchema>;

export const verificationSchema = z.object({
  drawId: z.string(),
  agrees: z.boolean().describe('the draw recomputed from its recorded inputs equals the recorded draw'),
  poolHash: z.object({ recorded: z.string(), recomputed: z.string() }),
  differences: z.array(z.string()),
});
export type Verification = z.infer<typeof verificationSchema>;

export const resultViewSchema = z.object({
  planId: z.string(),
  objectId: z.string(),
  objectName: z.string().nullable().describe('the object’s name in the registry (null when no longer there)'),
  caseId: z.string().nullable(),
  outcome: z.enum(INSPECTION_OUTCOMES),
  foundIssues: z.array(z.string()),
  inspectedAt: z.string(),
  recordedBy: z.string(),
  publishedAt: z.string().nullable(),
});
export const resultListSchema = z.object({ items: z.array(resultViewSchema) });
export type InspectionResultView = z.infer<typeof resultViewSchema>;

export const publicResultSchema = z.object({
  planId: z.string(),
  campaign: z.string(),
  countyCode: z.string(),
  matterCodes: z.array(z.string()),
  object: z.object({ kind: z.enum(['person', 'organization']), name: z.string().describe('persons masked (张*)'), creditCode: z.string().nullable() }),
  outcome: z.enum(INSPECTION_OUTCOMES),
  foundIssues: z.array(z.string()),
  inspectedAt: z.string(),
  publishedAt: z.string(),
});
export const publicResultListSchema = z.object({ items: z.array(publicResultSchema), nextCursor: z.string().optional() });
export type PublicInspectionResult = z.infer<typeof publicResultSchema>;
export const publicResultsQuerySchema = z
  .object({
    planId: z.string().min(1).optional(),
    countyCode: z.string().min(1).optional(),
    limit: z.coerce.number().int().min(1).max(500).default(100),
    cursor: z.string().regex(/^\d+$/, 'an offset from a previous page').optional(),
  })
  .strict();

interface PlanRow {
  id: string;
  county_code: string;
  name: string;
  matter_codes: string[];
  ratios: PlanView['ratios'];
  units: string[];
  industry: string | null;
  township_codes: string[];
  period_from: string;
  period_to: string;
  inspection_at: string;
  seed_source: string;
  policy: InspectionPolicy;
  status: PlanView['status'];
  workflow_id: string;
  publication_due_at: string | null;
  publication_escalated_at: string | null;
  published_at: string | null;
  created_by: string;
  created_at: string;
}

export async function insertPlan(client: PoolClient, id: string, workflowId: string, body: CreatePlanBody, createdBy: string): Promise<boolean> {
  const { rowCount } = await client.query(
    `INSERT INTO inspection_plans (id, county_code, name, matter_codes, ratios, units, industry, township_codes, period_from, period_to,
                                   inspection_at, seed_source, policy, workflow_id, created_by)
     VALUES ($1, $2, $3, $4, $5::jsonb, $6, $7, $8, $9, $10, $11, $12, $13::jsonb, $14, $15)
     ON CONFLICT (id) DO NOTHING`,
    [id, body.countyCode, body.name, body.matterCodes, JSON.stringify(body.ratios), body.units, body.industry ?? null, body.townshipCodes,
      body.period.from, body.period.to, body.inspectionAt, body.seedSource, JSON.stringify(body.policy), workflowId, createdBy],
  );
  return rowCount === 1;
}

/** A plan whose campaign could not be started: nothing refers to it yet. */
export async function deletePlan(pool: Pool, planId: string): Promise<void> {
  await pool.query('DELETE FROM inspection_plans WHERE id = $1', [planId]);
}

export async function planCounty(pool: Pool, planId: string): Promise<{ countyCode: string; workflowId: string; status: PlanView['status'] } | undefined> {
  const { rows } = await pool.query<{ county_code: string; workflow_id: string; status: PlanView['status'] }>('SELECT county_code, workflow_id, status FROM inspection_plans WHERE id = $1', [planId]);
  return rows[0] ? { countyCode: rows[0].county_code, workflowId: rows[0].workflow_id, status: rows[0].status } : undefined;
}

interface DrawRow {
  id: string;
  plan_id: string;
  attempt: number;
  status: DrawView['status'];
  seed: string;
  seed_source: SeedSource;
  pool_hash: string;
  inspection_date: string;
  inputs: RecordedDrawInputs;
  outcome: DrawOutcome;
  redraw_reason: string | null;
  drawn_by: string;
  drawn_at: string;
}

const summary = (d: DrawRow) => ({
  id: d.id,
  attempt: d.attempt,
  status: d.status,
  seed: d.seed,
  seedSource: d.seed_source,
  poolHash: d.pool_hash,
  redrawReason: d.redraw_reason,
  drawnBy: d.drawn_by,
  drawnAt: d.drawn_at,
});

export async function readPlan(pool: Pool, planId: string): Promise<PlanView | undefined> {
  const { rows } = await pool.query<PlanRow>('SELECT * FROM inspection_plans WHERE id = $1', [planId]);
  const p = rows[0];
  if (!p) return undefined;
  const [poolRow, draws, results] = await Promise.all([
    pool.query<{ pool_hash: string; size: number; frozen_at: string; strata: Record<string, number> | null }>(
      `SELECT pool_hash, size, frozen_at,
              (SELECT jsonb_object_agg(c, n) FROM (SELECT x->>'creditClass' AS c, count(*) AS n FROM jsonb_array_elements(candidates) x GROUP BY 1) s) AS strata
         FROM inspection_pools WHERE plan_id = $1`,
      [planId],
    ),
    pool.query<DrawRow>('SELECT * FROM inspection_draws WHERE plan_id = $1 ORDER BY attempt', [planId]),
    pool.query<{ recorded: number; published: number }>(
      'SELECT count(*) AS recorded, count(published_at) AS published FROM inspection_results WHERE plan_id = $1',
      [planId],
    ),
  ]);
  const frozen = poolRow.rows[0];
  return {
    id: p.id,
    countyCode: p.county_code,
    name: p.name,
    matterCodes: p.matter_codes,
    ratios: p.ratios,
    units: p.units,
    industry: p.industry,
    townshipCodes: p.township_codes,
    period: { from: p.period_from, to: p.period_to },
    inspectionAt: p.inspection_at,
    seedSource: p.seed_source,
    policy: p.policy,
    status: p.status,
    workflowId: p.workflow_id,
    pool: frozen ? { hash: frozen.pool_hash, size: frozen.size, frozenAt: frozen.frozen_at, strata: frozen.strata ?? {} } : null,
    draws: draws.rows.map(summary),
    publication: { dueAt: p.publication_due_at, escalatedAt: p.publication_escalated_at, publishedAt: p.published_at },
    results: { recorded: results.rows[0]?.recorded ?? 0, published: results.rows[0]?.published ?? 0 },
    createdBy: p.created_by,
    createdAt: p.created_at,
  };
}

async function drawRow(pool: Pool, drawId: string): Promise<(DrawRow & { county_code: string }) | undefined> {
  const { rows } = await pool.query<DrawRow & { county_code: string }>(
    'SELECT d.*, p.county_code FROM inspection_draws d JOIN inspection_plans p ON p.id = d.plan_id WHERE d.id = $1',
    [drawId],
  );
  return rows[0];
}

export async function readDraw(pool: Pool, drawId: string): Promise<{ countyCode: string; draw: DrawView } | undefined> {
  const d = await drawRow(pool, drawId);
  if (!d) return undefined;
  const o = d.outcome;
  const ids = [...new Set([...o.strata.flatMap((s) => s.objectIds), ...(o.status === 'refused' ? [o.refusal.objectId] : [])])];
  const objects = await pool.query<{ id: string; kind: 'person' | 'organization'; name: string; credit_code: string | null; address: string; township_code: string; retired: boolean }>(
    `SELECT id, kind, name, credit_code, address, township_code, retired_at IS NOT NULL AS retired
       FROM enforcement_objects WHERE id = ANY($1::text[]) ORDER BY id`,
    [ids],
  );
  return {
    countyCode: d.county_code,
    draw: {
      ...summary(d),
      planId: d.plan_id,
      inspectionDate: d.inspection_date,
      strata: o.strata,
      assignments: o.status === 'accepted' ? o.assignments.map((a) => ({ objectId: a.objectId, officerIds: a.officerIds })) : [],
      ...(o.status === 'refused' ? { refusal: o.refusal } : {}),
      objects: objects.rows.map((r) => ({
        id: r.id,
        kind: r.kind,
        name: r.name,
        creditCode: r.credit_code,
        address: r.address,
        townshipCode: r.township_code,
        retired: r.retired,
      })),
    },
  };
}

/** Recomputes a draw from what was recorded: the frozen pool, the seed, the roster and recusals of that day. */
export async function verifyRecordedDraw(pool: Pool, drawId: string): Promise<{ countyCode: string; verification: z.infer<typeof verificationSchema> } | undefined> {
  const d = await drawRow(pool, drawId);
  if (!d) return undefined;
  const { rows } = await pool.query<{ candidates: Candidate[]; pool_hash: string }>('SELECT candidates, pool_hash FROM inspection_pools WHERE plan_id = $1', [d.plan_id]);
  const frozen = rows[0]!;
  const v = verifyDraw({ ...d.inputs, seed: d.seed, pool: { candidates: frozen.candidates, poolHash: frozen.pool_hash } }, d.outcome);
  // The seed must be the one its public values make.
  const seed = seedFrom(d.seed_source.publishedOn, d.seed_source.values);
  if (seed !== d.seed) v.differences.push(`the seed ${d.seed} is not the one its public values make (${seed})`);
  return { countyCode: d.county_code, verification: { drawId, ...v, agrees: v.differences.length === 0 } };
}

/** Whether the object was drawn in the draw the campaign carried out. */
export async function isInspectedObject(pool: Pool, planId: string, objectId: string): Promise<boolean> {
  const { rows } = await pool.query(
    `SELECT 1 FROM inspection_assignments a JOIN inspection_draws d ON d.id = a.draw_id
      WHERE d.plan_id = $1 AND a.object_id = $2 LIMIT 1`,
    [planId, objectId],
  );
  return rows.length > 0;
}

interface ResultRow {
  plan_id: string;
  object_id: string;
  object_name: string | null;
  case_id: string | null;
  outcome: z.infer<typeof resultViewSchema>['outcome'];
  found_issues: string[];
  inspected_at: string;
  recorded_by: string;
  published_at: string | null;
}

export async function listPlanResults(pool: Pool, planId: string): Promise<z.infer<typeof resultListSchema>> {
  const { rows } = await pool.query<ResultRow>(
    `SELECT r.*, o.name AS object_name FROM inspection_results r LEFT JOIN enforcement_objects o ON o.id = r.object_id
      WHERE r.plan_id = $1 ORDER BY r.object_id`,
    [planId],
  );
  return {
    items: rows.map((r) => ({
      planId: r.plan_id,
      objectId: r.object_id,
      objectName: r.object_name,
      caseId: r.case_id,
      outcome: r.outcome,
      foundIssues: r.found_issues,
      inspectedAt: r.inspected_at,
      recordedBy: r.recorded_by,
      publishedAt: r.published_at,
    })),
  };
}

/** Published results, newest publication first; persons masked, no identity numbers or addresses. */
export async function listPublicResults(pool: Pool, q: z.infer<typeof publicResultsQuerySchema>): Promise<z.infer<typeof publicResultListSchema>> {
  const offset = q.cursor ? Number(q.cursor) : 0;
  const { rows } = await pool.query<ResultRow & { name: string; county_code: string; matter_codes: string[]; kind: 'person' | 'organization'; object_name: string; credit_code: string | null }>(
    `SELECT r.*, p.name, p.county_code, p.matter_codes, o.kind, o.name AS object_name, o.credit_code
       FROM inspection_results r
       JOIN inspection_plans p ON p.id = r.plan_id
       JOIN enforcement_objects o ON o.id = r.object_id
      WHERE r.published_at IS NOT NULL
        AND ($1::text IS NULL OR r.plan_id = $1) AND ($2::text IS NULL OR p.county_code = $2)
      ORDER BY r.published_at DESC, r.plan_id, r.object_id
      OFFSET $3 LIMIT $4`,
    [q.planId ?? null, q.countyCode ?? null, offset, q.limit + 1],
  );
  const page = rows.slice(0, q.limit);
  return {
    items: page.map((r) => ({
      planId: r.plan_id,
      campaign: r.name,
      countyCode: r.county_code,
      matterCodes: r.matter_codes,
      object: { kind: r.kind, name: r.kind === 'person' ? maskPersonName(r.object_name) : r.object_name, creditCode: r.kind === 'person' ? null : r.credit_code },
      outcome: r.outcome,
      foundIssues: r.found_issues,
      inspectedAt: r.inspected_at,
      publishedAt: r.published_at!,
    })),
    ...(rows.length > q.limit ? { nextCursor: String(offset + q.limit) } : {}),
  };
}

/** One campaign in the list of plans: enough to choose it (GET …/plans/{planId} has the rest). */
export const planSummarySchema = z.object({
  id: z.string(),
  countyCode: z.string(),
  name: z.string(),
  status: planViewSchema.shape.status,
  inspectionAt: z.string(),
  poolSize: z.number().int().nullable().describe('null until the pool is frozen'),
  publication: z.object({ dueAt: z.string().nullable(), publishedAt: z.string().nullable() }),
  createdBy: z.string(),
  createdAt: z.string(),
});
export type PlanSummary = z.infer<typeof planSummarySchema>;
export const planListQuerySchema = z
  .object({
    countyCode: z.string().min(1).max(32).optional().describe('a county (a county user sees only its own)'),
    limit: z.coerce.number().int().min(1).max(200).default(50),
    cursor: z.string().max(400).optional().describe('the nextCursor of the previous page'),
  })
  .strict();
const planCursorSchema = z.object({ k: sortKeySchema, id: cursorIdSchema }).strict();

/** The campaigns of a county (or all, for a city-wide caller), newest first, keyset-paged on (created_at, id). */
export async function listPlans(pool: Pool, q: z.output<typeof planListQuerySchema>): Promise<{ items: PlanSummary[]; nextCursor?: string }> {
  const after = q.cursor ? decodeCursor(q.cursor, planCursorSchema) : undefined;
  const { rows } = await pool.query<{
    id: string; county_code: string; name: string; status: PlanView['status']; inspection_at: string; pool_size: number | null;
    publication_due_at: string | null; published_at: string | null; created_by: string; created_at: string; sort_key: string;
  }>(
    `SELECT p.id, p.county_code, p.name, p.status, p.inspection_at, (SELECT size FROM inspection_pools s WHERE s.plan_id = p.id) AS pool_size,
            p.publication_due_at, p.published_at, p.created_by, p.created_at, ${sortKeyText('p.created_at')} AS sort_key
       FROM inspection_plans p
      WHERE ($1::text IS NULL OR p.county_code = $1)
        AND ($2::timestamptz IS NULL OR (p.created_at, p.id) < ($2::timestamptz, $3::text))
      ORDER BY p.created_at DESC, p.id DESC
      LIMIT $4`,
    [q.countyCode ?? null, after?.k ?? null, after?.id ?? null, q.limit + 1],
  );
  const page = rows.slice(0, q.limit);
  const last = page[page.length - 1];
  return {
    items: page.map((r) => ({
      id: r.id,
      countyCode: r.county_code,
      name: r.name,
      status: r.status,
      inspectionAt: r.inspection_at,
      poolSize: r.pool_size,
      publication: { dueAt: r.publication_due_at, publishedAt: r.published_at },
      createdBy: r.created_by,
      createdAt: r.created_at,
    })),
    ...(rows.length > q.limit && last ? { nextCursor: encodeCursor({ k: last.sort_key, id: last.id }) } : {}),
  };
}

import type { Pool } from 'pg';
import { withTransaction } from '../db/pool';
import {
  complaintWeight,
  draw,
  freezePool,
  seedFrom,
  type Candidate,
  type CreditClass,
  type DrawInputs,
  type DrawOutcome,
  type InspectorCandidate,
  type InsufficientInspectors,
  type Recusal,
  type StratumRatios,
} from '../domain/inspection-draw';
import type { InspectionOutcome, InspectionPolicy, SeedSource } from '../domain/inspection-plan';
import { toShanghaiIso } from '../domain/time';
import { createHash } from 'node:crypto';

/**
 * What the campaign workflow (workflows/inspection-campaign.ts) asks of Postgres. Each is idempotent:
 * the pool is frozen once per plan, a draw attempt is written once per (plan, attempt), results and
 * publication are upserts, notifications are keyed.
 */
export interface InspectionActivities {
  freezeInspectionPool(input: { planId: string }): Promise<{ poolHash: string; size: number }>;
  drawInspection(input: DrawRequest): Promise<DrawAnswer>;
  beginInspection(input: { planId: string; drawId: string }): Promise<{ objects: number }>;
  inspectionTargets(input: { drawId: string; offset: number; limit: number }): Promise<InspectionTarget[]>;
  /** Which of these objects have a recorded result (the API records them; a signal only wakes the campaign). */
  resultsIn(input: { planId: string; objectIds: string[] }): Promise<string[]>;
  recordPublicationDeadline(input: { planId: string; dueAt: string }): Promise<void>;
  escalatePublication(input: { planId: string; dueAt: string; at: string; level: 1 | 2 }): Promise<void>;
  publishInspectionResults(input: { planId: string; at: string }): Promise<{ published: number }>;
}

export interface DrawRequest {
  planId: string;
  attempt: number;
  seedSource: SeedSource;
  reason?: string;
  drawnBy: string;
}
export type DrawAnswer =
  | { drawId: string; status: 'accepted'; objects: number }
  | { drawId: string; status: 'refused'; refusal: InsufficientInspectors };

export interface InspectionTarget {
  objectId: string;
  /** The inspection case's id (also its workflow id). */
  caseId: string;
  kind: 'person' | 'organization';
  name: string;
  creditCode: string | null;
  idNumber: string | null;
  address: string;
  townshipCode: string;
  gridCode: string | null;
  officerIds: string[];
  /** The department of the best-ranked inspector, when a county department leads the inspection. */
  handlerDepartmentCode: string | null;
  countyCode: string;
  matterCode: string;
  description: string;
}

export interface InspectionResultRecord {
  planId: string;
  objectId: string;
  outcome: InspectionOutcome;
  foundIssues: string[];
  inspectedAt: string;
  recordedBy: string;
}

interface PlanRow {
  id: string;
  county_code: string;
  name: string;
  matter_codes: string[];
  ratios: StratumRatios;
  units: string[];
  industry: string | null;
  township_codes: string[];
  inspection_at: string;
  policy: InspectionPolicy;
}

async function plan(pool: Pool, planId: string): Promise<PlanRow> {
  const { rows } = await pool.query<PlanRow>('SELECT * FROM inspection_plans WHERE id = $1', [planId]);
  if (!rows[0]) throw new Error(`no inspection plan ${planId}`);
  return rows[0];
}

/**
 * The enforcement objects a plan draws from, read once when the pool is frozen (never again). With the
 * policy's complaint weighting, each object's hotline and complaint cases of the year before (its party
 * matched by credit code or ID number) give it extra tickets.
 */
async function candidatesOf(pool: Pool, p: PlanRow): Promise<Candidate[]> {
  const { rows } = await pool.query<{ id: string; credit_class: CreditClass; township_code: string; complaints: number }>(
    `WITH complaints AS (
       SELECT k.party_key, count(*) AS n
         FROM cases c, LATERAL (VALUES (c.snapshot->'party'->>'creditCode'), (c.snapshot->'party'->>'idNumber')) AS k(party_key)
        WHERE $4 AND c.source IN ('complaint', 'hotline') AND c.opened_at > now() - interval '1 year' AND k.party_key IS NOT NULL
        GROUP BY k.party_key)
     SELECT o.id, o.credit_class, o.township_code,
            COALESCE((SELECT sum(n) FROM complaints WHERE party_key IN (o.credit_code, o.id_number)), 0) AS complaints
       FROM enforcement_objects o JOIN townships t ON t.code = o.township_code
      WHERE t.county_code = $1 AND o.retired_at IS NULL
        AND ($2::text IS NULL OR o.industry = $2)
        AND (cardinality($3::text[]) = 0 OR o.township_code = ANY ($3))`,
    [p.county_code, p.industry, p.township_codes, p.policy.weightComplaints === true],
  );
  return rows.map((r) => ({
    id: r.id,
    creditClass: r.credit_class,
    townshipCode: r.township_code,
    ...(p.policy.weightComplaints && Number(r.complaints) > 0 ? { weight: complaintWeight(Number(r.complaints)) } : {}),
  }));
}

/** The county's officers (brigades and departments) as they stand now, and their recusals. */
export async function rosterOf(pool: Pool, countyCode: string): Promise<{ officers: InspectorCandidate[]; recusals: Recusal[] }> {
  const { rows } = await pool.query<{
    id: string;
    township_code: string | null;
    department_code: string | null;
    domains: string[];
    certificate_no: string | null;
    valid_from: string | null;
    valid_until: string | null;
    active: boolean;
    retired_at: string | null;
    suspended_from: string | null;
    suspended_until: string | null;
  }>(
    `SELECT o.id, o.township_code, o.department_code, o.domains, o.certificate_no,
            to_char(o.certificate_valid_from, 'YYYY-MM-DD') AS valid_from,
            to_char(o.certificate_valid_until, 'YYYY-MM-DD') AS valid_until,
            o.active, o.retired_at,
            to_char(o.suspended_from, 'YYYY-MM-DD') AS suspended_from,
            to_char(o.suspended_until, 'YYYY-MM-DD') AS suspended_until
       FROM officers o
       LEFT JOIN townships t ON t.code = o.township_code
       LEFT JOIN departments d ON d.code = o.department_code
      WHERE COALESCE(t.county_code, d.county_code) = $1
      ORDER BY o.id`,
    [countyCode],
  );
  const officers = rows.map((r) => ({
    id: r.id,
    townshipCode: r.township_code,
    departmentCode: r.department_code,
    domains: r.domains,
    certificateNo: r.certificate_no,
    validFrom: r.valid_from,
    validUntil: r.valid_until,
    active: r.active,
    retiredAt: r.retired_at,
    suspendedFrom: r.suspended_from,
    suspendedUntil: r.suspended_until,
  }));
  const ids = officers.map((o) => o.id);
  const recusals = await pool.query<{ officer_id: string; enforcement_object_id: string | null; township_code: string | null }>(
    'SELECT officer_id, enforcement_object_id, township_code FROM officer_recusals WHERE officer_id = ANY ($1) ORDER BY id',
    [ids],
  );
  return {
    officers,
    recusals: recusals.rows.map((r) => ({ officerId: r.officer_id, objectId: r.enforcement_object_id, townshipCode: r.township_code })),
  };
}

/** The recorded inputs of a draw, as stored in inspection_draws.inputs (the pool is in inspection_pools). */
export type RecordedDrawInputs = Omit<DrawInputs, 'pool'>;

async function matterDomains(pool: Pool, codes: string[]): Promise<string[]> {
  const { rows } = await pool.query<{ domain: string }>('SELECT DISTINCT domain FROM matters WHERE code = ANY ($1) ORDER BY domain', [codes]);
  return rows.map((r) => r.domain);
}

export function createInspectionActivities(pool: Pool): InspectionActivities {
  return {
    async freezeInspectionPool({ planId }) {
      const p = await plan(pool, planId);
      const existing = await pool.query<{ pool_hash: string; size: number }>('SELECT pool_hash, size FROM inspection_pools WHERE plan_id = $1', [planId]);
      if (existing.rows[0]) return { poolHash: existing.rows[0].pool_hash, size: existing.rows[0].size };
      const frozen = freezePool(await candidatesOf(pool, p));
      await withTransaction(pool, async (client) => {
        await client.query(
          `INSERT INTO inspection_pools (plan_id, candidates, size, pool_hash) VALUES ($1, $2::jsonb, $3, $4) ON CONFLICT (plan_id) DO NOTHING`,
          [planId, JSON.stringify(frozen.candidates), frozen.candidates.length, frozen.poolHash],
        );
        await client.query(`UPDATE inspection_plans SET status = 'pool_frozen' WHERE id = $1 AND status = 'planned'`, [planId]);
      });
      // Another attempt may have won the insert: answer what is stored.
      const stored = await pool.query<{ pool_hash: string; size: number }>('SELECT pool_hash, size FROM inspection_pools WHERE plan_id = $1', [planId]);
      return { poolHash: stored.rows[0]!.pool_hash, size: stored.rows[0]!.size };
    },

    async drawInspection(req) {
      const drawId = `${req.planId}-D${req.attempt}`;
      const found = await pool.query<{ status: string; outcome: DrawOutcome }>('SELECT status, outcome FROM inspection_draws WHERE id = $1', [drawId]);
      if (found.rows[0]) return answerOf(drawId, found.rows[0].outcome);
      const p = await plan(pool, req.planId);
      const frozen = await pool.query<{ candidates: Candidate[]; pool_hash: string }>('SELECT candidates, pool_hash FROM inspection_pools WHERE plan_id = $1', [req.planId]);
      const stored = frozen.rows[0];
      if (!stored) throw new Error(`the pool of plan ${req.planId} is not frozen`);
      const roster = await rosterOf(pool, p.county_code);
      const recorded: RecordedDrawInputs = {
        ratios: p.ratios,
        seed: seedFrom(req.seedSource.publishedOn, req.seedSource.values),
        inspectionDate: toShanghaiIso(Date.parse(p.inspection_at)).slice(0, 10),
        officers: roster.officers,
        recusals: roster.recusals,
        rules: {
          itemDomains: await matterDomains(pool, p.matter_codes),
          units: p.units,
          recuseOwnTownship: p.policy.recuseOwnTownship,
          inspectorsPerObject: p.policy.inspectorsPerObject,
        },
      };
      const outcome = draw({ ...recorded, pool: { candidates: stored.candidates, poolHash: stored.pool_hash } });
      await withTransaction(pool, async (client) => {
        const inserted = await client.query(
          `INSERT INTO inspection_draws (id, plan_id, attempt, seed, seed_source, pool_hash, inspection_date, inputs, outcome, status, redraw_reason, drawn_by)
           VALUES ($1, $2, $3, $4, $5::jsonb, $6, $7, $8::jsonb, $9::jsonb, $10, $11, $12)
           ON CONFLICT (plan_id, attempt) DO NOTHING`,
          [drawId, req.planId, req.attempt, recorded.seed, JSON.stringify(req.seedSource), stored.pool_hash, recorded.inspectionDate, JSON.stringify(recorded), JSON.stringify(outcome), outcome.status, req.reason ?? null, req.drawnBy],
        );
        if (inserted.rowCount === 1 && outcome.status === 'accepted') {
          await client.query(`UPDATE inspection_draws SET status = 'superseded' WHERE plan_id = $1 AND id <> $2 AND status = 'accepted'`, [req.planId, drawId]);
          await client.query(`UPDATE inspection_plans SET status = 'drawn' WHERE id = $1 AND status IN ('planned', 'pool_frozen', 'drawn')`, [req.planId]);
        }
      });
      const again = await pool.query<{ outcome: DrawOutcome }>('SELECT outcome FROM inspection_draws WHERE id = $1', [drawId]);
      return answerOf(drawId, again.rows[0]!.outcome);
    },

    async beginInspection({ planId, drawId }) {
      const { rows } = await pool.query<{ outcome: DrawOutcome }>('SELECT outcome FROM inspection_draws WHERE id = $1 AND plan_id = $2', [drawId, planId]);
      const outcome = rows[0]?.outcome;
      if (!outcome || outcome.status !== 'accepted') throw new Error(`draw ${drawId} of plan ${planId} is not an accepted draw`);
      const assignments = outcome.assignments.flatMap((a) => a.officerIds.map((officerId, i) => ({ objectId: a.objectId, officerId, rank: i + 1, caseId: inspectionCaseId(planId, a.objectId) })));
      await withTransaction(pool, async (client) => {
        await client.query(
          `INSERT INTO inspection_assignments (draw_id, object_id, officer_id, rank, case_id)
           SELECT $1, a."objectId", a."officerId", a.rank, a."caseId"
             FROM jsonb_to_recordset($2::jsonb) AS a("objectId" text, "officerId" text, rank integer, "caseId" text)
           ON CONFLICT DO NOTHING`,
          [drawId, JSON.stringify(assignments)],
        );
        await client.query(`UPDATE inspection_plans SET status = 'inspecting' WHERE id = $1 AND status <> 'published'`, [planId]);
      });
      return { objects: outcome.assignments.length };
    },

    async inspectionTargets({ drawId, offset, limit }) {
      const { rows } = await pool.query<{
        object_id: string;
        case_id: string;
        kind: 'person' | 'organization';
        name: string;
        credit_code: string | null;
        id_number: string | null;
        address: string;
        township_code: string;
        grid_code: string | null;
        officer_ids: string[];
        handler_department: string | null;
        county_code: string;
        matter_code: string;
        plan_name: string;
      }>(
        `WITH objects AS (
           SELECT a.object_id, min(a.case_id) AS case_id, array_agg(a.officer_id ORDER BY a.rank) AS officer_ids
             FROM inspection_assignments a WHERE a.draw_id = $1 GROUP BY a.object_id)
         SELECT x.object_id, x.case_id, o.kind, o.name, o.credit_code, o.id_number, o.address, o.township_code, o.grid_code,
                x.officer_ids, (SELECT f.department_code FROM officers f WHERE f.id = x.officer_ids[1]) AS handler_department, p.county_code, p.matter_codes[1] AS matter_code, p.name AS plan_name
           FROM objects x
           JOIN enforcement_objects o ON o.id = x.object_id
           JOIN inspection_draws d ON d.id = $1
           JOIN inspection_plans p ON p.id = d.plan_id
          ORDER BY x.object_id OFFSET $2 LIMIT $3`,
        [drawId, offset, limit],
      );
      return rows.map((r) => ({
        objectId: r.object_id,
        caseId: r.case_id,
        kind: r.kind,
        name: r.name,
        creditCode: r.credit_code,
        idNumber: r.id_number,
        address: r.address,
        townshipCode: r.township_code,
        gridCode: r.grid_code,
        officerIds: r.officer_ids,
        handlerDepartmentCode: r.handler_department,
        countyCode: r.county_code,
        matterCode: r.matter_code,
        description: `双随机抽查 ${r.plan_name}: ${r.name}`,
      }));
    },

    async resultsIn({ planId, objectIds }) {
      if (objectIds.length === 0) return [];
      const { rows } = await pool.query<{ object_id: string }>(
        'SELECT object_id FROM inspection_results WHERE plan_id = $1 AND object_id = ANY ($2) ORDER BY object_id',
        [planId, objectIds],
      );
      return rows.map((r) => r.object_id);
    },

    async recordPublicationDeadline({ planId, dueAt }) {
      await pool.query('UPDATE inspection_plans SET publication_due_at = $2 WHERE id = $1', [planId, dueAt]);
    },

    async escalatePublication({ planId, dueAt, at, level }) {
      const p = await plan(pool, planId);
      await withTransaction(pool, async (client) => {
        await client.query('UPDATE inspection_plans SET publication_escalated_at = COALESCE(publication_escalated_at, $2) WHERE id = $1', [planId, at]);
        await client.query(
          `INSERT INTO outbox (dedupe_key, case_id, channel, recipient, subject, payload)
           VALUES ($1, $2, 'escalation', $3, $4, $5::jsonb) ON CONFLICT (dedupe_key) DO NOTHING`,
          [
            `${planId}:publication:L${level}`,
            planId,
            `county-supervisor:${p.county_code}`,
            `超期预警 level ${level}: 双随机抽查结果 of campaign ${p.name} (${planId}) were due for publication ${dueAt}`,
            JSON.stringify({ planId, deadline: 'inspection-publication', dueAt, level }),
          ],
        );
      });
    },

    async publishInspectionResults({ planId, at }) {
      return withTransaction(pool, async (client) => {
        const published = await client.query('UPDATE inspection_results SET published_at = $2 WHERE plan_id = $1 AND published_at IS NULL', [planId, at]);
        await client.query(`UPDATE inspection_plans SET status = 'published', published_at = COALESCE(published_at, $2) WHERE id = $1`, [planId, at]);
        return { published: published.rowCount ?? 0 };
      });
    },
  };
}

/** Records (or, until published, corrects) an inspected object's result: the API's write, before it wakes the campaign. */
export async function recordInspectionResult(pool: Pool, r: InspectionResultRecord): Promise<void> {
  await pool.query(
    `INSERT INTO inspection_results (plan_id, object_id, case_id, outcome, found_issues, inspected_at, recorded_by)
     VALUES ($1, $2, $3, $4, $5::jsonb, $6, $7)
     ON CONFLICT (plan_id, object_id) DO UPDATE
       SET outcome = EXCLUDED.outcome, found_issues = EXCLUDED.found_issues, inspected_at = EXCLUDED.inspected_at,
           recorded_by = EXCLUDED.recorded_by, recorded_at = now()
     WHERE inspection_results.published_at IS NULL`,
    [r.planId, r.objectId, inspectionCaseId(r.planId, r.objectId), r.outcome, JSON.stringify(r.foundIssues), r.inspectedAt, r.recordedBy],
  );
}

function answerOf(drawId: string, outcome: DrawOutcome): DrawAnswer {
  return outcome.status === 'accepted'
    ? { drawId, status: 'accepted', objects: outcome.assignments.length }
    : { drawId, status: 'refused', refusal: outcome.refusal };
}

/**
 * The inspection case of one drawn object: one per object and campaign, `<planId>-<objectId>`, or, when
 * that would pass the 64 characters a case id may have, the object id replaced by 16 hex of its SHA-256.
 */
export function inspectionCaseId(planId: string, objectId: string): string {
  const plain = `${planId}-${objectId}`;
  if (plain.length <= 64 && /^[A-Za-z0-9_.-]+$/.test(plain)) return plain;
  return `${planId}-${createHash('sha256').update(objectId, 'utf8').digest('hex').slice(0, 16)}`;
}

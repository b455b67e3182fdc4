import { ApplicationFailure } from '@temporalio/common';
import type { Pool } from 'pg';
import { computeDueDate } from '../domain/calendar';
import { PACKAGE_CALENDAR, type WorkingDayCalendar } from '../domain/holiday-calendar';
import { publishedCalendar } from './holiday-calendars';
import { createDisclosureActivities, type DisclosureActivities } from './disclosures';
import { createInspectionActivities, type InspectionActivities } from './inspection-campaign';
import type { CaseReview, CaseView } from '../domain/case';
import type { Deadline, DeadlineAnswer, DeadlineRequest } from '../domain/deadlines';
import { completeDeadline } from '../domain/deadline-entries';
import { REFUSAL } from '../domain/errors';
import { doublePeriod } from '../domain/periods';
import { DEFAULT_POLICY_LIMITS, DEFAULT_SLA_POLICY, type SlaPolicy } from '../domain/sla';
import { certificateRefusal } from '../domain/registries';
import { linkPartyToEnforcementObject } from './registries';
import type {
  CaseActivities,
  DepartmentLookup,
  MatterLookup,
  MatterRoute,
  OfficerCheck,
  OfficerCheckRequest,
  ReviewRecord,
  TransitionRecord,
} from './contract';

export type { CaseActivities } from './contract';

/**
 * The case workflows' activities on Postgres. Every one is idempotent (a retry writes nothing twice)
 * and lets database errors propagate, so Temporal retries them. Input that can never succeed (an
 * unparsable instant) fails with a non-retryable ApplicationFailure of type InvalidInput.
 */
export function createActivities(pool: Pool): CaseActivities & DisclosureActivities & InspectionActivities {
  const calendar = publishedCalendar(pool);
  return {
    ...createDisclosureActivities(pool),
    ...createInspectionActivities(pool),
    loadSlaPolicy: () => loadSlaPolicy(pool),
    computeDeadlines: async (requests) => computeDeadlines(requests, await calendar(requests.find((r) => r.calendarAtLeast)?.calendarAtLeast)),
    lookupMatter: (input) => lookupMatter(pool, input),
    lookupDepartment: (input) => lookupDepartment(pool, input),
    checkOfficers: (input) => checkOfficers(pool, input),
    recordTransition: async (input) => {
      const answer = input.deadlines?.length
        ? await recordTransition(pool, input, await calendar(input.deadlines.find((d) => d.request.calendarAtLeast)?.request.calendarAtLeast))
        : await recordTransition(pool, input);
      // 执法对象: the captured party is linked to its object when the capture is projected (idempotent).
      if (input.snapshot.party && input.events.some((e) => e.type === 'information_captured')) {
        await linkPartyToEnforcementObject(pool, input.snapshot);
      }
      return answer;
    },
    recordReview: (input) => recordReview(pool, input),
    listCasesWithEstimatedDeadlines: async ({ after, limit }) => {
      const { rows } = await pool.query<{ case_id: string }>(
        `SELECT case_id FROM cases
          WHERE status = 'open' AND case_id > $1
            AND snapshot->'deadlines' @> '[{"status": "running", "calendarEstimated": true}]'
          ORDER BY case_id LIMIT $2`,
        [after ?? '', limit],
      );
      return rows.map((r) => r.case_id);
    },
  };
}

/* ---------- SLA policy ---------- */

interface SlaPolicyRow {
  version: number;
  slas: SlaPolicy['slas'];
  urgent: SlaPolicy['urgent'] | null;
  limits: SlaPolicy['limits'] | null;
}

async function latestSlaPolicy(pool: Pool): Promise<SlaPolicy | undefined> {
  const { rows } = await pool.query<SlaPolicyRow>(
    'SELECT version, slas, urgent, limits FROM sla_policies ORDER BY version DESC LIMIT 1',
  );
  const row = rows[0];
  if (!row) return undefined;
  // A version stored before limits existed ('{}') has the defaults: a case records the limit it runs under.
  return { version: row.version, slas: row.slas, urgent: row.urgent ?? {}, limits: { ...DEFAULT_POLICY_LIMITS, ...row.limits } };
}

export async function loadSlaPolicy(pool: Pool): Promise<SlaPolicy> {
  const found = await latestSlaPolicy(pool);
  if (found) return found;
  // An empty table (fresh database without the seed): publish the default as version 1.
  await pool.query(
    `INSERT INTO sla_policies (version, slas, urgent, limits, published_by) VALUES ($1, $2::jsonb, $3::jsonb, $4::jsonb, 'default')
     ON CONFLICT (version) DO NOTHING`,
    [DEFAULT_SLA_POLICY.version, JSON.stringify(DEFAULT_SLA_POLICY.slas), JSON.stringify(DEFAULT_SLA_POLICY.urgent), JSON.stringify(DEFAULT_SLA_POLICY.limits)],
  );
  const stored = await latestSlaPolicy(pool);
  if (!stored) throw new Error('sla_policies is still empty after inserting the default policy');
  return stored;
}

/* ---------- deadlines on the working-day calendar ---------- */

export function computeDeadlines(requests: DeadlineRequest[], calendar: WorkingDayCalendar = PACKAGE_CALENDAR): DeadlineAnswer[] {
  return requests.map((request) => {
    try {
      const due = computeDueDate(request.period, request.from, calendar);
      if (!request.withEscalation) return { dueAt: due.dueAt, calendarEstimated: due.calendarEstimated };
      const escalation = computeDueDate(doublePeriod(request.period), request.from, calendar);
      return {
        dueAt: due.dueAt,
        escalateAt: escalation.dueAt,
        calendarEstimated: due.calendarEstimated || escalation.calendarEstimated,
      };
    } catch (err) {
      if (err instanceof RangeError) {
        throw ApplicationFailure.create({
          type: REFUSAL.invalidInput,
          message: `cannot compute a deadline: ${err.message}`,
          nonRetryable: true,
          cause: err,
        });
      }
      throw err;
    }
  });
}

/* ---------- catalog: matters and departments ---------- */

interface MatterRow {
  code: string;
  name: string;
  category: MatterRoute['category'];
  level: MatterRoute['level'];
  domain: string;
  legal_basis: string;
  department_code: string | null;
  county_exists: boolean;
  version: number;
  retired_at: string | null;
  /** The county's responsibility list item for the matter (属地管理事项责任清单), when there is one. */
  item_id: string | null;
  item_name: string | null;
  item_version: number | null;
  primary_unit: string | null;
  cooperating_units: string[] | null;
}

/** The matter, the department of the case's county that handles it, and its responsibility list item: one query. */
export async function lookupMatter(
  pool: Pool,
  input: { matterCode: string; countyCode: string },
): Promise<MatterLookup> {
  // Named (prepared once per connection): planned at every call, the capture step's lookup cost Postgres
  // more time to plan than to run (pg_stat_statements, bench:throughput).
  const { rows } = await pool.query<MatterRow>({
    name: 'lookup-matter',
    text: `SELECT m.code, m.name, m.category, m.level, m.domain, m.legal_basis, m.version, m.retired_at, d.code AS department_code,
            EXISTS (SELECT 1 FROM counties c WHERE c.code = $2) AS county_exists,
            ri.id AS item_id, ri.item_name, ri.version AS item_version, ri.primary_unit, ri.cooperating_units
       FROM matters m
       LEFT JOIN departments d ON m.level = 'county' AND d.county_code = $2 AND d.domain = m.domain
       LEFT JOIN LATERAL (
         SELECT id, item_name, version, primary_unit, cooperating_units FROM responsibility_items
          WHERE county_code = $2 AND matter_code = m.code AND retired_at IS NULL ORDER BY id LIMIT 1
       ) ri ON true
      WHERE m.code = $1`,
    values: [input.matterCode, input.countyCode],
  });
  const row = rows[0];
  if (!row) return { found: false, reason: `unknown matter code ${input.matterCode}` };
  if (!row.county_exists) return { found: false, reason: `unknown county ${input.countyCode}` };
  if (row.retired_at) return { found: false, reason: `matter ${row.code} was retired from the catalog on ${row.retired_at.slice(0, 10)}` };
  const matter: MatterRoute = {
    code: row.code,
    name: row.name,
    category: row.category,
    level: row.level,
    domain: row.domain,
    legalBasis: row.legal_basis,
    version: row.version,
  };
  if (row.level === 'county') {
    if (!row.department_code) {
      return {
        found: false,
        reason: `county-level matter ${row.code} (${row.domain}) has no ${row.domain} department in county ${input.countyCode}`,
      };
    }
    matter.departmentCode = row.department_code;
  }
  if (row.item_id === null) return { found: true, matter };
  return {
    found: true,
    matter,
    routing: {
      primaryUnit: row.primary_unit!,
      cooperatingUnits: row.cooperating_units ?? [],
      listItem: { id: row.item_id, name: row.item_name!, version: row.item_version! },
    },
  };
}

export async function lookupDepartment(
  pool: Pool,
  input: { departmentCode: string; countyCode: string },
): Promise<DepartmentLookup> {
  const { rows } = await pool.query<{ name: string; domain: string; county_code: string }>(
    'SELECT name, domain, county_code FROM departments WHERE code = $1',
    [input.departmentCode],
  );
  const row = rows[0];
  if (!row) return { found: false, reason: `unknown department ${input.departmentCode}` };
  if (row.county_code !== input.countyCode) {
    return {
      found: false,
      reason: `department ${input.departmentCode} belongs to county ${row.county_code}, not ${input.countyCode}`,
    };
  }
  return { found: true, name: row.name, domain: row.domain };
}

/* ---------- 执法人员: certificates ---------- */

const SHANGHAI_OFFSET_MS = 8 * 3600_000;

/** The Asia/Shanghai calendar date (YYYY-MM-DD) of an instant. */
export function shanghaiDate(instant: string): string {
  const ms = Date.parse(instant);
  if (Number.isNaN(ms)) {
    throw ApplicationFailure.create({
      type: REFUSAL.invalidInput,
      message: `invalid instant: ${instant}`,
      nonRetryable: true,
    });
  }
  return new Date(ms + SHANGHAI_OFFSET_MS).toISOString().slice(0, 10);
}

interface OfficerRow {
  id: string;
  township_code: string | null;
  department_code: string | null;
  certificate_no: string | null;
  certificate_valid_from: string | null; // `date` comes back as YYYY-MM-DD (db/pool.ts)
  certificate_valid_until: string | null;
  suspended_from: string | null;
  suspended_until: string | null;
  active: boolean;
  retired_at: string | null;
  version: number;
  /** The matter domains the officer may enforce; none listed: every domain of the unit. */
  domains: string[];
}

export async function checkOfficers(pool: Pool, input: OfficerCheckRequest): Promise<OfficerCheck> {
  const day = shanghaiDate(input.at);
  // One named statement (prepared once per connection): the officers and the matter's domain together. With
  // no officer found there is no row and no domain, and none is needed (each officer is refused as unknown).
  const { rows } = await pool.query<OfficerRow & { matter_domain: string | null }>({
    name: 'check-officers',
    text: `SELECT id, township_code, department_code, certificate_no, certificate_valid_from::text AS certificate_valid_from,
            certificate_valid_until::text AS certificate_valid_until, suspended_from::text AS suspended_from,
            suspended_until::text AS suspended_until, active, retired_at, version, domains,
            (SELECT domain FROM matters WHERE code = $2) AS matter_domain
       FROM officers WHERE id = ANY($1::text[])`,
    values: [input.officerIds, input.matterCode ?? null],
  });
  const byId = new Map(rows.map((r) => [r.id, r]));
  const matterDomain = rows[0]?.matter_domain ?? undefined;
  const units = [
    input.townshipCode !== undefined ? `brigade ${input.townshipCode}` : undefined,
    input.departmentCode !== undefined ? `department ${input.departmentCode}` : undefined,
  ].filter((u): u is string => u !== undefined);

  const certified: string[] = [];
  const refused: OfficerCheck['refused'] = [];
  const certificates: NonNullable<OfficerCheck['certificates']> = [];
  const seen = new Set<string>();
  for (const officerId of input.officerIds) {
    if (seen.has(officerId)) {
      refused.push({ officerId, reason: 'listed twice' });
      continue;
    }
    seen.add(officerId);
    const officer = byId.get(officerId);
    const reason =
      officerRefusal(officer, input, units, day) ??
      (officer && matterDomain && officer.domains.length > 0 && !officer.domains.includes(matterDomain)
        ? `may enforce ${officer.domains.join(', ')}, not ${matterDomain} (matter ${input.matterCode ?? ''})`
        : undefined);
    if (reason || !officer) {
      refused.push({ officerId, reason: reason ?? 'unknown officer' });
      continue;
    }
    certified.push(officerId);
    certificates.push({
      officerId,
      certificateNo: officer.certificate_no,
      validFrom: officer.certificate_valid_from,
      validUntil: officer.certificate_valid_until,
      registryVersion: officer.version,
    });
  }
  return { certified, refused, certificates };
}

function officerRefusal(
  officer: OfficerRow | undefined,
  input: OfficerCheckRequest,
  units: string[],
  day: string,
): string | undefined {
  if (!officer) return 'unknown officer';
  if (units.length === 0) return 'no acting brigade or department given';
  const member =
    (input.townshipCode !== undefined && officer.township_code === input.townshipCode) ||
    (input.departmentCode !== undefined && officer.department_code === input.departmentCode);
  if (!member) return `not a member of ${units.join(' or ')}`;
  return certificateRefusal(
    {
      certificateNo: officer.certificate_no,
      validFrom: officer.certificate_valid_from,
      validUntil: officer.certificate_valid_until,
      suspendedFrom: officer.suspended_from,
      suspendedUntil: officer.suspended_until,
      active: officer.active,
      retiredAt: officer.retired_at,
    },
    day,
  );
}

/* ---------- 案件处理库: projection of transitions ---------- */

/** Deadlines whose breach makes the case overdue: running, not a party's (a party's window lapses). */
function escalating(d: Deadline): boolean {
  return d.status === 'running' && d.holder !== 'party' && !('onExpiry' in d && d.onExpiry === 'lapse');
}

export interface DerivedCaseColumns {
  currentDeadlineKind: string | null;
  currentDueAt: string | null;
  overdue: boolean;
  escalationLevel: number;
  everOverdue: boolean;
}

/** Columns of the `cases` row that summarise the snapshot's deadlines. */
export function deriveCaseColumns(snapshot: CaseView): DerivedCaseColumns {
  const deadlines = snapshot.deadlines ?? [];
  let current: Deadline | undefined;
  for (const d of deadlines) {
    if (!escalating(d)) continue;
    if (!current || Date.parse(d.dueAt) < Date.parse(current.dueAt)) current = d;
  }
  const running = deadlines.filter((d) => d.status === 'running');
  return {
    currentDeadlineKind: current?.kind ?? null,
    currentDueAt: current?.dueAt ?? null,
    overdue: deadlines.some((d) => escalating(d) && d.overdue),
    escalationLevel: running.reduce((max, d) => Math.max(max, d.escalationLevel ?? 0), 0),
    everOverdue: deadlines.some((d) => d.overdue),
  };
}

type Queryable = Pick<Pool, 'query'>;

export async function recordTransition(pool: Queryable, input: TransitionRecord, calendar?: WorkingDayCalendar): Promise<DeadlineAnswer[] | void> {
  const pending = input.deadlines ?? [];
  // Deadlines the step started without their due dates: computed here, entered as the workflow will enter them.
  const answers = pending.length > 0 ? computeDeadlines(pending.map((p) => p.request), calendar) : undefined;
  const s: CaseView = answers
    ? { ...input.snapshot, deadlines: [...(input.snapshot.deadlines ?? []), ...pending.map((p, i) => completeDeadline(p.draft, answers[i]!))] }
    : input.snapshot;
  const caseId = s.caseId;
  const derived = deriveCaseColumns(s);
  // One statement, so one round trip and atomic by itself: the data-modifying CTEs write the timeline
  // and the outbox (each row once), the final INSERT the case row (forward by seq only: a late retry of
  // an older transition never moves the case back). Named: prepared once per connection, not parsed and
  // planned at every step (Postgres CPU per transition 1.35 → 0.92 ms).
  const review = input.review;
  // A closing step writes the efficiency review in the same statement (data-modifying CTEs below): the
  // case row and its review are atomic without a transaction's BEGIN and COMMIT round trips. The stats
  // triggers on all three tables fire at the statement's end and see all of it.
  await pool.query({
    name: review ? 'record-closing-transition' : 'record-transition',
    text: `WITH ${review ? `review AS (${reviewUpsert(31)}), review_stages AS (${reviewStagesInsert(31, 45)}), ` : ''}events AS (
       INSERT INTO case_events (case_id, seq, at, type, stage, actor, data)
       SELECT $1, e.seq, e.at, e.type, e.stage, e.actor, e.data
         FROM jsonb_to_recordset($28::jsonb) AS e(seq integer, at timestamptz, type text, stage text, actor jsonb, data jsonb)
       ON CONFLICT (case_id, seq) DO NOTHING
     ), notifications AS (
       INSERT INTO outbox (dedupe_key, case_id, channel, recipient, subject, payload)
       SELECT n."dedupeKey", $1, n.channel, n.recipient, n.subject, n.payload
         FROM jsonb_to_recordset($29::jsonb) AS n("dedupeKey" text, channel text, recipient text, subject text, payload jsonb)
       ON CONFLICT (dedupe_key) DO NOTHING
     )
     INSERT INTO cases (
       case_id, workflow_id, external_ref, source, county_code, township_code, grid_code, matter_code,
       status, stage, resolution, urgent, handler_level, handler_department_code, handler_officer_ids,
       current_deadline_kind, current_due_at, overdue, ever_overdue, escalation_level, rework_count,
       created_by, opened_at, updated_at, closed_at, seq, snapshot, summoned_department_codes)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15::text[],
             $16, $17, $18, $19, $20, $21, $22, $23, $24, $25, $26, $27::jsonb, $30::text[])
     ON CONFLICT (case_id) DO UPDATE SET
       workflow_id = EXCLUDED.workflow_id,
       external_ref = EXCLUDED.external_ref,
       source = EXCLUDED.source,
       county_code = EXCLUDED.county_code,
       township_code = EXCLUDED.township_code,
       grid_code = EXCLUDED.grid_code,
       matter_code = EXCLUDED.matter_code,
       status = EXCLUDED.status,
       stage = EXCLUDED.stage,
       resolution = EXCLUDED.resolution,
       urgent = EXCLUDED.urgent,
       handler_level = EXCLUDED.handler_level,
       handler_department_code = EXCLUDED.handler_department_code,
       handler_officer_ids = EXCLUDED.handler_officer_ids,
       current_deadline_kind = EXCLUDED.current_deadline_kind,
       current_due_at = EXCLUDED.current_due_at,
       overdue = EXCLUDED.overdue,
       ever_overdue = cases.ever_overdue OR EXCLUDED.ever_overdue,
       escalation_level = EXCLUDED.escalation_level,
       rework_count = EXCLUDED.rework_count,
       created_by = EXCLUDED.created_by,
       opened_at = EXCLUDED.opened_at,
       updated_at = EXCLUDED.updated_at,
       closed_at = EXCLUDED.closed_at,
       seq = EXCLUDED.seq,
       snapshot = EXCLUDED.snapshot,
       summoned_department_codes = EXCLUDED.summoned_department_codes
     WHERE cases.seq < EXCLUDED.seq`,
    values: [
      caseId,
      input.workflowId,
      s.externalRef ?? null,
      s.source,
      s.countyCode,
      s.townshipCode,
      s.gridCode ?? null,
      s.matterCode ?? null,
      s.status,
      s.stage,
      s.resolution ?? null,
      s.urgent,
      s.handler.level,
      s.handler.departmentCode ?? null,
      s.handler.officerIds ?? null,
      derived.currentDeadlineKind,
      derived.currentDueAt,
      derived.overdue,
      derived.everOverdue,
      derived.escalationLevel,
      s.reworkCount,
      s.createdBy.sub,
      s.openedAt,
      s.updatedAt,
      s.closedAt ?? null,
      input.seq,
      JSON.stringify(s),
      JSON.stringify(input.events),
      JSON.stringify(input.notifications),
      [...new Set((s.summons ?? []).map((d) => d.departmentCode))].sort(),
      // $31–$45: the review (reviewUpsert, reviewStagesInsert)
      ...(review ? [...reviewValues(caseId, input.snapshot, review), JSON.stringify(review.stages)] : []),
    ],
  });
  return answers;
}

/* ---------- 效能监督: reviews ---------- */

/** The review and its stage visits in one statement, as the closing step's projection writes them. */
export async function recordReview(pool: Queryable, input: ReviewRecord): Promise<void> {
  await pool.query(`WITH review AS (${reviewUpsert(1)}) ${reviewStagesInsert(1, 15)}`, [
    ...reviewValues(input.caseId, input.snapshot, input.review),
    JSON.stringify(input.review.stages),
  ]);
}

/** `$first, $first+1, … ` for `count` parameters. */
const parameters = (first: number, count: number): string => Array.from({ length: count }, (_, i) => `$${first + i}`).join(', ');

/** The efficiency review's upsert, its 14 parameters (reviewValues) from `$first` on. */
function reviewUpsert(first: number): string {
  return `INSERT INTO case_reviews (
       case_id, county_code, township_code, department_code, source, resolution, opened_at, closed_at,
       total_duration_seconds, on_time, rework_count, escalations, breached_deadlines, sla_policy_version)
     VALUES (${parameters(first, 14)})
     ON CONFLICT (case_id) DO UPDATE SET
       department_code = EXCLUDED.department_code, resolution = EXCLUDED.resolution, closed_at = EXCLUDED.closed_at,
       total_duration_seconds = EXCLUDED.total_duration_seconds, on_time = EXCLUDED.on_time,
       rework_count = EXCLUDED.rework_count, escalations = EXCLUDED.escalations, breached_deadlines = EXCLUDED.breached_deadlines
     -- a case reopened after an unsatisfied callback and closed again: its review is of the last close (a
     -- retried write of the same close changes nothing)
     WHERE case_reviews.closed_at < EXCLUDED.closed_at`;
}

function reviewValues(caseId: string, s: CaseView, review: CaseReview): unknown[] {
  return [
    caseId,
    s.countyCode,
    s.townshipCode,
    s.handler.departmentCode ?? null,
    s.source,
    s.resolution ?? null,
    s.openedAt,
    review.closedAt,
    Math.round(review.totalDurationSeconds),
    review.onTime,
    review.reworkCount,
    review.escalations,
    review.breachedDeadlines,
    s.slaPolicyVersion,
  ];
}

/** The review's stage visits (a JSON array, `$stages`) of case `$caseId`. */
function reviewStagesInsert(caseId: number, stages: number): string {
  return `INSERT INTO case_review_stages (case_id, stage, visit, entered_at, left_at, duration_seconds, due_at, on_time)
       SELECT $${caseId}, r.stage, r.visit, r."enteredAt", r."leftAt", round(r."durationSeconds")::bigint, r."dueAt", r."onTime"
         FROM jsonb_to_recordset($${stages}::jsonb)
           AS r(stage text, visit integer, "enteredAt" timestamptz, "leftAt" timestamptz, "durationSeconds" numeric,
                "dueAt" timestamptz, "onTime" boolean)
       ON CONFLICT (case_id, stage, visit) DO NOTHING`;
}

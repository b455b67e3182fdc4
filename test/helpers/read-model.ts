import { expect } from 'vitest';
import type { Pool } from 'pg';
import { createActivities } from '../../activities';
import type { CaseReview, CaseView, StageReview } from '../../domain/case';
import type { Deadline } from '../../domain/deadlines';
import type { Stage } from '../../domain/stages';
import { fixtureCase } from './api';

/**
 * Fixtures for the read-model tests (case list, stats, disclosures). Tests share the run's database, so
 * each file works in a jurisdiction of its own (codes nobody else uses) and asserts exact answers there.
 */

export interface OwnJurisdiction {
  county: string;
  townships: string[];
  departments: { code: string; domain: string }[];
}

/** Inserts a county with its townships and departments (idempotent). */
export async function ensureJurisdiction(pool: Pool, j: OwnJurisdiction, countyName = `测试县 ${j.county}`): Promise<void> {
  await pool.query(`INSERT INTO counties (code, name, city) VALUES ($1, $2, '测试市') ON CONFLICT DO NOTHING`, [j.county, countyName]);
  for (const [i, t] of j.townships.entries()) {
    await pool.query(
      `INSERT INTO townships (code, county_code, name, kind) VALUES ($1, $2, $3, 'township') ON CONFLICT DO NOTHING`,
      [t, j.county, `测试镇${i + 1} ${t}`],
    );
  }
  for (const d of j.departments) {
    await pool.query(`INSERT INTO departments (code, county_code, name, domain) VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING`, [
      d.code,
      j.county,
      `测试部门 ${d.code}`,
      d.domain,
    ]);
  }
}

/** A running agency deadline the workflow has NOT marked overdue (no timer has fired). */
export function runningDeadline(stage: Stage, dueAt: string, extra: Partial<Omit<Deadline, 'onExpiry'>> = {}): Deadline {
  return {
    id: `${stage}-1`,
    kind: stage === 'processing' || stage === 'review' ? 'decision' : stage,
    stage,
    holder: 'agency',
    startedAt: new Date(Date.parse(dueAt) - 86_400_000).toISOString(),
    dueAt,
    status: 'running',
    overdue: false,
    escalationLevel: 0,
    onExpiry: 'escalate',
    basis: 'sla v1',
    ...extra,
  };
}

export function isoAgo(ms: number): string {
  return new Date(Date.now() - ms).toISOString();
}
export const HOUR = 3_600_000;
export const DAY = 24 * HOUR;

/** A snapshot in `county`/`township` built on fixtureCase. */
export function snapshot(caseId: string, county: string, township: string, overrides: Partial<CaseView> = {}): CaseView {
  return fixtureCase(caseId, { countyCode: county, townshipCode: township, ...overrides });
}

/** Projects a snapshot into the read model as the workflow does (recordTransition; a closing step with its review). */
export async function project(pool: Pool, s: CaseView, review?: CaseReview): Promise<void> {
  await createActivities(pool).recordTransition({
    workflowId: s.caseId,
    snapshot: s,
    seq: s.timeline.length,
    events: s.timeline,
    notifications: [],
    ...(review ? { review } : {}),
  });
}

/** Stage visits back to back from `start`: [stage, seconds] pairs; visit numbers count repeats of a stage. */
export function stageVisits(start: string, visits: [Stage, number][], onTime = true): StageReview[] {
  let at = Date.parse(start);
  const seen = new Map<Stage, number>();
  return visits.map(([stage, seconds]) => {
    const visit = (seen.get(stage) ?? 0) + 1;
    seen.set(stage, visit);
    const enteredAt = new Date(at).toISOString();
    at += seconds * 1000;
    return { stage, visit, enteredAt, leftAt: new Date(at).toISOString(), durationSeconds: seconds, onTime };
  });
}

/** Projects a closed case and writes its review (recordTransition + recordReview). */
export async function projectReviewed(
  pool: Pool,
  s: CaseView,
  review: Omit<CaseReview, 'closedAt' | 'totalDurationSeconds'>,
): Promise<void> {
  if (!s.closedAt) throw new Error(`${s.caseId}: a reviewed case needs closedAt`);
  await project(pool, s);
  const full: CaseReview = {
    ...review,
    closedAt: s.closedAt,
    totalDurationSeconds: (Date.parse(s.closedAt) - Date.parse(s.openedAt)) / 1000,
  };
  await createActivities(pool).recordReview({ caseId: s.caseId, snapshot: { ...s, review: full }, review: full });
}

/**
 * Every row of these closed cases written once, whatever crashed on the way: one closed case row each,
 * timeline rows 1..n matching the projected timeline, one efficiency review, one reporter feedback.
 */
export async function expectEveryRowOnce(pool: Pool, caseIds: string[]): Promise<void> {
  const rows = await pool.query<{ n: number; closed: number }>(
    "SELECT count(*)::int AS n, count(*) FILTER (WHERE status = 'closed')::int AS closed FROM cases WHERE case_id = ANY($1)",
    [caseIds],
  );
  expect(rows.rows[0]).toEqual({ n: caseIds.length, closed: caseIds.length });
  const events = await pool.query<{ case_id: string; n: number; max: number; timeline: number }>(
    `SELECT e.case_id, count(*)::int AS n, max(e.seq)::int AS max, jsonb_array_length(c.snapshot -> 'timeline')::int AS timeline
       FROM case_events e JOIN cases c USING (case_id) WHERE e.case_id = ANY($1) GROUP BY e.case_id, c.snapshot`,
    [caseIds],
  );
  expect(events.rows).toHaveLength(caseIds.length);
  for (const r of events.rows) expect([r.n, r.max], r.case_id).toEqual([r.timeline, r.timeline]);
  const reviews = await pool.query<{ n: number }>('SELECT count(*)::int AS n FROM case_reviews WHERE case_id = ANY($1)', [caseIds]);
  expect(reviews.rows[0]?.n).toBe(caseIds.length);
  const feedback = await pool.query<{ n: number }>(
    "SELECT count(*)::int AS n FROM outbox WHERE case_id = ANY($1) AND channel = 'reporter-feedback'",
    [caseIds],
  );
  expect(feedback.rows[0]?.n).toBe(caseIds.length);
}

/**
 * The first statement of a test's transaction that runs stats_rebuild(): waits until no other transaction
 * writes a case, and keeps new writers out until the rollback. Every writer of the statistics tables locks
 * `cases` first (the case row's upsert, or the case's row in a review's trigger), so it waits here instead
 * of deadlocking with the rebuild's TRUNCATE (test files share the database, two running at a time).
 */
export async function lockOutCaseWriters(client: Pick<Pool, 'query'>): Promise<void> {
  await client.query('LOCK TABLE cases IN EXCLUSIVE MODE');
}

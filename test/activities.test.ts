import { randomUUID } from 'node:crypto';
import { ApplicationFailure } from '@temporalio/common';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createActivities } from '../activities/index';
import type { Notification, TransitionRecord } from '../activities/contract';
import type { CaseReview, CaseView, TimelineEntry } from '../domain/case';
import type { Deadline } from '../domain/deadlines';
import { DEFAULT_SLA_POLICY } from '../domain/sla';
import { DEMO } from '../db/seed';
import { scratchDatabase, useTestPool } from './helpers/db';

const pool = useTestPool();
const activities = createActivities(pool);

/* ---------- fixtures ---------- */

const upstream = { sub: 'hotline-12345', role: 'upstream' as const };
const townshipActor = { sub: 'u-lt-01', role: 'township' as const, unit: DEMO.township };

function newCaseId(): string {
  return `TEST-${randomUUID()}`;
}

function deadline(fields: Partial<Deadline> & Pick<Deadline, 'kind' | 'dueAt'>): Deadline {
  return {
    id: `dl-${fields.kind}-${fields.dueAt}`,
    stage: 'handling',
    holder: 'agency',
    startedAt: '2026-03-02T09:00:00.000+08:00',
    status: 'running',
    onExpiry: fields.holder === 'party' ? 'lapse' : 'escalate',
    overdue: false,
    escalationLevel: 0,
    basis: 'sla-policy v1',
    ...fields,
  } as Deadline;
}

function event(seq: number, type: string, stage: TimelineEntry['stage']): TimelineEntry {
  return { seq, at: `2026-03-02T09:0${seq}:00.000+08:00`, type, stage, actor: townshipActor, data: { n: seq } };
}

function snapshot(caseId: string, fields: Partial<CaseView> = {}): CaseView {
  return {
    caseId,
    externalRef: `12345-${caseId}`,
    source: 'hotline',
    status: 'open',
    stage: 'patrol',
    countyCode: DEMO.county,
    townshipCode: DEMO.township,
    gridCode: DEMO.townshipGrid,
    location: { address: '浦城县莲塘镇莲塘村街上路' },
    description: '占道经营，影响通行',
    urgent: false,
    handler: { level: 'township' },
    openedAt: '2026-03-02T09:00:00.000+08:00',
    updatedAt: '2026-03-02T09:00:00.000+08:00',
    slaPolicyVersion: 1,
    reworkCount: 0,
    deadlines: [],
    timeline: [],
    children: [],
    createdBy: upstream,
    ...fields,
  };
}

function notification(caseId: string, key: string): Notification {
  return {
    dedupeKey: `${caseId}:${key}`,
    channel: 'escalation',
    recipient: `township-leader:${DEMO.township}`,
    subject: `case ${caseId} overdue`,
    payload: { caseId, key },
  };
}

function transition(caseId: string, seq: number, events: TimelineEntry[], fields: Partial<CaseView> = {}, notifications: Notification[] = []): TransitionRecord {
  return {
    workflowId: `case-${caseId}`,
    seq,
    events,
    notifications,
    snapshot: snapshot(caseId, { timeline: events, ...fields }),
  };
}

async function caseRow(caseId: string) {
  const { rows } = await pool.query('SELECT * FROM cases WHERE case_id = $1', [caseId]);
  return rows[0];
}
async function count(sql: string, params: unknown[]): Promise<number> {
  const { rows } = await pool.query<{ n: number }>(sql, params);
  return rows[0]!.n;
}
const eventCount = (caseId: string) => count('SELECT count(*) AS n FROM case_events WHERE case_id = $1', [caseId]);
const outboxCount = (caseId: string) => count('SELECT count(*) AS n FROM outbox WHERE case_id = $1', [caseId]);

/* ---------- recordTransition ---------- */

describe('recordTransition', () => {
  it('writes each event and notification once when the activity runs twice', async () => {
    const caseId = newCaseId();
    const first = transition(caseId, 2, [event(1, 'opened', 'patrol'), event(2, 'patrol-reported', 'patrol')], { stage: 'discovery' }, [
      notification(caseId, 'a'),
    ]);
    await activities.recordTransition(first);
    await activities.recordTransition(first);
    expect(await eventCount(caseId)).toBe(2);
    expect(await outboxCount(caseId)).toBe(1);

    // The next transition repeats a dedupe key: only the new notification is written.
    const next = transition(caseId, 3, [event(3, 'confirmed', 'discovery')], { stage: 'capture' }, [
      notification(caseId, 'a'),
      notification(caseId, 'b'),
    ]);
    await activities.recordTransition(next);
    await activities.recordTransition(next);
    expect(await eventCount(caseId)).toBe(3);
    expect(await outboxCount(caseId)).toBe(2);

    const { rows: events } = await pool.query('SELECT seq, type, stage, at, actor, data FROM case_events WHERE case_id = $1 ORDER BY seq', [caseId]);
    expect(events.map((e) => [e.seq, e.type, e.stage])).toEqual([
      [1, 'opened', 'patrol'],
      [2, 'patrol-reported', 'patrol'],
      [3, 'confirmed', 'discovery'],
    ]);
    expect(events[0]).toMatchObject({ at: '2026-03-02T09:01:00.000+08:00', actor: townshipActor, data: { n: 1 } });

    const { rows: outbox } = await pool.query('SELECT dedupe_key, channel, recipient, payload FROM outbox WHERE case_id = $1 ORDER BY id', [caseId]);
    expect(outbox.map((o) => o.dedupe_key)).toEqual([`${caseId}:a`, `${caseId}:b`]);
    expect(outbox[0]).toMatchObject({ channel: 'escalation', recipient: `township-leader:${DEMO.township}`, payload: { caseId, key: 'a' } });

    const row = await caseRow(caseId);
    expect(row).toMatchObject({ seq: 3, stage: 'capture', workflow_id: `case-${caseId}`, created_by: upstream.sub });
  });

  it('a late retry with an older seq never moves the case row backwards', async () => {
    const caseId = newCaseId();
    const older = transition(caseId, 2, [event(1, 'opened', 'patrol'), event(2, 'patrol-reported', 'patrol')], {
      stage: 'discovery',
      updatedAt: '2026-03-02T09:02:00.000+08:00',
    });
    const newer = transition(caseId, 3, [event(3, 'confirmed', 'discovery')], {
      stage: 'capture',
      updatedAt: '2026-03-02T09:03:00.000+08:00',
      handler: { level: 'township', officerIds: [...DEMO.officers.certified.slice(0, 2)] },
    });
    await activities.recordTransition(older);
    await activities.recordTransition(newer);
    await activities.recordTransition(older); // Temporal retried the earlier activity after the later one ran

    const row = await caseRow(caseId);
    expect(row.seq).toBe(3);
    expect(row.stage).toBe('capture');
    expect(row.updated_at).toBe('2026-03-02T09:03:00.000+08:00');
    expect(row.handler_officer_ids).toEqual(DEMO.officers.certified.slice(0, 2));
    expect(row.snapshot.stage).toBe('capture');
    expect(await eventCount(caseId)).toBe(3);
  });

  it('derives current deadline, overdue and escalation level from running non-party deadlines', async () => {
    const caseId = newCaseId();
    const deadlines = [
      deadline({ kind: 'handling', dueAt: '2026-03-09T00:00:00.000+08:00' }),
      deadline({ kind: 'county-response', holder: 'county', dueAt: '2026-03-04T00:00:00.000+08:00', overdue: true, escalationLevel: 1 }),
      // earliest, but a party's window: it lapses, it does not make the case overdue
      deadline({ kind: 'hearing-request', holder: 'party', dueAt: '2026-03-03T00:00:00.000+08:00' }),
      // met long ago after a breach: counts for ever_overdue only
      deadline({ kind: 'capture', stage: 'capture', status: 'met', dueAt: '2026-02-27T00:00:00.000+08:00', overdue: true, escalationLevel: 2 }),
      // cancelled and earlier than the rest: ignored
      deadline({ kind: 'verification', status: 'cancelled', dueAt: '2026-03-01T00:00:00.000+08:00' }),
    ];
    await activities.recordTransition(
      transition(caseId, 5, [event(5, 'assigned', 'assignment')], {
        stage: 'handling',
        matterCode: DEMO.matters.countyPenalty,
        handler: { level: 'county', departmentCode: DEMO.departments.urbanManagement },
        deadlines,
        reworkCount: 1,
      }),
    );
    const row = await caseRow(caseId);
    expect(row).toMatchObject({
      current_deadline_kind: 'county-response',
      current_due_at: '2026-03-04T00:00:00.000+08:00',
      overdue: true,
      escalation_level: 1,
      ever_overdue: true,
      handler_level: 'county',
      handler_department_code: DEMO.departments.urbanManagement,
      handler_officer_ids: null,
      matter_code: DEMO.matters.countyPenalty,
      rework_count: 1,
      status: 'open',
      county_code: DEMO.county,
      township_code: DEMO.township,
      grid_code: DEMO.townshipGrid,
      opened_at: '2026-03-02T09:00:00.000+08:00',
    });
    expect(row.snapshot.deadlines).toHaveLength(5);

    // The county answered: only the handling deadline runs, and nothing is overdue now; ever_overdue stays.
    const later = deadlines.map((d) => (d.kind === 'county-response' ? { ...d, status: 'met' as const, closedAt: '2026-03-04T10:00:00.000+08:00' } : d));
    await activities.recordTransition(transition(caseId, 6, [event(6, 'county-accepted', 'assignment')], { stage: 'handling', deadlines: later }));
    expect(await caseRow(caseId)).toMatchObject({
      current_deadline_kind: 'handling',
      current_due_at: '2026-03-09T00:00:00.000+08:00',
      overdue: false,
      escalation_level: 0,
      ever_overdue: true,
    });

    // Closed: no running deadline at all.
    await activities.recordTransition(
      transition(caseId, 7, [event(7, 'closed', 'review')], {
        status: 'closed',
        stage: 'review',
        resolution: 'resolved',
        closedAt: '2026-03-06T12:00:00.000+08:00',
        deadlines: later.map((d) => (d.status === 'running' ? { ...d, status: 'met' as const } : d)),
      }),
    );
    expect(await caseRow(caseId)).toMatchObject({
      status: 'closed',
      resolution: 'resolved',
      closed_at: '2026-03-06T12:00:00.000+08:00',
      current_deadline_kind: null,
      current_due_at: null,
      overdue: false,
      escalation_level: 0,
    });
  });

  it("a party's deadline is never the current one nor makes the case overdue, whatever its onExpiry", async () => {
    const caseId = newCaseId();
    await activities.recordTransition(
      transition(caseId, 1, [event(1, 'rights-notified', 'processing')], {
        stage: 'processing',
        deadlines: [
          deadline({ kind: 'payment', holder: 'party', dueAt: '2026-03-10T00:00:00.000+08:00', overdue: true, onExpiry: undefined }),
          deadline({ kind: 'decision', stage: 'processing', dueAt: '2026-05-31T00:00:00.000+08:00' }),
        ],
      }),
    );
    expect(await caseRow(caseId)).toMatchObject({
      current_deadline_kind: 'decision',
      current_due_at: '2026-05-31T00:00:00.000+08:00',
      overdue: false,
      escalation_level: 0,
    });
  });

  it('escalation level is the maximum among running deadlines', async () => {
    const caseId = newCaseId();
    await activities.recordTransition(
      transition(caseId, 1, [event(1, 'opened', 'patrol')], {
        deadlines: [
          deadline({ kind: 'patrol', stage: 'patrol', dueAt: '2026-03-03T00:00:00.000+08:00', overdue: true, escalationLevel: 1 }),
          deadline({ kind: 'filing', stage: 'processing', dueAt: '2026-03-20T00:00:00.000+08:00', overdue: true, escalationLevel: 2 }),
        ],
      }),
    );
    expect(await caseRow(caseId)).toMatchObject({
      current_deadline_kind: 'patrol',
      current_due_at: '2026-03-03T00:00:00.000+08:00',
      overdue: true,
      escalation_level: 2,
    });
  });

  it('is one transaction: a failing case row writes no events or notifications, and the error surfaces', async () => {
    const caseId = newCaseId();
    const bad = transition(caseId, 1, [event(1, 'opened', 'patrol')], { status: 'bogus' as CaseView['status'] }, [notification(caseId, 'x')]);
    await expect(activities.recordTransition(bad)).rejects.toThrow(/check constraint/);
    expect(await eventCount(caseId)).toBe(0);
    expect(await outboxCount(caseId)).toBe(0);
    expect(await caseRow(caseId)).toBeUndefined();
  });
});

/* ---------- recordReview ---------- */

describe('recordReview', () => {
  it('writes the review and its stages once when run twice', async () => {
    const caseId = newCaseId();
    const review: CaseReview = {
      closedAt: '2026-03-06T12:00:00.000+08:00',
      totalDurationSeconds: 356400,
      onTime: false,
      reworkCount: 1,
      escalations: 2,
      breachedDeadlines: 1,
      stages: [
        { stage: 'patrol', visit: 1, enteredAt: '2026-03-02T09:00:00.000+08:00', leftAt: '2026-03-02T11:00:00.000+08:00', durationSeconds: 7200, dueAt: '2026-03-03T00:00:00.000+08:00', onTime: true },
        { stage: 'handling', visit: 1, enteredAt: '2026-03-03T09:00:00.000+08:00', leftAt: '2026-03-04T09:00:00.000+08:00', durationSeconds: 86400, onTime: true },
        { stage: 'handling', visit: 2, enteredAt: '2026-03-05T09:00:00.000+08:00', leftAt: '2026-03-06T09:00:00.000+08:00', durationSeconds: 86400.4, dueAt: '2026-03-06T00:00:00.000+08:00', onTime: false },
      ],
    };
    const input = {
      caseId,
      review,
      snapshot: snapshot(caseId, {
        status: 'closed',
        stage: 'review',
        resolution: 'resolved',
        handler: { level: 'county', departmentCode: DEMO.departments.ecology },
        slaPolicyVersion: 1,
      }),
    };
    await activities.recordReview(input);
    await activities.recordReview(input);

    const { rows } = await pool.query('SELECT * FROM case_reviews WHERE case_id = $1', [caseId]);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({
      county_code: DEMO.county,
      township_code: DEMO.township,
      department_code: DEMO.departments.ecology,
      source: 'hotline',
      resolution: 'resolved',
      opened_at: '2026-03-02T09:00:00.000+08:00',
      closed_at: '2026-03-06T12:00:00.000+08:00',
      total_duration_seconds: 356400,
      on_time: false,
      rework_count: 1,
      escalations: 2,
      breached_deadlines: 1,
      sla_policy_version: 1,
    });
    const { rows: stages } = await pool.query(
      'SELECT stage, visit, duration_seconds, due_at, on_time FROM case_review_stages WHERE case_id = $1 ORDER BY entered_at',
      [caseId],
    );
    expect(stages).toEqual([
      { stage: 'patrol', visit: 1, duration_seconds: 7200, due_at: '2026-03-03T00:00:00.000+08:00', on_time: true },
      { stage: 'handling', visit: 1, duration_seconds: 86400, due_at: null, on_time: true },
      { stage: 'handling', visit: 2, duration_seconds: 86400, due_at: '2026-03-06T00:00:00.000+08:00', on_time: false },
    ]);
  });
});

/* ---------- checkOfficers ---------- */

describe('checkOfficers', () => {
  const at = '2026-03-02T10:00:00+08:00';

  it('certifies the brigade members whose certificates are valid on that date', async () => {
    const result = await activities.checkOfficers({ officerIds: [...DEMO.officers.certified], townshipCode: DEMO.township, at });
    expect(result).toEqual({
      certified: [...DEMO.officers.certified],
      refused: [],
      // the certificates as they were, with the registry version, for the case's timeline
      certificates: DEMO.officers.certified.map((officerId) => ({
        officerId,
        certificateNo: expect.stringMatching(/^闽执/),
        validFrom: '2023-01-01',
        validUntil: DEMO.certificates.validUntil,
        registryVersion: expect.any(Number),
      })),
    });
  });

  it('refuses expired, other-unit, inactive, unknown and duplicate officers with a reason each', async () => {
    const [a, b] = DEMO.officers.certified;
    const result = await activities.checkOfficers({
      officerIds: [a, DEMO.officers.expired, DEMO.officers.otherTownshipCertified[0], 'OF-NOBODY', a, DEMO.officers.inactive, b],
      townshipCode: DEMO.township,
      at,
    });
    expect(result.certified).toEqual([a, b]);
    expect(result.refused).toEqual([
      { officerId: DEMO.officers.expired, reason: 'certificate expired on 2025-06-30' },
      { officerId: DEMO.officers.otherTownshipCertified[0], reason: `not a member of brigade ${DEMO.township}` },
      { officerId: 'OF-NOBODY', reason: 'unknown officer' },
      { officerId: a, reason: 'listed twice' },
      { officerId: DEMO.officers.inactive, reason: expect.stringMatching(/not active/) },
    ]);
  });

  it('judges the certificate by the date in Asia/Shanghai', async () => {
    const check = (instant: string) => activities.checkOfficers({ officerIds: [DEMO.officers.expired], townshipCode: DEMO.township, at: instant });
    // 2025-06-30T15:59:59Z is 23:59:59 on 06-30 in Shanghai: the last valid day.
    expect((await check('2025-06-30T15:59:59Z')).certified).toEqual([DEMO.officers.expired]);
    // One second later it is 07-01 in Shanghai (still 06-30 in UTC).
    expect((await check('2025-06-30T16:00:00Z')).refused).toEqual([
      { officerId: DEMO.officers.expired, reason: 'certificate expired on 2025-06-30' },
    ]);
  });

  it('checks department officers against the department', async () => {
    const um = DEMO.departmentOfficers.urbanManagement;
    const result = await activities.checkOfficers({
      officerIds: [...um.certified, um.expired, DEMO.departmentOfficers.ecology.certified[0], DEMO.officers.certified[0]],
      departmentCode: DEMO.departments.urbanManagement,
      at,
    });
    expect(result.certified).toEqual([...um.certified]);
    expect(result.refused).toEqual([
      { officerId: um.expired, reason: 'certificate expired on 2025-06-30' },
      { officerId: DEMO.departmentOfficers.ecology.certified[0], reason: `not a member of department ${DEMO.departments.urbanManagement}` },
      { officerId: DEMO.officers.certified[0], reason: `not a member of department ${DEMO.departments.urbanManagement}` },
    ]);
  });

  it('a joint enforcement (brigade and department) accepts members of either', async () => {
    const result = await activities.checkOfficers({
      officerIds: [DEMO.officers.certified[0], DEMO.departmentOfficers.urbanManagement.certified[0], DEMO.officers.otherTownshipCertified[0]],
      townshipCode: DEMO.township,
      departmentCode: DEMO.departments.urbanManagement,
      at,
    });
    expect(result.certified).toEqual([DEMO.officers.certified[0], DEMO.departmentOfficers.urbanManagement.certified[0]]);
    expect(result.refused).toEqual([
      {
        officerId: DEMO.officers.otherTownshipCertified[0],
        reason: `not a member of brigade ${DEMO.township} or department ${DEMO.departments.urbanManagement}`,
      },
    ]);
  });

  it('an unparsable instant fails without retry', async () => {
    const err = await activities.checkOfficers({ officerIds: [DEMO.officers.certified[0]], townshipCode: DEMO.township, at: 'yesterday' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ApplicationFailure);
    expect((err as ApplicationFailure).nonRetryable).toBe(true);
  });
});

/* ---------- catalog ---------- */

describe('lookupMatter', () => {
  it('routes a township-level matter to the brigade', async () => {
    const result = await activities.lookupMatter({ matterCode: DEMO.matters.townshipPenalty, countyCode: DEMO.county });
    expect(result).toEqual({
      found: true,
      matter: {
        code: DEMO.matters.townshipPenalty,
        name: expect.stringContaining('占道经营'),
        category: 'penalty',
        level: 'township',
        domain: 'urban_management',
        legalBasis: expect.stringContaining('城市市容和环境卫生管理条例'),
        version: expect.any(Number),
      },
      // the county's (demo) responsibility list item: the township primary, the department cooperating
      routing: {
        primaryUnit: 'township',
        cooperatingUnits: [DEMO.departments.urbanManagement],
        listItem: { id: expect.stringMatching(/^RL-350722-/), name: expect.stringContaining('（DEMO）'), version: expect.any(Number) },
      },
    });
  });

  it("routes a county-level matter to the case county's department for its domain", async () => {
    const here = await activities.lookupMatter({ matterCode: DEMO.matters.countyPenalty, countyCode: DEMO.county });
    expect(here).toMatchObject({ found: true, matter: { level: 'county', domain: 'urban_management', departmentCode: DEMO.departments.urbanManagement } });
    const there = await activities.lookupMatter({ matterCode: DEMO.matters.countyPenalty, countyCode: DEMO.otherCounty });
    expect(there).toMatchObject({ found: true, matter: { departmentCode: DEMO.otherCountyDepartments.urbanManagement } });
    const ecology = await activities.lookupMatter({ matterCode: DEMO.matters.countyPenaltyEcology, countyCode: DEMO.county });
    expect(ecology).toMatchObject({ found: true, matter: { category: 'penalty', departmentCode: DEMO.departments.ecology } });
  });

  it('refuses an unknown code, and a county-level matter the county has no department for', async () => {
    expect(await activities.lookupMatter({ matterCode: 'NOPE-1', countyCode: DEMO.county })).toEqual({ found: false, reason: 'unknown matter code NOPE-1' });
    const noForestry = await activities.lookupMatter({ matterCode: DEMO.matters.countyForestry, countyCode: DEMO.otherCounty });
    expect(noForestry).toEqual({ found: false, reason: expect.stringMatching(/no forestry department in county 350781/) });
  });
});

describe('lookupDepartment', () => {
  it('finds a department of the given county and refuses one of another county', async () => {
    expect(await activities.lookupDepartment({ departmentCode: DEMO.departments.urbanManagement, countyCode: DEMO.county })).toEqual({
      found: true,
      name: '浦城县城市管理局',
      domain: 'urban_management',
    });
    expect(await activities.lookupDepartment({ departmentCode: DEMO.otherCountyDepartments.urbanManagement, countyCode: DEMO.county })).toEqual({
      found: false,
      reason: expect.stringContaining(`belongs to county ${DEMO.otherCounty}`),
    });
    expect(await activities.lookupDepartment({ departmentCode: 'nope', countyCode: DEMO.county })).toEqual({
      found: false,
      reason: 'unknown department nope',
    });
  });
});

/* ---------- SLA policy (own database: publishing a version must not disturb other test files) ---------- */

describe('loadSlaPolicy', () => {
  let scratch: Awaited<ReturnType<typeof scratchDatabase>>;
  beforeAll(async () => {
    scratch = await scratchDatabase();
  });
  afterAll(async () => {
    await scratch?.dispose();
  });

  it('returns the seeded default, then the latest version once a v2 is published', async () => {
    const own = createActivities(scratch.pool);
    expect(await own.loadSlaPolicy()).toEqual(DEFAULT_SLA_POLICY);
    const v2 = { ...DEFAULT_SLA_POLICY.slas, handling: { workingDays: 3 } };
    await scratch.pool.query(`INSERT INTO sla_policies (version, slas, urgent, published_by) VALUES (2, $1, '{}', 'test')`, [JSON.stringify(v2)]);
    expect(await own.loadSlaPolicy()).toEqual({ version: 2, slas: v2, urgent: {}, limits: { bounces: 2 } }); // stored before limits: the defaults
  });

  it('publishes the default as version 1 when the table is empty', async () => {
    const own = createActivities(scratch.pool);
    await scratch.pool.query('DELETE FROM sla_policies');
    expect(await own.loadSlaPolicy()).toEqual(DEFAULT_SLA_POLICY);
    const { rows } = await scratch.pool.query('SELECT version, published_by FROM sla_policies');
    expect(rows).toEqual([{ version: 1, published_by: 'default' }]);
  });
});

/* ---------- recordTransition with deferred deadlines ---------- */

describe('recordTransition with deadlines a step started without computing them', () => {
  it('computes their due dates like computeDeadlines, enters them into the case row after the known ones, and answers them in order', async () => {
    const caseId = newCaseId();
    const known = deadline({ kind: 'patrol', dueAt: '2026-02-14T00:00:00.000+08:00', status: 'met', closedAt: '2026-02-13T10:00:00.000+08:00' });
    const draft = (id: string, kind: Deadline['kind'], onExpiry: Deadline['onExpiry']) => ({
      id,
      kind,
      stage: 'handling' as const,
      holder: 'agency' as const,
      startedAt: '2026-02-13T10:00:00+08:00',
      status: 'running' as const,
      onExpiry,
      overdue: false,
      escalationLevel: 0 as const,
      basis: 'SLA policy v1',
    });
    const record: TransitionRecord = {
      ...transition(caseId, 1, [event(1, 'case_opened', 'handling')], { stage: 'handling', deadlines: [known] }),
      deadlines: [
        // 5 working days over the 2026 Spring Festival (hand-counted in the computeDeadlines test below)
        { draft: draft('handling-2', 'handling', 'escalate'), request: { from: '2026-02-13T10:00:00+08:00', period: { workingDays: 5 }, withEscalation: true } },
        { draft: draft('callback-3', 'callback', 'lapse'), request: { from: '2026-02-13T10:00:00+08:00', period: { duration: 'PT30M' }, withEscalation: false } },
      ],
    };
    const answers = await activities.recordTransition(record);
    expect(answers).toStrictEqual([
      { dueAt: '2026-02-28T00:00:00.000+08:00', escalateAt: '2026-03-06T00:00:00.000+08:00', calendarEstimated: false },
      { dueAt: '2026-02-13T10:30:00.000+08:00', calendarEstimated: false },
    ]);
    const row = await caseRow(caseId);
    expect((row.snapshot as CaseView).deadlines).toStrictEqual([
      known,
      { ...draft('handling-2', 'handling', 'escalate'), dueAt: '2026-02-28T00:00:00.000+08:00', escalateAt: '2026-03-06T00:00:00.000+08:00' },
      { ...draft('callback-3', 'callback', 'lapse'), dueAt: '2026-02-13T10:30:00.000+08:00' },
    ]);
    // the case row's current deadline comes from the entered ones (the escalating handling SLA)
    expect(row.current_deadline_kind).toBe('handling');
    expect(new Date(row.current_due_at as string).toISOString()).toBe('2026-02-27T16:00:00.000Z');
    // without deferred deadlines it answers nothing
    expect(await activities.recordTransition(transition(caseId, 2, [event(2, 'patrol_reported', 'handling')]))).toBeUndefined();
  });
});

/* ---------- computeDeadlines ---------- */

describe('computeDeadlines', () => {
  it('answers each request in order, with the level-2 escalation at twice the period', async () => {
    const answers = await activities.computeDeadlines([
      // 5 working days over the 2026 Spring Festival; 10 working days include the make-up Saturday 02-28.
      { from: '2026-02-13T10:00:00+08:00', period: { workingDays: 5 }, withEscalation: true },
      { from: '2026-02-13T10:00:00+08:00', period: { workingDays: 5 }, withEscalation: false },
      { from: '2026-03-02T09:00:00+08:00', period: { duration: 'PT30M' }, withEscalation: true },
    ]);
    expect(answers).toStrictEqual([
      { dueAt: '2026-02-28T00:00:00.000+08:00', escalateAt: '2026-03-06T00:00:00.000+08:00', calendarEstimated: false },
      { dueAt: '2026-02-28T00:00:00.000+08:00', calendarEstimated: false },
      { dueAt: '2026-03-02T09:30:00.000+08:00', escalateAt: '2026-03-02T10:00:00.000+08:00', calendarEstimated: false },
    ]);
  });

  it('is calendarEstimated when only the escalation runs past the bundled calendar', async () => {
    // 5 working days from Mon 2026-12-21 end on 12-28; 10 reach into 2027 (12-29, 30, 31, 01-01*, 01-04*).
    const [answer] = await activities.computeDeadlines([{ from: '2026-12-21T10:00:00+08:00', period: { workingDays: 5 }, withEscalation: true }]);
    expect(answer).toEqual({ dueAt: '2026-12-29T00:00:00.000+08:00', escalateAt: '2027-01-05T00:00:00.000+08:00', calendarEstimated: true });
    const [noEscalation] = await activities.computeDeadlines([{ from: '2026-12-21T10:00:00+08:00', period: { workingDays: 5 }, withEscalation: false }]);
    expect(noEscalation).toEqual({ dueAt: '2026-12-29T00:00:00.000+08:00', calendarEstimated: false });
  });

  it('an invalid start fails without retry', async () => {
    const err = await activities.computeDeadlines([{ from: 'soon', period: { days: 1 }, withEscalation: false }]).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ApplicationFailure);
    expect((err as ApplicationFailure).nonRetryable).toBe(true);
  });
});

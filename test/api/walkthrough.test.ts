import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO } from '../../db/seed';
import { bearer, CALLERS, type CallerName } from '../helpers/api';
import { useTestPool } from '../helpers/db';
import { startTemporalTestApp } from '../helpers/temporal-dev';

/**
 * A 12345-hotline case from creation to close over HTTP, against a real Temporal dev server, the case
 * workflow and the run's Postgres: create → patrol-report → confirm → capture → assign → handle
 * (corrected) → verify (passed) → closed and resolved, with its efficiency review and read-model row.
 * Refusals on the way check the workflow → HTTP mapping (409 wrong stage, 422 business rule).
 */

const pool = useTestPool();
let app: FastifyInstance;
let stop: (() => Promise<void>) | undefined;
const run = `${process.pid}-${Date.now()}`;

beforeAll(async () => {
  ({ app, stop } = await startTemporalTestApp(pool, `api-walkthrough-${run}`));
});
afterAll(async () => {
  await stop?.();
});

interface CaseBody {
  caseId: string;
  status: string;
  stage: string;
  resolution?: string;
  matterCode?: string;
  handler: { level: string; officerIds?: string[] };
  timeline: { seq: number; type: string; stage: string; actor: { sub: string; role: string } }[];
  deadlines: { kind: string; stage: string; dueAt: string; overdue: boolean }[];
  review?: { onTime: boolean; reworkCount: number; stages: { stage: string }[] };
  closedAt?: string;
}
interface ErrorBody {
  error: { code: string; message: string; details: { path: string; message: string }[] };
}

async function act(caller: CallerName, caseId: string, action: string, payload: object) {
  return app.inject({ method: 'POST', url: `/v1/cases/${caseId}/actions/${action}`, headers: bearer(caller), payload });
}

/** The timeline only grows, by consecutive seq, and the new entries are of `types`. */
function expectProgress(before: CaseBody, after: CaseBody, types: string[]) {
  expect(after.timeline.slice(0, before.timeline.length)).toEqual(before.timeline);
  const added = after.timeline.slice(before.timeline.length);
  for (const t of types) expect(added.map((e) => e.type)).toContain(t);
  after.timeline.forEach((e, i) => expect(e.seq).toBe(i + 1));
}

describe('a hotline case from creation to close over HTTP', () => {
  it('walks the closed loop and closes resolved with a review', async () => {
    // ---- open (upstream: the 12345 hotline platform)
    const created = await app.inject({
      method: 'POST',
      url: '/v1/cases',
      headers: { ...bearer('upstream'), 'idempotency-key': `walk-${run}` },
      payload: {
        source: 'hotline',
        externalRef: `12345-${run}`,
        countyCode: DEMO.county,
        townshipCode: DEMO.township,
        gridCode: DEMO.townshipGrid,
        location: { address: '浦城县莲塘镇街上路18号', lat: 27.92, lng: 118.53 },
        description: '市民反映：街上路有商户长期占道经营，影响通行',
        reporter: { name: '王女士', phone: '13800000000' },
      },
    });
    expect(created.statusCode, created.body).toBe(201);
    let c = created.json() as CaseBody;
    expect(c).toMatchObject({ status: 'open', stage: 'patrol', handler: { level: 'township' } });
    expect(c.caseId).toMatch(/^C[0-9a-f]{20}$/);
    expect(c.timeline.map((e) => e.type)).toEqual(['case_opened']);
    expect(c.deadlines.some((d) => d.stage === 'patrol')).toBe(true);
    const { caseId } = c;

    // ---- jurisdiction on a live case
    expect((await app.inject({ method: 'GET', url: `/v1/cases/${caseId}`, headers: bearer('otherTownship') })).statusCode).toBe(403);
    expect((await app.inject({ method: 'GET', url: `/v1/cases/${caseId}`, headers: bearer('supervisor') })).statusCode).toBe(200);
    expect((await app.inject({ method: 'GET', url: `/v1/cases/${caseId}`, headers: bearer('otherSupervisor') })).statusCode).toBe(403);
    expect((await act('otherTownship', caseId, 'patrol-report', { gridMemberId: 'x', observedAt: '2026-03-02T09:00:00+08:00', findings: 'x' })).statusCode).toBe(403);

    // ---- a step of another stage: 409 naming the current stage
    const early = await act('township', caseId, 'confirm', { confirmed: true });
    expect(early.statusCode, early.body).toBe(409);
    const earlyErr = early.json() as ErrorBody;
    expect(earlyErr.error.code).toBe('wrong_stage');
    expect(earlyErr.error.message).toContain('patrol');

    // ---- 网格巡查: the grid member's report
    let before = c;
    let res = await act('township', caseId, 'patrol-report', {
      gridMemberId: 'GM-350722101-01',
      observedAt: '2026-03-02T09:30:00+08:00',
      findings: '现场核实：两家商户在人行道摆放货架',
      photos: ['https://example.org/evidence/1.jpg'],
    });
    expect(res.statusCode, res.body).toBe(200);
    c = res.json() as CaseBody;
    expect(c.stage).toBe('discovery');
    expectProgress(before, c, ['patrol_reported']);

    // ---- 源头发现: confirmed
    before = c;
    res = await act('township', caseId, 'confirm', { confirmed: true, reason: '情况属实' });
    expect(res.statusCode, res.body).toBe(200);
    c = res.json() as CaseBody;
    expect(c.stage).toBe('capture');
    expectProgress(before, c, ['source_confirmed']);

    // ---- 信息采集: a township-level penalty matter; an unknown matter is refused first (422)
    const unknownMatter = await act('township', caseId, 'capture', { matterCode: 'NO-SUCH-MATTER', party: { kind: 'person', name: '张三' } });
    expect(unknownMatter.statusCode, unknownMatter.body).toBe(422);
    expect((unknownMatter.json() as ErrorBody).error.details.map((d) => d.path)).toContain('body.matterCode');
    before = c;
    res = await act('township', caseId, 'capture', {
      matterCode: DEMO.matters.townshipPenalty,
      party: { kind: 'organization', name: '浦城县莲塘镇顺丰农资经营部', creditCode: '92350722DEMO00001X' },
      evidence: [{ kind: 'photo', url: 'https://example.org/evidence/1.jpg' }],
    });
    expect(res.statusCode, res.body).toBe(200);
    c = res.json() as CaseBody;
    expect(c).toMatchObject({ stage: 'assignment', matterCode: DEMO.matters.townshipPenalty });
    expectProgress(before, c, ['information_captured']);

    // ---- 任务分派: an expired certificate does not count (422), two certified officers do
    const [o1, o2] = DEMO.officers.certified;
    const weak = await act('township', caseId, 'assign', { level: 'township', officerIds: [o1, DEMO.officers.expired] });
    expect(weak.statusCode, weak.body).toBe(422);
    const weakErr = weak.json() as ErrorBody;
    expect(weakErr.error.code).toBe('business_rule');
    expect(weakErr.error.details.map((d) => d.path)).toContain('body.officerIds');
    before = c;
    res = await act('township', caseId, 'assign', { level: 'township', officerIds: [o1, o2] });
    expect(res.statusCode, res.body).toBe(200);
    c = res.json() as CaseBody;
    expect(c.stage).toBe('handling');
    expect(c.handler).toMatchObject({ level: 'township', officerIds: [o1, o2] });
    expectProgress(before, c, ['assigned_to_brigade']);

    // ---- 问题处理: corrected on the spot
    before = c;
    res = await act('township', caseId, 'handle', { outcome: 'corrected', notes: '责令当场整改，货架已撤除' });
    expect(res.statusCode, res.body).toBe(200);
    c = res.json() as CaseBody;
    expect(c.stage).toBe('verification');
    expect(c.timeline.length).toBeGreaterThan(before.timeline.length);

    // ---- 核查反馈: passed → closed
    before = c;
    res = await act('township', caseId, 'verify', { passed: true, notes: '复查通过' });
    expect(res.statusCode, res.body).toBe(200);
    c = res.json() as CaseBody;
    expect(c).toMatchObject({ status: 'closed', resolution: 'resolved' });
    expectProgress(before, c, ['verified', 'case_closed']);

    // ---- GET shows it closed with its review (效能监督), to the upstream that opened it
    const got = await app.inject({ method: 'GET', url: `/v1/cases/${caseId}`, headers: bearer('upstream') });
    expect(got.statusCode).toBe(200);
    const final = got.json() as CaseBody;
    expect(final).toMatchObject({ caseId, status: 'closed', resolution: 'resolved' });
    expect(final.closedAt).toBeTruthy();
    expect(final.review).toBeDefined();
    expect(final.review?.reworkCount).toBe(0);
    expect(final.review?.stages.map((s) => s.stage)).toEqual(
      expect.arrayContaining(['patrol', 'discovery', 'capture', 'assignment', 'handling', 'verification']),
    );
    expect(final.timeline.every((e) => e.actor && typeof e.actor.sub === 'string')).toBe(true);
    expect(final.timeline.find((e) => e.type === 'assigned_to_brigade')?.actor).toMatchObject({ sub: CALLERS.township.sub, role: 'township' });

    // ---- the read model row is closed too
    const { rows } = await pool.query<{ status: string; resolution: string | null; closed_at: string | null; matter_code: string | null; created_by: string }>(
      'SELECT status, resolution, closed_at, matter_code, created_by FROM cases WHERE case_id = $1',
      [caseId],
    );
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ status: 'closed', resolution: 'resolved', matter_code: DEMO.matters.townshipPenalty, created_by: CALLERS.upstream.sub });
    expect(rows[0]?.closed_at).toBeTruthy();
    const review = await pool.query('SELECT on_time, rework_count FROM case_reviews WHERE case_id = $1', [caseId]);
    expect(review.rows).toHaveLength(1);

    // ---- closed: further steps are refused with 409
    const after = await act('township', caseId, 'verify', { passed: true });
    expect(after.statusCode).toBe(409);
  });
});

describe('a county-level matter transferred to the department (乡呼县应) over HTTP', () => {
  /** Signals are asynchronous: read the case until `done` holds (bounded number of reads, no timing assertion). */
  async function readUntil(caller: CallerName, caseId: string, done: (c: CaseBody) => boolean): Promise<CaseBody> {
    let c: CaseBody | undefined;
    for (let i = 0; i < 100; i++) {
      const res = await app.inject({ method: 'GET', url: `/v1/cases/${caseId}`, headers: bearer(caller) });
      expect(res.statusCode, res.body).toBe(200);
      c = res.json() as CaseBody;
      if (done(c)) return c;
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error(`case ${caseId} never reached the expected state; last: stage ${c?.stage}, handler ${JSON.stringify(c?.handler)}`);
  }

  it('the department answers, acts on the accepted transfer, and the township verifies', async () => {
    const created = await app.inject({
      method: 'POST',
      url: '/v1/cases',
      headers: bearer('township'),
      payload: {
        source: 'complaint',
        countyCode: DEMO.county,
        townshipCode: DEMO.township,
        location: { address: '浦城县莲塘镇莲塘村' },
        description: '村民投诉：有人未经批准搭建违法建筑',
      },
    });
    expect(created.statusCode, created.body).toBe(201);
    const { caseId } = created.json() as CaseBody;
    const um = DEMO.departments.urbanManagement;

    // a county department cannot answer before anything is transferred to it (nothing revealed: 403)
    const tooEarly = await app.inject({ method: 'POST', url: `/v1/cases/${caseId}/county-response`, headers: bearer('county'), payload: { decision: 'accept' } });
    expect(tooEarly.statusCode).toBe(403);

    for (const [action, payload] of [
      ['patrol-report', { gridMemberId: 'GM-1', observedAt: '2026-03-02T09:30:00+08:00', findings: '现场有在建违法建筑' }],
      ['confirm', { confirmed: true }],
      ['capture', { matterCode: DEMO.matters.countyPenalty, party: { kind: 'person', name: '赵六' } }],
    ] as const) {
      const res = await act('township', caseId, action, payload);
      expect(res.statusCode, `${action}: ${res.body}`).toBe(200);
    }
    // a county-level matter cannot stay with the brigade (422), it is transferred
    const keep = await act('township', caseId, 'assign', { level: 'township', officerIds: [...DEMO.officers.certified.slice(0, 2)] });
    expect(keep.statusCode, keep.body).toBe(422);
    const transfer = await act('township', caseId, 'assign', { level: 'county', departmentCode: um });
    expect(transfer.statusCode, transfer.body).toBe(200);
    expect(transfer.json()).toMatchObject({ stage: 'assignment', handler: { level: 'county', departmentCode: um } });

    // the department reads it; another department may neither read nor answer; the township may not answer
    expect((await app.inject({ method: 'GET', url: `/v1/cases/${caseId}`, headers: bearer('county') })).statusCode).toBe(200);
    expect((await app.inject({ method: 'GET', url: `/v1/cases/${caseId}`, headers: bearer('otherDepartment') })).statusCode).toBe(403);
    const wrongDept = await app.inject({ method: 'POST', url: `/v1/cases/${caseId}/county-response`, headers: bearer('otherDepartment'), payload: { decision: 'accept' } });
    expect(wrongDept.statusCode).toBe(403);
    const township = await app.inject({ method: 'POST', url: `/v1/cases/${caseId}/county-response`, headers: bearer('township'), payload: { decision: 'accept' } });
    expect(township.statusCode).toBe(403);
    // before accepting, the department cannot act yet: the workflow refuses (409, awaiting the response)
    const premature = await act('county', caseId, 'handle', { outcome: 'corrected' });
    expect(premature.statusCode, premature.body).toBe(409);

    const accept = await app.inject({ method: 'POST', url: `/v1/cases/${caseId}/county-response`, headers: bearer('county'), payload: { decision: 'accept' } });
    expect(accept.statusCode, accept.body).toBe(202);
    expect(accept.json()).toMatchObject({ accepted: true, caseId });
    const accepted = await readUntil('county', caseId, (c) => c.stage === 'handling');
    expect(accepted.handler).toMatchObject({ level: 'county', departmentCode: um });
    expect(accepted.timeline.some((e) => e.type === 'transfer_accepted' && e.actor.sub === CALLERS.county.sub)).toBe(true);

    // answered: a second answer is out of place (409)
    const again = await app.inject({ method: 'POST', url: `/v1/cases/${caseId}/county-response`, headers: bearer('county'), payload: { decision: 'accept' } });
    expect(again.statusCode).toBe(409);
    // the other department still cannot act on it
    expect((await act('otherDepartment', caseId, 'handle', { outcome: 'corrected' })).statusCode).toBe(403);

    const handled = await act('county', caseId, 'handle', { outcome: 'corrected', notes: '责令限期拆除，已自行拆除' });
    expect(handled.statusCode, handled.body).toBe(200);
    expect(handled.json()).toMatchObject({ stage: 'verification' });
    const verified = await act('township', caseId, 'verify', { passed: true });
    expect(verified.statusCode, verified.body).toBe(200);
    expect(verified.json()).toMatchObject({ status: 'closed', resolution: 'resolved' });
  });
});

import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO } from '../../db/seed';
import type { SummonedDepartment } from '../../domain/summons';
import { bearer, CALLERS, hotlineOpening } from '../helpers/api';
import { useTestPool } from '../helpers/db';
import { startTemporalTestApp } from '../helpers/temporal-dev';

/**
 * 吹哨报到 over HTTP on a real Temporal dev server: the township summons departments (422 naming the
 * departments that are not of its county), an Idempotency-Key retry and a double submit summon once,
 * a department answers only for itself (403), and GET /v1/cases/{id} shows `summons[]`.
 */

const pool = useTestPool();
let app: FastifyInstance;
let stop: (() => Promise<void>) | undefined;
const run = `${process.pid}-${Date.now()}`;

beforeAll(async () => {
  ({ app, stop } = await startTemporalTestApp(pool, `api-summons-${run}`));
});
afterAll(async () => {
  await stop?.();
});

type Caller = Parameters<typeof bearer>[0];
const post = (caller: Caller, url: string, payload: object, headers: Record<string, string> = {}) =>
  app.inject({ method: 'POST', url, headers: { ...bearer(caller), ...headers }, payload });
const act = (caseId: string, action: string, payload: object) => post('township', `/v1/cases/${caseId}/actions/${action}`, payload);
const dept = DEMO.departments;
/** A county caller of the market-supervision department (CALLERS has urban management and ecology). */
const marketSupervision = { sub: 'scjg-1', role: 'county', countyCode: DEMO.county, departmentCode: dept.marketSupervision } as const;

async function openInHandling(ref: string): Promise<string> {
  const opened = await app.inject({ method: 'POST', url: '/v1/cases', headers: bearer('upstream'), payload: hotlineOpening(ref) });
  expect(opened.statusCode).toBe(201);
  const caseId = (opened.json() as { caseId: string }).caseId;
  for (const [action, body] of [
    ['patrol-report', { gridMemberId: 'grid-member-7', observedAt: '2026-11-25T10:00:00+08:00', findings: '占道经营属实' }],
    ['confirm', { confirmed: true }],
    ['capture', { matterCode: DEMO.matters.townshipPenalty, party: { kind: 'person', name: '李某' } }],
    ['assign', { level: 'township', officerIds: DEMO.officers.certified.slice(0, 2) }],
  ] as const) {
    expect((await act(caseId, action, body)).statusCode, action).toBe(200);
  }
  return caseId;
}

describe('summons over HTTP (吹哨报到)', () => {
  it('summons several departments; 422 names foreign ones; a keyed retry and a double submit summon once; each department answers for itself', async () => {
    const caseId = await openInHandling(`12345-${run}-summons`);
    const url = `/v1/cases/${caseId}/summons`;

    expect((await post('otherTownship', url, { departmentCodes: [dept.ecology], reason: '联合执法' })).statusCode).toBe(403);
    expect((await post('county', url, { departmentCodes: [dept.ecology], reason: '联合执法' })).statusCode).toBe(403);
    const duplicate = await post('township', url, { departmentCodes: [dept.ecology, dept.ecology], reason: '联合执法' });
    expect(duplicate.statusCode).toBe(400);
    expect(duplicate.json()).toMatchObject({ error: { details: [{ path: 'body.departmentCodes.1' }] } });
    const empty = await post('township', url, { departmentCodes: [], reason: '联合执法' });
    expect(empty.statusCode).toBe(400);

    const foreign = await post('township', url, { departmentCodes: [dept.ecology, DEMO.otherCountyDepartments.ecology, 'no-such-dept'], reason: '联合执法' });
    expect(foreign.statusCode).toBe(422);
    const refusal = foreign.json() as { error: { code: string; message: string; details: { path: string; message: string }[] } };
    expect(refusal.error.code).toBe('business_rule');
    expect(refusal.error.message).toContain(DEMO.otherCountyDepartments.ecology);
    expect(refusal.error.details).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ path: 'body.departmentCodes' }),
        { path: 'refused', message: `${DEMO.otherCountyDepartments.ecology}, no-such-dept` },
      ]),
    );

    const body = { departmentCodes: [dept.ecology, dept.marketSupervision], reason: '占道经营涉及食品摊贩，需联合执法' };
    const key = { 'idempotency-key': `summons-${run}` };
    const first = await post('township', url, body, key);
    expect(first.statusCode).toBe(200);
    const retry = await post('township', url, body, key);
    expect(retry.statusCode).toBe(200);
    expect(retry.json()).toEqual(first.json());
    const { requestId, case: summonedCase } = first.json() as { requestId: string; case: { summons: SummonedDepartment[] } };
    expect(summonedCase.summons.map((s) => [s.summonsId, s.departmentCode, s.status])).toEqual([
      [requestId, dept.ecology, 'pending'],
      [requestId, dept.marketSupervision, 'pending'],
    ]);

    // the ecology department answers for itself, not for market supervision; a decline says why
    const answer = (code: string) => `/v1/cases/${caseId}/summons/${code}/answer`;
    expect((await post('otherDepartment', answer(dept.marketSupervision), { answer: 'report' })).statusCode).toBe(403);
    expect((await post('county', answer(dept.urbanManagement), { answer: 'report' })).statusCode).toBe(403); // not summoned: cannot see the case
    const noReason = await post('otherDepartment', answer(dept.ecology), { answer: 'decline' });
    expect(noReason.statusCode).toBe(400);
    expect(noReason.json()).toMatchObject({ error: { details: [{ path: 'body.reason' }] } });

    // a double click without a key: both answered by one Update
    const [a, b] = await Promise.all([
      post('otherDepartment', answer(dept.ecology), { answer: 'decline', reason: '排污口已移交市局直管' }),
      post('otherDepartment', answer(dept.ecology), { answer: 'decline', reason: '排污口已移交市局直管' }),
    ]);
    expect([a.statusCode, b.statusCode]).toEqual([200, 200]);
    expect((await post('otherDepartment', answer(dept.ecology), { answer: 'report' })).statusCode).toBe(409);
    expect((await post(marketSupervision, answer(dept.marketSupervision), { answer: 'report' })).statusCode).toBe(200);

    const read = await app.inject({ method: 'GET', url: `/v1/cases/${caseId}`, headers: bearer('otherDepartment') });
    expect(read.statusCode).toBe(200);
    const c = read.json() as { summons: SummonedDepartment[]; bounces: Record<string, number>; timeline: { type: string }[] };
    expect(c.summons.map((s) => [s.departmentCode, s.status, s.answerReason ?? null])).toEqual([
      [dept.ecology, 'declined', '排污口已移交市局直管'],
      [dept.marketSupervision, 'reported', null],
    ]);
    expect(c.bounces).toEqual({ [dept.ecology]: 1 });
    expect(c.timeline.filter((e) => e.type === 'department_summoned' || e.type.startsWith('summons_')).map((e) => e.type)).toEqual([
      'department_summoned',
      'department_summoned',
      'summons_declined',
      'summons_reported',
    ]);
    expect(CALLERS.otherDepartment.departmentCode).toBe(dept.ecology);

    // a summoned department lists the case among its own (newest first); a department neither handling nor summoned does not
    const listed = async (caller: Caller) => {
      const res = await app.inject({ method: 'GET', url: '/v1/cases?status=open&limit=500', headers: bearer(caller) });
      expect(res.statusCode).toBe(200);
      return (res.json() as { items: { caseId: string }[] }).items.map((i) => i.caseId);
    };
    expect(await listed('otherDepartment')).toContain(caseId);
    expect(await listed(marketSupervision)).toContain(caseId);
    expect(await listed('county')).not.toContain(caseId);
  });
});

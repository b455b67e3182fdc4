import { describe, expect, it } from 'vitest';
import { useTestPool } from '../helpers/db';
import { act, eventually, hotlineCase, keepHistory, ms, newCaseId, patrolCase, refusalOf, settled, townshipActor, useCaseRig, view, type CaseHandle } from './rig';
import { DEMO } from '../../db/seed';
import type { CaseRequest } from '../../domain/actions';
import type { Actor } from '../../domain/case';
import { REFUSAL } from '../../domain/errors';
import { DEFAULT_SLA_POLICY } from '../../domain/sla';
import { countyResponseSignal, requestUpdate } from '../../workflows/definitions';

/**
 * 街道吹哨、部门报到 (registries.md "Summons") on the time-skipping server: a township summons three county
 * departments at once; one reports for duty, one declines with its reason, one stays silent and escalates
 * at the exact due time of its response SLA (county-response, 1 working day), then at level 2. A
 * department that bounces the case (a returned transfer, then a declined summons) reaches the policy's
 * bounce limit (default 2) and the county supervisor is told.
 */

const pool = useTestPool();
const rig = useCaseRig(pool, 'summons');

const dept = DEMO.departments;
const countyActor = (departmentCode: string): Actor => ({ sub: `${departmentCode}-duty`, role: 'county', unit: departmentCode });
const ask = (handle: CaseHandle, req: CaseRequest) => handle.executeUpdate(requestUpdate, { args: [req] });

async function outbox(caseId: string, channel: string): Promise<string[]> {
  const { rows } = await pool.query<{ recipient: string }>('SELECT recipient FROM outbox WHERE case_id = $1 AND channel = $2 ORDER BY recipient', [caseId, channel]);
  return rows.map((r) => r.recipient);
}

describe('summons to several departments (吹哨报到)', () => {
  it('a department that returned a transfer and then declines a summons reaches the bounce limit: the county supervisor is told', async () => {
    const handle = await rig.start(hotlineCase(newCaseId('summons-bounces')));
    const opened = await view(handle);
    await act(handle, { action: 'patrol-report', body: { gridMemberId: 'grid-member-7', observedAt: opened.openedAt, findings: '违法搭建属实' } });
    await act(handle, { action: 'confirm', body: { confirmed: true } });
    await act(handle, { action: 'capture', body: { matterCode: DEMO.matters.countyPenalty, party: { kind: 'person', name: '张某' } } });
    await act(handle, { action: 'assign', body: { level: 'county', departmentCode: dept.urbanManagement } });
    await handle.signal(countyResponseSignal, { decision: 'return', reason: '建议乡镇先行处置', departmentCode: dept.urbanManagement, actor: countyActor(dept.urbanManagement) });
    let c = await eventually(() => view(handle), (v) => v.handler.level === 'township' && v.bounces !== undefined, 'the returned transfer counted');
    expect(c.bounces).toEqual({ [dept.urbanManagement]: 1 });
    expect(c.timeline.some((e) => e.type === 'bounce_limit_reached')).toBe(false);

    await act(handle, { action: 'assign', body: { level: 'township', officerIds: DEMO.officers.certified.slice(0, 2) } });
    const summoned = await ask(handle, { kind: 'summons', body: { departmentCodes: [dept.urbanManagement], reason: '违法建筑需专业拆除' }, actor: townshipActor });
    await ask(handle, { kind: 'summons-answer', departmentCode: dept.urbanManagement, body: { answer: 'decline', reason: '本周无执法力量' }, actor: countyActor(dept.urbanManagement) });
    c = await settled(handle, pool);
    expect(c.bounces).toEqual({ [dept.urbanManagement]: 2 });
    expect(c.summons).toEqual([expect.objectContaining({ summonsId: summoned.requestId, departmentCode: dept.urbanManagement, status: 'declined', answerReason: '本周无执法力量' })]);
    expect(c.timeline.at(-1)).toMatchObject({
      type: 'bounce_limit_reached',
      data: { departmentCode: dept.urbanManagement, bounces: 2, limit: 2, last: 'summons-decline' },
    });
    expect(await outbox(c.caseId, 'escalation')).toEqual([`county-supervisor:${DEMO.county}`]);
    await keepHistory(handle, 'summons-bounce-limit');
    await handle.terminate('test finished');
  });

  it('the bounce limit is the case’s policy value: with a limit of 1 the first return already escalates', async () => {
    const handle = await rig.start(hotlineCase(newCaseId('summons-limit-1'), { slaPolicy: { ...DEFAULT_SLA_POLICY, version: 7, limits: { bounces: 1 } } }));
    const opened = await view(handle);
    await act(handle, { action: 'patrol-report', body: { gridMemberId: 'grid-member-7', observedAt: opened.openedAt, findings: '违法搭建属实' } });
    await act(handle, { action: 'confirm', body: { confirmed: true } });
    await act(handle, { action: 'capture', body: { matterCode: DEMO.matters.countyPenalty, party: { kind: 'person', name: '张某' } } });
    await act(handle, { action: 'assign', body: { level: 'county', departmentCode: dept.urbanManagement } });
    await handle.signal(countyResponseSignal, { decision: 'return', reason: '不属于本部门', departmentCode: dept.urbanManagement, actor: countyActor(dept.urbanManagement) });
    const c = await eventually(() => view(handle), (v) => v.timeline.some((e) => e.type === 'bounce_limit_reached'), 'the bounce escalation');
    expect(c.timeline.at(-1)).toMatchObject({ type: 'bounce_limit_reached', data: { bounces: 1, limit: 1, last: 'transfer-return' } });
    await handle.terminate('test finished');
  });

  // Last in the file: it moves the server's clock to 2031 (past every demo certificate).
  it('three departments summoned: one reports, one declines with its reason, one is silent and escalates at its exact due time', async () => {
    const handle = await rig.start(patrolCase(newCaseId('summons'), new Date(await rig.env.currentTimeMs()).toISOString()));
    await act(handle, { action: 'confirm', body: { confirmed: true } });
    await act(handle, { action: 'capture', body: { matterCode: DEMO.matters.townshipPenalty2, party: { kind: 'organization', name: '某化工有限公司', creditCode: '91350722MA00000001' } } });
    await act(handle, { action: 'assign', body: { level: 'township', officerIds: DEMO.officers.certified.slice(0, 2) } });

    // Friday 2031-03-07 10:00 in Pucheng; 2031 has no published holiday schedule, so weekends only:
    // 1 working day → the end of Monday 10 March, level 2 (2 working days) → the end of Tuesday 11 March.
    await rig.advanceTo(ms('2031-03-07T10:00:00+08:00'));
    const body = { departmentCodes: [dept.urbanManagement, dept.ecology, dept.marketSupervision], reason: '化工企业违法排污，需城管、生态环境、市场监管联合执法' };

    // refusals first: nothing is summoned by them
    const foreign = await refusalOf(ask(handle, { kind: 'summons', body: { departmentCodes: [dept.ecology, DEMO.otherCountyDepartments.ecology, 'no-such-dept'], reason: 'x' }, actor: townshipActor }));
    expect(foreign.type).toBe(REFUSAL.businessRule);
    expect(foreign.message).toContain(DEMO.otherCountyDepartments.ecology);
    expect(foreign.message).toContain('no-such-dept');
    expect(foreign.details).toEqual([{ field: 'departmentCodes', refused: [DEMO.otherCountyDepartments.ecology, 'no-such-dept'] }]);
    const twice = await refusalOf(ask(handle, { kind: 'summons', body: { departmentCodes: [dept.ecology, dept.ecology], reason: 'x' }, actor: townshipActor }));
    expect(twice.type).toBe(REFUSAL.invalidInput);
    const otherTownship = await refusalOf(ask(handle, { kind: 'summons', body, actor: { sub: 'brigade-sp', role: 'township', unit: DEMO.otherTownship } }));
    expect(otherTownship.type).toBe(REFUSAL.notAllowed);
    expect((await view(handle)).summons).toBeUndefined();

    const summoned = await ask(handle, { kind: 'summons', body, actor: townshipActor });
    expect(summoned.requestId).toMatch(/^SUM-\d+$/);
    let c = await settled(handle, pool);
    expect(c.summons!.map((s) => [s.departmentCode, s.status, s.dueAt])).toEqual([
      [dept.urbanManagement, 'pending', '2031-03-11T00:00:00.000+08:00'],
      [dept.ecology, 'pending', '2031-03-11T00:00:00.000+08:00'],
      [dept.marketSupervision, 'pending', '2031-03-11T00:00:00.000+08:00'],
    ]);
    const deadlines = c.deadlines.filter((d) => d.kind === 'summons');
    expect(deadlines.map((d) => [d.holder, d.dueAt, d.escalateAt, d.status])).toEqual(
      [1, 2, 3].map(() => ['county', '2031-03-11T00:00:00.000+08:00', '2031-03-12T00:00:00.000+08:00', 'running']),
    );
    expect(await outbox(c.caseId, 'summons')).toEqual([dept.ecology, dept.marketSupervision, dept.urbanManagement].sort().map((d) => `department:${d}`));
    const again = await refusalOf(ask(handle, { kind: 'summons', body: { departmentCodes: [dept.ecology], reason: '再次吹哨' }, actor: townshipActor }));
    expect(again.type).toBe(REFUSAL.wrongStage);

    // a department answers only for itself; a decline says why
    const forOther = await refusalOf(ask(handle, { kind: 'summons-answer', departmentCode: dept.marketSupervision, body: { answer: 'report' }, actor: countyActor(dept.ecology) }));
    expect(forOther.type).toBe(REFUSAL.notAllowed);
    const noReason = await refusalOf(ask(handle, { kind: 'summons-answer', departmentCode: dept.ecology, body: { answer: 'decline' }, actor: countyActor(dept.ecology) }));
    expect(noReason.type).toBe(REFUSAL.invalidInput);
    const notSummoned = await refusalOf(ask(handle, { kind: 'summons-answer', departmentCode: dept.transport, body: { answer: 'report' }, actor: countyActor(dept.transport) }));
    expect(notSummoned.type).toBe(REFUSAL.notFound);

    await ask(handle, { kind: 'summons-answer', departmentCode: dept.marketSupervision, body: { answer: 'report' }, actor: countyActor(dept.marketSupervision) });
    await ask(handle, { kind: 'summons-answer', departmentCode: dept.ecology, body: { answer: 'decline', reason: '该企业排污口已移交市局直管' }, actor: countyActor(dept.ecology) });
    const answeredTwice = await refusalOf(ask(handle, { kind: 'summons-answer', departmentCode: dept.ecology, body: { answer: 'report' }, actor: countyActor(dept.ecology) }));
    expect(answeredTwice.type).toBe(REFUSAL.wrongStage);

    // a minute before the due time nothing has escalated; at it, the silent department does, on its own
    await rig.advanceTo(ms('2031-03-11T00:00:00+08:00') - 60_000);
    c = await settled(handle, pool);
    expect(c.timeline.filter((e) => e.type === 'deadline_breached' && e.data?.kind === 'summons')).toEqual([]);
    await rig.advanceTo(ms('2031-03-11T00:00:00+08:00') + 60_000);
    c = await eventually(() => view(handle), (v) => v.summons?.[0]?.status === 'silent', 'the silent department to escalate');
    c = await settled(handle, pool);
    const breaches = () => c.timeline.filter((e) => e.type === 'deadline_breached' && e.data?.kind === 'summons').map((e) => [e.at, e.data?.level, e.data?.departmentCode]);
    expect(breaches()).toEqual([['2031-03-11T00:00:00.000+08:00', 1, dept.urbanManagement]]);
    const summonsEscalations = async () =>
      (await pool.query<{ recipient: string; level: number }>(
        `SELECT recipient, (payload->>'level')::int AS level FROM outbox WHERE case_id = $1 AND channel = 'escalation' AND payload->>'deadline' = 'summons' ORDER BY level, recipient`,
        [c.caseId],
      )).rows.map((r) => [r.level, r.recipient]);
    expect(await summonsEscalations()).toEqual([
      [1, `department:${dept.urbanManagement}`],
      [1, `township-leader:${DEMO.township}`],
    ]);
    await rig.advanceTo(ms('2031-03-12T00:00:00+08:00') + 60_000);
    c = await eventually(() => view(handle), (v) => v.deadlines.some((d) => d.kind === 'summons' && d.escalationLevel === 2), 'level 2');
    c = await settled(handle, pool);
    expect(breaches()).toEqual([
      ['2031-03-11T00:00:00.000+08:00', 1, dept.urbanManagement],
      ['2031-03-12T00:00:00.000+08:00', 2, dept.urbanManagement],
    ]);
    expect(await summonsEscalations()).toEqual([
      [1, `department:${dept.urbanManagement}`],
      [1, `township-leader:${DEMO.township}`],
      [2, `county-supervisor:${DEMO.county}`],
      [2, `department:${dept.urbanManagement}`],
    ]);

    // the silent department's late answer is still recorded
    await ask(handle, { kind: 'summons-answer', departmentCode: dept.urbanManagement, body: { answer: 'report', reason: '已派员到场' }, actor: countyActor(dept.urbanManagement) });
    c = await settled(handle, pool);
    expect(c.summons!.map((s) => [s.departmentCode, s.status, s.answerReason ?? null, s.late ?? false, s.escalationLevel ?? 0])).toEqual([
      [dept.urbanManagement, 'reported', '已派员到场', true, 2],
      [dept.ecology, 'declined', '该企业排污口已移交市局直管', false, 0],
      [dept.marketSupervision, 'reported', null, false, 0],
    ]);
    expect(c.timeline.filter((e) => e.type.startsWith('summons_') || e.type === 'department_summoned').map((e) => [e.type, e.data?.departmentCode])).toEqual([
      ['department_summoned', dept.urbanManagement],
      ['department_summoned', dept.ecology],
      ['department_summoned', dept.marketSupervision],
      ['summons_reported', dept.marketSupervision],
      ['summons_declined', dept.ecology],
      ['summons_reported', dept.urbanManagement],
    ]);
    expect(c.deadlines.filter((d) => d.kind === 'summons').map((d) => d.status)).toEqual(['met', 'met', 'met']);
    expect(c.bounces).toEqual({ [dept.ecology]: 1 });

    // the read model (GET /v1/cases/{id}) shows the same
    const { rows } = await pool.query<{ summons: unknown }>(`SELECT snapshot->'summons' AS summons FROM cases WHERE case_id = $1`, [c.caseId]);
    expect(rows[0]!.summons).toEqual(JSON.parse(JSON.stringify(c.summons)));

    await act(handle, { action: 'handle', body: { outcome: 'corrected', notes: '联合执法，当场整改' } });
    c = await act(handle, { action: 'verify', body: { passed: true } });
    expect(c.status).toBe('closed');
    await rig.outcome(handle);
    await keepHistory(handle, 'summons-three-departments');
  });
});

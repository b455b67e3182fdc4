import { describe, expect, it } from 'vitest';
import { useTestPool } from '../helpers/db';
import { act, eventually, hotlineCase, keepHistory, newCaseId, settled, useCaseRig, view, type CaseHandle, ms, running } from './rig';
import { DEMO } from '../../db/seed';
import { computeDueDate } from '../../domain/calendar';
import { countyResponseSignal } from '../../workflows/definitions';

const pool = useTestPool();
const rig = useCaseRig(pool, 'deadlines');



async function caseRow(caseId: string) {
  const { rows } = await pool.query('SELECT overdue, ever_overdue, escalation_level, current_deadline_kind, current_due_at, stage FROM cases WHERE case_id = $1', [caseId]);
  return rows[0];
}

async function toAssignment(handle: CaseHandle, matterCode: string): Promise<void> {
  const opened = await view(handle);
  await act(handle, { action: 'patrol-report', body: { gridMemberId: 'grid-member-7', observedAt: opened.openedAt, findings: '现场核实属实' } });
  await act(handle, { action: 'confirm', body: { confirmed: true } });
  await act(handle, { action: 'capture', body: { matterCode, party: { kind: 'organization', name: '浦城县某建材有限公司', creditCode: '91350722MA00000000' } } });
}

describe('SLA deadlines and escalation', () => {
  it('makes a hotline case overdue at the exact patrol due time, then escalates to level 2 at twice the SLA', async () => {
    const handle = await rig.start(hotlineCase(newCaseId('patrol-sla')));
    let c = await settled(handle, pool);
    const patrol = running(c.deadlines, 'patrol')!;
    // 1 working day from the opening (deadlines.md), level 2 at 2 working days, on the working-day calendar
    expect(patrol).toMatchObject({ stage: 'patrol', holder: 'agency', overdue: false, escalationLevel: 0, basis: 'SLA policy v1' });
    expect(patrol.dueAt).toBe(computeDueDate({ workingDays: 1 }, c.openedAt).dueAt);
    expect(patrol.escalateAt).toBe(computeDueDate({ workingDays: 2 }, c.openedAt).dueAt);
    expect(await caseRow(c.caseId)).toMatchObject({ overdue: false, escalation_level: 0, current_deadline_kind: 'patrol' });
    expect(ms((await caseRow(c.caseId)).current_due_at)).toBe(ms(patrol.dueAt));

    await rig.advanceTo(ms(patrol.dueAt) - 60_000);
    c = await settled(handle, pool);
    expect(running(c.deadlines, 'patrol')).toMatchObject({ overdue: false, escalationLevel: 0 });
    expect(c.timeline.some((e) => e.type === 'deadline_breached')).toBe(false);

    await rig.advanceTo(ms(patrol.dueAt) + 60_000);
    c = await eventually(() => view(handle), (v) => running(v.deadlines, 'patrol')?.escalationLevel === 1, 'level 1 escalation');
    c = await settled(handle, pool);
    const first = c.timeline.filter((e) => e.type === 'deadline_breached');
    expect(first).toHaveLength(1);
    expect(ms(first[0]!.at)).toBe(ms(patrol.dueAt));
    expect(first[0]!.data).toMatchObject({ kind: 'patrol', level: 1 });
    expect(running(c.deadlines, 'patrol')).toMatchObject({ overdue: true, escalationLevel: 1 });
    expect(await caseRow(c.caseId)).toMatchObject({ overdue: true, ever_overdue: true, escalation_level: 1 });

    await rig.advanceTo(ms(patrol.escalateAt!) + 60_000);
    c = await eventually(() => view(handle), (v) => running(v.deadlines, 'patrol')?.escalationLevel === 2, 'level 2 escalation');
    c = await settled(handle, pool);
    const breaches = c.timeline.filter((e) => e.type === 'deadline_breached');
    expect(breaches.map((e) => [e.data?.level, ms(e.at)])).toEqual([
      [1, ms(patrol.dueAt)],
      [2, ms(patrol.escalateAt!)],
    ]);
    expect(await caseRow(c.caseId)).toMatchObject({ overdue: true, escalation_level: 2 });
    const outbox = await pool.query(`SELECT recipient, payload->>'level' AS level FROM outbox WHERE case_id = $1 AND channel = 'escalation' ORDER BY id`, [c.caseId]);
    expect(outbox.rows).toEqual([
      { recipient: `township-leader:${DEMO.township}`, level: '1' },
      { recipient: `county-supervisor:${DEMO.county}`, level: '2' },
    ]);

    // the grid member finally goes: the breach stays on record, the case is no longer overdue
    c = await act(handle, { action: 'patrol-report', body: { gridMemberId: 'grid-member-7', observedAt: c.openedAt, findings: '迟到核查，问题属实' } });
    expect(c.deadlines.find((d) => d.kind === 'patrol')).toMatchObject({ status: 'met', overdue: true, escalationLevel: 2 });
    expect(await caseRow(c.caseId)).toMatchObject({ overdue: false, ever_overdue: true, escalation_level: 0, current_deadline_kind: 'discovery' });
    await act(handle, { action: 'confirm', body: { confirmed: false, reason: '已自行整改' } });
    const review = await pool.query('SELECT on_time, escalations, breached_deadlines FROM case_reviews WHERE case_id = $1', [c.caseId]);
    expect(review.rows).toEqual([{ on_time: false, escalations: 2, breached_deadlines: 1 }]);
    const stages = await pool.query(`SELECT on_time FROM case_review_stages WHERE case_id = $1 AND stage = 'patrol'`, [c.caseId]);
    expect(stages.rows).toEqual([{ on_time: false }]);
    await keepHistory(handle, 'hotline-patrol-overdue');
  });

  it('uses the urgent patrol SLA of 2 hours for an urgent hotline case', async () => {
    const handle = await rig.start(hotlineCase(newCaseId('urgent'), { urgent: true }));
    const c = await settled(handle, pool);
    const patrol = running(c.deadlines, 'patrol')!;
    expect(ms(patrol.dueAt) - ms(c.openedAt)).toBe(2 * 3600_000);
    expect(ms(patrol.escalateAt!) - ms(c.openedAt)).toBe(4 * 3600_000);
    await handle.terminate('test finished');
  });
});

describe('county transfer (乡呼县应)', () => {
  const dept = DEMO.departments.urbanManagement;
  const countyActor = { sub: 'cgj-duty-officer', role: 'county', unit: dept } as const;

  it('refuses to keep a county-level matter in the brigade, transfers it, and the county accepts in time', async () => {
    const handle = await rig.start(hotlineCase(newCaseId('county-accept')));
    await toAssignment(handle, DEMO.matters.countyPenalty);
    await expect(act(handle, { action: 'assign', body: { level: 'township', officerIds: DEMO.officers.certified.slice(0, 2) } })).rejects.toThrow(
      'Workflow Update failed',
    );
    let c = await act(handle, { action: 'assign', body: { level: 'county', departmentCode: dept } });
    expect(c).toMatchObject({ stage: 'assignment', handler: { level: 'county', departmentCode: dept } });
    const response = running(c.deadlines, 'county-response')!;
    expect(response).toMatchObject({ holder: 'county', stage: 'assignment' });
    const transfer = await pool.query(`SELECT recipient FROM outbox WHERE case_id = $1 AND channel = 'county-transfer'`, [c.caseId]);
    expect(transfer.rows).toEqual([{ recipient: `department:${dept}` }]);

    await rig.advanceTo(ms(response.dueAt) - 3600_000);
    await handle.signal(countyResponseSignal, { decision: 'accept', departmentCode: dept, actor: countyActor });
    await eventually(() => view(handle), (v) => v.stage === 'handling', 'the accepted transfer');
    c = await settled(handle, pool);
    expect(c.handler).toEqual({ level: 'county', departmentCode: dept });
    expect(c.deadlines.find((d) => d.kind === 'county-response')).toMatchObject({ status: 'met', overdue: false });
    expect(c.timeline.at(-1)).toMatchObject({ type: 'transfer_accepted', actor: countyActor });
    c = await settled(handle, pool);
    expect(await caseRow(c.caseId)).toMatchObject({ stage: 'handling', overdue: false, current_deadline_kind: 'handling' });
    await keepHistory(handle, 'county-transfer-accepted');
    await handle.terminate('test finished');
  });

  it('escalates a silent county department; a return sends the case back to the township', async () => {
    const handle = await rig.start(hotlineCase(newCaseId('county-silent')));
    await toAssignment(handle, DEMO.matters.countyPenalty);
    let c = await act(handle, { action: 'assign', body: { level: 'county', departmentCode: dept } });
    const response = running(c.deadlines, 'county-response')!;

    await rig.advanceTo(ms(response.dueAt) + 60_000);
    c = await eventually(() => view(handle), (v) => running(v.deadlines, 'county-response')?.escalationLevel === 1, 'county escalation');
    c = await settled(handle, pool);
    expect(c.timeline.filter((e) => e.type === 'deadline_breached').map((e) => [e.data?.kind, ms(e.at)])).toEqual([['county-response', ms(response.dueAt)]]);
    const escalated = await pool.query(`SELECT recipient FROM outbox WHERE case_id = $1 AND channel = 'escalation' ORDER BY recipient`, [c.caseId]);
    expect(escalated.rows.map((r) => r.recipient)).toEqual([`department:${dept}`, `township-leader:${DEMO.township}`]);
    expect(await caseRow(c.caseId)).toMatchObject({ overdue: true, escalation_level: 1, current_deadline_kind: 'county-response' });

    await handle.signal(countyResponseSignal, { decision: 'return', reason: '不属于本部门职责，建议乡镇自行处置', departmentCode: dept, actor: countyActor });
    await eventually(() => view(handle), (v) => v.handler.level === 'township', 'the returned transfer');
    c = await settled(handle, pool);
    expect(c.stage).toBe('assignment');
    expect(c.timeline.at(-1)).toMatchObject({ type: 'transfer_returned', data: { reason: '不属于本部门职责，建议乡镇自行处置' } });
    expect(c.deadlines.find((d) => d.kind === 'county-response')).toMatchObject({ status: 'met', overdue: true });
    expect(running(c.deadlines, 'assignment')).toBeDefined();
    c = await act(handle, { action: 'assign', body: { level: 'township', officerIds: DEMO.officers.certified.slice(0, 2) } });
    expect(c).toMatchObject({ stage: 'handling', handler: { level: 'township' } });
    c = await settled(handle, pool);
    expect(await caseRow(c.caseId)).toMatchObject({ overdue: false, ever_overdue: true, current_deadline_kind: 'handling' });
    await keepHistory(handle, 'county-transfer-silent-returned');
    await handle.terminate('test finished');
  });
});

import { describe, expect, it } from 'vitest';
import { useTestPool } from '../helpers/db';
import { act, eventually, keepHistory, openSuspectedCrime, settled, useCaseRig, view, type CaseHandle, ms } from './rig';
import { DEMO } from '../../db/seed';
import { computeDueDate } from '../../domain/calendar';
import { judicialEventSignal } from '../../workflows/definitions';
import type { CaseView } from '../../domain/case';
import type { JudicialEvent } from '../../domain/actions';

const pool = useTestPool();
const rig = useCaseRig(pool, 'judicial');

const head = { sub: 'township-head', role: 'township', unit: DEMO.township } as const;
const police = { sub: 'pucheng-psb', role: 'police', unit: DEMO.county } as const;


const suspectedCrime = (label: string) => openSuspectedCrime(rig, pool, label);

const send = (handle: CaseHandle, event: JudicialEvent) => handle.signal(judicialEventSignal, event);

describe('judicial transfer (移送司法机关)', () => {
  it('transfers a suspected crime; police accept and the case closes as transferred', async () => {
    const { handle, c: started } = await suspectedCrime('judicial-accepted');
    expect(started).toMatchObject({ stage: 'handling', handler: { level: 'judicial' }, children: [{ kind: 'judicial-transfer', status: 'running', step: 'head-approval' }] });
    const approval = started.deadlines.find((d) => d.kind === 'head-approval')!;
    expect(approval).toMatchObject({ holder: 'agency', owner: `${started.caseId}/judicial-transfer`, basis: '国务院令第310号 Art 5' });
    expect(approval.dueAt).toBe(computeDueDate({ days: 3 }, approval.startedAt).dueAt);
    await expect(act(handle, { action: 'handle', body: { outcome: 'corrected' } })).rejects.toThrow('Workflow Update failed');

    await send(handle, { event: 'head-approval', actor: head });
    let c = await eventually(() => view(handle), (v) => v.deadlines.some((d) => d.kind === 'police-decision'), 'the hand-over');
    c = await settled(handle, pool);
    expect(c.deadlines.find((d) => d.kind === 'head-approval')).toMatchObject({ status: 'met', overdue: false });
    expect(c.deadlines.find((d) => d.kind === 'handover')).toMatchObject({ status: 'met', overdue: false });
    const handover = await pool.query(`SELECT recipient FROM outbox WHERE case_id = $1 AND channel = 'judicial-transfer'`, [c.caseId]);
    expect(handover.rows).toEqual([{ recipient: `public-security:${DEMO.county}` }]);

    await send(handle, { event: 'police-decision', accepted: true, reason: '已立案侦查', actor: police });
    await eventually(() => view(handle), (v) => v.status === 'closed', 'the case to close');
    c = await settled(handle, pool);
    expect(c).toMatchObject({ resolution: 'transferred_judicial', children: [{ status: 'completed', outcome: 'accepted' }] });
    expect(c.timeline.map((e) => e.type)).toEqual([
      'case_opened',
      'patrol_reported',
      'source_confirmed',
      'information_captured',
      'assigned_to_brigade',
      'suspected_crime',
      'judicial_transfer_opened',
      'judicial_transfer_started',
      'head_approved',
      'handed_over_to_police',
      'police_accepted',
      'judicial_transfer_completed',
      'case_closed',
    ]);
    // the workflow ends when the satisfaction callback window (回访) after close has passed
    const callback = c.deadlines.find((d) => d.kind === 'callback' && d.status === 'running')!;
    expect(callback).toMatchObject({ holder: 'party', onExpiry: 'lapse', stage: 'review' });
    await rig.advanceTo(ms(callback.dueAt) + 60_000);
    expect(await rig.outcome(handle)).toMatchObject({ resolution: 'transferred_judicial' });
    const review = await pool.query('SELECT resolution FROM case_reviews WHERE case_id = $1', [c.caseId]);
    expect(review.rows).toEqual([{ resolution: 'transferred_judicial' }]);
    await keepHistory(handle, 'judicial-transfer-accepted');
  });

  it('escalates a late head approval; on refusal asks for reconsideration, and a final refusal returns the case to processing', async () => {
    const { handle, c: started } = await suspectedCrime('judicial-refused');
    const approval = started.deadlines.find((d) => d.kind === 'head-approval')!;
    await rig.advanceTo(ms(approval.dueAt) + 60_000);
    let c = await eventually(() => view(handle), (v) => v.timeline.some((e) => e.type === 'deadline_breached'), 'the late approval to escalate');
    c = await settled(handle, pool);
    expect(c.timeline.filter((e) => e.type === 'deadline_breached').map((e) => [e.data?.kind, e.data?.level, ms(e.at)])).toEqual([['head-approval', 1, ms(approval.dueAt)]]);
    expect(c.deadlines.find((d) => d.kind === 'head-approval')).toMatchObject({ overdue: true, escalationLevel: 1, status: 'running' });

    await send(handle, { event: 'head-approval', actor: head });
    await eventually(() => view(handle), (v) => v.deadlines.some((d) => d.kind === 'police-decision'), 'the hand-over');
    await send(handle, { event: 'police-decision', accepted: false, reason: '未达到刑事立案追诉标准', actor: police });
    c = await eventually(() => view(handle), (v) => v.deadlines.some((d) => d.kind === 'reconsideration-request'), 'the refusal');
    c = await settled(handle, pool);
    expect(c.deadlines.find((d) => d.kind === 'reconsideration-request')).toMatchObject({ status: 'running', onExpiry: 'lapse' });

    await send(handle, { event: 'reconsideration-request', reason: '危废数量经复测超过 3 吨', actor: head });
    c = await eventually(() => view(handle), (v) => v.deadlines.some((d) => d.kind === 'reconsideration-answer'), 'the reconsideration request');
    await send(handle, { event: 'reconsideration-answer', accepted: false, reason: '维持不予立案决定', actor: police });
    await eventually(() => view(handle), (v) => v.stage === 'processing', 'the case to return to processing');
    c = await settled(handle, pool);
    expect(c).toMatchObject({ status: 'open', stage: 'processing', handler: { level: 'township' }, children: [{ status: 'completed', outcome: 'refused' }] });
    expect(c.deadlines.find((d) => d.kind === 'filing' && d.status === 'running')).toBeDefined();
    const types = c.timeline.map((e) => e.type);
    expect(types.indexOf('police_refused')).toBeLessThan(types.indexOf('reconsideration_requested'));
    expect(types.indexOf('reconsideration_requested')).toBeLessThan(types.indexOf('judicial_transfer_refused'));
    expect(types.at(-1)).toBe('judicial_transfer_completed');
    // administrative processing goes on: the brigade files the case
    c = await act(handle, { action: 'file', body: {} });
    expect(c.penalty?.filedAt).toBeDefined();
    await keepHistory(handle, 'judicial-transfer-refused-reconsidered');
    await handle.terminate('test finished');
  });
});

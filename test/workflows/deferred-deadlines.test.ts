import { temporal } from '@temporalio/proto';
import { describe, expect, it } from 'vitest';
import type { CaseView } from '../../domain/case';
import { DEMO } from '../../db/seed';
import { useTestPool } from '../helpers/db';
import { requestUpdate } from '../../workflows/definitions';
import { OPENED_WITH_EVERY_PATCH } from '../../workflows/case-patches';
import { act, eventually, hotlineCase, keepHistory, ms, newCaseId, running, settled, townshipActor, useCaseRig, view, type CaseHandle } from './rig';

const pool = useTestPool();
const rig = useCaseRig(pool, 'deferred-deadlines');

/** The activity type of each local-activity marker in a case's history, in order; a patch marker as `patch:<id>`. */
async function markerActivities(handle: CaseHandle): Promise<string[]> {
  const history = await handle.fetchHistory();
  const out: string[] = [];
  for (const e of history.events ?? []) {
    if (e.eventType !== temporal.api.enums.v1.EventType.EVENT_TYPE_MARKER_RECORDED) continue;
    const details = e.markerRecordedEventAttributes?.details;
    const data = details?.data?.payloads?.[0]?.data;
    const patch = details?.['patch-data']?.payloads?.[0]?.data;
    if (patch) out.push(`patch:${(JSON.parse(Buffer.from(patch).toString('utf8')) as { id: string }).id}`);
    if (!data) continue;
    const marker = JSON.parse(Buffer.from(data).toString('utf8')) as { activity_type?: string };
    if (marker.activity_type) out.push(marker.activity_type);
  }
  return out;
}

async function projected(caseId: string): Promise<CaseView> {
  const { rows } = await pool.query<{ snapshot: CaseView }>('SELECT snapshot FROM cases WHERE case_id = $1', [caseId]);
  return rows[0]!.snapshot;
}

describe("a stage's SLA computed and a close's review written by the step's projection (deadlines-in-transition)", () => {
  it('the case row and the workflow hold the same deadlines after every step, and no step asks computeDeadlines on its own', async () => {
    const handle = await rig.start(hotlineCase(newCaseId('deferred')));
    let c = await settled(handle, pool);
    const steps = [
      { action: 'patrol-report', body: { gridMemberId: 'grid-member-7', observedAt: c.openedAt, findings: '占道经营属实' }, sla: 'discovery' },
      { action: 'confirm', body: { confirmed: true }, sla: 'capture' },
      { action: 'capture', body: { matterCode: DEMO.matters.townshipPenalty, party: { kind: 'person', name: '李某' } }, sla: 'assignment' },
      { action: 'assign', body: { level: 'township', officerIds: DEMO.officers.certified.slice(0, 2) }, sla: 'handling' },
      { action: 'handle', body: { outcome: 'corrected', notes: '当场责令改正' }, sla: 'verification' },
    ] as const;
    expect(running(c.deadlines, 'patrol')).toMatchObject({ id: 'patrol-1', stage: 'patrol', status: 'running', escalationLevel: 0 });
    expect((await projected(c.caseId)).deadlines).toStrictEqual(c.deadlines);
    for (const [i, step] of steps.entries()) {
      await act(handle, { action: step.action, body: step.body } as Parameters<typeof act>[1]);
      c = await settled(handle, pool);
      const sla = running(c.deadlines, step.sla);
      // numbered in start order, with its due dates and the level-2 time after them
      expect(sla, step.action).toMatchObject({ id: `${step.sla}-${i + 2}`, stage: step.sla, status: 'running', onExpiry: 'escalate' });
      expect(Date.parse(sla!.escalateAt!)).toBeGreaterThan(Date.parse(sla!.dueAt));
      expect(Date.parse(sla!.dueAt)).toBeGreaterThan(Date.parse(sla!.startedAt));
      // the previous stage's SLA was met by this step
      expect(c.deadlines.filter((d) => d.status === 'running')).toHaveLength(1);
      expect((await projected(c.caseId)).deadlines, step.action).toStrictEqual(c.deadlines);
    }
    let markers = await markerActivities(handle);
    expect(markers).not.toContain('computeDeadlines');
    expect(markers.filter((m) => m === 'recordTransition')).toHaveLength(1 + steps.length);

    // closed, then called back (回访): the closing step's projection computed the callback window too
    // (patched 'callback-in-transition'; before it, one computeDeadlines marker of its own)
    c = await act(handle, { action: 'verify', body: { passed: true } });
    expect(c).toMatchObject({ status: 'closed', stage: 'review' });
    expect(running(c.deadlines, 'callback')).toMatchObject({ holder: 'party', onExpiry: 'lapse' });
    await handle.executeUpdate(requestUpdate, { args: [{ kind: 'satisfaction', body: { rating: 'satisfied' }, actor: townshipActor }] });
    await rig.outcome(handle);
    expect((await projected(c.caseId)).deadlines).toStrictEqual((await view(handle)).deadlines);
    markers = await markerActivities(handle);
    expect(markers).not.toContain('computeDeadlines');
    expect(markers.filter((m) => m === 'recordTransition')).toHaveLength(1 + steps.length + 2);
    // one patch marker (and one search-attribute upsert) at the opening, not one per patch the case meets
    expect(markers.filter((m) => m.startsWith('patch:'))).toEqual([`patch:${OPENED_WITH_EVERY_PATCH}`]);
    // the closing step's projection wrote the review too: one row per stage visited (patrol … verification)
    expect(markers).not.toContain('recordReview');
    const { rows } = await pool.query<{ resolution: string; on_time: boolean; stages: number }>(
      `SELECT r.resolution, r.on_time, (SELECT count(*)::int FROM case_review_stages s WHERE s.case_id = r.case_id) AS stages
         FROM case_reviews r WHERE r.case_id = $1`,
      [c.caseId],
    );
    expect(rows).toStrictEqual([{ resolution: 'resolved', on_time: true, stages: 6 }]);
    await keepHistory(handle, 'hotline-callback-in-transition');
  });
});

/** How many events of each timer kind the case's history holds so far. */
async function timerEvents(handle: CaseHandle): Promise<{ started: number; canceled: number; fired: number }> {
  const { EventType } = temporal.api.enums.v1;
  const events = (await handle.fetchHistory()).events ?? [];
  const count = (type: number) => events.filter((e) => e.eventType === type).length;
  return {
    started: count(EventType.EVENT_TYPE_TIMER_STARTED),
    canceled: count(EventType.EVENT_TYPE_TIMER_CANCELED),
    fired: count(EventType.EVENT_TYPE_TIMER_FIRED),
  };
}

describe("one wake-up timer kept across steps (patched 'kept-wake-up-timer')", () => {
  it('replaces the timer only for an earlier deadline; a kept one that fires early changes nothing, and the next deadline still escalates at its exact time', async () => {
    const handle = await rig.start(hotlineCase(newCaseId('kept-timer')));
    let c = await settled(handle, pool);
    const patrolDue = ms(running(c.deadlines, 'patrol')!.dueAt);
    // discovery and capture are due a working day after their step, later than the patrol timer: kept
    await act(handle, { action: 'patrol-report', body: { gridMemberId: 'grid-member-7', observedAt: c.openedAt, findings: '占道经营属实' } });
    await act(handle, { action: 'confirm', body: { confirmed: true } });
    expect(await timerEvents(handle)).toEqual({ started: 1, canceled: 0, fired: 0 });
    // assignment is due 30 minutes after the capture, before the patrol timer: replaced
    c = await act(handle, { action: 'capture', body: { matterCode: DEMO.matters.townshipPenalty, party: { kind: 'person', name: '李某' } } });
    const assignmentDue = ms(running(c.deadlines, 'assignment')!.dueAt);
    expect(assignmentDue).toBeLessThan(patrolDue);
    expect(await timerEvents(handle)).toEqual({ started: 2, canceled: 1, fired: 0 });
    // handling is due days later: the 30-minute timer is kept
    c = await act(handle, { action: 'assign', body: { level: 'township', officerIds: DEMO.officers.certified.slice(0, 2) } });
    const handling = running(c.deadlines, 'handling')!;
    expect(await timerEvents(handle)).toEqual({ started: 2, canceled: 1, fired: 0 });

    // the kept timer fires at the (met) assignment deadline: nothing breached, the next timer set for handling
    await rig.advanceTo(assignmentDue + 60_000);
    await eventually(() => timerEvents(handle), (t) => t.fired === 1 && t.started === 3, 'the kept timer fired and the next one started');
    c = await settled(handle, pool);
    expect(c.timeline.filter((e) => e.type === 'deadline_breached')).toEqual([]);
    expect(running(c.deadlines, 'handling')).toMatchObject({ overdue: false, escalationLevel: 0 });

    // and the handling deadline escalates at exactly its due time
    await rig.advanceTo(ms(handling.dueAt) + 60_000);
    c = await eventually(() => view(handle), (v) => running(v.deadlines, 'handling')?.escalationLevel === 1, 'level 1 escalation');
    const breaches = c.timeline.filter((e) => e.type === 'deadline_breached');
    expect(breaches.map((e) => [e.data?.kind, e.data?.level, ms(e.at)])).toEqual([['handling', 1, ms(handling.dueAt)]]);
    await act(handle, { action: 'handle', body: { outcome: 'corrected', notes: '当场责令改正' } });
    await act(handle, { action: 'verify', body: { passed: true } });
    await handle.executeUpdate(requestUpdate, { args: [{ kind: 'satisfaction', body: { rating: 'satisfied' }, actor: townshipActor }] });
    await rig.outcome(handle);
    await keepHistory(handle, 'hotline-kept-wake-up-timer');
  });
});

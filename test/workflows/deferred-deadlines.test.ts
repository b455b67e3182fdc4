import { temporal } from '@temporalio/proto';
import { describe, expect, it } from 'vitest';
import type { CaseView } from '../../domain/case';
import { DEMO } from '../../db/seed';
import { useTestPool } from '../helpers/db';
import { requestUpdate } from '../../workflows/definitions';
import { act, hotlineCase, keepHistory, newCaseId, running, settled, townshipActor, useCaseRig, view, type CaseHandle } from './rig';

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
    expect(markers.filter((m) => m.startsWith('patch:'))).toEqual(['patch:opened-with-every-patch-2026-11']);
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

import { describe, expect, it } from 'vitest';
import { useTestPool } from '../helpers/db';
import { act, hotlineCase, keepHistory, newCaseId, settled, useCaseRig, view } from './rig';
import { DEMO } from '../../db/seed';

const pool = useTestPool();
const rig = useCaseRig(pool, 'continue-as-new');

/**
 * A long case (a rework loop here; court enforcement or many escalations in life) must continue as
 * new before Temporal's history limits, keeping its workflow id, its timeline, its deadlines and its
 * place in the procedure. The bound is lowered for the test; the default is HISTORY_LIMIT.
 */
describe('a case over its history bound continues as new', () => {
  it('keeps its id, timeline, deadlines and stage across runs, and closes', async () => {
    const caseId = newCaseId('long');
    const handle = await rig.start(hotlineCase(caseId, { historyLimit: { events: 60, bytes: 10 * 1024 * 1024 } }));
    const firstRunId = (await handle.describe()).runId;
    const opened = await view(handle);
    await act(handle, { action: 'patrol-report', body: { gridMemberId: 'grid-member-7', observedAt: opened.openedAt, findings: '占道经营属实' } });
    await act(handle, { action: 'confirm', body: { confirmed: true } });
    await act(handle, { action: 'capture', body: { matterCode: DEMO.matters.townshipPenalty, party: { kind: 'person', name: '李某' } } });
    await act(handle, { action: 'assign', body: { level: 'township', officerIds: DEMO.officers.certified.slice(0, 2) } });

    const runs = new Set<string>();
    for (let round = 1; round <= 8; round++) {
      await act(handle, { action: 'handle', body: { outcome: 'corrected', notes: `第${round}次整改` } });
      const c = await act(handle, { action: 'verify', body: { passed: false, notes: `复查未通过 ${round}` } });
      expect(c).toMatchObject({ stage: 'handling', reworkCount: round });
      const description = await rig.env.client.workflow.getHandle(caseId).describe();
      runs.add(description.runId);
    }
    expect(runs.size, 'the case ran in more than one run').toBeGreaterThan(1);

    const first = await rig.env.client.workflow.getHandle(caseId, firstRunId).describe();
    expect(first.status.name).toBe('CONTINUED_AS_NEW');

    await act(handle, { action: 'handle', body: { outcome: 'corrected' } });
    const closed = await act(handle, { action: 'verify', body: { passed: true } });
    expect(closed).toMatchObject({ caseId, status: 'closed', resolution: 'resolved', reworkCount: 8 });
    closed.timeline.forEach((e, i) => expect(e.seq).toBe(i + 1));
    expect(closed.timeline.filter((e) => e.type === 'verification_failed')).toHaveLength(8);
    // one deadline per stage visit, ids unique across runs
    const ids = closed.deadlines.map((d) => d.id);
    expect(new Set(ids).size).toBe(ids.length);
    expect(closed.deadlines.filter((d) => d.kind === 'handling')).toHaveLength(9);
    expect(closed.review).toMatchObject({ reworkCount: 8 });

    const projected = await settled(handle, pool);
    const { rows } = await pool.query<{ seq: number; status: string }>('SELECT seq, status FROM cases WHERE case_id = $1', [caseId]);
    expect(rows).toEqual([{ seq: projected.timeline.length, status: 'closed' }]);
    const events = await pool.query<{ n: number }>('SELECT count(*)::int AS n FROM case_events WHERE case_id = $1', [caseId]);
    expect(events.rows[0]?.n).toBe(projected.timeline.length);

    await keepHistory(rig.env.client.workflow.getHandle(caseId, firstRunId), 'rework-loop-continued-as-new');
  });
});

import { describe, expect, it } from 'vitest';
import { WorkflowUpdateFailedError } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { useTestPool } from '../helpers/db';
import { act, hotlineCase, keepHistory, newCaseId, patrolCase, settled, useCaseRig, view , refusalOf } from './rig';
import { DEMO } from '../../db/seed';
import { REFUSAL } from '../../domain/errors';

const pool = useTestPool();
const rig = useCaseRig(pool, 'closed-loop');

const assignBrigade = { action: 'assign', body: { level: 'township', officerIds: DEMO.officers.certified.slice(0, 2) } } as const;
const captureTownshipMatter = {
  action: 'capture',
  body: { matterCode: DEMO.matters.townshipPenalty, party: { kind: 'person', name: '李某', idNumber: '350722199001011234' } },
} as const;


describe('closed loop', () => {
  it('handles a patrol case on site and closes it with a complete timeline and review', async () => {
    const now = new Date(await rig.env.currentTimeMs()).toISOString();
    const handle = await rig.start(patrolCase(newCaseId('patrol'), now));
    let c = await settled(handle, pool);
    expect(c.stage).toBe('discovery');
    expect(c.timeline.map((e) => e.type)).toEqual(['case_opened', 'patrol_reported']);
    expect(c.deadlines).toMatchObject([{ kind: 'discovery', stage: 'discovery', status: 'running', overdue: false, escalationLevel: 0 }]);

    c = await act(handle, { action: 'confirm', body: { confirmed: true } });
    expect(c.stage).toBe('capture');
    c = await act(handle, captureTownshipMatter);
    expect(c).toMatchObject({ stage: 'assignment', matterCode: DEMO.matters.townshipPenalty });
    c = await act(handle, assignBrigade);
    expect(c.stage).toBe('handling');
    expect(c.handler).toEqual({ level: 'township', officerIds: DEMO.officers.certified.slice(0, 2) });
    c = await act(handle, { action: 'handle', body: { outcome: 'corrected', notes: '当场责令改正，货物已清理' } });
    expect(c.stage).toBe('verification');
    c = await act(handle, { action: 'verify', body: { passed: true } });
    expect(c).toMatchObject({ status: 'closed', stage: 'review', resolution: 'resolved' });
    expect(await rig.outcome(handle)).toMatchObject({ caseId: c.caseId, resolution: 'resolved' });

    const types = c.timeline.map((e) => e.type);
    expect(types).toEqual([
      'case_opened',
      'patrol_reported',
      'source_confirmed',
      'information_captured',
      'assigned_to_brigade',
      'corrected_on_site',
      'verified',
      'case_closed',
    ]);
    expect(c.timeline.map((e) => e.seq)).toEqual(types.map((_, i) => i + 1));
    expect(c.deadlines.every((d) => d.status === 'met' && !d.overdue)).toBe(true);
    expect(c.review).toMatchObject({ onTime: true, reworkCount: 0, escalations: 0, breachedDeadlines: 0 });
    expect(c.review!.stages.map((s) => s.stage)).toEqual(['discovery', 'capture', 'assignment', 'handling', 'verification']);

    const row = await pool.query('SELECT status, stage, resolution, seq, current_due_at, overdue FROM cases WHERE case_id = $1', [c.caseId]);
    expect(row.rows).toEqual([{ status: 'closed', stage: 'review', resolution: 'resolved', seq: types.length, current_due_at: null, overdue: false }]);
    const events = await pool.query('SELECT seq, type FROM case_events WHERE case_id = $1 ORDER BY seq', [c.caseId]);
    expect(events.rows.map((r) => r.type)).toEqual(types);
    const review = await pool.query('SELECT on_time, rework_count, escalations, resolution FROM case_reviews WHERE case_id = $1', [c.caseId]);
    expect(review.rows).toEqual([{ on_time: true, rework_count: 0, escalations: 0, resolution: 'resolved' }]);
    const stages = await pool.query('SELECT stage, visit, on_time, due_at FROM case_review_stages WHERE case_id = $1 ORDER BY entered_at, stage', [c.caseId]);
    expect(stages.rows.map((r) => [r.stage, r.visit, r.on_time])).toEqual([
      ['discovery', 1, true],
      ['capture', 1, true],
      ['assignment', 1, true],
      ['handling', 1, true],
      ['verification', 1, true],
    ]);
    expect(stages.rows.every((r) => r.due_at !== null)).toBe(true);
    // a patrol case has no reporter to tell: only the cooperating unit of the matter's list item (the
    // county department, for guidance) is told at capture
    const outbox = await pool.query('SELECT channel, recipient FROM outbox WHERE case_id = $1', [c.caseId]);
    expect(outbox.rows).toEqual([{ channel: 'responsibility', recipient: `department:${DEMO.departments.urbanManagement}` }]);
    await keepHistory(handle, 'patrol-handled-on-site');
  });

  it('closes a hotline case found unfounded and tells the reporter', async () => {
    const handle = await rig.start(hotlineCase(newCaseId('unfounded')));
    let c = await view(handle);
    expect(c.stage).toBe('patrol');
    c = await act(handle, {
      action: 'patrol-report',
      body: { gridMemberId: 'grid-member-7', observedAt: c.openedAt, findings: '现场未发现占道经营 nothing found on site' },
    });
    expect(c.stage).toBe('discovery');
    c = await act(handle, { action: 'confirm', body: { confirmed: false, reason: '现场无占道行为' } });
    expect(c).toMatchObject({ status: 'closed', resolution: 'unfounded' });
    expect(c.timeline.map((e) => e.type)).toEqual(['case_opened', 'patrol_reported', 'found_unfounded', 'case_closed']);
    const outbox = await pool.query('SELECT channel, recipient, payload FROM outbox WHERE case_id = $1', [c.caseId]);
    expect(outbox.rows).toEqual([
      { channel: 'reporter-feedback', recipient: 'phone:13800000000', payload: expect.objectContaining({ outcome: 'unfounded', externalRef: c.externalRef }) },
    ]);
    const review = await pool.query('SELECT resolution, on_time FROM case_reviews WHERE case_id = $1', [c.caseId]);
    expect(review.rows).toEqual([{ resolution: 'unfounded', on_time: true }]);
    await keepHistory(handle, 'hotline-unfounded');
  });

  it('sends a case that fails verification back to handling and counts the rework', async () => {
    const now = new Date(await rig.env.currentTimeMs()).toISOString();
    const handle = await rig.start(patrolCase(newCaseId('rework'), now));
    await act(handle, { action: 'confirm', body: { confirmed: true } });
    await act(handle, captureTownshipMatter);
    await act(handle, assignBrigade);
    await act(handle, { action: 'handle', body: { outcome: 'corrected' } });
    let c = await act(handle, { action: 'verify', body: { passed: false, notes: '复查仍有货物占道' } });
    expect(c).toMatchObject({ stage: 'handling', reworkCount: 1, status: 'open' });
    expect(c.deadlines.filter((d) => d.kind === 'handling').map((d) => d.status)).toEqual(['met', 'running']);
    await act(handle, { action: 'handle', body: { outcome: 'corrected' } });
    c = await act(handle, { action: 'verify', body: { passed: true } });
    expect(c).toMatchObject({ status: 'closed', resolution: 'resolved', reworkCount: 1 });
    expect(c.review).toMatchObject({ reworkCount: 1 });
    expect(c.review!.stages.filter((s) => s.stage === 'handling').map((s) => s.visit)).toEqual([1, 2]);
    const review = await pool.query('SELECT rework_count FROM case_reviews WHERE case_id = $1', [c.caseId]);
    expect(review.rows).toEqual([{ rework_count: 1 }]);
    const visits = await pool.query(`SELECT count(*)::int AS n FROM case_review_stages WHERE case_id = $1 AND stage IN ('handling', 'verification')`, [c.caseId]);
    expect(visits.rows[0].n).toBe(4);
    await keepHistory(handle, 'verification-rework');
  });

  it('notifies public security at once when officers are obstructed, and handling goes on', async () => {
    const now = new Date(await rig.env.currentTimeMs()).toISOString();
    const handle = await rig.start(patrolCase(newCaseId('obstruction'), now));
    await act(handle, { action: 'confirm', body: { confirmed: true } });
    await act(handle, captureTownshipMatter);
    await act(handle, assignBrigade);
    let c = await act(handle, { action: 'handle', body: { outcome: 'obstruction', notes: '当事人阻挠执法并推搡执法人员' } });
    expect(c).toMatchObject({ stage: 'handling', status: 'open' });
    expect(c.timeline.at(-1)).toMatchObject({ type: 'obstruction_reported', stage: 'handling' });
    const police = await pool.query(`SELECT recipient, payload->>'notes' AS notes FROM outbox WHERE case_id = $1 AND channel = 'public-security'`, [c.caseId]);
    expect(police.rows).toEqual([{ recipient: `public-security:${DEMO.county}`, notes: '当事人阻挠执法并推搡执法人员' }]);
    c = await act(handle, { action: 'handle', body: { outcome: 'corrected' } });
    expect(c.stage).toBe('verification');
    await handle.terminate('test finished');
  });

  it('refuses actions in the wrong stage and against the rules, naming the reason', async () => {
    const handle = await rig.start(hotlineCase(newCaseId('refusals')));
    const wrong = await refusalOf(act(handle, { action: 'confirm', body: { confirmed: true } }));
    expect(wrong.type).toBe(REFUSAL.wrongStage);
    expect(wrong.message).toContain('stage "patrol"');
    expect(wrong.message).toContain('allowed now: patrol-report');
    expect(wrong.details?.[0]).toMatchObject({ stage: 'patrol', allowedActions: ['patrol-report', 'return'] });

    const bad = await refusalOf(act(handle, { action: 'patrol-report', body: { gridMemberId: '', observedAt: 'yesterday', findings: 'x' } as never }));
    expect(bad.type).toBe(REFUSAL.invalidInput);

    const opened = await view(handle);
    await act(handle, { action: 'patrol-report', body: { gridMemberId: 'grid-member-7', observedAt: opened.openedAt, findings: '占道经营属实' } });
    await act(handle, { action: 'confirm', body: { confirmed: true } });
    await act(handle, captureTownshipMatter);

    const one = await refusalOf(act(handle, { action: 'assign', body: { level: 'township', officerIds: [DEMO.officers.certified[0]!] } }));
    expect(one.type).toBe(REFUSAL.businessRule);
    expect(one.message).toContain('at least 2 certified officers');

    const expired = await refusalOf(
      act(handle, { action: 'assign', body: { level: 'township', officerIds: [DEMO.officers.certified[0]!, DEMO.officers.expired] } }),
    );
    expect(expired.type).toBe(REFUSAL.businessRule);
    expect(expired.message).toContain(DEMO.officers.expired);
    expect(expired.message).toMatch(/expired/);

    const stranger = await refusalOf(
      act(handle, { action: 'assign', body: { level: 'township', officerIds: [DEMO.officers.certified[0]!, DEMO.officers.otherTownshipCertified[0]!] } }),
    );
    expect(stranger.type).toBe(REFUSAL.businessRule);

    let c = await view(handle);
    expect(c.stage).toBe('assignment');
    c = await act(handle, assignBrigade);
    await act(handle, { action: 'handle', body: { outcome: 'case_required' } });
    // 行政处罚法 Art 51: summary procedure only up to 200 yuan for a citizen
    const summary = await refusalOf(act(handle, { action: 'decide', body: { kind: 'penalty', fine: 500, summary: true } }));
    expect(summary.type).toBe(REFUSAL.businessRule);
    expect(summary.message).toContain('at most 200 yuan');
    const early = await refusalOf(act(handle, { action: 'decide', body: { kind: 'penalty', fine: 500 } }));
    expect(early.type).toBe(REFUSAL.wrongStage);
    expect(early.message).toContain('filed');
    c = await act(handle, { action: 'decide', body: { kind: 'penalty', fine: 200, summary: true } });
    expect(c.penalty).toMatchObject({ kind: 'penalty', fine: 200, summary: true, servedAt: c.penalty!.decidedAt });
    expect(c.deadlines.find((d) => d.kind === 'payment')).toMatchObject({ status: 'running', holder: 'party', onExpiry: 'lapse' });
    // nothing the refusals touched reached the timeline
    expect(c.timeline.filter((e) => e.type === 'assigned_to_brigade')).toHaveLength(1);
    await settled(handle, pool);
    await handle.terminate('test finished');
  });
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import type { Pool } from 'pg';
import { startScratchCaseApp, type ScratchCaseApp } from '../helpers/scratch-case-app';
import { project, snapshot } from '../helpers/read-model';
import { DEMO } from '../../db/seed';
import { fanOutOutbox } from '../../delivery/fanout';
import { DEFAULT_DISCLOSURE_POLICY, type DisclosureInput } from '../../domain/disclosure';
import type { Disclosure } from '../../api/read-model/disclosures';
import {
  decisionChangedSignal,
  disclosureQuery,
  disclosureWorkflow,
  publishDisclosureUpdate,
  withdrawDisclosureUpdate,
  type DisclosureState,
} from '../../workflows/disclosure';
import { eventually, ms, townshipActor, type CaseRig } from './rig';

/**
 * The disclosure process (公示) of one penalty decision on the time-skipping server, with due dates
 * checked by hand. The decisions fall in 2035–2036 so the test runs whatever today's date; those years'
 * holidays come from a test schedule (marked as such) on a database of this file's own:
 * 2035: 元旦 01-01, 国庆 10-01…10-07 with Saturday 09-29 a make-up working day; 2036: 元旦 01-01.
 */

let pool: Pool;
let rig: CaseRig;
let app: FastifyInstance;
let stop: ScratchCaseApp['stop'] | undefined;

/** Test holiday schedules for the years the decisions fall in (see above). */
async function publishTestCalendars(db: Pool): Promise<void> {
  const source = ['测试用日程 (test schedule, not a State Council notice)', '2026-11-30'];
  await db.query(
    `INSERT INTO holiday_calendars (year, version, holidays, workdays, source_document, source_date, test_schedule, published_by) VALUES
       (2035, 1, $1::date[], $2::date[], $3, $4, true, 'test'), (2036, 1, $5::date[], '{}', $3, $4, true, 'test')`,
    [
      ['2035-01-01', '2035-10-01', '2035-10-02', '2035-10-03', '2035-10-04', '2035-10-05', '2035-10-06', '2035-10-07'],
      ['2035-09-29'],
      ...source,
      ['2036-01-01'],
    ],
  );
}

beforeAll(async () => {
  ({ pool, rig, app, stop } = await startScratchCaseApp('disclosure', publishTestCalendars));
}, 120_000);
afterAll(async () => stop?.());

/** A decided case's disclosure, started as the case starts it at its decision. */
async function startDisclosure(caseId: string, decidedAt: string, fine: number) {
  await project(pool, snapshot(caseId, DEMO.county, DEMO.township, { stage: 'processing', matterCode: DEMO.matters.townshipPenalty }));
  const input: DisclosureInput = {
    caseId,
    parentWorkflowId: caseId,
    attempt: 1,
    countyCode: DEMO.county,
    townshipCode: DEMO.township,
    matterCode: DEMO.matters.townshipPenalty,
    party: { kind: 'person', name: '李某某', idNumber: '350722199001011234' },
    facts: '李某某（电话13800138000）在浦城县莲塘镇莲塘街18号门前占道经营',
    otherNames: [],
    decision: { decidedAt, fine },
    policy: DEFAULT_DISCLOSURE_POLICY,
  };
  return rig.env.client.workflow.start(disclosureWorkflow, { workflowId: `${caseId}/disclosure`, taskQueue: rig.taskQueue, args: [input] });
}

type Handle = Awaited<ReturnType<typeof startDisclosure>>;
const state = (h: Handle): Promise<DisclosureState> => h.query(disclosureQuery);
const deadline = (s: DisclosureState, kind: string) => s.deadlines.find((d) => d.kind === kind)!;
const publicList = async (query = '') => {
  const res = await app.inject({ method: 'GET', url: `/v1/public/disclosures${query}` });
  return (res.json() as { items: Disclosure[] }).items;
};
const row = async (id: string) => (await pool.query(`SELECT status, escalations, history FROM disclosures WHERE disclosure_id = $1`, [id])).rows[0];

describe('disclosure of a penalty decision (公示)', () => {
  it('due 7 working days after the decision across National Day, escalated when late, published, fed to the credit system once, hidden after 3 months', async () => {
    await rig.advanceTo(ms('2035-09-26T10:00:05.000+08:00'));
    const h = await startDisclosure('DISC-A', '2035-09-26T10:00:00.000+08:00', 200);
    let s = await eventually(() => state(h), (v) => v.status === 'pending' && v.deadlines.length === 2, 'the prepared entry');
    // Working days after Wed 09-26: Thu 27, Fri 28, Sat 29 (make-up), [10-01…07 National Day], Mon 10-08, Tue 09, Wed 10, Thu 11.
    expect(s.publishDueAt).toBe('2035-10-12T00:00:00.000+08:00');
    expect(deadline(s, 'disclosure-publication')).toMatchObject({
      dueAt: '2035-10-12T00:00:00.000+08:00',
      escalateAt: '2035-10-23T00:00:00.000+08:00', // the 14th working day: Mon 10-22
      holder: 'agency',
      status: 'running',
    });
    expect(deadline(s, 'disclosure-publication').calendarEstimated).toBeUndefined();
    // The 20th working day: Tue 10-30.
    expect(deadline(s, 'credit-feed').dueAt).toBe('2035-10-31T00:00:00.000+08:00');
    expect(await publicList()).toEqual([]);

    // Not published by its due date: level 1 to the township leader, at the due instant.
    await rig.advanceTo(ms('2035-10-12T00:01:00.000+08:00'));
    s = await eventually(() => state(h), (v) => v.escalations === 1, 'the level-1 escalation');
    expect(s.history.find((e) => e.type === 'deadline_breached')).toMatchObject({
      at: '2035-10-12T00:00:00.000+08:00',
      data: { kind: 'disclosure-publication', level: 1, dueAt: '2035-10-12T00:00:00.000+08:00' },
    });
    await eventually(() => row('DISC-A/disclosure'), (r) => r?.escalations === 1, 'the escalation on the row');
    const escalated = await pool.query(`SELECT recipient FROM outbox WHERE case_id = 'DISC-A' AND channel = 'escalation'`);
    expect(escalated.rows).toEqual([{ recipient: `township-leader:${DEMO.township}` }]);

    // The township publishes on Mon 10-15, before level 2 (10-23) and the credit deadline (10-31).
    await rig.advanceTo(ms('2035-10-15T09:00:00.000+08:00'));
    s = await h.executeUpdate(publishDisclosureUpdate, { args: [{ actor: townshipActor }] });
    expect(s.status).toBe('published');
    expect(s.publishedAt!.slice(0, 13)).toBe('2035-10-15T09');
    // A fine of 200 (≤ 3,000): visible 3 months, to Tue 2036-01-15 inclusive.
    expect(s.visibleUntil).toBe('2036-01-16T00:00:00.000+08:00');
    expect(deadline(s, 'disclosure-publication')).toMatchObject({ status: 'met', escalationLevel: 1 });
    expect(deadline(s, 'credit-feed')).toMatchObject({ status: 'met', escalationLevel: 0 });
    const listed = await publicList();
    expect(listed.map((d) => [d.caseId, d.party.name, d.facts, d.visibleUntil])).toEqual([
      ['DISC-A', '李**', '李**（电话***********）在浦城县莲塘镇***门前占道经营', '2036-01-16T00:00:00.000+08:00'],
    ]);
    // A second publish is refused: nothing awaits publication.
    await expect(h.executeUpdate(publishDisclosureUpdate, { args: [{ actor: townshipActor }] })).rejects.toThrow();

    // The credit publicity feed: one outbox row, one webhook message however often it is fanned out.
    await fanOutOutbox(pool, 100);
    await fanOutOutbox(pool, 100);
    const feed = await pool.query(`SELECT recipient FROM outbox WHERE case_id = 'DISC-A' AND channel = 'credit-publicity'`);
    expect(feed.rows).toEqual([{ recipient: `credit-publicity:${DEMO.county}` }]);
    const messages = await pool.query(`SELECT event_type, payload FROM webhook_messages WHERE case_id = 'DISC-A'`);
    expect(messages.rows.map((m: { event_type: string }) => m.event_type)).toEqual(['case.disclosure_published']);
    expect(messages.rows[0].payload.data).toMatchObject({ caseId: 'DISC-A', disclosureId: 'DISC-A/disclosure', visibleUntil: '2036-01-16T00:00:00.000+08:00' });

    // Still listed on its last day; gone after it.
    await rig.advanceTo(ms('2036-01-15T23:00:00.000+08:00'));
    expect((await state(h)).status).toBe('published');
    await rig.advanceTo(ms('2036-01-16T00:01:00.000+08:00'));
    s = await eventually(() => state(h), (v) => v.status === 'expired', 'the end of its visibility');
    expect(s.history.at(-1)).toMatchObject({ type: 'disclosure_expired', at: '2036-01-16T00:00:00.000+08:00' });
    await eventually(() => row('DISC-A/disclosure'), (r) => r?.status === 'expired', 'the expired row');
    expect(await publicList()).toEqual([]);
  });

  it('withdrawn within 3 working days of a changed decision, with the reason shown; late, it escalates', async () => {
    await rig.advanceTo(ms('2036-01-21T10:00:05.000+08:00'));
    const withdrawn = await startDisclosure('DISC-B', '2036-01-21T10:00:00.000+08:00', 5000);
    const late = await startDisclosure('DISC-C', '2036-01-21T10:00:00.000+08:00', 5000);
    for (const h of [withdrawn, late]) {
      await eventually(() => state(h), (v) => v.status === 'pending' && v.deadlines.length === 2, 'the prepared entry');
      const s = await h.executeUpdate(publishDisclosureUpdate, { args: [{ actor: townshipActor }] });
      // A fine of 5,000: visible 3 years (2039 is past the calendars: estimated, Mon–Fri; Fri 2039-01-21).
      expect(s.visibleUntil).toBe('2039-01-22T00:00:00.000+08:00');
    }

    // Tue 01-22 15:00 the decisions are revoked on reconsideration; withdrawal due by the 3rd working day, Fri 01-25.
    await rig.advanceTo(ms('2036-01-22T15:00:00.000+08:00'));
    for (const h of [withdrawn, late]) await h.signal(decisionChangedSignal, { at: '2036-01-22T15:00:00.000+08:00', reason: '行政复议决定撤销' });
    for (const h of [withdrawn, late]) {
      const s = await eventually(() => state(h), (v) => v.deadlines.some((d) => d.kind === 'disclosure-withdrawal'), 'the withdrawal deadline');
      expect(deadline(s, 'disclosure-withdrawal')).toMatchObject({ dueAt: '2036-01-26T00:00:00.000+08:00', escalateAt: '2036-01-31T00:00:00.000+08:00' }); // level 2: the 6th working day, Wed 01-30
      expect(s.decisionChangedAt).toBe('2036-01-22T15:00:00.000+08:00');
    }

    // B is withdrawn on Thu 01-24, within the 3 working days.
    await rig.advanceTo(ms('2036-01-24T10:00:00.000+08:00'));
    await expect(withdrawn.executeUpdate(withdrawDisclosureUpdate, { args: [{ actor: townshipActor, reason: ' ' }] })).rejects.toThrow();
    let s = await withdrawn.executeUpdate(withdrawDisclosureUpdate, { args: [{ actor: townshipActor, reason: '原处罚决定经行政复议被撤销' }] });
    expect(s).toMatchObject({ status: 'withdrawn', withdrawalReason: '原处罚决定经行政复议被撤销', escalations: 0 });
    expect(deadline(s, 'disclosure-withdrawal')).toMatchObject({ status: 'met', escalationLevel: 0 });

    // C is not: level 1 at the end of Fri 01-25.
    await rig.advanceTo(ms('2036-01-26T00:01:00.000+08:00'));
    s = await eventually(() => state(late), (v) => v.escalations === 1, 'the late withdrawal to escalate');
    expect(s.history.find((e) => e.type === 'deadline_breached')).toMatchObject({
      at: '2036-01-26T00:00:00.000+08:00',
      data: { kind: 'disclosure-withdrawal', level: 1 },
    });

    await eventually(() => row('DISC-B/disclosure'), (r) => r?.status === 'withdrawn', 'the withdrawn row');
    expect((await publicList()).map((d) => d.caseId)).toEqual(['DISC-C']);
    const gone = await publicList('?status=withdrawn');
    expect(gone.map((d) => [d.caseId, d.withdrawn?.reason, d.withdrawn?.at.slice(0, 13)])).toEqual([['DISC-B', '原处罚决定经行政复议被撤销', '2036-01-24T10']]);
  });
});

import type { FastifyInstance } from 'fastify';
import type { Pool } from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { computeDueDate } from '../../domain/calendar';
import { STATUTORY_DEADLINES } from '../../domain/deadlines';
import { PACKAGE_CALENDAR, statutoryHolidays } from '../../domain/holiday-calendar';
import { bearer } from '../helpers/api';
import { startScratchCaseApp, type ScratchCaseApp } from '../helpers/scratch-case-app';
import { act, eventually, openFormalCase, running, view, type CaseRig } from './rig';
import { TEST_2027 } from '../helpers/test-calendar';

/**
 * Publishing next year's holiday calendar turns the estimated deadlines of running cases into exact
 * ones, on their timeline (issue 11). A plausible test schedule (marked testSchedule) for the year the
 * deadline falls in, on a database of its own so the other tests keep computing on the package's calendar.
 */

let pool: Pool;
let rig: CaseRig;
let app: FastifyInstance;
let stop: ScratchCaseApp['stop'] | undefined;

beforeAll(async () => {
  ({ pool, rig, app, stop } = await startScratchCaseApp('calendar'));
}, 120_000);
afterAll(async () => stop?.());

describe('publishing a year of the holiday calendar', () => {
  it('recomputes the estimated deadlines of running cases and says so on their timeline', async () => {
    const handle = await openFormalCase(rig, 'calendar');
    await act(handle, { action: 'file', body: {} });
    let c = await view(handle);
    const decision = running(c.deadlines, 'decision')!;
    // 90 natural days from filing run into 2027: estimated on the package's calendar
    // 90 natural days from filing run past the package's last year (2026): estimated. The schedule published
    // is a plausible test one for that year: its statutory holidays as days off, no make-up days.
    const year = Number(decision.dueAt.slice(0, 4));
    expect(PACKAGE_CALENDAR.covers(year)).toBe(false);
    expect(decision.calendarEstimated).toBe(true);
    const schedule = { ...TEST_2027, year, holidays: statutoryHolidays(year).map((h) => h.date), workdays: [] as string[] };

    const { year: _year, ...body } = schedule;
    const published = await app.inject({ method: 'PUT', url: `/v1/admin/calendar/${year}`, headers: bearer('admin'), payload: body });
    expect(published.statusCode).toBe(200);
    const { recompute } = published.json() as { recompute: { workflowId: string } };
    expect(recompute.workflowId).toBe(`calendar-recompute-${year}-v1`);

    c = await eventually(() => view(handle), (v) => v.timeline.some((e) => e.type === 'deadlines_recomputed'), 'the recomputation');
    const after = c.deadlines.find((d) => d.id === decision.id)!;
    expect(after.calendarEstimated).toBeUndefined();
    const calendar = PACKAGE_CALENDAR.with([{ year, holidays: schedule.holidays, workdays: [], source: 'admin' }]);
    expect(after.dueAt).toBe(computeDueDate(STATUTORY_DEADLINES.decision.period, decision.startedAt, calendar).dueAt);
    const entry = c.timeline.find((e) => e.type === 'deadlines_recomputed')!;
    expect(entry.data).toMatchObject({
      reason: `holiday calendar ${year} published (version 1)`,
      changes: expect.arrayContaining([expect.objectContaining({ deadlineId: decision.id, kind: 'decision', previousDueAt: decision.dueAt, calendarEstimated: false })]),
    });
    // the fan-out ends; a case told again finds nothing left to change
    expect(await rig.outcome<number>({ workflowId: recompute.workflowId })).toBeGreaterThanOrEqual(1);
    await handle.terminate('test finished');
  });
});

import type { FastifyInstance } from 'fastify';
import type { Pool } from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { buildApp } from '../../api/app';
import { createPool } from '../../db/pool';
import { createSeededDatabase } from '../../db/scratch-database';
import { computeDueDate } from '../../domain/calendar';
import { STATUTORY_DEADLINES } from '../../domain/deadlines';
import { PACKAGE_CALENDAR } from '../../domain/holiday-calendar';
import { bearer, TEST_JWT_SECRET } from '../helpers/api';
import { act, eventually, openFormalCase, running, startCaseRig, view, type CaseRig } from './rig';
import { TEST_2027 } from '../helpers/test-calendar';

/**
 * Publishing next year's holiday calendar turns the estimated deadlines of running cases into exact
 * ones, on their timeline (issue 11). A PLAUSIBLE TEST SCHEDULE for 2027 (marked testSchedule), on a
 * database of its own so the other tests keep computing on the package's calendar.
 */

let db: { url: string; drop: () => Promise<void> };
let pool: Pool;
let rig: CaseRig;
let app: FastifyInstance;

beforeAll(async () => {
  db = await createSeededDatabase(inject('adminDatabaseUrl'));
  pool = createPool(db.url, { max: 4 });
  rig = await startCaseRig(pool, 'calendar');
  app = await buildApp({ pool, temporal: { client: rig.env.client, taskQueue: rig.taskQueue }, jwtSecret: TEST_JWT_SECRET });
}, 120_000);
afterAll(async () => {
  await app?.close();
  await rig?.teardown();
  await pool?.end();
  await db?.drop();
});

describe('publishing a year of the holiday calendar', () => {
  it('recomputes the estimated deadlines of running cases and says so on their timeline', async (ctx) => {
    const handle = await openFormalCase(rig, 'calendar');
    await act(handle, { action: 'file', body: {} });
    let c = await view(handle);
    const decision = running(c.deadlines, 'decision')!;
    // 90 natural days from filing run into 2027: estimated on the package's calendar
    // The test schedule is for 2027: once the clock has moved on so far that the deadline is not in 2027,
    // this test has nothing to show and says so as skipped (give it the next year's test schedule then).
    if (!decision.dueAt.startsWith('2027')) ctx.skip();
    expect(decision.calendarEstimated).toBe(true);

    const published = await app.inject({ method: 'PUT', url: '/v1/admin/calendar/2027', headers: bearer('admin'), payload: TEST_2027 });
    expect(published.statusCode).toBe(200);
    const { recompute } = published.json() as { recompute: { workflowId: string } };
    expect(recompute.workflowId).toBe('calendar-recompute-2027-v1');

    c = await eventually(() => view(handle), (v) => v.timeline.some((e) => e.type === 'deadlines_recomputed'), 'the recomputation');
    const after = c.deadlines.find((d) => d.id === decision.id)!;
    expect(after.calendarEstimated).toBeUndefined();
    const calendar = PACKAGE_CALENDAR.with([{ year: 2027, holidays: TEST_2027.holidays, workdays: TEST_2027.workdays, source: 'admin' }]);
    expect(after.dueAt).toBe(computeDueDate(STATUTORY_DEADLINES.decision.period, decision.startedAt, calendar).dueAt);
    const entry = c.timeline.find((e) => e.type === 'deadlines_recomputed')!;
    expect(entry.data).toMatchObject({
      reason: 'holiday calendar 2027 published (version 1)',
      changes: expect.arrayContaining([expect.objectContaining({ deadlineId: decision.id, kind: 'decision', previousDueAt: decision.dueAt, calendarEstimated: false })]),
    });
    // the fan-out ends; a case told again finds nothing left to change
    expect(await rig.outcome<number>({ workflowId: recompute.workflowId })).toBeGreaterThanOrEqual(1);
    await handle.terminate('test finished');
  });
});

import chineseDays from 'chinese-days';
import type { FastifyInstance } from 'fastify';
import type { Pool } from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inject } from 'vitest';
import { createActivities } from '../../activities';
import { createPool } from '../../db/pool';
import { createSeededDatabase } from '../../db/scratch-database';
import { calendarWarnings, checkYearSchedule, PACKAGE_CALENDAR, yearScheduleSchema } from '../../domain/holiday-calendar';
import { bearer, buildTestApp } from '../helpers/api';
import { TEST_2027 } from '../helpers/test-calendar';

/**
 * The holiday calendar as data (issue 11, part 1). A PLAUSIBLE TEST SCHEDULE for 2027, marked as such
 * (`testSchedule: true`): it is not the State Council's, which is not published at the time of writing.
 * The test runs on a database of its own: a published 2027 would change the deadlines other tests compute.
 */

let db: { url: string; drop: () => Promise<void> };
let pool: Pool;
let app: FastifyInstance;

beforeAll(async () => {
  db = await createSeededDatabase(inject('adminDatabaseUrl'));
  pool = createPool(db.url, { max: 4 });
  ({ app } = await buildTestApp(pool));
}, 120_000);
afterAll(async () => {
  await app?.close();
  await pool?.end();
  await db?.drop();
});

describe('the package calendar as data', () => {
  it('agrees with chinese-days on every day it covers (2004–2026), and says estimated after it', () => {
    const mismatches: string[] = [];
    for (let t = Date.UTC(2004, 0, 1); t <= Date.UTC(2026, 11, 31); t += 86_400_000) {
      const d = new Date(t).toISOString().slice(0, 10);
      const ours = PACKAGE_CALENDAR.isWorkday(d);
      if (ours.workday !== chineseDays.isWorkday(d) || ours.estimated) mismatches.push(d);
    }
    expect(mismatches).toEqual([]);
    expect(PACKAGE_CALENDAR.isWorkday('2027-01-01')).toEqual({ workday: true, estimated: true });
  });
});

describe('checking a year', () => {
  it('accepts the plausible 2027 test schedule; refuses a make-up day on a weekday naming the date; needs the statutory holidays', () => {
    expect(checkYearSchedule(2027, yearScheduleSchema.parse(TEST_2027)).errors).toEqual([]);
    const weekday = checkYearSchedule(2027, yearScheduleSchema.parse({ ...TEST_2027, workdays: ['2027-03-03'] }));
    expect(weekday.errors).toContainEqual({ path: 'body.workdays.0', message: expect.stringContaining('2027-03-03 is a Wednesday') });
    const noNationalDay = checkYearSchedule(2027, yearScheduleSchema.parse({ ...TEST_2027, holidays: TEST_2027.holidays.filter((d) => !d.startsWith('2027-10')) }));
    expect(noNationalDay.errors.map((e) => e.message)).toContainEqual(expect.stringContaining('国庆节 on 2027-10-01'));
    const otherYear = checkYearSchedule(2027, yearScheduleSchema.parse({ ...TEST_2027, holidays: [...TEST_2027.holidays, '2026-12-31'] }));
    expect(otherYear.errors).toContainEqual({ path: `body.holidays.${TEST_2027.holidays.length}`, message: '2026-12-31 is not in 2027' });
  });

  it('warns from November when next year is missing', () => {
    expect(calendarWarnings(Date.parse('2026-11-30T10:00:00+08:00'), PACKAGE_CALENDAR)).toEqual([expect.stringContaining('2027')]);
    expect(calendarWarnings(Date.parse('2026-03-30T10:00:00+08:00'), PACKAGE_CALENDAR)).toEqual([]);
    const schedule = { year: 2027, holidays: TEST_2027.holidays, workdays: TEST_2027.workdays, source: 'admin' as const };
    expect(calendarWarnings(Date.parse('2026-11-30T10:00:00+08:00'), PACKAGE_CALENDAR.with([schedule]))).toEqual([]);
  });
});

describe('PUT /v1/admin/calendar/{year}', () => {
  it('publishes 2027: deadlines into 2027 become exact (hand-checked), every version is kept', async () => {
    const acts = createActivities(pool);
    const request = { from: '2026-12-30T10:00:00.000+08:00', period: { workingDays: 5 }, withEscalation: false };
    // Monday–Friday assumed: 12-31, 01-01, 01-04, 01-05, 01-06 → due at the end of 2027-01-06, estimated
    expect(await acts.computeDeadlines([request])).toEqual([{ dueAt: '2027-01-07T00:00:00.000+08:00', calendarEstimated: true }]);

    expect((await app.inject({ method: 'PUT', url: '/v1/admin/calendar/2027', headers: bearer('supervisor'), payload: TEST_2027 })).statusCode).toBe(403);
    const refused = await app.inject({ method: 'PUT', url: '/v1/admin/calendar/2027', headers: bearer('admin'), payload: { ...TEST_2027, workdays: ['2027-03-03'] } });
    expect(refused.statusCode).toBe(422);
    expect(refused.json()).toMatchObject({ error: { code: 'invalid_schedule', details: [{ path: 'body.workdays.0', message: expect.stringContaining('2027-03-03') }] } });

    const published = await app.inject({ method: 'PUT', url: '/v1/admin/calendar/2027', headers: bearer('admin'), payload: TEST_2027 });
    expect(published.statusCode).toBe(200);
    expect(published.json()).toMatchObject({ year: 2027, source: 'admin', version: 1, testSchedule: true });
    const again = await app.inject({ method: 'PUT', url: '/v1/admin/calendar/2027', headers: bearer('admin'), payload: TEST_2027 });
    expect(again.json()).toMatchObject({ version: 2 });
    const read = await app.inject({ method: 'GET', url: '/v1/admin/calendar/2027', headers: bearer('admin') });
    expect(read.json()).toMatchObject({ year: 2027, source: 'admin', version: 2, holidays: expect.arrayContaining(['2027-10-07']) });
    expect((await app.inject({ method: 'GET', url: '/v1/admin/calendar/2026', headers: bearer('admin') })).json()).toMatchObject({ source: 'package' });

    // a fresh activity set (the calendar is re-read at most every few seconds): 12-31 = 1; 01-01…03 off;
    // 01-04, 01-05, 01-06, 01-07 = 2…5 → due at the end of 2027-01-07, exact
    const fresh = createActivities(pool);
    expect(await fresh.computeDeadlines([request])).toEqual([{ dueAt: '2027-01-08T00:00:00.000+08:00', calendarEstimated: false }]);
  });
});

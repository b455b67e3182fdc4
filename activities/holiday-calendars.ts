import type { Pool } from 'pg';
import { PACKAGE_CALENDAR, type WorkingDayCalendar, type YearSchedule } from '../domain/holiday-calendar';

/** The latest published version of every year an admin published (table holiday_calendars). */
export async function publishedSchedules(pool: Pool): Promise<YearSchedule[]> {
  const { rows } = await pool.query<{
    year: number;
    version: number;
    holidays: string[];
    workdays: string[];
    source_document: string;
    source_date: string;
    test_schedule: boolean;
  }>(
    `SELECT DISTINCT ON (year) year, version, holidays::text[] AS holidays, workdays::text[] AS workdays,
            source_document, source_date::text AS source_date, test_schedule
       FROM holiday_calendars ORDER BY year, version DESC`,
  );
  return rows.map((r) => ({
    year: r.year,
    version: r.version,
    holidays: r.holidays,
    workdays: r.workdays,
    source: 'admin',
    sourceDocument: r.source_document,
    sourceDate: r.source_date,
    ...(r.test_schedule ? { testSchedule: true } : {}),
  }));
}

/**
 * The calendar deadlines are computed on: the package's years with the published ones on top. Read
 * again at most every `maxAgeMs` (a publication takes effect for new deadlines within that time; the
 * API's publication also recomputes the estimated deadlines of running cases).
 */
export function publishedCalendar(pool: Pool, maxAgeMs = 5_000): () => Promise<WorkingDayCalendar> {
  let cached: { at: number; calendar: Promise<WorkingDayCalendar> } | undefined;
  return () => {
    const now = Date.now();
    if (!cached || now - cached.at > maxAgeMs) {
      const calendar = publishedSchedules(pool).then((years) => PACKAGE_CALENDAR.with(years));
      cached = { at: now, calendar };
      calendar.catch(() => {
        if (cached?.calendar === calendar) cached = undefined;
      });
    }
    return cached.calendar;
  };
}

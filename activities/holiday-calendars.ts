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
export function publishedCalendar(
  pool: Pool,
  maxAgeMs = 5_000,
): (atLeast?: { year: number; version: number }) => Promise<WorkingDayCalendar> {
  type Loaded = { calendar: WorkingDayCalendar; versions: Map<number, number> };
  let cached: { at: number; loaded: Promise<Loaded> } | undefined;
  const load = () => {
    const loaded = publishedSchedules(pool).then((years) => ({
      calendar: PACKAGE_CALENDAR.with(years),
      versions: new Map(years.map((y) => [y.year, y.version ?? 0])),
    }));
    cached = { at: Date.now(), loaded };
    loaded.catch(() => {
      if (cached?.loaded === loaded) cached = undefined;
    });
    return loaded;
  };
  return async (atLeast) => {
    let loaded = !cached || Date.now() - cached.at > maxAgeMs ? await load() : await cached.loaded;
    // A case recomputing after a publication must see that version, however fresh the cache.
    if (atLeast && (loaded.versions.get(atLeast.year) ?? 0) < atLeast.version) loaded = await load();
    return loaded.calendar;
  };
}

import chineseDays from 'chinese-days';
import calendarData from 'chinese-days/dist/chinese-days.json';
import { z } from 'zod';

/**
 * The State Council holiday schedule as data (deadlines.md "Calendars"): for each year, its holidays
 * and its make-up working days (调休). The years `chinese-days` carries are the default; a year an
 * admin publishes (PUT /v1/admin/calendar/{year}) overrides it. A day of a year neither covers is
 * counted Monday–Friday and marked estimated.
 *
 * Never import this module from workflow code (see domain/calendar.ts).
 */

export interface YearSchedule {
  year: number;
  /** Days off (放假), ISO dates. */
  holidays: string[];
  /** Make-up working days (调休上班) on a weekend, ISO dates. */
  workdays: string[];
  source: 'package' | 'admin';
  version?: number;
  sourceDocument?: string;
  sourceDate?: string;
  /** A plausible schedule entered for tests or drills, not an authority's. */
  testSchedule?: boolean;
}

const isoDate = z.iso.date();

/** Body of `PUT /v1/admin/calendar/{year}`. */
export const yearScheduleSchema = z
  .object({
    holidays: z.array(isoDate).min(1).max(60).describe('days off (放假), ISO dates of that year'),
    workdays: z.array(isoDate).max(20).default([]).describe('make-up working days (调休上班), on weekends'),
    sourceDocument: z.string().trim().min(1).max(500).describe('e.g. 国务院办公厅关于2027年部分节假日安排的通知 (国办发明电〔2026〕…号)'),
    sourceDate: isoDate.describe('the date of the source document'),
    testSchedule: z.boolean().optional().describe('true for a plausible schedule entered for tests or drills'),
  })
  .strict();
export type YearScheduleBody = z.infer<typeof yearScheduleSchema>;

/** A year of the calendar as the API answers it (GET and PUT /v1/admin/calendar/{year}). */
export const yearScheduleAnswerSchema = z
  .object({
    year: z.number().int(),
    source: z.enum(['package', 'admin', 'none']).describe('package: chinese-days; admin: published here; none: counted Monday–Friday, estimated'),
    version: z.number().int().optional(),
    holidays: z.array(z.string()),
    workdays: z.array(z.string()),
    sourceDocument: z.string().optional(),
    sourceDate: z.string().optional(),
    testSchedule: z.boolean().optional(),
    warnings: z.array(z.string()).optional().describe('published anyway: e.g. more than 7 working days in a row'),
    recompute: z
      .object({ workflowId: z.string() })
      .optional()
      .describe('the process telling every open case with an estimated deadline to compute it again (each records it on its timeline)'),
  })
  .describe('a year of the holiday calendar');
export type YearScheduleAnswer = z.infer<typeof yearScheduleAnswerSchema>;

const DAY_MS = 86_400_000;
const dayOfWeek = (iso: string) => new Date(`${iso}T00:00:00Z`).getUTCDay();
const addDays = (iso: string, n: number) => new Date(Date.parse(`${iso}T00:00:00Z`) + n * DAY_MS).toISOString().slice(0, 10);
const WEEKDAY_NAMES = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];

/** The statutory holidays of 全国年节及纪念日放假办法 (2025 revision) that a year's schedule must give off. */
export function statutoryHolidays(year: number): { date: string; name: string }[] {
  const lunar = (md: string) => chineseDays.getSolarDateFromLunar(`${year}-${md}`).date;
  const springFestival = lunar('01-01');
  const qingming = chineseDays.getSolarTermDate(year, 4, 'pure_brightness');
  return [
    { date: `${year}-01-01`, name: '元旦' },
    { date: addDays(springFestival, -1), name: '春节 (除夕)' },
    { date: springFestival, name: '春节 (初一)' },
    { date: addDays(springFestival, 1), name: '春节 (初二)' },
    { date: addDays(springFestival, 2), name: '春节 (初三)' },
    { date: qingming, name: '清明节' },
    { date: `${year}-05-01`, name: '劳动节' },
    { date: `${year}-05-02`, name: '劳动节' },
    { date: lunar('05-05'), name: '端午节' },
    { date: lunar('08-15'), name: '中秋节' },
    { date: `${year}-10-01`, name: '国庆节' },
    { date: `${year}-10-02`, name: '国庆节' },
    { date: `${year}-10-03`, name: '国庆节' },
  ];
}

export interface ScheduleCheck {
  /** Refusals, each naming the field and the date. */
  errors: { path: string; message: string }[];
  /** Published anyway, but said: e.g. a run of more than 7 working days. */
  warnings: string[];
}

/**
 * Checks a year's schedule: every date in that year, make-up working days on weekends and never also
 * days off, every statutory holiday given off; warns of runs of more than 7 working days in a row.
 */
export function checkYearSchedule(year: number, body: YearScheduleBody): ScheduleCheck {
  const errors: ScheduleCheck['errors'] = [];
  const warnings: string[] = [];
  body.holidays.forEach((d, i) => {
    if (!d.startsWith(`${year}-`)) errors.push({ path: `body.holidays.${i}`, message: `${d} is not in ${year}` });
  });
  body.workdays.forEach((d, i) => {
    if (!d.startsWith(`${year}-`)) errors.push({ path: `body.workdays.${i}`, message: `${d} is not in ${year}` });
    const dow = dayOfWeek(d);
    if (dow !== 0 && dow !== 6) {
      errors.push({ path: `body.workdays.${i}`, message: `make-up working day ${d} is a ${WEEKDAY_NAMES[dow]}: make-up days (调休) fall on weekends` });
    }
    if (body.holidays.includes(d)) errors.push({ path: `body.workdays.${i}`, message: `${d} is both a day off and a make-up working day` });
  });
  const off = new Set(body.holidays);
  for (const h of statutoryHolidays(year)) {
    if (!off.has(h.date)) errors.push({ path: 'body.holidays', message: `the statutory holiday ${h.name} on ${h.date} is missing (全国年节及纪念日放假办法)` });
  }
  const calendar = new WorkingDayCalendar([{ year, holidays: body.holidays, workdays: body.workdays, source: 'admin' }]);
  let run = 0;
  for (let d = `${year}-01-01`; d.startsWith(`${year}-`); d = addDays(d, 1)) {
    if (calendar.isWorkday(d).workday) {
      run += 1;
      if (run === 8) warnings.push(`more than 7 working days in a row, up to ${d} and beyond`);
    } else run = 0;
  }
  return { errors, warnings };
}

/** The years `chinese-days` carries, as schedules. */
export function packageSchedules(): YearSchedule[] {
  const byYear = new Map<number, YearSchedule>();
  const of = (date: string) => {
    const year = Number(date.slice(0, 4));
    let s = byYear.get(year);
    if (!s) byYear.set(year, (s = { year, holidays: [], workdays: [], source: 'package' }));
    return s;
  };
  for (const d of Object.keys(calendarData.holidays)) of(d).holidays.push(d);
  for (const d of Object.keys(calendarData.workdays)) of(d).workdays.push(d);
  return [...byYear.values()].sort((a, b) => a.year - b.year);
}

/**
 * Working days from schedules: a day is a working day when it is a make-up working day, or a Monday
 * to Friday that is not a day off. A year without a schedule counts Monday–Friday, estimated.
 */
export class WorkingDayCalendar {
  private readonly years = new Map<number, { holidays: Set<string>; workdays: Set<string> }>();

  constructor(schedules: YearSchedule[]) {
    for (const s of schedules) this.years.set(s.year, { holidays: new Set(s.holidays), workdays: new Set(s.workdays) });
  }

  /** The same calendar with these schedules replacing the years they cover. */
  with(schedules: YearSchedule[]): WorkingDayCalendar {
    const next = new WorkingDayCalendar([]);
    for (const [year, s] of this.years) next.years.set(year, s);
    for (const s of schedules) next.years.set(s.year, { holidays: new Set(s.holidays), workdays: new Set(s.workdays) });
    return next;
  }

  covers(year: number): boolean {
    return this.years.has(year);
  }

  isWorkday(isoDate: string): { workday: boolean; estimated: boolean } {
    const year = this.years.get(Number(isoDate.slice(0, 4)));
    const dow = dayOfWeek(isoDate);
    const weekday = dow !== 0 && dow !== 6;
    if (!year) return { workday: weekday, estimated: true };
    return { workday: year.workdays.has(isoDate) || (weekday && !year.holidays.has(isoDate)), estimated: false };
  }
}

/** The default calendar: the package's years. */
export const PACKAGE_CALENDAR = new WorkingDayCalendar(packageSchedules());

/**
 * From November on, a missing schedule for next year is said: deadlines that run into it are only
 * estimated until an admin publishes it (the State Council publishes it around November).
 */
export function calendarWarnings(nowMs: number, calendar: WorkingDayCalendar): string[] {
  const local = new Date(nowMs + 8 * 3_600_000);
  const next = local.getUTCFullYear() + 1;
  if (local.getUTCMonth() < 10 || calendar.covers(next)) return [];
  return [`the holiday calendar of ${next} is not published: deadlines running into ${next} are estimated (PUT /v1/admin/calendar/${next})`];
}

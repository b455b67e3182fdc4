import calendarData from 'chinese-days/dist/chinese-days.json';
import { PACKAGE_CALENDAR, type WorkingDayCalendar } from './holiday-calendar';
import { durationMs, type Period } from './periods';
import { SHANGHAI_OFFSET_MS, toShanghaiIso } from './time';

export { toShanghaiIso };

/**
 * Deadline arithmetic on the Chinese working-day calendar (chinese-days), in Asia/Shanghai.
 *
 * Never import this module from workflow code: its calendar data changes with package updates, and a
 * due date computed from it during replay could differ from the one first recorded. Workflows get due
 * dates from the `computeDeadlines` activity, so they live in history.
 */

const DAY_MS = 86_400_000;

/** The last year whose State Council holiday schedule the bundled package knows (admins publish later ones). */
export const CALENDAR_LAST_YEAR: number = Math.max(
  ...Object.keys(calendarData.holidays).map((d) => Number(d.slice(0, 4))),
);

export interface DueDate {
  /** ISO 8601 instant with the +08:00 offset. */
  dueAt: string;
  /** True when the computation used days past the calendar's coverage (Mon–Fri assumed there). */
  calendarEstimated: boolean;
}

/** A local calendar date in Asia/Shanghai, as days since the epoch. */
function localDay(instantMs: number): number {
  return Math.floor((instantMs + SHANGHAI_OFFSET_MS) / DAY_MS);
}

function dayToIsoDate(day: number): string {
  return new Date(day * DAY_MS).toISOString().slice(0, 10);
}

/** Start of a local day (00:00 Asia/Shanghai) as an instant. */
function startOfLocalDay(day: number): number {
  return day * DAY_MS - SHANGHAI_OFFSET_MS;
}

class CalendarWalk {
  estimated = false;
  constructor(private readonly calendar: WorkingDayCalendar) {}
  isWorkday(day: number): boolean {
    const { workday, estimated } = this.calendar.isWorkday(dayToIsoDate(day));
    if (estimated) this.estimated = true;
    return workday;
  }
  /** The Nth working day after `day` (the starting day is not counted). */
  addWorkingDays(day: number, n: number): number {
    let d = day;
    let counted = 0;
    while (counted < n) {
      d += 1;
      if (this.isWorkday(d)) counted += 1;
    }
    return d;
  }
  /** A last day that is not a working day (weekend or holiday) moves to the next working day. */
  rollToWorkday(day: number): number {
    let d = day;
    while (!this.isWorkday(d)) d += 1;
    return d;
  }
}

/**
 * When a period that starts at `from` ends. Day-based periods end at the end of their last day
 * (24:00 Asia/Shanghai, written as 00:00 of the next day); a duration ends exactly. The calendar is the
 * package's years, with the years an admin published (domain/holiday-calendar.ts) when given.
 */
export function computeDueDate(period: Period, from: string | Date, calendar: WorkingDayCalendar = PACKAGE_CALENDAR): DueDate {
  const startMs = typeof from === 'string' ? Date.parse(from) : from.getTime();
  if (Number.isNaN(startMs)) throw new RangeError(`invalid start instant: ${String(from)}`);
  const walk = new CalendarWalk(calendar);
  let lastDay: number;
  if ('duration' in period) {
    return { dueAt: toShanghaiIso(startMs + durationMs(period.duration)), calendarEstimated: false };
  } else if ('workingDays' in period) {
    lastDay = walk.addWorkingDays(localDay(startMs), period.workingDays);
  } else if ('days' in period) {
    lastDay = walk.rollToWorkday(localDay(startMs) + period.days);
  } else {
    lastDay = walk.rollToWorkday(addMonths(localDay(startMs), period.months));
  }
  return { dueAt: toShanghaiIso(startOfLocalDay(lastDay + 1)), calendarEstimated: walk.estimated };
}

/** Same day of the month N months later; a missing day (31 Feb) becomes the month's last day. */
function addMonths(day: number, months: number): number {
  const d = new Date(day * DAY_MS);
  const y = d.getUTCFullYear();
  const m = d.getUTCMonth() + months;
  const lastOfTarget = new Date(Date.UTC(y, m + 1, 0)).getUTCDate();
  const target = Date.UTC(y, m, Math.min(d.getUTCDate(), lastOfTarget));
  return target / DAY_MS;
}

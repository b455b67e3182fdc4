/** What the 节假日 screen shows of a day, and what a click makes of it. */
export type DayKind = 'workday' | 'weekend' | 'off' | 'makeup';

const isWeekend = (day: string) => {
  const dow = new Date(`${day}T00:00:00Z`).getUTCDay();
  return dow === 0 || dow === 6;
};

/** A day of the schedule: off (休), a make-up working day (班), else an ordinary workday or weekend. */
export function dayKind(day: string, holidays: ReadonlySet<string>, workdays: ReadonlySet<string>): DayKind {
  if (holidays.has(day)) return 'off';
  if (workdays.has(day)) return 'makeup';
  return isWeekend(day) ? 'weekend' : 'workday';
}

/**
 * A click on a day: an ordinary day becomes a day off; a day off becomes a make-up working day when it is
 * a weekend (make-up days fall on weekends, domain/holiday-calendar.ts), else ordinary again; a make-up day
 * becomes ordinary.
 */
export function nextDayKind(day: string, kind: DayKind): DayKind {
  if (kind === 'workday' || kind === 'weekend') return 'off';
  if (kind === 'off' && isWeekend(day)) return 'makeup';
  return isWeekend(day) ? 'weekend' : 'workday';
}

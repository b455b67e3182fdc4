import chineseDays from 'chinese-days';
import { describe, expect, it } from 'vitest';
import { CALENDAR_LAST_YEAR, computeDueDate } from '../domain/calendar';

/*
 * domain/calendar.ts on the State Council schedule bundled in chinese-days. Expected dates were checked
 * by hand with `node -e "const c=require('chinese-days'); console.log(c.getDayDetail('2026-02-14'))"`;
 * the calendar facts each case relies on are asserted too, so a data update that changes them fails
 * loudly here instead of silently changing the expectation's meaning.
 */

describe('working-day periods (工作日, 行政处罚法 Art 85)', () => {
  it('5 working days from the Friday before the 2026 Spring Festival end on 2026-02-27', () => {
    // 2026-02-14 (Saturday) is a make-up working day (调休); 02-15..02-23 are the holiday.
    expect(chineseDays.isWorkday('2026-02-14')).toBe(true);
    for (let d = 15; d <= 23; d++) expect(chineseDays.isWorkday(`2026-02-${d}`)).toBe(false);
    // Working days after Friday 02-13: 02-14, 02-24, 02-25, 02-26, 02-27.
    expect(computeDueDate({ workingDays: 5 }, '2026-02-13T10:00:00+08:00')).toEqual({
      dueAt: '2026-02-28T00:00:00.000+08:00',
      calendarEstimated: false,
    });
  });

  it('counts local days in Asia/Shanghai, whatever the offset of the start instant', () => {
    // 2026-02-12T17:00Z is 2026-02-13 01:00 in Shanghai: the same Friday as above.
    expect(computeDueDate({ workingDays: 5 }, '2026-02-12T17:00:00Z').dueAt).toBe('2026-02-28T00:00:00.000+08:00');
    // A Date object works like a string.
    expect(computeDueDate({ workingDays: 5 }, new Date('2026-02-13T02:00:00Z')).dueAt).toBe(
      '2026-02-28T00:00:00.000+08:00',
    );
  });

  it('1 working day from the day before the holiday skips the whole holiday', () => {
    // Saturday 02-14 is itself a working day, so the first working day after Friday 02-13 is 02-14.
    expect(computeDueDate({ workingDays: 1 }, '2026-02-13T18:00:00+08:00').dueAt).toBe('2026-02-15T00:00:00.000+08:00');
    // From the make-up day 02-14 the next working day is 02-24.
    expect(computeDueDate({ workingDays: 1 }, '2026-02-14T09:00:00+08:00').dueAt).toBe('2026-02-25T00:00:00.000+08:00');
  });

  it('a working-day period that runs past the bundled calendar is flagged calendarEstimated', () => {
    expect(CALENDAR_LAST_YEAR).toBe(2026);
    // 2026-12-31 (Thu) counts; 2027-01-01 is assumed Mon–Fri (the 2027 New Year holiday is not in the data).
    expect(computeDueDate({ workingDays: 5 }, '2026-12-30T10:00:00+08:00')).toEqual({
      dueAt: '2027-01-07T00:00:00.000+08:00',
      calendarEstimated: true,
    });
  });
});

describe('natural-day and month periods (民事诉讼法 Art 85)', () => {
  it('a natural-day period whose last day is in the National Day holiday rolls to the next working day', () => {
    // 2026-09-20 + 15 days = 2026-10-05, inside the 10-01..10-07 holiday; 10-08 (Thu) is the next working day.
    for (let d = 1; d <= 7; d++) expect(chineseDays.isWorkday(`2026-10-0${d}`)).toBe(false);
    expect(chineseDays.isWorkday('2026-10-08')).toBe(true);
    expect(computeDueDate({ days: 15 }, '2026-09-20T10:00:00+08:00')).toEqual({
      dueAt: '2026-10-09T00:00:00.000+08:00',
      calendarEstimated: false,
    });
  });

  it('does not count the starting day and does not move a last day that is a working day', () => {
    // 2026-03-02 + 15 days = 2026-03-17, a Tuesday.
    expect(computeDueDate({ days: 15 }, '2026-03-02T23:59:00+08:00').dueAt).toBe('2026-03-18T00:00:00.000+08:00');
  });

  it('6 months from 2026-08-31 clamps to 2027-02-28, rolls off the Sunday and is calendarEstimated', () => {
    // 2027 is past the bundled calendar (2004–2026): Monday 2027-03-01 is only assumed to be a working day.
    expect(computeDueDate({ months: 6 }, '2026-08-31T09:00:00+08:00')).toEqual({
      dueAt: '2027-03-02T00:00:00.000+08:00',
      calendarEstimated: true,
    });
  });

  it('1 month from 2026-01-31 clamps to 2026-02-28, a make-up working day, and stays there', () => {
    expect(chineseDays.isWorkday('2026-02-28')).toBe(true);
    expect(computeDueDate({ months: 1 }, '2026-01-31T09:00:00+08:00')).toEqual({
      dueAt: '2026-03-01T00:00:00.000+08:00',
      calendarEstimated: false,
    });
  });
});

describe('durations', () => {
  it('end exactly, even in a holiday, and never depend on the calendar', () => {
    expect(computeDueDate({ duration: 'PT30M' }, '2026-02-14T23:50:00+08:00')).toEqual({
      dueAt: '2026-02-15T00:20:00.000+08:00',
      calendarEstimated: false,
    });
    expect(computeDueDate({ duration: 'PT24H' }, '2027-06-01T08:00:00Z')).toEqual({
      dueAt: '2027-06-02T16:00:00.000+08:00',
      calendarEstimated: false,
    });
    expect(computeDueDate({ duration: 'PT2H' }, '2026-05-01T10:15:30.250+08:00').dueAt).toBe(
      '2026-05-01T12:15:30.250+08:00',
    );
  });
});

describe('invalid input', () => {
  it('throws on an unparsable start', () => {
    expect(() => computeDueDate({ workingDays: 1 }, 'not a date')).toThrow(RangeError);
    expect(() => computeDueDate({ days: 1 }, new Date(Number.NaN))).toThrow(/invalid start instant/);
  });
});

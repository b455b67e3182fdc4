import { describe, expect, it } from 'vitest';
import { dayKind, nextDayKind } from '../../web/src/holiday-calendar';

describe('the 节假日 screen', () => {
  const holidays = new Set(['2027-10-01']);
  const workdays = new Set(['2027-09-26']);

  it('shows each day as off, make-up, workday or weekend', () => {
    expect(dayKind('2027-10-01', holidays, workdays)).toBe('off');
    expect(dayKind('2027-09-26', holidays, workdays)).toBe('makeup'); // a Sunday worked
    expect(dayKind('2027-10-04', holidays, workdays)).toBe('workday'); // a Monday
    expect(dayKind('2027-10-09', holidays, workdays)).toBe('weekend'); // a Saturday
  });

  it('a click walks a weekday through 休 and back, a weekend through 休 and 班 and back', () => {
    expect(nextDayKind('2027-10-04', 'workday')).toBe('off');
    expect(nextDayKind('2027-10-04', 'off')).toBe('workday');
    expect(nextDayKind('2027-10-09', 'weekend')).toBe('off');
    expect(nextDayKind('2027-10-09', 'off')).toBe('makeup');
    expect(nextDayKind('2027-10-09', 'makeup')).toBe('weekend');
  });
});

import { describe, expect, it } from 'vitest';
import { timeBar } from '../domain/time-bar';
import { violationSchema } from '../domain/time-bar-schema';

/** 行政处罚法 Art 36 by hand-checked dates: the last allowed day of discovery and the day after. */
describe('the time bar (追责时效)', () => {
  const at = (day: string) => `${day}T10:00:00+08:00`;

  it('two years from the day of the violation: discovered on the last day is in time, the day after is barred', () => {
    const v = { occurredOn: '2024-03-10' };
    expect(timeBar(v, at('2026-03-10'))).toMatchObject({ years: 2, from: '2024-03-10', lastDay: '2026-03-10', barred: false });
    expect(timeBar(v, at('2026-03-11'))).toMatchObject({ lastDay: '2026-03-10', discoveredOn: '2026-03-11', barred: true });
  });

  it('discovery is the Asia/Shanghai day: 23:30 UTC on the last day is already the next day in Shanghai', () => {
    expect(timeBar({ occurredOn: '2024-03-10' }, '2026-03-10T16:30:00Z')).toMatchObject({ discoveredOn: '2026-03-11', barred: true });
  });

  it('five years where life, health, safety or financial safety was endangered', () => {
    const v = { occurredOn: '2021-06-01', harm: 'financial_safety' as const };
    expect(timeBar(v, at('2026-06-01'))).toMatchObject({ years: 5, lastDay: '2026-06-01', barred: false });
    expect(timeBar(v, at('2026-06-02'))).toMatchObject({ barred: true });
  });

  it('a continuing violation is counted from the day it ended', () => {
    const v = { occurredOn: '2020-01-01', endedOn: '2025-01-31' };
    expect(timeBar(v, at('2027-01-31'))).toMatchObject({ from: '2025-01-31', lastDay: '2027-01-31', barred: false });
    expect(timeBar(v, at('2027-02-01'))).toMatchObject({ barred: true });
  });

  it('29 February: the period ends on 28 February of a common year', () => {
    expect(timeBar({ occurredOn: '2024-02-29' }, at('2026-02-28'))).toMatchObject({ lastDay: '2026-02-28', barred: false });
    expect(timeBar({ occurredOn: '2024-02-29' }, at('2026-03-01'))).toMatchObject({ barred: true });
  });

  it('a violation cannot end before it began', () => {
    const parsed = violationSchema().safeParse({ occurredOn: '2025-05-01', endedOn: '2025-04-30' });
    expect(parsed.success).toBe(false);
    expect(parsed.error?.issues[0]?.path).toEqual(['endedOn']);
  });
});

import type { z } from 'zod';
import { parse as parseIsoDuration, toSeconds } from 'iso8601-duration';
import type { periodSchema } from './period-schema';

/**
 * A period as the law or a local policy states it. Working days follow the State Council
 * holiday schedule with its make-up days (调休); natural days and months follow 民事诉讼法 Art 85
 * (the starting day is not counted; a last day that is a holiday moves to the next working day).
 * Its schema is domain/period-schema.ts: the workflow imports this module for its arithmetic, and zod
 * would be evaluated again for every new case (domain/lazy.ts).
 */
export type Period = z.infer<ReturnType<typeof periodSchema>>;

export function isIsoDuration(value: string): boolean {
  if (!/^P(?!$)(\d+Y)?(\d+M)?(\d+W)?(\d+D)?(T(?=\d)(\d+H)?(\d+M)?(\d+S)?)?$/.test(value)) return false;
  return durationMs(value) > 0;
}

/** Milliseconds of an ISO 8601 duration with no calendar parts (PnDTnHnMnS). */
export function durationMs(iso: string): number {
  return toSeconds(parseIsoDuration(iso)) * 1000;
}

/** Doubles a period: level 2 escalation falls due at twice the SLA (deadlines.md). */
export function doublePeriod(period: Period): Period {
  if ('duration' in period) return { duration: `PT${(durationMs(period.duration) * 2) / 1000}S` };
  if ('workingDays' in period) return { workingDays: period.workingDays * 2 };
  if ('days' in period) return { days: period.days * 2 };
  return { months: period.months * 2 };
}

export function describePeriod(period: Period): string {
  if ('duration' in period) return period.duration;
  if ('workingDays' in period) return `${period.workingDays} working day(s)`;
  if ('days' in period) return `${period.days} day(s)`;
  return `${period.months} month(s)`;
}

import type { z } from 'zod';
import { SHANGHAI_OFFSET_MS } from './time';
import type { violationSchema } from './time-bar-schema';

/**
 * 行政处罚法 Art 36, the time bar (追责时效): a violation not discovered within 2 years is not penalised;
 * 5 years where it endangered citizens' life, health or safety, or financial safety, with harmful
 * consequences. Counted from the day the violation happened, or, for a continuing violation, from the
 * day it ended. Natural years: the period ends on the same date N years later (29 February → 28
 * February); discovery on that day is in time, on the day after it is barred.
 *
 * Pure date arithmetic on Asia/Shanghai dates, so workflow code may use it (the schema of a violation
 * is domain/time-bar-schema.ts: workflow modules are evaluated for every new workflow, domain/lazy.ts).
 */
export type Violation = z.infer<ReturnType<typeof violationSchema>>;

export interface TimeBar {
  years: 2 | 5;
  /** The day the period runs from: the violation's day, or the end of a continuing one. */
  from: string;
  /** The last day on which discovery is in time. */
  lastDay: string;
  /** The day the case was discovered (opened), Asia/Shanghai. */
  discoveredOn: string;
  barred: boolean;
  basis: string;
}

function addYears(isoDate: string, years: number): string {
  const [y, m, d] = isoDate.split('-').map(Number) as [number, number, number];
  const lastOfMonth = new Date(Date.UTC(y + years, m, 0)).getUTCDate();
  return new Date(Date.UTC(y + years, m - 1, Math.min(d, lastOfMonth))).toISOString().slice(0, 10);
}

export function timeBar(v: Violation, discoveredAt: string): TimeBar {
  const years = v.harm ? 5 : 2;
  const from = v.endedOn ?? v.occurredOn;
  const lastDay = addYears(from, years);
  const discoveredOn = new Date(Date.parse(discoveredAt) + SHANGHAI_OFFSET_MS).toISOString().slice(0, 10);
  return { years, from, lastDay, discoveredOn, barred: discoveredOn > lastDay, basis: '行政处罚法 Art 36' };
}

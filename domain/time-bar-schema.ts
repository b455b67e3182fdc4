import { z } from 'zod';
import { lazy } from './lazy';

/**
 * When a violation happened (domain/time-bar.ts), built on first use. Apart from time-bar.ts so that
 * workflow code, which imports its arithmetic, does not evaluate zod for every new case (domain/lazy.ts).
 */
export const violationSchema = lazy(() =>
  z
  .object({
    occurredOn: z.iso.date().describe('the day the violation happened (its first day, if it continued)'),
    endedOn: z.iso.date().optional().describe('for a continuing violation (连续或者继续状态): the day it ended; the time bar runs from here'),
    harm: z
      .enum(['life_health_safety', 'financial_safety'])
      .optional()
      .describe('it endangered life, health or safety, or financial safety, with harmful consequences: 5 years instead of 2'),
  })
  .strict()
  .superRefine((v, ctx) => {
    if (v.endedOn && v.endedOn < v.occurredOn) ctx.addIssue({ code: 'custom', path: ['endedOn'], message: 'a violation ends on or after the day it happened' });
  }),
);

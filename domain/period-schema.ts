import { z } from 'zod';
import { lazy } from './lazy';
import { isIsoDuration } from './periods';

/**
 * The schema of a period (domain/periods.ts), built on first use. Apart from periods.ts so that workflow
 * code, which imports the arithmetic, does not evaluate zod for every new case (domain/lazy.ts).
 */
export const periodSchema = lazy(() =>
  z.union([
    z.object({ duration: z.string().refine(isIsoDuration, 'must be an ISO 8601 duration such as PT30M or PT2H') }).strict(),
    z.object({ workingDays: z.number().int().positive().max(365) }).strict(),
    z.object({ days: z.number().int().positive().max(3650) }).strict(),
    z.object({ months: z.number().int().positive().max(120) }).strict(),
  ]),
);

import { z } from 'zod';
import { lazy } from './lazy';
import { MAX_SUMMONED_DEPARTMENTS, SUMMONS_ANSWERS } from './summons';

/**
 * The summons bodies' schemas (domain/summons.ts), built on first use. Apart from summons.ts so that
 * workflow code, which imports its rules, does not evaluate zod for every new case (domain/lazy.ts).
 */

/** Body of `POST /v1/cases/{caseId}/summons`. */
export const summonsSchema = lazy(() =>
  z
  .object({
    departmentCodes: z
      .array(z.string().trim().min(1).max(64).regex(/^[A-Za-z0-9_.-]+$/, 'letters, digits, _ . - only'))
      .min(1)
      .max(MAX_SUMMONED_DEPARTMENTS)
      .describe('the county departments summoned (of the case’s county), each once')
      .superRefine((codes, ctx) => {
        const seen = new Set<string>();
        codes.forEach((c, i) => {
          if (seen.has(c)) ctx.addIssue({ code: 'custom', path: [i], message: `department ${c} is named twice` });
          seen.add(c);
        });
      }),
    reason: z.string().trim().min(1).max(2000).describe('why the departments are needed (吹哨事由)'),
  })
  .strict(),
);
/** Body of `POST /v1/cases/{caseId}/summons/{departmentCode}/answer`. */
export const summonsAnswerSchema = lazy(() =>
  z
  .object({
    answer: z.enum(SUMMONS_ANSWERS).describe('report: the department reports for duty (报到); decline: it does not come, and says why'),
    reason: z.string().trim().min(1).max(2000).optional(),
  })
  .strict()
  .superRefine((b, ctx) => {
    if (b.answer === 'decline' && !b.reason) ctx.addIssue({ code: 'custom', path: ['reason'], message: 'a declined summons must say why' });
  }),
);

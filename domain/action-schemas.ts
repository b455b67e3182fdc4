import { z } from 'zod';
import { lazy, lazyRecord } from './lazy';
import { statutoryActionBodySchemaBuilders } from './statutory-schemas';
import type { ActionName } from './stages';
import { summonsAnswerSchema, summonsSchema } from './summons-schemas';
import { violationSchema } from './time-bar-schema';

/**
 * The body schemas the case workflow checks (clients may bypass the API), each built when first read
 * (domain/lazy.ts): a workflow evaluates this module anew and builds only the schemas of the steps and
 * requests it receives. domain/actions.ts exports the same schemas to the API and the console.
 */

const isoInstant = lazy(() => z.iso.datetime({ offset: true }));
const money = lazy(() => z.number().finite().nonnegative().max(1e10));

/** Bodies of `POST /v1/cases/{caseId}/actions/{action}` (api.md). */
export const actionBodySchemas = lazyRecord({
  /** 网格员巡查报告: the grid member's on-site report (also the `patrol` of a patrol case's opening). */
  'patrol-report': () =>
    z
      .object({
        gridMemberId: z.string().trim().min(1).max(64),
        observedAt: isoInstant(),
        findings: z.string().trim().min(1).max(5000),
        photos: z.array(z.url()).max(20).optional(),
      })
      .strict(),
  confirm: () => z.object({ confirmed: z.boolean(), reason: z.string().trim().max(2000).optional() }).strict(),
  capture: () => z
    .object({
      matterCode: z.string().trim().min(1).max(64),
      party: z
        .object({
          kind: z.enum(['person', 'organization']),
          name: z.string().trim().min(1).max(200),
          idNumber: z.string().trim().max(32).optional(),
          creditCode: z.string().trim().max(32).optional(),
          minor: z.boolean().optional().describe('a minor (未成年人): nothing is published'),
        })
        .strict(),
      evidence: z.array(z.unknown()).max(100).optional(),
      urgent: z.boolean().optional(),
      violation: violationSchema().optional().describe('when the violation happened: checked against the time bar (行政处罚法 Art 36)'),
    })
    .strict(),
  assign: () => z.discriminatedUnion('level', [
    z
      .object({
        level: z.literal('township'),
        officerIds: z.array(z.string().trim().min(1).max(64)).min(1).max(20),
      })
      .strict(),
    z.object({ level: z.literal('county'), departmentCode: z.string().trim().min(1).max(64) }).strict(),
  ]),
  handle: () => z
    .object({
      outcome: z.enum(['corrected', 'no_violation', 'case_required', 'suspected_crime', 'obstruction']),
      notes: z.string().trim().max(5000).optional(),
    })
    .strict(),
  file: () => z.object({ filedAt: isoInstant().optional() }).strict(),
  'notify-rights': () => z.object({ proposedFine: money().optional() }).strict(),
  'hearing-request': () => z.object({}).strict(),
  'hearing-held': () => z.object({ notes: z.string().trim().max(5000).optional() }).strict(),
  decide: () => z
    .object({
      kind: z.enum(['penalty', 'no_penalty']),
      fine: money().optional(),
      summary: z.boolean().optional(),
    })
    .strict()
    .superRefine((b, ctx) => {
      if (b.kind === 'no_penalty' && b.fine !== undefined && b.fine > 0) {
        ctx.addIssue({ code: 'custom', path: ['fine'], message: 'a no_penalty decision carries no fine' });
      }
    }),
  serve: () => z.object({ servedAt: isoInstant().optional() }).strict(),
  'record-payment': () => z.object({ amount: money().positive(), paidAt: isoInstant().optional() }).strict(),
  verify: () => z.object({ passed: z.boolean(), notes: z.string().trim().max(5000).optional() }).strict(),
  return: () => z.object({ reason: z.string().trim().min(1).max(2000).describe('why the work order is not the township’s business') }).strict(),
  ...statutoryActionBodySchemaBuilders,
} satisfies Record<ActionName, () => z.ZodType>);

export const SATISFACTION_RATINGS = ['satisfied', 'basically_satisfied', 'unsatisfied'] as const;

/** The body schema of each kind of request (the `request` Update). */
export const caseRequestSchemas = lazyRecord({
  /** `POST /v1/cases/{id}/extension-requests`: more time on a running deadline (延期申请). */
  'extension-request': () =>
    z
      .object({
        deadlineKind: z.string().trim().min(1).max(64).optional().describe('the running deadline to extend; default: the current stage\'s'),
        reason: z.string().trim().min(1).max(2000),
        workingDays: z.number().int().positive().max(30).optional().describe('working days added to the current due date'),
        newDueAt: isoInstant().optional().describe('or the new due instant'),
      })
      .strict()
      .superRefine((b, ctx) => {
        if ((b.workingDays === undefined) === (b.newDueAt === undefined)) {
          ctx.addIssue({ code: 'custom', path: ['workingDays'], message: 'give exactly one of workingDays or newDueAt' });
        }
      }),
  /** `POST /v1/cases/{id}/extension-requests/{requestId}/decision`: a supervisor approves or refuses. */
  'extension-decision': () =>
    z
      .object({ approved: z.boolean(), reason: z.string().trim().min(1).max(2000).optional() })
      .strict()
      .superRefine((b, ctx) => {
        if (!b.approved && !b.reason) ctx.addIssue({ code: 'custom', path: ['reason'], message: 'a refused extension must say why' });
      }),
  /** `POST /v1/cases/{id}/supervision-orders`: 督办, a supervisor urges the handler. */
  'supervision-order': () =>
    z
      .object({ note: z.string().trim().min(1).max(2000), dueAt: isoInstant().optional().describe('when the handler must have acted') })
      .strict(),
  /** `POST /v1/cases/{id}/satisfaction`: 回访 after close; `unsatisfied` with `reopen` re-opens the case. */
  satisfaction: () =>
    z
      .object({
        rating: z.enum(SATISFACTION_RATINGS).describe('满意 / 基本满意 / 不满意'),
        note: z.string().trim().max(2000).optional(),
        reopen: z.boolean().optional(),
      })
      .strict()
      .superRefine((b, ctx) => {
        if (b.reopen && b.rating !== 'unsatisfied') ctx.addIssue({ code: 'custom', path: ['reopen'], message: 'only an unsatisfied callback reopens the case' });
      }),
  summons: summonsSchema,
  'summons-answer': summonsAnswerSchema,
});

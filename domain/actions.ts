import { z } from 'zod';
import { patrolReportSchema } from './case';
import { violationSchema } from './time-bar';
import { statutoryActionBodySchemas } from './statutory';
import type { ActionName } from './stages';
import { summonsAnswerSchema, summonsSchema, type SummonsAnswerBody, type SummonsBody } from './summons';

const isoInstant = z.iso.datetime({ offset: true });
const money = z.number().finite().nonnegative().max(1e10);

/** Bodies of `POST /v1/cases/{caseId}/actions/{action}` (api.md). */
export const actionBodySchemas = {
  'patrol-report': patrolReportSchema,
  confirm: z.object({ confirmed: z.boolean(), reason: z.string().trim().max(2000).optional() }).strict(),
  capture: z
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
      violation: violationSchema.optional().describe('when the violation happened: checked against the time bar (行政处罚法 Art 36)'),
    })
    .strict(),
  assign: z.discriminatedUnion('level', [
    z
      .object({
        level: z.literal('township'),
        officerIds: z.array(z.string().trim().min(1).max(64)).min(1).max(20),
      })
      .strict(),
    z.object({ level: z.literal('county'), departmentCode: z.string().trim().min(1).max(64) }).strict(),
  ]),
  handle: z
    .object({
      outcome: z.enum(['corrected', 'case_required', 'suspected_crime', 'obstruction']),
      notes: z.string().trim().max(5000).optional(),
    })
    .strict(),
  file: z.object({ filedAt: isoInstant.optional() }).strict(),
  'notify-rights': z.object({ proposedFine: money.optional() }).strict(),
  'hearing-request': z.object({}).strict(),
  'hearing-held': z.object({ notes: z.string().trim().max(5000).optional() }).strict(),
  decide: z
    .object({
      kind: z.enum(['penalty', 'no_penalty']),
      fine: money.optional(),
      summary: z.boolean().optional(),
    })
    .strict()
    .superRefine((b, ctx) => {
      if (b.kind === 'no_penalty' && b.fine !== undefined && b.fine > 0) {
        ctx.addIssue({ code: 'custom', path: ['fine'], message: 'a no_penalty decision carries no fine' });
      }
    }),
  serve: z.object({ servedAt: isoInstant.optional() }).strict(),
  'record-payment': z.object({ amount: money.positive(), paidAt: isoInstant.optional() }).strict(),
  verify: z.object({ passed: z.boolean(), notes: z.string().trim().max(5000).optional() }).strict(),
  return: z.object({ reason: z.string().trim().min(1).max(2000).describe('why the work order is not the township’s business') }).strict(),
  ...statutoryActionBodySchemas,
} satisfies Record<ActionName, z.ZodType>;

export type ActionBody<A extends ActionName> = z.infer<(typeof actionBodySchemas)[A]>;

/** A human step as the case workflow receives it. */
export type ActionRequest = {
  [A in ActionName]: { action: A; body: ActionBody<A>; actor: import('./case').Actor };
}[ActionName];

/** 行政处罚法 Art 51: summary procedure only for a warning or a fine ≤ 200 yuan (citizen) or ≤ 3,000 yuan (organisation). */
export const SUMMARY_FINE_LIMIT = { person: 200, organization: 3000 } as const;

/** 行政处罚法 Art 42: every enforcement act needs at least two certified officers. */
export const MIN_CERTIFIED_OFFICERS = 2;

export const COUNTY_DECISIONS = ['accept', 'return', 'joint'] as const;
export const countyResponseSchema = z
  .object({
    decision: z.enum(COUNTY_DECISIONS),
    reason: z.string().trim().min(1).max(2000).optional(),
  })
  .strict()
  .superRefine((b, ctx) => {
    if (b.decision === 'return' && !b.reason) {
      ctx.addIssue({ code: 'custom', path: ['reason'], message: 'a returned transfer must say why' });
    }
  });
export type CountyResponse = z.infer<typeof countyResponseSchema>;

export const JUDICIAL_EVENTS = ['head-approval', 'police-decision', 'reconsideration-request', 'reconsideration-answer'] as const;
export type JudicialEventName = (typeof JUDICIAL_EVENTS)[number];
export const judicialEventBodySchemas = {
  'head-approval': z.object({ notes: z.string().max(2000).optional() }).strict(),
  'police-decision': z.object({ accepted: z.boolean(), reason: z.string().max(2000).optional() }).strict(),
  'reconsideration-request': z.object({ reason: z.string().max(2000).optional() }).strict(),
  'reconsideration-answer': z.object({ accepted: z.boolean(), reason: z.string().max(2000).optional() }).strict(),
} satisfies Record<JudicialEventName, z.ZodType>;

export const COURT_EVENTS = ['court-accepted', 'court-ruling', 'executed'] as const;
export type CourtEventName = (typeof COURT_EVENTS)[number];
export const courtEventBodySchemas = {
  'court-accepted': z
    .object({
      notes: z.string().max(2000).optional(),
      hearsParties: z.boolean().optional().describe('the court hears the parties (行政强制法 Art 58): it rules within 30 days instead of 7 working days'),
      acceptedAt: isoInstant.optional().describe('when the court accepted the application; default now'),
    })
    .strict(),
  'court-ruling': z.object({ granted: z.boolean(), notes: z.string().max(2000).optional() }).strict(),
  executed: z.object({ notes: z.string().max(2000).optional() }).strict(),
} satisfies Record<CourtEventName, z.ZodType>;

export interface JudicialEvent {
  event: JudicialEventName;
  accepted?: boolean;
  reason?: string;
  actor: import('./case').Actor;
  /** The client's request id (from its Idempotency-Key): a retried event is applied once. */
  requestId?: string;
}
export interface CourtEvent {
  event: CourtEventName;
  granted?: boolean;
  hearsParties?: boolean;
  acceptedAt?: string;
  actor: import('./case').Actor;
  requestId?: string;
}

// ---- 12345 work-order semantics: extensions, supervision orders, satisfaction callbacks

/** `POST /v1/cases/{id}/extension-requests`: more time on a running deadline (延期申请). */
export const extensionRequestSchema = z
  .object({
    deadlineKind: z.string().trim().min(1).max(64).optional().describe('the running deadline to extend; default: the current stage\'s'),
    reason: z.string().trim().min(1).max(2000),
    workingDays: z.number().int().positive().max(30).optional().describe('working days added to the current due date'),
    newDueAt: isoInstant.optional().describe('or the new due instant'),
  })
  .strict()
  .superRefine((b, ctx) => {
    if ((b.workingDays === undefined) === (b.newDueAt === undefined)) {
      ctx.addIssue({ code: 'custom', path: ['workingDays'], message: 'give exactly one of workingDays or newDueAt' });
    }
  });
export type ExtensionRequestBody = z.infer<typeof extensionRequestSchema>;

/** `POST /v1/cases/{id}/extension-requests/{requestId}/decision`: a supervisor approves or refuses. */
export const extensionDecisionSchema = z
  .object({ approved: z.boolean(), reason: z.string().trim().min(1).max(2000).optional() })
  .strict()
  .superRefine((b, ctx) => {
    if (!b.approved && !b.reason) ctx.addIssue({ code: 'custom', path: ['reason'], message: 'a refused extension must say why' });
  });
export type ExtensionDecisionBody = z.infer<typeof extensionDecisionSchema>;

/** `POST /v1/cases/{id}/supervision-orders`: 督办, a supervisor urges the handler. */
export const supervisionOrderSchema = z
  .object({ note: z.string().trim().min(1).max(2000), dueAt: isoInstant.optional().describe('when the handler must have acted') })
  .strict();
export type SupervisionOrderBody = z.infer<typeof supervisionOrderSchema>;

export const SATISFACTION_RATINGS = ['satisfied', 'basically_satisfied', 'unsatisfied'] as const;
/** `POST /v1/cases/{id}/satisfaction`: 回访 after close; `unsatisfied` with `reopen` re-opens the case. */
export const satisfactionSchema = z
  .object({
    rating: z.enum(SATISFACTION_RATINGS).describe('满意 / 基本满意 / 不满意'),
    note: z.string().trim().max(2000).optional(),
    reopen: z.boolean().optional(),
  })
  .strict()
  .superRefine((b, ctx) => {
    if (b.reopen && b.rating !== 'unsatisfied') ctx.addIssue({ code: 'custom', path: ['reopen'], message: 'only an unsatisfied callback reopens the case' });
  });
export type SatisfactionBody = z.infer<typeof satisfactionSchema>;

/** The body schema of each kind of request (the workflow checks them too: clients may bypass the API). */
export const caseRequestSchemas = {
  'extension-request': extensionRequestSchema,
  'extension-decision': extensionDecisionSchema,
  'supervision-order': supervisionOrderSchema,
  satisfaction: satisfactionSchema,
  summons: summonsSchema,
  'summons-answer': summonsAnswerSchema,
} as const;

/** A request about the case rather than a step of its procedure (the `request` Update). */
export type CaseRequest =
  | { kind: 'extension-request'; body: ExtensionRequestBody; actor: import('./case').Actor }
  | { kind: 'extension-decision'; requestId: string; body: ExtensionDecisionBody; actor: import('./case').Actor }
  | { kind: 'supervision-order'; body: SupervisionOrderBody; actor: import('./case').Actor }
  | { kind: 'satisfaction'; body: SatisfactionBody; actor: import('./case').Actor }
  | { kind: 'summons'; body: SummonsBody; actor: import('./case').Actor }
  | { kind: 'summons-answer'; departmentCode: string; body: SummonsAnswerBody; actor: import('./case').Actor };

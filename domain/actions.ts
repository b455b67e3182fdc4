import { z } from 'zod';
import { actionBodySchemas, caseRequestSchemas } from './action-schemas';
import type { ActionName } from './stages';
import type { SummonsAnswerBody, SummonsBody } from './summons';

const isoInstant = z.iso.datetime({ offset: true });

/**
 * Bodies of `POST /v1/cases/{caseId}/actions/{action}` (api.md) and of the requests about a case: built
 * when first read (domain/action-schemas.ts), so a workflow builds only those it validates.
 */
export { actionBodySchemas, caseRequestSchemas, SATISFACTION_RATINGS } from './action-schemas';

export type ActionBody<A extends ActionName> = z.infer<(typeof actionBodySchemas)[A]>;

/** A human step as the case workflow receives it. */
export type ActionRequest = {
  [A in ActionName]: { action: A; body: ActionBody<A>; actor: import('./case').Actor };
}[ActionName];

export { MIN_CERTIFIED_OFFICERS, SUMMARY_FINE_LIMIT } from './limits';

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
export const extensionRequestSchema = caseRequestSchemas['extension-request'];
export type ExtensionRequestBody = z.infer<typeof extensionRequestSchema>;

/** `POST /v1/cases/{id}/extension-requests/{requestId}/decision`: a supervisor approves or refuses. */
export const extensionDecisionSchema = caseRequestSchemas['extension-decision'];
export type ExtensionDecisionBody = z.infer<typeof extensionDecisionSchema>;

/** `POST /v1/cases/{id}/supervision-orders`: 督办, a supervisor urges the handler. */
export const supervisionOrderSchema = caseRequestSchemas['supervision-order'];
export type SupervisionOrderBody = z.infer<typeof supervisionOrderSchema>;

/** `POST /v1/cases/{id}/satisfaction`: 回访 after close; `unsatisfied` with `reopen` re-opens the case. */
export const satisfactionSchema = caseRequestSchemas.satisfaction;
export type SatisfactionBody = z.infer<typeof satisfactionSchema>;

/** A request about the case rather than a step of its procedure (the `request` Update). */
export type CaseRequest =
  | { kind: 'extension-request'; body: ExtensionRequestBody; actor: import('./case').Actor }
  | { kind: 'extension-decision'; requestId: string; body: ExtensionDecisionBody; actor: import('./case').Actor }
  | { kind: 'supervision-order'; body: SupervisionOrderBody; actor: import('./case').Actor }
  | { kind: 'satisfaction'; body: SatisfactionBody; actor: import('./case').Actor }
  | { kind: 'summons'; body: SummonsBody; actor: import('./case').Actor }
  | { kind: 'summons-answer'; departmentCode: string; body: SummonsAnswerBody; actor: import('./case').Actor };

/**
 * ApplicationFailure types a case workflow uses to refuse an action. The API maps them to HTTP:
 * WrongStage → 409, BusinessRuleViolation → 422, InvalidInput → 400, NotAllowed → 403, NotFound → 404.
 */
export const REFUSAL = {
  wrongStage: 'WrongStage',
  businessRule: 'BusinessRuleViolation',
  invalidInput: 'InvalidInput',
  notAllowed: 'NotAllowed',
  notFound: 'NotFound',
} as const;
export type RefusalType = (typeof REFUSAL)[keyof typeof REFUSAL];

export interface RefusalDetails {
  stage?: string;
  allowedActions?: string[];
  field?: string;
  [k: string]: unknown;
}

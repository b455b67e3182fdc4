import type { Claims } from '../../../api/claims';
import type { CaseView } from '../../../domain/case';
import { allowedActions, type CaseProgress } from '../../../domain/procedure';
import type { ActionName } from '../../../domain/stages';
import { SUMMONS_STAGES, type SummonedDepartment } from '../../../domain/summons';

/**
 * What the console offers on a case page. GET /v1/cases/{id} does not carry the allowed actions, so the
 * console computes them with the workflow's own rule (domain/procedure.ts allowedActions) from what the
 * case object shows: the workflow-internal "awaiting" state is read off the handler (a county handler
 * during assignment = awaiting the county's answer; judicial / court = a child process is running).
 * This only decides which forms to show: the server checks every step again and refuses with 409/422.
 */
export function progressOf(view: CaseView): CaseProgress {
  const awaiting =
    view.handler.level === 'judicial'
      ? 'judicial-transfer'
      : view.handler.level === 'court'
        ? 'court-enforcement'
        : view.stage === 'assignment' && view.handler.level === 'county'
          ? 'county-response'
          : undefined;
  return {
    ...(awaiting ? { awaiting } : {}),
    transferReturned: view.timeline.some((e) => e.type === 'transfer_returned'),
  } as CaseProgress;
}

/** May this person take the case's human steps? (the API's canActOnCase: township its own, county a transfer it holds) */
export function mayAct(claims: Claims, view: CaseView): boolean {
  if (claims.role === 'township') return claims.townshipCode === view.townshipCode && claims.countyCode === view.countyCode;
  if (claims.role === 'county') {
    return claims.countyCode === view.countyCode && view.handler.level === 'county' && view.handler.departmentCode === claims.departmentCode;
  }
  return false;
}

/** The actions this person can take on the case now. */
export function actionsFor(claims: Claims, view: CaseView): ActionName[] {
  if (!mayAct(claims, view)) return [];
  const progress = progressOf(view);
  // A transfer awaiting the county's answer: the department answers with county-response, nobody acts.
  if (progress.awaiting === 'county-response') return [];
  return allowedActions(view, progress);
}

/** True when this county department must answer the case's transfer (乡呼县应). */
export function awaitsAnswerFrom(claims: Claims, view: CaseView): boolean {
  return (
    claims.role === 'county' &&
    view.status === 'open' &&
    progressOf(view).awaiting === 'county-response' &&
    view.handler.departmentCode === claims.departmentCode &&
    view.countyCode === claims.countyCode
  );
}

/** May this person summon county departments to the case (吹哨)? The township of the case, while it is handled or processed (domain/summons.ts). */
export function maySummon(claims: Claims, view: CaseView): boolean {
  return (
    claims.role === 'township' &&
    view.status === 'open' &&
    SUMMONS_STAGES.includes(view.stage) &&
    claims.townshipCode === view.townshipCode &&
    claims.countyCode === view.countyCode
  );
}

/** The summons this county department has yet to answer (报到 or 不参加); a silent one may still answer, late. */
export function summonsAwaitingAnswer(claims: Claims, view: CaseView): SummonedDepartment[] {
  if (claims.role !== 'county' || !claims.departmentCode || claims.countyCode !== view.countyCode) return [];
  return (view.summons ?? []).filter((s) => s.departmentCode === claims.departmentCode && (s.status === 'pending' || s.status === 'silent'));
}

/** May this person publish or withdraw the case's disclosure (公示)? The township of the case, and admin (api/routes/disclosure.ts). */
export function mayActOnDisclosure(claims: Claims, view: CaseView): boolean {
  if (claims.role === 'admin') return true;
  return claims.role === 'township' && claims.townshipCode === view.townshipCode && claims.countyCode === view.countyCode;
}

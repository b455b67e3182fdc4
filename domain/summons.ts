import type { z } from 'zod';
import type { Actor, CaseView } from './case';
import { REFUSAL } from './errors';
import type { Stage } from './stages';
import type { summonsAnswerSchema, summonsSchema } from './summons-schemas';

/**
 * 街道吹哨、部门报到 (registries.md "Summons"): the township of a case summons several county departments of
 * its county at once to a joint enforcement. Each department answers within its response SLA (the SLA
 * policy's `county-response`): it reports for duty or declines with a reason. A silent department
 * escalates on its own (level 1 at its due time, level 2 at twice the period). A department that keeps
 * bouncing the case (county-transfer `return`s and summons declines, counted together per department)
 * escalates it to the county supervisor once it reaches the policy's bounce limit.
 */

/** Stages where a joint enforcement makes sense: on-site handling (问题处理) and formal case processing (案件办理). */
export const SUMMONS_STAGES: readonly Stage[] = ['handling', 'processing'];

/** How many departments one summons may name (every county of the demo has at most eight). */
export const MAX_SUMMONED_DEPARTMENTS = 20;

/** Body of `POST /v1/cases/{caseId}/summons` (its schema: domain/summons-schemas.ts). */
export type SummonsBody = z.infer<ReturnType<typeof summonsSchema>>;

export const SUMMONS_ANSWERS = ['report', 'decline'] as const;
/** Body of `POST /v1/cases/{caseId}/summons/{departmentCode}/answer`. */
export type SummonsAnswerBody = z.infer<ReturnType<typeof summonsAnswerSchema>>;

export type SummonsStatus = 'pending' | 'reported' | 'declined' | 'silent';

/** One summoned department on the case (`summons[]` of the case object). */
export interface SummonedDepartment {
  /** The summons that named it: several departments share one. */
  summonsId: string;
  departmentCode: string;
  departmentName: string;
  reason: string;
  summonedBy: Actor;
  summonedAt: string;
  /** The department's response deadline (kind `summons`). */
  deadlineId: string;
  dueAt: string;
  /** silent: its deadline passed unanswered; it may still answer (the answer is then `late`). */
  status: SummonsStatus;
  /** Its silence escalated: 1 at the due time (township leader), 2 at twice the period (county supervisor). */
  escalationLevel?: 1 | 2;
  answeredAt?: string;
  answeredBy?: Actor;
  /** The decline's reason (or the report's note). */
  answerReason?: string;
  late?: boolean;
}

/** The summons refusals the case's state decides (the department lookups are the workflow's). */
export interface SummonsRefusal {
  type: (typeof REFUSAL)[keyof typeof REFUSAL];
  message: string;
  details: Record<string, unknown>;
}

/** A township's summons on this case, before the departments are looked up. */
export function checkSummons(view: CaseView, body: SummonsBody, actor: Actor): SummonsRefusal | undefined {
  if (actor.role !== 'township' || actor.unit !== view.townshipCode) {
    return { type: REFUSAL.notAllowed, message: `only the township of the case (${view.townshipCode}) summons departments to it`, details: {} };
  }
  if (view.status !== 'open' || !SUMMONS_STAGES.includes(view.stage)) {
    return {
      type: REFUSAL.wrongStage,
      message: `departments are summoned while the case is handled or processed (${SUMMONS_STAGES.join(', ')}); it is ${view.status} in stage ${view.stage}`,
      details: { stage: view.stage, status: view.status },
    };
  }
  const awaited = (view.summons ?? []).filter((s) => body.departmentCodes.includes(s.departmentCode) && (s.status === 'pending' || s.status === 'silent'));
  if (awaited.length > 0) {
    const codes = awaited.map((s) => s.departmentCode);
    return {
      type: REFUSAL.wrongStage,
      message: `already summoned and not yet answered: ${codes.join(', ')}`,
      details: { field: 'departmentCodes', awaiting: codes },
    };
  }
  return undefined;
}

/** A department's answer: only its own, only to a summons it has not answered yet. */
export function checkSummonsAnswer(view: CaseView, departmentCode: string, actor: Actor): SummonsRefusal | undefined {
  if (actor.role !== 'county' || actor.unit !== departmentCode) {
    return { type: REFUSAL.notAllowed, message: `only department ${departmentCode} answers its own summons`, details: { field: 'departmentCode' } };
  }
  const mine = (view.summons ?? []).filter((s) => s.departmentCode === departmentCode);
  if (mine.length === 0) {
    return { type: REFUSAL.notFound, message: `department ${departmentCode} was not summoned to case ${view.caseId}`, details: { field: 'departmentCode' } };
  }
  if (!openSummonsOf(view, departmentCode)) {
    const last = mine.at(-1)!;
    return {
      type: REFUSAL.wrongStage,
      message: `department ${departmentCode} already answered summons ${last.summonsId} (${last.status} at ${last.answeredAt ?? '?'})`,
      details: { field: 'departmentCode', status: last.status },
    };
  }
  return undefined;
}

/** The department's summons still waiting for its answer (pending, or silent past its due time). */
export function openSummonsOf(view: CaseView, departmentCode: string): SummonedDepartment | undefined {
  return (view.summons ?? []).find((s) => s.departmentCode === departmentCode && (s.status === 'pending' || s.status === 'silent'));
}

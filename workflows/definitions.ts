import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import type { ActionRequest, CaseRequest, CountyResponse, CourtEvent, JudicialEvent } from '../domain/actions';
import type { Actor, CaseView, ChildKind, TimelineEntry } from '../domain/case';
import type { Deadline } from '../domain/deadlines';
import type { CaseStatus, Stage } from '../domain/stages';
import type { Notification } from '../activities/contract';
import type { Appeal, LateSurcharge } from '../domain/statutory';

/** Default task queue of the worker and the API. */
export const DEFAULT_TASK_QUEUE = 'enforcement-cases';

/**
 * What a step answers: where the case now stands. Not the case itself: every Update result is stored
 * in history, and the whole case (timeline included) at every step made a history grow with the square
 * of its timeline. Callers read the case (the read model holds it as of `seq` when the step returns).
 */
export interface StepOutcome {
  caseId: string;
  seq: number;
  stage: Stage;
  status: CaseStatus;
}

/** A human step (patrol report, confirm, capture, assign, …). */
export const actionUpdate = defineUpdate<StepOutcome, [ActionRequest]>('action');

/**
 * What `openedUpdate` answers: whether this caller is the first to be told of the case (201) or found an
 * existing one (200), and where it stands. Not the case itself (it is stored in history with the answer):
 * the case was projected before the answer, so the caller reads it from the read model as of `seq`.
 * `case` is only in the answers of runs that started before this change (histories kept under test).
 */
export interface OpenedOutcome extends StepOutcome {
  created: boolean;
  case?: CaseView;
}

/** Answers once the case has opened (sent with update-with-start by `POST /v1/cases`). */
export const openedUpdate = defineUpdate<OpenedOutcome, []>('opened');

/** A judicial-transfer or court-enforcement event: refused unless the child waits for exactly that event. */
export type ChildEventRequest =
  | { kind: 'judicial-transfer'; event: JudicialEvent }
  | { kind: 'court-enforcement'; event: CourtEvent };
export const childEventUpdate = defineUpdate<{ accepted: true; event: string }, [ChildEventRequest]>('childEvent');

/** A request about the case (extension, its decision, supervision order, satisfaction callback). */
export const requestUpdate = defineUpdate<StepOutcome & { requestId?: string }, [CaseRequest]>('request');

/** 乡呼县应: a county department answers a transfer. */
export interface CountyResponseSignal extends CountyResponse {
  departmentCode: string;
  actor: Actor;
  /** The client's request id (from its Idempotency-Key): a retried signal is applied once. */
  requestId?: string;
}
export const countyResponseSignal = defineSignal<[CountyResponseSignal]>('countyResponse');

/** Events of the judicial transfer and court enforcement, forwarded by the case to its child. */
export const judicialEventSignal = defineSignal<[JudicialEvent]>('judicialEvent');
export const courtEventSignal = defineSignal<[CourtEvent]>('courtEvent');
/** The party's reconsideration requests and lawsuits so far: enforcement waits while one is pending, ends when one revoked the penalty. */
export const appealSignal = defineSignal<[{ appeals: Appeal[] }]>('appeal');
export const paymentSignal = defineSignal<[{ amount: number; at: string; actor: Actor }]>('payment');

/** A year of the holiday calendar was published: the case recomputes its estimated deadlines. */
export const calendarPublishedSignal = defineSignal<[{ year: number; version: number }]>('calendarPublished');

/** A child reports a step to its case, which records it in the timeline and the read model. */
export interface ChildProgress {
  kind: ChildKind;
  /** Unique per child step; the case ignores a report it has seen (signals may be redelivered on retry). */
  stepId: string;
  type: string;
  at: string;
  actor: Actor;
  step?: string;
  data?: Record<string, unknown>;
  /** Deadlines the child started or changed with this step (the case shows them in its list). */
  deadlines?: Deadline[];
  notifications?: Notification[];
}
export const childProgressSignal = defineSignal<[ChildProgress]>('childProgress');

/** The whole case in the shape of api.md's case object. */
export const caseQuery = defineQuery<CaseView>('case');

/** 加处罚款 as of an instant (default: now); null when nothing accrues (no unpaid served fine past its deadline). */
export const lateSurchargeQuery = defineQuery<LateSurcharge | null, [string?]>('lateSurcharge');

export type { TimelineEntry };

/** Input of both child processes. */
export interface ChildInput {
  caseId: string;
  parentWorkflowId: string;
  /** 1 for the first transfer of this kind in the case, 2 for a second, …: keeps step ids unique. */
  attempt: number;
  countyCode: string;
  townshipCode: string;
}
export type JudicialTransferOutcome = 'accepted' | 'refused';
export interface CourtEnforcementInput extends ChildInput {
  fine: number;
  paidAmount: number;
  /** When the party received the decision: the appeal windows run from here. */
  servedAt: string;
  /** The payment deadline (the surcharge accrues from the day after it) and the party's appeals so far. */
  paymentDueAt?: string;
  appeals?: Appeal[];
}
export type CourtEnforcementOutcome = 'paid' | 'executed' | 'refused' | 'revoked';

export function judicialTransferWorkflowId(caseId: string): string {
  return `${caseId}/judicial-transfer`;
}
export function courtEnforcementWorkflowId(caseId: string): string {
  return `${caseId}/court-enforcement`;
}

import type { CaseReview, CaseView, TimelineEntry } from '../domain/case';
import type { DeadlineAnswer, DeadlineRequest } from '../domain/deadlines';
import type { PendingDeadline } from '../domain/deadline-entries';
import type { ResponsibilityRouting } from '../domain/case';
import type { SlaPolicy } from '../domain/sla';

/**
 * What the workflows ask of the outside world. Every activity is idempotent: a retry never writes a
 * row twice (events are keyed by case and seq, notifications by their dedupe key, reviews by case).
 */
export interface CaseActivities {
  /** The SLA policy new cases start with (latest published version). */
  loadSlaPolicy(): Promise<SlaPolicy>;
  /** Due dates on the working-day calendar; recorded in history so calendar updates never break replay. */
  computeDeadlines(requests: DeadlineRequest[]): Promise<DeadlineAnswer[]>;
  /** The matter's routing: who handles it in the case's county. */
  lookupMatter(input: { matterCode: string; countyCode: string }): Promise<MatterLookup>;
  /** A county department of the case's county. */
  lookupDepartment(input: { departmentCode: string; countyCode: string }): Promise<DepartmentLookup>;
  /** Officers' certificates at a moment, for the unit that acts. */
  checkOfficers(input: OfficerCheckRequest): Promise<OfficerCheck>;
  /**
   * Projects a transition: timeline rows, the case row (forward by seq only) and notifications, in one
   * transaction. With `deadlines`: computes their due dates (as computeDeadlines does), enters them into
   * the case row, and answers the due dates (in order); otherwise answers nothing.
   */
  recordTransition(input: TransitionRecord): Promise<DeadlineAnswer[] | void>;
  /** Writes the efficiency review of a closed case. */
  recordReview(input: ReviewRecord): Promise<void>;
  /** Open cases with a running estimated deadline, by case id after `after` (a page). */
  listCasesWithEstimatedDeadlines(input: { after?: string | undefined; limit: number }): Promise<string[]>;
}

export interface MatterRoute {
  code: string;
  name: string;
  category: 'penalty' | 'inspection' | 'compulsory' | 'other';
  level: 'township' | 'county';
  domain: string;
  /** For a county-level matter: the department of the case's county for its domain. */
  departmentCode?: string;
  legalBasis: string;
  /** The catalog version the case acted on (registry history keeps every version). */
  version?: number;
}
/**
 * `routing`: the county's responsibility list item for the matter (属地管理事项责任清单), when it has one: its
 * primary unit is proposed, its cooperating units are told. Answered with the matter so that a capture costs one
 * local activity (one marker in history); results recorded before the lists existed have none, so they replay
 * without it.
 */
export type MatterLookup = { found: true; matter: MatterRoute; routing?: ResponsibilityRouting } | { found: false; reason: string };
export type DepartmentLookup = { found: true; name: string; domain: string } | { found: false; reason: string };

export interface OfficerCheckRequest {
  officerIds: string[];
  /** The acting brigade (township) or department; officers of other units do not count. */
  townshipCode?: string;
  departmentCode?: string;
  at: string;
  /** The case's matter: an officer whose roster entry lists domains may act only on matters of those domains. */
  matterCode?: string;
}
export interface OfficerCheck {
  certified: string[];
  refused: { officerId: string; reason: string }[];
  /** The certificates of the certified officers as they were at the check (registry version included). */
  certificates?: OfficerCertificateRecord[];
}
export interface OfficerCertificateRecord {
  officerId: string;
  certificateNo: string | null;
  validFrom: string | null;
  validUntil: string | null;
  registryVersion: number;
}


export type NotificationChannel =
  | 'escalation'
  | 'reporter-feedback'
  | 'public-security'
  | 'county-transfer'
  | 'judicial-transfer'
  | 'court'
  | 'party'
  | 'dispatcher'
  | 'extension'
  | 'supervision'
  | 'reopen'
  | 'summons'
  | 'disclosure'
  | 'credit-publicity'
  | 'responsibility';

export interface Notification {
  /** Unique across the service; a retried activity writes each key once. */
  dedupeKey: string;
  channel: NotificationChannel;
  recipient: string;
  subject: string;
  payload: Record<string, unknown>;
}

export interface TransitionRecord {
  workflowId: string;
  /** The case after the transition; `snapshot.timeline` holds every event up to `seq`. */
  snapshot: CaseView;
  seq: number;
  events: TimelineEntry[];
  notifications: Notification[];
  /** Deadlines the step started without computing them (not yet in `snapshot.deadlines`). */
  deadlines?: PendingDeadline[];
  /** A closing step: the efficiency review of the case, written in the same transaction (as recordReview does). */
  review?: CaseReview;
}

export interface ReviewRecord {
  caseId: string;
  snapshot: CaseView;
  review: CaseReview;
}

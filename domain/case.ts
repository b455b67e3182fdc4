import type { CaseSource, CaseStatus, Resolution, Stage } from './stages';
import type { Deadline } from './deadlines';
import type { SlaPolicy } from './sla';
import type { CaseProgress } from './procedure';
import type { CaseLocation, OpenCaseBody, PatrolReport } from './case-schemas';

export type { CaseLocation, OpenCaseBody, PatrolReport };

/** Who did something: the token's subject and role, with the unit they act for. */
export interface Actor {
  sub: string;
  role: 'upstream' | 'township' | 'county' | 'supervisor' | 'admin' | 'system' | 'police' | 'court';
  unit?: string;
}
export const SYSTEM_ACTOR: Actor = { sub: 'system', role: 'system' };

/** Input of `caseWorkflow`: the opening request plus what the API knows when it starts the case. */
export interface CaseWorkflowInput extends OpenCaseBody {
  caseId: string;
  createdBy: Actor;
  /**
   * The SLA policy the case starts with: the API reads the current one with the township it checks
   * (no local-activity marker in the case's history); tests and the replay harness pin one. Absent:
   * the workflow loads the current policy itself.
   */
  slaPolicy?: SlaPolicy;
  /** When the case continues as new: the state of the run before (the case keeps its workflow id). */
  continued?: CaseRunState;
  /** Where a run continues as new (tests lower it); default HISTORY_LIMIT. */
  historyLimit?: { events: number; bytes: number };
  /** A 双随机 inspection case (source inspection): the drawn inspectors go on site, so it starts at handling. */
  inspection?: InspectionStart;
}

/** What a random-inspection campaign hands the case it starts for one drawn object. */
export interface InspectionStart {
  planId: string;
  drawId: string;
  objectId: string;
  matterCode: string;
  party: Party;
  handler: CaseHandler;
}

/**
 * A run continues as new well before Temporal's warnings (10,240 events or 10 MB; hard stop at 51,200
 * or 50 MB), or when Temporal suggests it.
 */
export const HISTORY_LIMIT = { events: 8000, bytes: 8 * 1024 * 1024 } as const;

/** Everything a case run knows beyond its input, carried into the next run by continue-as-new. */
export interface CaseRunState {
  view: CaseView;
  progress: CaseProgress;
  visits: StageVisit[];
  policy: SlaPolicy;
  escalations: number;
  seq: number;
  deadlinesStarted: number;
  appliedRequests: string[];
  seenChildSteps: string[];
  openingReported: boolean;
  /** 1 for the first run of the case, 2 after one continue-as-new, … */
  run: number;
  /**
   * The opening marker (workflows/case-patches.ts) the first run recorded: its id, or `true` for the first
   * such marker as runs carried it before there were two (absent: runs carried before any existed).
   */
  openedWithEveryPatch?: boolean | string;
}

export interface TimelineEntry {
  seq: number;
  at: string;
  type: string;
  stage: Stage;
  actor: Actor;
  data?: Record<string, unknown>;
}

export type HandlerLevel = 'township' | 'county' | 'judicial' | 'court';
export interface CaseHandler {
  level: HandlerLevel;
  departmentCode?: string;
  officerIds?: string[];
  /** A joint enforcement (联合执法): the township brigade works with the county department. */
  joint?: boolean;
}

export type ChildKind = 'judicial-transfer' | 'court-enforcement';
export interface ChildProcess {
  kind: ChildKind;
  workflowId: string;
  status: 'running' | 'completed';
  step?: string;
  outcome?: string;
}

export interface Party {
  kind: 'person' | 'organization';
  name: string;
  idNumber?: string;
  creditCode?: string;
  /** The party is a minor (未成年人): nothing of the case is published (disclosure.md). */
  minor?: boolean;
}

export interface Penalty {
  filedAt?: string;
  rightsNotifiedAt?: string;
  proposedFine?: number;
  hearingRequested?: boolean;
  hearingHeld?: boolean;
  kind?: 'penalty' | 'no_penalty';
  fine?: number;
  summary?: boolean;
  decidedAt?: string;
  servedAt?: string;
  paidAmount: number;
  paidAt?: string;
  /** The disclosure (公示) process of this decision, when one was started (workflows/disclosure.ts). */
  disclosureWorkflowId?: string;
  /** 听证通知 (行政处罚法 Art 64): when the notice reached the party and when the hearing is held. */
  hearingNotice?: import('./statutory').HearingNotice;
  /** The hearing is held only after its notice (set for hearings requested since the rule was built). */
  hearingNoticeRequired?: boolean;
  /** The party's reconsideration requests and lawsuits against the decision. */
  appeals?: import('./statutory').Appeal[];
  /** Revoked on reconsideration or by the court: the penalty fell. */
  revoked?: boolean;
  /** 加处罚款 as of the read (never stored: a projection of the dates above, domain/statutory.ts). */
  surcharge?: import('./statutory').LateSurcharge;
}

export interface StageVisit {
  stage: Stage;
  enteredAt: string;
  leftAt?: string;
}

export interface StageReview {
  stage: Stage;
  visit: number;
  enteredAt: string;
  leftAt: string;
  durationSeconds: number;
  dueAt?: string;
  onTime: boolean;
}

export interface CaseReview {
  closedAt: string;
  totalDurationSeconds: number;
  onTime: boolean;
  reworkCount: number;
  escalations: number;
  breachedDeadlines: number;
  stages: StageReview[];
}

/** The case object of api.md. */
export interface CaseView {
  caseId: string;
  externalRef?: string;
  source: CaseSource;
  status: CaseStatus;
  stage: Stage;
  resolution?: Resolution;
  countyCode: string;
  townshipCode: string;
  gridCode?: string;
  matterCode?: string;
  location: CaseLocation;
  description: string;
  urgent: boolean;
  reporter?: { name?: string; phone?: string };
  party?: Party;
  handler: CaseHandler;
  openedAt: string;
  updatedAt: string;
  closedAt?: string;
  slaPolicyVersion: number;
  reworkCount: number;
  deadlines: Deadline[];
  timeline: TimelineEntry[];
  children: ChildProcess[];
  /** 行政处罚法 Art 36: the time bar of the violation, when capture said when it happened. */
  timeBar?: import('./time-bar').TimeBar;
  /** 延期: requests for more time on a deadline and their decisions. */
  extensionRequests?: ExtensionRequest[];
  /** 督办: a supervisor's orders to the handler. */
  supervisionOrders?: SupervisionOrder[];
  /** 回访: the platform's satisfaction callbacks after close. */
  satisfaction?: SatisfactionRecord[];
  /** 吹哨报到: every department summoned to the case and its answer (domain/summons.ts). */
  summons?: import('./summons').SummonedDepartment[];
  /** Per county department: its transfer returns and summons declines (the bounce limit counts them). */
  bounces?: Record<string, number>;
  /** How often an unsatisfied callback reopened the case. */
  reopenCount?: number;
  penalty?: Penalty;
  /** 先行登记保存: preserved evidence and the agency's decision on it (7 working days). */
  evidencePreservations?: import('./statutory').EvidencePreservation[];
  /** Earlier penalty procedures of this case, ended by a failed verification (rework). */
  previousPenalties?: Penalty[];
  review?: CaseReview;
  /** 属地管理事项责任清单: the unit proposed at assignment and the units told (set when the matter is captured). */
  routing?: ResponsibilityRouting;
  createdBy: Actor;
}

export interface ExtensionRequest {
  requestId: string;
  deadlineId: string;
  deadlineKind: string;
  reason: string;
  workingDays?: number;
  newDueAt?: string;
  requestedBy: Actor;
  requestedAt: string;
  status: 'pending' | 'approved' | 'refused';
  decidedBy?: Actor;
  decidedAt?: string;
  decisionReason?: string;
  /** The due date before and after an approved extension. */
  previousDueAt?: string;
  grantedDueAt?: string;
}

export interface SupervisionOrder {
  orderId: string;
  note: string;
  dueAt?: string;
  orderedBy: Actor;
  orderedAt: string;
  /** Who was urged: the handling unit at the time. */
  handler: string;
}

export interface SatisfactionRecord {
  rating: 'satisfied' | 'basically_satisfied' | 'unsatisfied';
  note?: string;
  reopened: boolean;
  by: Actor;
  at: string;
}

/** A unit of a responsibility list: a department code of the county, or `township` (the case's township or street). */
export const TOWNSHIP_UNIT = 'township';

/** Routing by the responsibility list, as the case shows it: the primary unit is proposed, the cooperating units are told. */
export interface ResponsibilityRouting {
  primaryUnit: string;
  cooperatingUnits: string[];
  listItem: { id: string; name: string; version: number };
}

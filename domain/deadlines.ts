import type { Period } from './periods';
import type { Stage } from './stages';
import type { SlaKey } from './sla';
import type { DisclosureDeadlineKind } from './disclosure';

/** Who must act before a deadline. Agency, county, police and court deadlines escalate on breach;
 * a party's deadline (hearing request, payment, appeal windows) lapses and moves the case on. */
export type DeadlineHolder = 'agency' | 'county' | 'police' | 'court' | 'party';

export type StatutoryDeadlineKind =
  | 'filing'
  | 'decision'
  | 'hearing-request'
  | 'service'
  | 'payment'
  | 'head-approval'
  | 'handover'
  | 'police-decision'
  | 'reconsideration-request'
  | 'reconsideration-answer'
  | 'reconsideration-window'
  | 'litigation-window'
  | 'reminder'
  | 'court-application'
  | 'court-acceptance'
  | 'court-ruling'
  | 'complaint-acceptance'
  | 'evidence-preservation'
  | 'inspection-publication';

/** `supervision`: a supervisor's 督办 order with a due date for the handler; `summons`: one summoned
 * department's answer (its period is the SLA policy's county-response); the disclosure's deadlines (domain/disclosure.ts). */
export type DeadlineKind = SlaKey | StatutoryDeadlineKind | 'supervision' | 'summons' | DisclosureDeadlineKind;

export interface StatutoryDeadline {
  period: Period;
  holder: DeadlineHolder;
  label: string;
  source: string;
}

/** Statutory deadlines of deadlines.md with their legal sources. */
export const STATUTORY_DEADLINES: Record<StatutoryDeadlineKind, StatutoryDeadline> = {
  filing: { period: { workingDays: 15 }, holder: 'agency', label: '立案审查', source: '市场监督管理行政处罚程序规定 Art 18' },
  decision: { period: { days: 90 }, holder: 'agency', label: '立案后作出决定', source: '行政处罚法 Art 60' },
  'hearing-request': { period: { workingDays: 5 }, holder: 'party', label: '当事人申请听证', source: '行政处罚法 Arts 64, 85' },
  service: { period: { workingDays: 7 }, holder: 'agency', label: '送达处罚决定书', source: '行政处罚法 Arts 61, 85' },
  payment: { period: { days: 15 }, holder: 'party', label: '缴纳罚款', source: '行政处罚法 Art 67' },
  'head-approval': { period: { days: 3 }, holder: 'agency', label: '负责人批准移送', source: '国务院令第310号 Art 5' },
  handover: { period: { duration: 'PT24H' }, holder: 'agency', label: '移送公安机关', source: '国务院令第310号 Art 5' },
  'police-decision': { period: { days: 3 }, holder: 'police', label: '公安机关决定是否立案', source: '国务院令第310号 Art 8' },
  'reconsideration-request': { period: { days: 3 }, holder: 'agency', label: '提请复议', source: '国务院令第310号 Art 9' },
  'reconsideration-answer': { period: { days: 3 }, holder: 'police', label: '公安机关复议决定', source: '国务院令第310号 Art 9' },
  'reconsideration-window': { period: { days: 60 }, holder: 'party', label: '申请行政复议期限', source: '行政复议法 Art 20' },
  'litigation-window': { period: { months: 6 }, holder: 'party', label: '提起行政诉讼期限', source: '行政诉讼法 Art 46' },
  reminder: { period: { workingDays: 10 }, holder: 'party', label: '催告后履行期限', source: '行政强制法 Arts 54, 69' },
  'court-application': { period: { months: 3 }, holder: 'agency', label: '申请法院强制执行', source: '行政强制法 Art 53' },
  'court-acceptance': { period: { workingDays: 5 }, holder: 'court', label: '法院受理申请', source: '行政强制法 Art 56' },
  'court-ruling': { period: { workingDays: 7 }, holder: 'court', label: '法院作出裁定', source: '行政强制法 Arts 57, 58' },
  'complaint-acceptance': { period: { workingDays: 7 }, holder: 'agency', label: '投诉举报受理', source: '市场监督管理投诉举报处理暂行办法 Art 14' },
  'evidence-preservation': { period: { workingDays: 7 }, holder: 'agency', label: '先行登记保存物品处理决定', source: '行政处罚法 Arts 56, 85' },
  'inspection-publication': { period: { workingDays: 20 }, holder: 'agency', label: '双随机抽查结果公示', source: '食品生产经营监督检查管理办法 Art 39; 企业信息公示暂行条例 Art 6' },
};

/** A deadline as the case shows it (api.md `deadlines[]`, extended). */
export interface Deadline {
  id: string;
  kind: DeadlineKind;
  stage: Stage;
  holder: DeadlineHolder;
  startedAt: string;
  dueAt: string;
  /** Level 2 escalation: twice the period after the start. Absent for party deadlines. */
  escalateAt?: string;
  status: 'running' | 'met' | 'lapsed' | 'cancelled';
  /** escalate: breach makes the case overdue (level 1 at due, 2 at escalateAt); lapse: the right or
   * window simply ends at due (a party's deadline) and the process moves on. */
  onExpiry: 'escalate' | 'lapse';
  /** Workflow ID of the child process that runs this deadline's timer; absent for the case's own. */
  owner?: string;
  closedAt?: string;
  overdue: boolean;
  escalationLevel: 0 | 1 | 2;
  calendarEstimated?: boolean;
  /** The SLA policy version or legal source behind the period. */
  basis: string;
  /** Approved extensions (延期): each moved dueAt (and escalateAt) later. */
  extensions?: number;
}

/** Request to the deadline activity: compute when a period that starts at `from` ends. */
export interface DeadlineRequest {
  from: string;
  period: Period;
  /** The calendar must include this published version of a year (a recomputation after publishing it). */
  calendarAtLeast?: { year: number; version: number };
  /** Also compute the level-2 escalation instant (twice the period). */
  withEscalation: boolean;
}
export interface DeadlineAnswer {
  dueAt: string;
  escalateAt?: string;
  calendarEstimated: boolean;
}

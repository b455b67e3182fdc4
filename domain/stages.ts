/**
 * The eight stages of the closed loop (闭环): 网格巡查 → 源头发现 → 信息采集 → 任务分派 →
 * 问题处理 → 案件办理 → 核查反馈 → 效能监督. See shared/design/domain.md.
 */
export const STAGES = [
  'patrol',
  'discovery',
  'capture',
  'assignment',
  'handling',
  'processing',
  'verification',
  'review',
] as const;
export type Stage = (typeof STAGES)[number];

/** Chinese labels for officials. */
export const STAGE_LABELS: Record<Stage, string> = {
  patrol: '网格巡查',
  discovery: '源头发现',
  capture: '信息采集',
  assignment: '任务分派',
  handling: '问题处理',
  processing: '案件办理',
  verification: '核查反馈',
  review: '效能监督',
};

export const CASE_SOURCES = ['patrol', 'hotline', 'complaint', 'inspection', 'referral'] as const;
export type CaseSource = (typeof CASE_SOURCES)[number];

export const CASE_STATUSES = ['open', 'closed'] as const;
export type CaseStatus = (typeof CASE_STATUSES)[number];

export const RESOLUTIONS = [
  'resolved', // corrected and verified
  'unfounded', // discovery found nothing to act on
  'transferred_judicial', // accepted by public security (移送司法机关)
  'penalty_paid', // fine paid
  'enforced', // court enforcement executed
  'enforcement_refused', // the court refused compulsory enforcement
  'no_penalty', // formal case decided without penalty
  'penalty_revoked', // the party's reconsideration or lawsuit revoked the penalty
  'returned_to_dispatcher', // a 12345 work order that is not the township's business, returned before assignment
] as const;
export type Resolution = (typeof RESOLUTIONS)[number];

/** Human steps, in the order they usually happen. */
export const ACTIONS = [
  'patrol-report',
  'confirm',
  'capture',
  'assign',
  'handle',
  'file',
  'notify-rights',
  'hearing-request',
  'hearing-held',
  'decide',
  'serve',
  'record-payment',
  'verify',
  'return',
  // statutory steps (domain/statutory.ts)
  'preserve-evidence',
  'decide-preserved-evidence',
  'hearing-notice',
  'appeal-filed',
  'appeal-decided',
] as const;
export type ActionName = (typeof ACTIONS)[number];

/** Stages in which a dispatched work order may still be returned (退回): before it is assigned. */
export const RETURNABLE_STAGES: readonly Stage[] = ['patrol', 'discovery', 'capture', 'assignment'];
/** Sources that come from a dispatcher (the 12345 platform, a complaint desk, a referring agency). */
export const DISPATCHED_SOURCES: readonly CaseSource[] = ['hotline', 'complaint', 'referral'];

/** The stage each action belongs to. */
export const ACTION_STAGE: Record<ActionName, Stage> = {
  'patrol-report': 'patrol',
  confirm: 'discovery',
  capture: 'capture',
  assign: 'assignment',
  handle: 'handling',
  file: 'processing',
  'notify-rights': 'processing',
  'hearing-request': 'processing',
  'hearing-held': 'processing',
  decide: 'processing',
  serve: 'processing',
  'record-payment': 'processing',
  verify: 'verification',
  // also patrol, discovery and capture: see RETURNABLE_STAGES
  return: 'assignment',
  'preserve-evidence': 'processing',
  'decide-preserved-evidence': 'processing',
  'hearing-notice': 'processing',
  'appeal-filed': 'processing',
  'appeal-decided': 'processing',
};

export function isStage(value: string): value is Stage {
  return (STAGES as readonly string[]).includes(value);
}

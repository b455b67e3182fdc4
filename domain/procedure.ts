import type { ActionRequest } from './actions';
import { MIN_CERTIFIED_OFFICERS, SUMMARY_FINE_LIMIT } from './actions';
import type { CaseView } from './case';
import { REFUSAL, type RefusalType } from './errors';
import { ACTION_STAGE, STAGE_LABELS, type ActionName } from './stages';

/** What the case is waiting for besides a human step in its stage. */
export type Awaiting = 'county-response' | 'judicial-transfer' | 'court-enforcement';

/** Workflow-internal facts the rules need beyond the case object. */
export interface CaseProgress {
  awaiting?: Awaiting;
  /** The county department returned the transfer: the township may handle a county-level matter. */
  transferReturned: boolean;
  matterLevel?: 'township' | 'county';
  matterDepartmentCode?: string;
}

export interface Refusal {
  type: RefusalType;
  message: string;
  details: Record<string, unknown>;
}

function outstanding(view: CaseView): number {
  const p = view.penalty;
  return Math.max(0, (p?.fine ?? 0) - (p?.paidAmount ?? 0));
}

function hearingWindowRunning(view: CaseView): boolean {
  return view.deadlines.some((d) => d.kind === 'hearing-request' && d.status === 'running');
}

/** The human steps the case accepts now. */
export function allowedActions(view: CaseView, progress: CaseProgress): ActionName[] {
  if (view.status !== 'open') return [];
  const p = view.penalty;
  switch (view.stage) {
    case 'patrol':
      return ['patrol-report'];
    case 'discovery':
      return ['confirm'];
    case 'capture':
      return ['capture'];
    case 'assignment':
      return progress.awaiting === 'county-response' ? [] : ['assign'];
    case 'handling':
      return progress.awaiting === 'judicial-transfer' ? [] : ['handle'];
    case 'processing': {
      const decided = p?.decidedAt !== undefined;
      const fined = (p?.fine ?? 0) > 0;
      const actions: ActionName[] = [];
      if (progress.awaiting === 'court-enforcement') return outstanding(view) > 0 ? ['record-payment'] : [];
      if (!decided && !p?.filedAt) actions.push('file');
      if (!decided && p?.filedAt && !p.rightsNotifiedAt) actions.push('notify-rights');
      if (!decided && hearingWindowRunning(view) && !p?.hearingRequested) actions.push('hearing-request');
      if (!decided && p?.hearingRequested && !p.hearingHeld) actions.push('hearing-held');
      if (!decided) actions.push('decide');
      if (decided && fined && !p?.servedAt) actions.push('serve');
      if (decided && fined && p?.servedAt && outstanding(view) > 0) actions.push('record-payment');
      return actions;
    }
    case 'verification':
      return ['verify'];
    case 'review':
      return [];
  }
}

function wrongState(view: CaseView, progress: CaseProgress, action: ActionName, why: string): Refusal {
  const allowed = allowedActions(view, progress);
  return {
    type: REFUSAL.wrongStage,
    message: `${why}; the case is in stage "${view.stage}" (${STAGE_LABELS[view.stage]})${
      view.status === 'closed' ? ' and closed' : ''
    }; allowed now: ${allowed.length ? allowed.join(', ') : 'none'}`,
    details: { stage: view.stage, status: view.status, awaiting: progress.awaiting, allowedActions: allowed, action },
  };
}

function businessRule(message: string, details: Record<string, unknown> = {}): Refusal {
  return { type: REFUSAL.businessRule, message, details };
}

/**
 * Checks a human step against the stage and the rules that need no lookup. Rules that need the
 * registries (certificates, the matter catalog) are checked by the workflow through activities.
 */
export function checkAction(view: CaseView, progress: CaseProgress, req: ActionRequest): Refusal | undefined {
  const { action } = req;
  if (view.status !== 'open' || ACTION_STAGE[action] !== view.stage) {
    return wrongState(view, progress, action, `action "${action}" belongs to stage "${ACTION_STAGE[action]}"`);
  }
  if (!allowedActions(view, progress).includes(action)) {
    const reason =
      progress.awaiting === 'county-response'
        ? 'the case awaits the county department\'s response to its transfer (乡呼县应)'
        : progress.awaiting === 'judicial-transfer'
          ? 'the case is with the judicial transfer'
          : `action "${action}" is not possible at this point of stage "${view.stage}"`;
    return wrongState(view, progress, action, reason);
  }
  const p = view.penalty;
  switch (req.action) {
    case 'assign': {
      if (req.body.level === 'township') {
        const distinct = new Set(req.body.officerIds);
        if (distinct.size < MIN_CERTIFIED_OFFICERS) {
          return businessRule(
            `every enforcement act needs at least ${MIN_CERTIFIED_OFFICERS} certified officers (行政处罚法 Art 42); ${distinct.size} named`,
            { field: 'officerIds' },
          );
        }
        if (progress.matterLevel === 'county' && !progress.transferReturned) {
          return businessRule(
            `matter ${view.matterCode} is handled at county level (department ${progress.matterDepartmentCode ?? 'unknown'}): transfer it with level "county"`,
            { field: 'level', departmentCode: progress.matterDepartmentCode },
          );
        }
      }
      return undefined;
    }
    case 'decide': {
      const body = req.body;
      if (body.summary) {
        if (body.kind !== 'penalty') return businessRule('the summary procedure (简易程序) decides a penalty on the spot', { field: 'kind' });
        const party = view.party;
        if (!party) return businessRule('the party must be captured before a summary decision', { field: 'summary' });
        const limit = SUMMARY_FINE_LIMIT[party.kind];
        if ((body.fine ?? 0) > limit) {
          return businessRule(
            `the summary procedure allows a fine of at most ${limit} yuan for a${party.kind === 'person' ? ' citizen' : 'n organisation'} (行政处罚法 Art 51); ${body.fine} asked`,
            { field: 'fine', limit },
          );
        }
        return undefined;
      }
      if (!p?.filedAt) return wrongState(view, progress, 'decide', 'a general-procedure decision needs the case filed (立案) first');
      if (!p.rightsNotifiedAt) return wrongState(view, progress, 'decide', 'the party must be told of its rights (告知) before the decision');
      if (hearingWindowRunning(view)) return wrongState(view, progress, 'decide', 'the party\'s 5-working-day hearing window is still open');
      if (p.hearingRequested && !p.hearingHeld) return wrongState(view, progress, 'decide', 'the requested hearing has not been held');
      return undefined;
    }
    case 'record-payment': {
      const due = outstanding(view);
      if (req.body.amount > due) {
        return businessRule(`payment of ${req.body.amount} exceeds the outstanding fine of ${due}`, { field: 'amount', outstanding: due });
      }
      return undefined;
    }
    default:
      return undefined;
  }
}

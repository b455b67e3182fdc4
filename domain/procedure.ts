import type { ActionRequest, CaseRequest } from './actions';
import { MIN_CERTIFIED_OFFICERS, SUMMARY_FINE_LIMIT } from './limits';
import type { CaseView, ChildKind } from './case';
import { REFUSAL, type RefusalType } from './errors';
import { checkSummons, checkSummonsAnswer } from './summons';
import { checkFilingExtension, checkStatutoryAction, statutoryActions } from './statutory';
import { ACTION_STAGE, DISPATCHED_SOURCES, RETURNABLE_STAGES, STAGE_LABELS, type ActionName } from './stages';

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
  const actions = stageActions(view, progress);
  if (mayReturn(view, progress)) actions.push('return');
  return actions;
}

/** 退回: a dispatched work order, before it is assigned (and not while a county department is asked). */
function mayReturn(view: CaseView, progress: CaseProgress): boolean {
  return (
    view.status === 'open' &&
    DISPATCHED_SOURCES.includes(view.source) &&
    RETURNABLE_STAGES.includes(view.stage) &&
    progress.awaiting !== 'county-response'
  );
}

function stageActions(view: CaseView, progress: CaseProgress): ActionName[] {
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
      if (progress.awaiting === 'court-enforcement') return [...(outstanding(view) > 0 ? (['record-payment'] as ActionName[]) : []), ...statutoryActions(view, true)];
      if (!decided && !p?.filedAt) actions.push('file');
      // Again after a first notice: a heavier penalty than the one proposed needs a new notice.
      if (!decided && p?.filedAt) actions.push('notify-rights');
      if (!decided && hearingWindowRunning(view) && !p?.hearingRequested) actions.push('hearing-request');
      if (!decided && p?.hearingRequested && !p.hearingHeld) actions.push('hearing-held');
      if (!decided) actions.push('decide');
      if (decided && fined && !p?.servedAt) actions.push('serve');
      if (decided && fined && p?.servedAt && outstanding(view) > 0) actions.push('record-payment');
      actions.push(...statutoryActions(view, false));
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
export function checkAction(view: CaseView, progress: CaseProgress, req: ActionRequest, nowMs = Date.now()): Refusal | undefined {
  const { action } = req;
  if (action === 'return') {
    if (!DISPATCHED_SOURCES.includes(view.source)) {
      return businessRule(`only a dispatched work order (${DISPATCHED_SOURCES.join(', ')}) can be returned; a ${view.source} case is the township's own`, {
        field: 'reason',
        source: view.source,
      });
    }
    if (!mayReturn(view, progress)) {
      return wrongState(view, progress, action, `a work order is returned before it is assigned (stages ${RETURNABLE_STAGES.join(', ')})`);
    }
    return undefined;
  }
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
      const bar = view.timeBar;
      if (body.kind === 'penalty' && bar?.barred) {
        return businessRule(
          `the violation is time-barred (${bar.basis}): counted from ${bar.from}, it had to be discovered within ${bar.years} years, by ${bar.lastDay}; it was discovered on ${bar.discoveredOn}, so no penalty may be given (decide no_penalty)`,
          { field: 'kind', lastDay: bar.lastDay },
        );
      }
      if (body.summary) {
        if (body.kind !== 'penalty') return businessRule('the summary procedure (简易程序) decides a penalty on the spot', { field: 'kind' });
        if (p?.filedAt) {
          return businessRule(
            `the case was filed (立案) under the general procedure on ${p.filedAt}${p.hearingRequested ? ' and the party requested a hearing' : ''}: it is decided under the general procedure, not the summary one (行政处罚法 Arts 51, 54, 63)`,
            { field: 'summary' },
          );
        }
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
      if (body.kind === 'penalty' && p.proposedFine !== undefined && (body.fine ?? 0) > p.proposedFine) {
        return businessRule(
          `the party was told of a proposed fine of ${p.proposedFine} yuan (告知 ${p.rightsNotifiedAt}); a heavier penalty (${body.fine}) needs a new notice first (notify-rights, 行政处罚法 Arts 44, 45)`,
          { field: 'fine', proposedFine: p.proposedFine },
        );
      }
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
      return checkStatutoryAction(view, req.action, req.body as Record<string, unknown>, nowMs);
  }
}

/** The event each step of a child process waits for (the step names the children report). */
const CHILD_STEP_EVENTS: Record<ChildKind, Record<string, string>> = {
  'judicial-transfer': {
    'head-approval': 'head-approval',
    'police-decision': 'police-decision',
    'reconsideration-request': 'reconsideration-request',
    'reconsideration-answer': 'reconsideration-answer',
  },
  'court-enforcement': {
    'court-acceptance': 'court-accepted',
    'court-ruling': 'court-ruling',
    execution: 'executed',
  },
};

const CHILD_LABELS: Record<ChildKind, string> = {
  'judicial-transfer': 'judicial transfer (移送司法)',
  'court-enforcement': 'court enforcement (申请法院强制执行)',
};

/**
 * Checks an event of the judicial transfer or court enforcement against the step its process waits
 * for: events out of order (a police decision before the head's approval, execution before the ruling)
 * are refused, naming what the process waits for. `forwarded`: an event already passed on that the
 * child has not answered with its next step yet.
 */
export function checkChildEvent(view: CaseView, kind: ChildKind, event: string, forwarded: string | undefined): Refusal | undefined {
  const child = view.children.find((c) => c.kind === kind && c.status === 'running');
  if (view.status !== 'open' || !child) {
    return {
      type: REFUSAL.wrongStage,
      message: `the case has no running ${CHILD_LABELS[kind]}`,
      details: { field: 'event', stage: view.stage, status: view.status },
    };
  }
  if (forwarded !== undefined) {
    return {
      type: REFUSAL.wrongStage,
      message: `the ${CHILD_LABELS[kind]} is still processing "${forwarded}"; retry "${event}" once it has moved on`,
      details: { field: 'event', step: child.step ?? 'starting', processing: forwarded },
    };
  }
  const expected = child.step ? CHILD_STEP_EVENTS[kind][child.step] : undefined;
  if (event !== expected) {
    return {
      type: REFUSAL.wrongStage,
      message: `"${event}" is out of order: the ${CHILD_LABELS[kind]} is at step "${child.step ?? 'starting'}" and waits for ${expected ? `"${expected}"` : 'no event now (its own deadlines run)'}`,
      details: { field: 'event', step: child.step ?? 'starting', waitsFor: expected ?? null },
    };
  }
  return undefined;
}

const wrongStateOf = (view: CaseView, message: string, details: Record<string, unknown> = {}): Refusal => ({
  type: REFUSAL.wrongStage,
  message,
  details: { stage: view.stage, status: view.status, ...details },
});

/** The running deadline an extension request is about: the one named, else the current stage's own. */
export function extensionTarget(view: CaseView, kind?: string) {
  const running = view.deadlines.filter((d) => d.status === 'running' && d.onExpiry === 'escalate' && d.owner === undefined);
  return kind ? running.find((d) => d.kind === kind) : running.find((d) => d.stage === view.stage && d.kind !== 'supervision');
}

/**
 * Checks a request about the case (12345 work-order semantics) against its state: an extension on a
 * running deadline before it falls due, a decision on a pending request, a supervision order on an open
 * case, a satisfaction callback within the callback window after close.
 */
export function checkCaseRequest(view: CaseView, req: CaseRequest, nowMs: number): Refusal | undefined {
  switch (req.kind) {
    case 'extension-request': {
      if (view.status !== 'open') return wrongStateOf(view, 'a closed case has no deadline to extend');
      const target = extensionTarget(view, req.body.deadlineKind);
      if (!target) {
        return wrongStateOf(view, `no running deadline${req.body.deadlineKind ? ` "${req.body.deadlineKind}"` : ` of stage "${view.stage}"`} to extend`, {
          field: 'deadlineKind',
        });
      }
      if (target.escalationLevel > 0 || Date.parse(target.dueAt) <= nowMs) {
        return businessRule(`the ${target.kind} deadline fell due at ${target.dueAt}: an extension is asked before a deadline falls due`, {
          field: 'deadlineKind',
          dueAt: target.dueAt,
        });
      }
      if ((view.extensionRequests ?? []).some((r) => r.deadlineId === target.id && r.status === 'pending')) {
        return wrongStateOf(view, `an extension of the ${target.kind} deadline already awaits a supervisor's decision`, { field: 'deadlineKind' });
      }
      const filing = checkFilingExtension(view, target, req.body);
      if (filing) return filing;
      if (req.body.newDueAt !== undefined && Date.parse(req.body.newDueAt) <= Date.parse(target.dueAt)) {
        return businessRule(`the new due date must be after the current one (${target.dueAt})`, { field: 'newDueAt' });
      }
      return undefined;
    }
    case 'extension-decision': {
      const request = (view.extensionRequests ?? []).find((r) => r.requestId === req.requestId);
      if (!request) return { type: REFUSAL.notFound, message: `no extension request ${req.requestId} on this case`, details: { field: 'requestId' } };
      if (request.status !== 'pending') return wrongStateOf(view, `extension request ${req.requestId} was already ${request.status}`, { field: 'requestId' });
      const deadline = view.deadlines.find((d) => d.id === request.deadlineId);
      if (req.body.approved && deadline?.status !== 'running') {
        return wrongStateOf(view, `the ${request.deadlineKind} deadline is no longer running (${deadline?.status ?? 'unknown'}): nothing to extend`, { field: 'approved' });
      }
      return undefined;
    }
    case 'supervision-order':
      if (view.status !== 'open') return wrongStateOf(view, 'a closed case is not urged; its review is done');
      if (req.body.dueAt !== undefined && Date.parse(req.body.dueAt) <= nowMs) {
        return businessRule('the due date of a supervision order must be in the future', { field: 'dueAt' });
      }
      return undefined;
    case 'satisfaction': {
      if (!DISPATCHED_SOURCES.includes(view.source)) {
        return businessRule(`satisfaction callbacks (回访) are for dispatched work orders; a ${view.source} case has no reporter to call back`, { field: 'rating' });
      }
      if (view.status !== 'closed') return wrongStateOf(view, 'a satisfaction callback (回访) follows the close of the case');
      const window = view.deadlines.find((d) => d.kind === 'callback' && d.status === 'running');
      if (!window) {
        const ended = view.deadlines.filter((d) => d.kind === 'callback').at(-1);
        return wrongStateOf(view, ended ? `the callback window ended at ${ended.closedAt ?? ended.dueAt}` : 'the case has no callback window', { field: 'rating' });
      }
      return undefined;
    }
    case 'summons':
      return checkSummons(view, req.body, req.actor);
    case 'summons-answer':
      return checkSummonsAnswer(view, req.departmentCode, req.actor);
  }
}

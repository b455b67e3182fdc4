import * as wf from '@temporalio/workflow';
import { Mutex } from 'async-mutex';
import { WorkflowExecutionAlreadyStartedError } from '@temporalio/common';
import type { InspectionActivities, InspectionTarget } from '../activities/inspection-campaign';
import type { CaseWorkflowInput } from '../domain/case';
import { STATUTORY_DEADLINES as LAW } from '../domain/deadlines';
import { REFUSAL } from '../domain/errors';
import { toShanghaiIso } from '../domain/time';
import { caseWorkflow } from './case';
import { DeadlineBook } from './deadline-book';
import {
  campaignQuery,
  inspectionDrawUpdate,
  inspectionResultSignal,
  type CampaignState,
  type DrawCommand,
  type InspectionCampaignInput,
} from './inspection-campaign-messages';
import { activityOptions } from './options';

const acts = wf.proxyLocalActivities<InspectionActivities>(activityOptions);

export interface CampaignOutcome {
  planId: string;
  publishedAt: string;
  results: number;
}

/**
 * One 双随机一公开 campaign (registries.md): freeze the pool → draws (Updates, every attempt recorded,
 * until the inspectors go on site) → assign the drawn inspectors → one inspection case per drawn object,
 * started in a sliding window (policy.window results outstanding at most, far below Temporal's 2,000
 * pending children) → results (recorded by the API, announced by Signals) → publication, under the 20-working-day deadline that the
 * deadline book runs and escalates. Continues as new every policy.continueAfter cases started.
 * Cases are started with ParentClosePolicy ABANDON: each is an enforcement case in its own right.
 */
export async function inspectionCampaignWorkflow(input: InspectionCampaignInput): Promise<CampaignOutcome> {
  return new CampaignRun(input).run();
}

class CampaignRun {
  private readonly state: CampaignState;
  private readonly book: DeadlineBook;
  /** Draws and the step that starts the inspection do not interleave. */
  private readonly lock = new Mutex();
  /** Objects whose result was announced since the campaign last looked. */
  private readonly inbox: string[] = [];
  private startedThisRun = 0;

  constructor(private readonly input: InspectionCampaignInput) {
    this.state = input.continued ?? {
      attempts: 0,
      inspecting: false,
      total: 0,
      started: 0,
      pending: [],
      recorded: [],
      deadlines: [],
      deadlinesStarted: 0,
      run: 1,
    };
    this.book = new DeadlineBook(this.state.deadlines, undefined, '', this.state.deadlinesStarted);
    wf.setHandler(campaignQuery, () => this.state);
    wf.setHandler(inspectionDrawUpdate, (cmd) => this.draw(cmd), { validator: (cmd) => this.validateDraw(cmd) });
    wf.setHandler(inspectionResultSignal, (r) => void this.inbox.push(r.objectId));
  }

  private validateDraw(cmd: DrawCommand): void {
    if (this.state.inspecting) {
      throw wf.ApplicationFailure.create({
        type: REFUSAL.wrongStage,
        message: `the inspection has started with draw ${this.state.drawId}; no more draws`,
        nonRetryable: true,
      });
    }
    if (this.state.attempts > 0 && !cmd.reason) {
      throw wf.ApplicationFailure.create({
        type: REFUSAL.invalidInput,
        message: `this plan was drawn ${this.state.attempts} time(s) already: a redraw needs a reason (it stays visible)`,
        details: [{ field: 'reason' }],
        nonRetryable: true,
      });
    }
  }

  private async draw(cmd: DrawCommand) {
    // The pool is frozen before any seed is used.
    await wf.condition(() => this.state.poolHash !== undefined);
    return this.lock.runExclusive(async () => {
      this.validateDraw(cmd); // the campaign may have moved on while this draw waited
      const attempt = this.state.attempts + 1;
      const answer = await acts.drawInspection({
        planId: this.input.planId,
        attempt,
        seedSource: cmd.seed,
        ...(cmd.reason ? { reason: cmd.reason } : {}),
        drawnBy: cmd.actor.sub,
      });
      this.state.attempts = attempt;
      if (answer.status === 'accepted') this.state.drawId = answer.drawId;
      return answer;
    });
  }

  async run(): Promise<CampaignOutcome> {
    if (!this.state.inspecting) {
      const frozen = await acts.freezeInspectionPool({ planId: this.input.planId });
      this.state.poolSize = frozen.size;
      this.state.poolHash = frozen.poolHash;
      // Draws are taken until the inspectors go on site; the latest accepted one is carried out.
      const wait = Date.parse(this.input.inspectionAt) - Date.now();
      if (wait > 0) await wf.sleep(wait);
      await wf.condition(() => this.state.drawId !== undefined);
      await this.lock.runExclusive(() => this.beginInspection());
    }
    while (this.state.publishedAt === undefined) {
      await this.fillWindow();
      // Results live in Postgres (the API writes them before it signals): a signal lost or arriving while
      // the campaign continues as new delays nothing past the next look.
      await this.syncResults();
      if (this.state.recorded.length >= this.state.total && this.state.started >= this.state.total) {
        await this.publish();
        break;
      }
      const mayStartMore = this.state.started < this.state.total && this.startedThisRun < this.input.policy.continueAfter;
      if (mayStartMore && this.state.pending.length < this.input.policy.window) continue; // a slot freed: start the next case
      if (this.state.started < this.state.total && (this.startedThisRun >= this.input.policy.continueAfter || wf.workflowInfo().continueAsNewSuggested)) {
        await wf.condition(wf.allHandlersFinished);
        await wf.continueAsNew<typeof inspectionCampaignWorkflow>({ ...this.input, continued: { ...this.state, deadlinesStarted: this.book.started, run: this.state.run + 1 } });
      }
      const wake = this.book.nextWakeUp();
      const woken = () => this.inbox.length > 0;
      if (wake === undefined) await wf.condition(woken);
      else await wf.condition(woken, Math.max(1, wake - Date.now()));
      this.inbox.length = 0;
      for (const expiry of this.book.expire(Date.now())) {
        if (expiry.outcome === 'lapsed') continue;
        await acts.escalatePublication({ planId: this.input.planId, dueAt: expiry.deadline.dueAt, at: expiry.at, level: expiry.outcome });
      }
    }
    await wf.condition(wf.allHandlersFinished);
    return { planId: this.input.planId, publishedAt: this.state.publishedAt!, results: this.state.recorded.length };
  }

  /** The inspectors go on site: the draw in force is carried out, and the publication deadline starts. */
  private async beginInspection(): Promise<void> {
    this.state.inspecting = true;
    const begun = await acts.beginInspection({ planId: this.input.planId, drawId: this.state.drawId! });
    this.state.total = begun.objects;
    const law = LAW['inspection-publication'];
    const [due] = await this.book.start([
      { kind: 'inspection-publication', stage: 'review', holder: law.holder, period: law.period, basis: law.source, from: this.input.inspectionAt },
    ]);
    this.state.deadlinesStarted = this.book.started;
    await acts.recordPublicationDeadline({ planId: this.input.planId, dueAt: due!.dueAt });
  }

  /** Starts cases until policy.window results are outstanding (or this run has started its share). */
  private async fillWindow(): Promise<void> {
    const { window, continueAfter } = this.input.policy;
    while (this.state.started < this.state.total && this.state.pending.length < window && this.startedThisRun < continueAfter) {
      const limit = Math.min(window - this.state.pending.length, continueAfter - this.startedThisRun);
      const page = await acts.inspectionTargets({ drawId: this.state.drawId!, offset: this.state.started, limit });
      if (page.length === 0) {
        this.state.total = this.state.started; // the draw has no more objects than that
        return;
      }
      for (const target of page) await this.startCase(target);
    }
  }

  private async startCase(t: InspectionTarget): Promise<void> {
    const caseId = t.caseId;
    const args: CaseWorkflowInput = {
      caseId,
      source: 'inspection',
      externalRef: caseId,
      countyCode: t.countyCode,
      townshipCode: t.townshipCode,
      ...(t.gridCode ? { gridCode: t.gridCode } : {}),
      location: { address: t.address },
      description: t.description,
      createdBy: this.input.createdBy,
      inspection: {
        planId: this.input.planId,
        drawId: this.state.drawId!,
        objectId: t.objectId,
        matterCode: t.matterCode,
        party: {
          kind: t.kind,
          name: t.name,
          ...(t.creditCode ? { creditCode: t.creditCode } : {}),
          ...(t.idNumber ? { idNumber: t.idNumber } : {}),
        },
        handler: t.handlerDepartmentCode
          ? { level: 'county', departmentCode: t.handlerDepartmentCode, officerIds: t.officerIds }
          : { level: 'township', officerIds: t.officerIds },
      },
    };
    try {
      await wf.startChild(caseWorkflow, { workflowId: caseId, args: [args], parentClosePolicy: wf.ParentClosePolicy.ABANDON });
    } catch (err) {
      // Started by an earlier run of this campaign (a retried task after continue-as-new): it runs already.
      if (!(err instanceof WorkflowExecutionAlreadyStartedError)) throw err;
    }
    this.state.started += 1;
    this.startedThisRun += 1;
    this.state.pending.push(t.objectId);
  }

  /** The pending objects whose results are recorded leave the window. */
  private async syncResults(): Promise<void> {
    if (this.state.pending.length === 0) return;
    const done = new Set(await acts.resultsIn({ planId: this.input.planId, objectIds: this.state.pending }));
    if (done.size === 0) return;
    this.state.pending = this.state.pending.filter((id) => !done.has(id));
    for (const id of done) if (!this.state.recorded.includes(id)) this.state.recorded.push(id);
  }

  /** Every result is in: they are published (公示) and the deadline is met (or was escalated). */
  private async publish(): Promise<void> {
    const at = toShanghaiIso(Date.now());
    this.book.close('inspection-publication', 'met', at);
    await acts.publishInspectionResults({ planId: this.input.planId, at });
    this.state.publishedAt = at;
  }
}

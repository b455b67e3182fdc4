import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import type { Actor } from '../domain/case';
import type { Deadline } from '../domain/deadlines';
import type { InspectionPolicy, SeedSource } from '../domain/inspection-plan';
import type { DrawAnswer } from '../activities/inspection-campaign';

/**
 * The protocol of `inspectionCampaignWorkflow` (workflows/inspection-campaign.ts), shared with the API:
 * the draw is an Update (its answer is the recorded attempt), a recorded result a Signal, the state a Query.
 */

export interface InspectionCampaignInput {
  planId: string;
  countyCode: string;
  /** When the inspectors go on site; the publication deadline counts from it. */
  inspectionAt: string;
  policy: InspectionPolicy;
  createdBy: Actor;
  /** Carried over when the campaign continues as new. */
  continued?: CampaignState;
}

export interface CampaignState {
  poolHash?: string;
  poolSize?: number;
  attempts: number;
  /** The accepted draw in force. */
  drawId?: string;
  inspecting: boolean;
  /** Drawn objects (known once the inspection begins). */
  total: number;
  /** Targets already started as cases (a cursor into the draw's objects, by id). */
  started: number;
  /** Objects whose case runs and whose result is still awaited (the sliding window). */
  pending: string[];
  /** Objects with a recorded result. */
  recorded: string[];
  deadlines: Deadline[];
  deadlinesStarted: number;
  publishedAt?: string;
  run: number;
}

export interface DrawCommand {
  seed: SeedSource;
  reason?: string;
  actor: Actor;
}

/** A result was recorded (the API wrote its row first): the campaign looks at its pending objects again. */
export interface ResultSignal {
  objectId: string;
}

export const inspectionDrawUpdate = defineUpdate<DrawAnswer, [DrawCommand]>('inspectionDraw');
export const inspectionResultSignal = defineSignal<[ResultSignal]>('inspectionResult');
export const campaignQuery = defineQuery<CampaignState>('campaign');

export function inspectionCampaignWorkflowId(planId: string): string {
  return `inspection-campaign/${planId}`;
}

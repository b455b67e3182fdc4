import * as wf from '@temporalio/workflow';
import type { CaseActivities, Notification } from '../activities/contract';
import type { Actor, CaseView } from '../domain/case';
import { TOWNSHIP_UNIT } from '../domain/registries';
import { activityOptions } from './options';

/**
 * Routing by the territorial responsibility list (属地管理事项责任清单), when the case reaches
 * assignment: the list item of the case's matter in its county proposes the primary unit and tells the
 * cooperating units (inbox). A county without an item for the matter records that, and routing stays
 * with the matter catalog as before.
 */

const acts = wf.proxyLocalActivities<Pick<CaseActivities, 'lookupResponsibility'>>(activityOptions);

/** What routing needs of the case workflow. */
export interface RoutingHooks {
  view: CaseView;
  record(type: string, actor: Actor, data?: Record<string, unknown>): { seq: number };
  notify(key: string, n: Omit<Notification, 'dedupeKey'>): void;
}

/** The inbox address of a unit of the list, for a case in `townshipCode`. */
export const unitRecipient = (unit: string, townshipCode: string): string =>
  unit === TOWNSHIP_UNIT ? `brigade:${townshipCode}` : `department:${unit}`;

export async function proposeRouting(hooks: RoutingHooks, actor: Actor): Promise<void> {
  const { view } = hooks;
  if (!view.matterCode) return;
  const found = await acts.lookupResponsibility({ countyCode: view.countyCode, matterCode: view.matterCode });
  if (!found.found) {
    delete view.routing;
    hooks.record('routing_unlisted', actor, { reason: found.reason });
    return;
  }
  const routing = found.routing;
  view.routing = routing;
  const entry = hooks.record('routing_proposed', actor, { ...routing });
  for (const unit of routing.cooperatingUnits) {
    hooks.notify(`routing-${entry.seq}-${unit}`, {
      channel: 'responsibility',
      recipient: unitRecipient(unit, view.townshipCode),
      subject: `配合责任: case ${view.caseId} (${routing.listItem.name}) — primary unit ${routing.primaryUnit}`,
      payload: { caseId: view.caseId, matterCode: view.matterCode, listItem: routing.listItem, primaryUnit: routing.primaryUnit },
    });
  }
}

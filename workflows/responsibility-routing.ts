import type { Notification } from '../activities/contract';
import type { CaseView } from '../domain/case';
import { TOWNSHIP_UNIT, type ResponsibilityRouting } from '../domain/case';

/**
 * Routing by the territorial responsibility list (属地管理事项责任清单), found with the matter at capture:
 * the list item of the case's matter in its county proposes the primary unit (shown on the case as
 * `routing`) and the cooperating units are told (inbox). A county without an item for the matter has
 * no proposal; routing then stays with the matter catalog, as before.
 */

/** The inbox address of a unit of the list, for a case in `townshipCode`. */
export const unitRecipient = (unit: string, townshipCode: string): string =>
  unit === TOWNSHIP_UNIT ? `brigade:${townshipCode}` : `department:${unit}`;

/**
 * Sets `view.routing` from the list item the matter lookup found (activities: lookupMatter), or clears it
 * (a capture again after rework, a county without an item for the matter: routing stays with the catalog).
 */
export function proposeRouting(view: CaseView, found: ResponsibilityRouting | undefined): ResponsibilityRouting | undefined {
  delete view.routing;
  if (found) view.routing = found;
  return found;
}

/** Tells each cooperating unit (配合责任) of the proposal; `key` makes the notifications of one capture unique. */
export function tellCooperatingUnits(view: CaseView, routing: ResponsibilityRouting, key: string, notify: (key: string, n: Omit<Notification, 'dedupeKey'>) => void): void {
  for (const unit of routing.cooperatingUnits) {
    notify(`${key}-${unit}`, {
      channel: 'responsibility',
      recipient: unitRecipient(unit, view.townshipCode),
      subject: `配合责任: case ${view.caseId} (${routing.listItem.name}), primary unit ${routing.primaryUnit}`,
      payload: { caseId: view.caseId, matterCode: view.matterCode ?? null, listItem: routing.listItem, primaryUnit: routing.primaryUnit },
    });
  }
}

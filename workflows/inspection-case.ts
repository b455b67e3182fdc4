import type { InspectionStart } from '../domain/case';

/**
 * The case side of a 双随机 inspection: the campaign drew the object and its inspectors, so the case
 * opens at handling (问题处理: the inspectors are on site) with them as its handler. Its timeline says
 * which campaign and draw put it there.
 */
export function recordInspectionStart(start: InspectionStart, record: (type: string, data: Record<string, unknown>) => void): void {
  record('inspection_started', {
    planId: start.planId,
    drawId: start.drawId,
    objectId: start.objectId,
    matterCode: start.matterCode,
    party: start.party,
    officerIds: start.handler.officerIds ?? [],
    ...(start.handler.departmentCode ? { departmentCode: start.handler.departmentCode } : {}),
  });
}

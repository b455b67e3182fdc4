import type { CaseReview, CaseView, StageReview, StageVisit } from './case';

/**
 * 效能监督: the efficiency review of a closed case. Pure: computed from the recorded stage visits and
 * deadlines, so the same history always gives the same review.
 */
export function reviewCase(view: CaseView, visits: StageVisit[], closedAt: string, escalations: number): CaseReview {
  const closedMs = Date.parse(closedAt);
  const counts = new Map<string, number>();
  const own = view.deadlines.filter((d) => d.onExpiry === 'escalate');
  const stages: StageReview[] = visits
    .filter((v) => v.stage !== 'review')
    .map((v) => {
      const visit = (counts.get(v.stage) ?? 0) + 1;
      counts.set(v.stage, visit);
      const enteredMs = Date.parse(v.enteredAt);
      const leftAt = v.leftAt ?? closedAt;
      const leftMs = Date.parse(leftAt);
      // deadlines of this stage that ran during this visit
      const during = own.filter((d) => d.stage === v.stage && Date.parse(d.startedAt) >= enteredMs && Date.parse(d.startedAt) <= leftMs);
      const sla = during.find((d) => d.kind === v.stage);
      return {
        stage: v.stage,
        visit,
        enteredAt: v.enteredAt,
        leftAt,
        durationSeconds: Math.round((leftMs - enteredMs) / 1000),
        ...(sla ? { dueAt: sla.dueAt } : {}),
        onTime: during.every((d) => !d.overdue),
      };
    });
  const breached = own.filter((d) => d.overdue).length;
  return {
    closedAt,
    totalDurationSeconds: Math.round((closedMs - Date.parse(view.openedAt)) / 1000),
    onTime: breached === 0,
    reworkCount: view.reworkCount,
    escalations,
    breachedDeadlines: breached,
    stages,
  };
}

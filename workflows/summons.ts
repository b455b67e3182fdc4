import * as wf from '@temporalio/workflow';
import type { CaseActivities, Notification } from '../activities/contract';
import { SYSTEM_ACTOR, type Actor, type CaseView, type TimelineEntry } from '../domain/case';
import type { Deadline } from '../domain/deadlines';
import { REFUSAL } from '../domain/errors';
import { limitFor, slaFor, type SlaPolicy } from '../domain/sla';
import { openSummonsOf, type SummonedDepartment, type SummonsAnswerBody, type SummonsBody } from '../domain/summons';
import { toShanghaiIso } from '../domain/time';
import type { DeadlineBook } from './deadline-book';
import { activityOptions } from './options';

const { lookupDepartment } = wf.proxyLocalActivities<Pick<CaseActivities, 'lookupDepartment'>>(activityOptions);

/** What the summons desk needs of its case run: the case, its deadline book, and its ways of recording. */
export interface SummonsHost {
  readonly view: CaseView;
  readonly book: DeadlineBook;
  policy(): SlaPolicy;
  record(type: string, actor: Actor, data?: Record<string, unknown>, at?: string): TimelineEntry;
  notify(key: string, n: Omit<Notification, 'dedupeKey'>): void;
  /** Counts an escalation of the case in its efficiency review. */
  countEscalation(): void;
}

/** How a department bounced the case: it returned a county transfer, or declined a summons. */
export type Bounce = 'transfer-return' | 'summons-decline';

const nowIso = () => toShanghaiIso(Date.now());

/**
 * 街道吹哨、部门报到 inside the case workflow (rules in domain/summons.ts). The case run calls it from its
 * `request` Update (summons, answers), from its deadline breaches (a silent department) and from a
 * county department's returned transfer (the bounce count). State lives on the case object
 * (`summons`, `bounces`), so it is carried over by continue-as-new with the view.
 */
export class SummonsDesk {
  constructor(private readonly host: SummonsHost) {}

  private get view(): CaseView {
    return this.host.view;
  }

  /** Summons every department named (all known departments of the case's county, else nothing happens). */
  async summon(body: SummonsBody, actor: Actor): Promise<string> {
    const lookups = await Promise.all(body.departmentCodes.map((departmentCode) => lookupDepartment({ departmentCode, countyCode: this.view.countyCode })));
    const refused = body.departmentCodes.flatMap((code, i) => {
      const l = lookups[i]!;
      return l.found ? [] : [{ code, reason: l.reason }];
    });
    if (refused.length > 0) {
      throw wf.ApplicationFailure.create({
        type: REFUSAL.businessRule,
        message: `not departments of county ${this.view.countyCode}: ${refused.map((r) => r.reason).join('; ')}`,
        details: [{ field: 'departmentCodes', refused: refused.map((r) => r.code) }],
        nonRetryable: true,
      });
    }
    const at = nowIso();
    const policy = this.host.policy();
    const summonsId = `SUM-${(this.view.timeline.at(-1)?.seq ?? 0) + 1}`;
    const deadlines = await this.host.book.start(
      body.departmentCodes.map(() => ({
        kind: 'summons' as const,
        stage: this.view.stage,
        holder: 'county' as const,
        period: slaFor(policy, 'county-response', this.view.urgent),
        basis: `SLA policy v${policy.version} (county-response, 吹哨 ${summonsId})`,
        from: at,
      })),
    );
    body.departmentCodes.forEach((departmentCode, i) => {
      const lookup = lookups[i]!;
      const deadline = deadlines[i]!;
      const departmentName = lookup.found ? lookup.name : departmentCode;
      (this.view.summons ??= []).push({
        summonsId,
        departmentCode,
        departmentName,
        reason: body.reason,
        summonedBy: actor,
        summonedAt: at,
        deadlineId: deadline.id,
        dueAt: deadline.dueAt,
        status: 'pending',
      });
      this.host.record('department_summoned', actor, { summonsId, departmentCode, department: departmentName, reason: body.reason, deadlineId: deadline.id, dueAt: deadline.dueAt }, at);
      this.host.notify(`summons-${summonsId}-${departmentCode}`, {
        channel: 'summons',
        recipient: `department:${departmentCode}`,
        subject: `街道吹哨 ${this.view.townshipCode} summons ${departmentName} to case ${this.view.caseId}; answer by ${deadline.dueAt}`,
        payload: { caseId: this.view.caseId, summonsId, departmentCode, reason: body.reason, dueAt: deadline.dueAt, stage: this.view.stage },
      });
    });
    return summonsId;
  }

  /** A department reports for duty or declines; after its due time the answer is still recorded, as late. */
  answer(departmentCode: string, body: SummonsAnswerBody, actor: Actor): string {
    const s = openSummonsOf(this.view, departmentCode)!;
    const at = nowIso();
    const late = s.status === 'silent' || Date.parse(at) > Date.parse(s.dueAt);
    this.host.book.closeById(s.deadlineId, 'met', at);
    s.status = body.answer === 'report' ? 'reported' : 'declined';
    s.answeredAt = at;
    s.answeredBy = actor;
    if (body.reason) s.answerReason = body.reason;
    if (late) s.late = true;
    const type = body.answer === 'report' ? 'summons_reported' : 'summons_declined';
    this.host.record(type, actor, { summonsId: s.summonsId, departmentCode, reason: body.reason ?? null, late }, at);
    this.host.notify(`${type}-${s.summonsId}-${departmentCode}`, {
      channel: 'summons',
      recipient: `brigade:${this.view.townshipCode}`,
      subject: `部门报到 ${s.departmentName} ${body.answer === 'report' ? 'reports for duty' : 'declines'} on case ${this.view.caseId}`,
      payload: { caseId: this.view.caseId, summonsId: s.summonsId, departmentCode, answer: body.answer, reason: body.reason ?? null, late },
    });
    if (body.answer === 'decline') this.bounce(departmentCode, 'summons-decline', at);
    return s.summonsId;
  }

  /** The summoned department a summons deadline waits for; a level-1 breach makes it silent. */
  breached(d: Deadline, level: 1 | 2): SummonedDepartment | undefined {
    const s = (this.view.summons ?? []).find((x) => x.deadlineId === d.id);
    if (!s) return undefined;
    if (level === 1 && s.status === 'pending') s.status = 'silent';
    s.escalationLevel = level;
    return s;
  }

  /**
   * A department returned a transfer or declined a summons. At the policy's bounce limit (and each
   * bounce after it) the county supervisor is told: the department may not bounce the case for ever.
   */
  bounce(departmentCode: string, how: Bounce, at = nowIso()): void {
    const bounces = (this.view.bounces ??= {});
    const count = (bounces[departmentCode] ?? 0) + 1;
    bounces[departmentCode] = count;
    const limit = limitFor(this.host.policy(), 'bounces');
    if (count < limit) return;
    this.host.countEscalation();
    this.host.record('bounce_limit_reached', SYSTEM_ACTOR, { departmentCode, bounces: count, limit, last: how }, at);
    this.host.notify(`bounces-${departmentCode}-${count}`, {
      channel: 'escalation',
      recipient: `county-supervisor:${this.view.countyCode}`,
      subject: `推诿预警 department ${departmentCode} bounced case ${this.view.caseId} ${count} times (limit ${limit})`,
      payload: { caseId: this.view.caseId, departmentCode, bounces: count, limit, last: how, stage: this.view.stage },
    });
  }
}

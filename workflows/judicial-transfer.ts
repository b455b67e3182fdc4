import { setHandler } from '@temporalio/workflow';
import type { JudicialEvent, JudicialEventName } from '../domain/actions';
import { STATUTORY_DEADLINES as LAW } from '../domain/deadlines';
import { ChildRun } from './child-run';
import { judicialEventSignal, type ChildInput, type JudicialTransferOutcome } from './definitions';

/**
 * 移送司法机关 (国务院令第310号 行政执法机关移送涉嫌犯罪案件的规定): the agency head approves the
 * transfer within 3 days, the case file is handed to public security within 24 hours, police decide
 * within 3 days; on refusal the agency may ask for reconsideration within 3 days and police answer
 * within 3 days. Accepted → the case closes as transferred; refused for good → back to administrative
 * processing.
 */
export async function judicialTransferWorkflow(input: ChildInput): Promise<JudicialTransferOutcome> {
  const events: JudicialEvent[] = [];
  setHandler(judicialEventSignal, (e) => void events.push(e));
  const run = new ChildRun('judicial-transfer', input);
  const take = (name: JudicialEventName) => {
    const i = events.findIndex((e) => e.event === name);
    return i < 0 ? undefined : events.splice(i, 1)[0];
  };
  const law = (kind: keyof typeof LAW) => ({ period: LAW[kind].period, holder: LAW[kind].holder, basis: LAW[kind].source });

  await run.report('judicial_transfer_started', {
    step: 'head-approval',
    deadlines: await run.start([{ kind: 'head-approval', stage: 'handling', ...law('head-approval') }]),
  });

  let approval: JudicialEvent | undefined;
  await run.waitUntil(() => (approval ??= take('head-approval')) !== undefined);
  const met = run.close('head-approval');
  // The hand-over is the agency's own act: done at once, with the case file to public security.
  const handover = await run.start([{ kind: 'handover', stage: 'handling', ...law('handover') }]);
  run.close('handover');
  await run.report('head_approved', { step: 'handover', actor: approval!.actor, deadlines: [...met, ...handover] });
  const police = await run.start([{ kind: 'police-decision', stage: 'handling', ...law('police-decision') }]);
  await run.report('handed_over_to_police', {
    step: 'police-decision',
    deadlines: police,
    notifications: [
      run.notification('handover', {
        channel: 'judicial-transfer',
        recipient: `public-security:${input.countyCode}`,
        subject: '涉嫌犯罪案件移送 case file handed over for a criminal investigation decision',
        payload: { caseId: input.caseId, townshipCode: input.townshipCode, dueAt: police[0]?.dueAt },
      }),
    ],
  });

  let decision: JudicialEvent | undefined;
  await run.waitUntil(() => (decision ??= take('police-decision')) !== undefined);
  if (decision!.accepted) {
    await run.finish('police_accepted', { reason: decision!.reason ?? null, outcome: 'accepted' }, decision!.actor);
    return 'accepted';
  }
  const refusal = run.close('police-decision');
  const request = await run.start([{ kind: 'reconsideration-request', stage: 'handling', ...law('reconsideration-request'), onExpiry: 'lapse' }]);
  await run.report('police_refused', { step: 'reconsideration-request', actor: decision!.actor, data: { reason: decision!.reason ?? null }, deadlines: [...refusal, ...request] });

  let asked: JudicialEvent | undefined;
  await run.waitUntil(() => (asked ??= take('reconsideration-request')) !== undefined || !run.book.running('reconsideration-request'));
  if (!asked) {
    await run.finish('judicial_transfer_refused', { outcome: 'refused', reason: 'no reconsideration requested within 3 days' });
    return 'refused';
  }
  const requested = run.close('reconsideration-request');
  const answerDue = await run.start([{ kind: 'reconsideration-answer', stage: 'handling', ...law('reconsideration-answer') }]);
  await run.report('reconsideration_requested', { step: 'reconsideration-answer', actor: asked.actor, data: { reason: asked.reason ?? null }, deadlines: [...requested, ...answerDue] });

  let answer: JudicialEvent | undefined;
  await run.waitUntil(() => (answer ??= take('reconsideration-answer')) !== undefined);
  const outcome: JudicialTransferOutcome = answer!.accepted ? 'accepted' : 'refused';
  await run.finish(outcome === 'accepted' ? 'police_accepted' : 'judicial_transfer_refused', { outcome, reason: answer!.reason ?? null, onReconsideration: true }, answer!.actor);
  return outcome;
}

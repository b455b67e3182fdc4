import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { Worker } from '@temporalio/worker';
import { HISTORIES_DIR, loadHistory, quietRuntime, workflowBundle } from './rig';

quietRuntime();

/**
 * Running cases must survive deployments: every history recorded from the scenarios above is replayed
 * against today's workflow code. A change that would make a running case non-deterministic fails here;
 * ship such a change behind `patched()` and re-record with `npm run test:record-histories`.
 */
const EXPECTED = [
  'patrol-handled-on-site',
  'hotline-unfounded',
  'verification-rework',
  'hotline-patrol-overdue',
  'county-transfer-accepted',
  'county-transfer-silent-returned',
  'formal-case-paid',
  'court-enforcement-executed',
  'court-enforcement-paid-during-reminder',
  'judicial-transfer-accepted',
  'judicial-transfer-refused-reconsidered',
  // every action sent twice at once over HTTP (issue 6, defect 1), recorded on a Temporal dev server
  'double-submitted-actions',
  // the first run of a case that continued as new in a rework loop (its history ends in ContinueAsNew)
  'rework-loop-continued-as-new',
  // closed, called back unsatisfied, reopened, closed again, the callback window lapsed (回访)
  'satisfaction-reopened',
  // a complaint (投诉) with its 7-working-day acceptance deadline, confirmed unfounded
  'complaint-confirmed-unfounded',
  // 吹哨报到: three departments summoned; one reports, one declines, one is silent, escalates and answers late
  'summons-three-departments',
  // a department returns a transfer (the 'summons' patch counts it), then declines a summons: the bounce limit is reached
  'summons-bounce-limit',
  // a fine published (公示), then a rework: the case tells its disclosure, which is withdrawn with a reason
  'formal-case-disclosed-reworked',
  'disclosure-published-withdrawn',
  // the same, recorded after the credit-publicity notice of a withdrawal moved to domain/disclosure.ts
  'disclosure-withdrawn-credit-notice',
  // a served fine unpaid, the party's lawsuit suspends enforcement and the surcharge, upheld, applied for in court with the surcharge
  'lawsuit-suspends-enforcement',
  // a hotline case whose stage SLAs are computed by the steps' projections (deadlines-in-transition), called back
  'hotline-deadlines-in-transition',
  'hotline-callback-in-transition',
  'hotline-kept-wake-up-timer',
  // routed by the county's responsibility list at capture (found with the matter), assigned with certificates recorded, closed
  'responsibility-routing',
  // 双随机 campaign: pool frozen, drawn and redrawn, 31 inspection cases in a window of 8, escalated, published
  'inspection-campaign-published',
  // the first run of a campaign that continued as new after 10 cases (its history ends in ContinueAsNew)
  'inspection-campaign-continued-as-new',
];

describe('replay of recorded case histories', () => {
  it('keeps a history of every scenario', () => {
    const kept = fs.readdirSync(HISTORIES_DIR).filter((f) => f.endsWith('.json')).map((f) => f.replace(/\.json$/, ''));
    expect(kept.sort()).toEqual([...EXPECTED].sort());
  });

  it('replays every recorded history with the current workflow code', async () => {
    const histories = EXPECTED.map((name) => ({ workflowId: name, history: loadHistory(path.join(HISTORIES_DIR, `${name}.json`)) }));
    const results = [];
    for await (const result of Worker.runReplayHistories({ workflowBundle: await workflowBundle() }, histories)) {
      results.push({ workflowId: result.workflowId, error: result.error ? String(result.error) : undefined });
    }
    expect(results).toEqual(EXPECTED.map((workflowId) => ({ workflowId, error: undefined })));
  });
});

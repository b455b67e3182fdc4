import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../api/app';
import { useTestPool } from '../helpers/db';
import { bearer, TEST_JWT_SECRET } from '../helpers/api';
import { act, eventually, openFormalCase, settled, startCaseRig, view, type CaseRig } from '../workflows/rig';

/** The statutory steps over HTTP: refusals name the field, and the case shows its late surcharge as of the read. */
const pool = useTestPool();
let rig: CaseRig;
let app: FastifyInstance;

beforeAll(async () => {
  rig = await startCaseRig(pool, 'statutory-api');
  app = await buildApp({ pool, temporal: { client: rig.env.client, taskQueue: rig.taskQueue }, jwtSecret: TEST_JWT_SECRET });
}, 120_000);
afterAll(async () => {
  await app?.close();
  await rig?.teardown();
});

describe('statutory steps over HTTP', () => {
  it('a hearing date too soon after the notice is 422 naming hearingAt and the earliest date; a missing hearingAt is 400', async () => {
    const handle = await openFormalCase(rig, 'statutory-http');
    await act(handle, { action: 'file', body: {} });
    await act(handle, { action: 'notify-rights', body: { proposedFine: 5000 } });
    await act(handle, { action: 'hearing-request', body: {} });
    await settled(handle, pool);
    const caseId = handle.workflowId;
    const post = (action: string, payload: object) =>
      app.inject({ method: 'POST', url: `/v1/cases/${caseId}/actions/${action}`, headers: bearer('township'), payload });

    const missing = await post('hearing-notice', { noticeServedAt: '2026-09-30T10:00:00+08:00' });
    expect(missing.statusCode).toBe(400);
    expect(JSON.stringify(missing.json())).toContain('hearingAt');

    const tooSoon = await post('hearing-notice', { noticeServedAt: '2026-09-30T10:00:00+08:00', hearingAt: '2026-10-15T09:00:00+08:00' });
    expect(tooSoon.statusCode).toBe(422);
    const error = (tooSoon.json() as { error: { message: string; details: unknown[] } }).error;
    expect(error.message).toContain('2026-10-16');
    expect(error.details).toEqual(
      expect.arrayContaining([expect.objectContaining({ path: 'body.hearingAt' }), { path: 'earliestHearingDate', message: '2026-10-16' }]),
    );

    const notified = await post('hearing-notice', { noticeServedAt: '2026-09-30T10:00:00+08:00', hearingAt: '2026-10-16T09:00:00+08:00' });
    expect(notified.statusCode).toBe(200);
    expect(notified.json()).toMatchObject({ penalty: { hearingNotice: { earliestHearingAt: '2026-10-16T00:00:00.000+08:00' } } });
    expect((await post('hearing-held', {})).statusCode).toBe(200);
    expect((await post('decide', { kind: 'penalty', fine: 5000 })).statusCode).toBe(200);
    // served on 10 Sep 2026: payment due by the end of Mon 28 Sep (25–27 Sep are 中秋 holidays); it is long past
    expect((await post('serve', { servedAt: '2026-09-10T10:00:00+08:00' })).statusCode).toBe(200);
    await eventually(() => view(handle), (v) => v.children.length === 1, 'court enforcement');
    await settled(handle, pool);

    // the party sued on 10 Oct: 11 days accrued (29 Sep – 9 Oct), then suspended
    expect((await post('appeal-filed', { kind: 'lawsuit', filedAt: '2026-10-10T09:00:00+08:00' })).statusCode).toBe(200);
    const read = await app.inject({ method: 'GET', url: `/v1/cases/${caseId}`, headers: bearer('township') });
    expect(read.statusCode).toBe(200);
    expect(read.json()).toMatchObject({ penalty: { surcharge: { from: '2026-09-29', days: 11, accrued: 1650, capped: false, suspended: true } } });
    const future = await post('appeal-decided', { upheld: true, decidedAt: '2031-06-03T10:00:00+08:00' });
    expect(future.statusCode).toBe(422);
    expect((future.json() as { error: { details: unknown[] } }).error.details).toEqual([expect.objectContaining({ path: 'body.decidedAt' })]);
    const revokedWithoutReason = await post('appeal-decided', { upheld: false });
    expect(revokedWithoutReason.statusCode).toBe(400);
    expect(JSON.stringify(revokedWithoutReason.json())).toContain('reason');
    // paid: the enforcement ends (and so does this test's child process)
    await act(handle, { action: 'record-payment', body: { amount: 5000 } });
    await eventually(() => view(handle), (v) => v.stage === 'verification', 'the paid enforcement to end');
    await settled(handle, pool);
  });
});

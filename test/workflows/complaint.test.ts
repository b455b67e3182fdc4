import chineseDays from 'chinese-days';
import { describe, expect, it } from 'vitest';
import { useTestPool } from '../helpers/db';
import { act, eventually, hotlineCase, keepHistory, ms, newCaseId, running, settled, useCaseRig, view } from './rig';
import { SHANGHAI_OFFSET_MS } from '../../domain/time';

const pool = useTestPool();
const rig = useCaseRig(pool, 'complaint');

/**
 * 投诉举报受理 (市场监督管理投诉举报处理暂行办法 Art 14): a complaint is accepted or not within 7 working
 * days; the township's confirm (or its return of the work order) is that decision. The expected due date
 * is counted here by hand with chinese-days' own working-day test, not with the service's calendar code.
 */
function sevenWorkingDaysAfter(instant: string): string {
  let day = new Date(Date.parse(instant) + SHANGHAI_OFFSET_MS).toISOString().slice(0, 10);
  let counted = 0;
  while (counted < 7) {
    day = new Date(Date.parse(`${day}T00:00:00Z`) + 86_400_000).toISOString().slice(0, 10);
    if (chineseDays.isWorkday(day)) counted += 1;
  }
  // the period ends at 24:00 of its last day, written as 00:00 of the next day
  return `${new Date(Date.parse(`${day}T00:00:00Z`) + 86_400_000).toISOString().slice(0, 10)}T00:00:00.000+08:00`;
}

describe('complaint acceptance (投诉举报受理, 7 working days)', () => {
  it('runs from opening, escalates when nobody decides, and is met by the confirm', async () => {
    const handle = await rig.start(hotlineCase(newCaseId('complaint-late'), { source: 'complaint' }));
    let c = await settled(handle, pool);
    const acceptance = running(c.deadlines, 'complaint-acceptance')!;
    expect(acceptance).toMatchObject({ holder: 'agency', stage: 'patrol', basis: '市场监督管理投诉举报处理暂行办法 Art 14', startedAt: c.openedAt });
    expect(acceptance.dueAt).toBe(sevenWorkingDaysAfter(c.openedAt));

    await rig.advanceTo(ms(acceptance.dueAt) + 60_000);
    c = await eventually(() => view(handle), (v) => v.timeline.some((e) => e.type === 'deadline_breached' && e.data?.kind === 'complaint-acceptance'), 'the breach');
    const breach = c.timeline.find((e) => e.type === 'deadline_breached' && e.data?.kind === 'complaint-acceptance')!;
    expect(breach).toMatchObject({ at: acceptance.dueAt, data: { level: 1 } });

    await act(handle, { action: 'patrol-report', body: { gridMemberId: 'grid-member-7', observedAt: c.openedAt, findings: '投诉属实' } });
    c = await act(handle, { action: 'confirm', body: { confirmed: true } });
    expect(c.deadlines.find((d) => d.id === acceptance.id)).toMatchObject({ status: 'met', overdue: true, escalationLevel: 1 });
    await settled(handle, pool);
    await handle.terminate('test finished');
  });

  it('a complaint confirmed in time meets it; a hotline case has none', async () => {
    const handle = await rig.start(hotlineCase(newCaseId('complaint-ok'), { source: 'complaint' }));
    let c = await view(handle);
    await act(handle, { action: 'patrol-report', body: { gridMemberId: 'grid-member-7', observedAt: c.openedAt, findings: '投诉不属实' } });
    c = await act(handle, { action: 'confirm', body: { confirmed: false, reason: '现场未发现' } });
    expect(c.deadlines.find((d) => d.kind === 'complaint-acceptance')).toMatchObject({ status: 'met', overdue: false });
    await settled(handle, pool);
    await keepHistory(handle, 'complaint-confirmed-unfounded');
    await handle.terminate('test finished');

    const hotline = await rig.start(hotlineCase(newCaseId('hotline-no-acceptance')));
    expect((await view(hotline)).deadlines.some((d) => d.kind === 'complaint-acceptance')).toBe(false);
    await hotline.terminate('test finished');
  });
});

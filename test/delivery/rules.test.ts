import { describe, expect, it } from 'vitest';
import { Webhook } from 'standardwebhooks';
import { checkEndpointUrl, isPublicAddress } from '../../delivery/endpoint-url';
import { inboxAddressOf, messageIdOf, routeOf, webhookEventsOf, type TimelineRow } from '../../delivery/events';
import { jittered, retryAfterMs, verdictOf } from '../../delivery/retry';
import { loadDeliverySettings, STANDARD_RETRY_SCHEDULE } from '../../delivery/settings';
import { signatureHeaders } from '../../delivery/webhook-sender';

const row = (over: Partial<TimelineRow>): TimelineRow => ({
  caseId: 'C-1',
  seq: 4,
  at: '2026-03-02T09:00:00.000+08:00',
  type: 'noop',
  stage: 'assignment',
  data: null,
  stageAfter: 'assignment',
  externalRef: '12345-0001',
  countyCode: '350722',
  townshipCode: '350722101',
  reporterFeedback: null,
  ...over,
});

describe('timeline → webhook events (delivery/events.ts)', () => {
  it('maps each timeline type to its event with a thin payload carrying seq', () => {
    expect(webhookEventsOf(row({ type: 'deadline_breached', data: { kind: 'assignment', level: 2, dueAt: '2026-03-03T09:00:00.000+08:00', deadlineId: 'd1' } }))).toEqual([
      {
        type: 'case.deadline_breached',
        timestamp: '2026-03-02T09:00:00.000+08:00',
        caseId: 'C-1',
        seq: 4,
        data: { caseId: 'C-1', seq: 4, externalRef: '12345-0001', countyCode: '350722', townshipCode: '350722101', stage: 'assignment', deadline: 'assignment', level: 2, dueAt: '2026-03-03T09:00:00.000+08:00' },
      },
    ]);
    const transfer = webhookEventsOf(row({ type: 'transferred_to_county', data: { departmentCode: '350722-cgj', department: '城管局', dueAt: 'D' } }));
    expect(transfer.map((e) => [e.type, e.data.departmentCode, e.data.dueAt])).toEqual([['case.transferred', '350722-cgj', 'D']]);
    expect(webhookEventsOf(row({ type: 'handed_over_to_police', stage: 'handling', stageAfter: 'handling' }))[0]!.data).toMatchObject({ reason: 'judicial_transfer' });
    expect(webhookEventsOf(row({ type: 'extension_decided', data: { requestId: 'r1', approved: true, kind: 'handling', dueAt: 'D2' } }))[0]).toMatchObject({
      type: 'case.extension_decided',
      data: { requestId: 'r1', approved: true, deadline: 'handling', dueAt: 'D2' },
    });
    expect(webhookEventsOf(row({ type: 'supervision_ordered', data: { orderId: 'o1', note: '请加快办理', dueAt: null } }))[0]).toMatchObject({
      type: 'case.supervision_ordered',
      data: { orderId: 'o1', dueAt: null },
    });
    // Notes and other free text stay out of the payload (the receiver reads the case).
    expect(JSON.stringify(webhookEventsOf(row({ type: 'supervision_ordered', data: { note: '请加快办理' } })))).not.toContain('请加快办理');
  });

  it('adds case.stage_changed when the stage after the event differs, and nothing for an event that changes nothing', () => {
    expect(webhookEventsOf(row({ type: 'assigned_to_brigade', stage: 'assignment', stageAfter: 'handling' })).map((e) => [e.type, e.data.from, e.data.to])).toEqual([
      ['case.stage_changed', 'assignment', 'handling'],
    ]);
    expect(webhookEventsOf(row({ type: 'hearing_held', stage: 'processing', stageAfter: 'processing' }))).toEqual([]);
    expect(webhookEventsOf(row({ type: 'case_opened', stage: 'patrol', stageAfter: 'discovery' })).map((e) => [e.type, e.data.stage])).toEqual([['case.opened', 'discovery']]);
  });

  it('puts the reporter feedback into case.closed', () => {
    const [closed] = webhookEventsOf(row({ type: 'case_closed', stage: 'review', stageAfter: 'review', data: { resolution: 'unfounded' }, reporterFeedback: { outcome: 'unfounded', message: '经核实，反映问题不属实' } }));
    expect(closed).toMatchObject({ type: 'case.closed', data: { resolution: 'unfounded', feedback: { outcome: 'unfounded', message: '经核实，反映问题不属实' } } });
  });

  it('gives a case event one stable message id per type', () => {
    expect(messageIdOf({ caseId: 'C-1', seq: 4, type: 'case.closed' })).toBe(messageIdOf({ caseId: 'C-1', seq: 4, type: 'case.closed' }));
    expect(messageIdOf({ caseId: 'C-1', seq: 4, type: 'case.closed' })).not.toBe(messageIdOf({ caseId: 'C-1', seq: 4, type: 'case.stage_changed' }));
    expect(messageIdOf({ caseId: 'C-1', seq: 4, type: 'case.closed' })).toMatch(/^msg_[0-9a-f]{32}$/);
  });

  it('knows which recipients read an in-app inbox', () => {
    expect(inboxAddressOf('township-leader:350722101')).toEqual({ kind: 'township-leader', code: '350722101' });
    expect(inboxAddressOf('department:350722-cgj')).toEqual({ kind: 'department', code: '350722-cgj' });
    expect(inboxAddressOf('person:officer-7')).toEqual({ kind: 'person', code: 'officer-7' });
    for (const external of ['phone:13800000000', 'upstream:hotline-12345', 'public-security:350722', 'court:350722', 'party:C-1', 'brigade:', 'nonsense']) {
      expect(inboxAddressOf(external), external).toBeUndefined();
    }
    expect(routeOf('county-supervisor:350722')).toMatchObject({ channel: 'inbox', kind: 'county-supervisor', code: '350722' });
    expect(routeOf('public-security:350722')).toMatchObject({ channel: 'webhooks' });
    expect(routeOf('upstream:hotline-12345')).toMatchObject({ channel: 'webhooks' });
    expect(routeOf('phone:13800000000')).toMatchObject({ channel: 'none' });
  });
});

describe('retries (Standard Webhooks schedule)', () => {
  const settings = { retrySchedule: STANDARD_RETRY_SCHEDULE, jitter: 0.2, maxRetryAfterMs: 86_400_000 };
  const now = Date.parse('2026-03-02T01:00:00Z');

  it('follows the schedule with jitter, ends in a dead letter, and treats 2xx and 410 apart', () => {
    expect(STANDARD_RETRY_SCHEDULE.map((ms) => ms / 1000)).toEqual([5, 300, 1800, 7200, 18000, 36000, 50400, 72000, 86400]);
    expect(verdictOf(1, 500, null, settings, now, () => 0.5)).toEqual({ kind: 'retry', delayMs: 5000 });
    expect(verdictOf(2, undefined, null, settings, now, () => 0)).toEqual({ kind: 'retry', delayMs: 240_000 });
    expect(verdictOf(2, 502, null, settings, now, () => 0.999999)).toEqual({ kind: 'retry', delayMs: 360_000 });
    expect(verdictOf(10, 500, null, settings, now)).toEqual({ kind: 'dead' });
    expect(verdictOf(1, 204, null, settings, now)).toEqual({ kind: 'delivered' });
    expect(verdictOf(9, 410, null, settings, now)).toEqual({ kind: 'gone' });
    expect(verdictOf(1, 301, null, settings, now, () => 0.5)).toEqual({ kind: 'retry', delayMs: 5000 });
  });

  it('honours Retry-After (seconds or HTTP date) when longer than the schedule, within a bound', () => {
    expect(verdictOf(1, 429, '120', settings, now, () => 0.5)).toEqual({ kind: 'retry', delayMs: 120_000 });
    expect(verdictOf(1, 503, 'Mon, 02 Mar 2026 01:10:00 GMT', settings, now, () => 0.5)).toEqual({ kind: 'retry', delayMs: 600_000 });
    expect(verdictOf(2, 503, '1', settings, now, () => 0.5)).toEqual({ kind: 'retry', delayMs: 300_000 });
    expect(retryAfterMs('999999999', now, 86_400_000)).toBe(86_400_000);
    expect(retryAfterMs('soon', now, 1000)).toBeUndefined();
    expect(jittered(1000, 0, () => 0.9)).toBe(1000);
  });
});

describe('signing', () => {
  it('signs id.timestamp.body so that standardwebhooks verifies it, with every valid secret', () => {
    const current = 'whsec_' + Buffer.from('a'.repeat(32)).toString('base64');
    const previous = 'whsec_' + Buffer.from('b'.repeat(32)).toString('base64');
    const body = JSON.stringify({ type: 'case.opened', timestamp: 't', data: { caseId: 'C-1', seq: 1 } });
    const headers = signatureHeaders('msg_1', body, [current, previous], new Date());
    expect(headers['webhook-signature'].split(' ')).toHaveLength(2);
    expect(new Webhook(current).verify(body, headers)).toEqual(JSON.parse(body));
    expect(new Webhook(previous).verify(body, headers)).toEqual(JSON.parse(body));
    expect(() => new Webhook(current).verify(body.replace('C-1', 'C-2'), headers)).toThrow();
  });
});

describe('endpoint URLs', () => {
  it('accepts public unicast addresses only', () => {
    for (const a of ['8.8.8.8', '2001:4860:4860::8888', '114.114.114.114']) expect(isPublicAddress(a), a).toBe(true);
    for (const a of ['127.0.0.1', '10.0.0.1', '172.16.5.4', '192.168.1.1', '169.254.169.254', '100.64.0.1', '0.0.0.0', '::1', 'fe80::1', 'fc00::1', '::ffff:127.0.0.1', '224.0.0.1']) {
      expect(isPublicAddress(a), a).toBe(false);
    }
  });

  it('refuses inner addresses unless allowed, and non-http schemes always', async () => {
    expect(await checkEndpointUrl('http://192.168.1.10/hook', false)).toMatchObject({ ok: false });
    expect(await checkEndpointUrl('http://192.168.1.10/hook', true)).toMatchObject({ ok: true });
    expect(await checkEndpointUrl('https://8.8.8.8/hook', false)).toMatchObject({ ok: true });
    expect(await checkEndpointUrl('file:///etc/passwd', true)).toMatchObject({ ok: false });
    expect(await checkEndpointUrl('https://user:pw@8.8.8.8/hook', false)).toMatchObject({ ok: false });
  });
});

describe('delivery settings', () => {
  it('reads the schedule and the private-URL flag, and names a wrong variable', () => {
    const s = loadDeliverySettings({ WEBHOOK_RETRY_SCHEDULE: '1, 2.5,60', WEBHOOK_ALLOW_PRIVATE_URLS: 'true' });
    expect(s.retrySchedule).toEqual([1000, 2500, 60_000]);
    expect(s.allowPrivateUrls).toBe(true);
    expect(loadDeliverySettings({}).retrySchedule).toEqual(STANDARD_RETRY_SCHEDULE);
    expect(() => loadDeliverySettings({ WEBHOOK_RETRY_SCHEDULE: 'soon' })).toThrow(/WEBHOOK_RETRY_SCHEDULE/);
    expect(() => loadDeliverySettings({ DELIVERY_LEASE_MS: '5000' })).toThrow(/DELIVERY_LEASE_MS/);
  });
});

import fs from 'node:fs';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import type { Pool } from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { recordTransition } from '../../activities';
import { actionOfRoute } from '../../api/metrics';
import { DEMO } from '../../db/seed';
import type { CaseView, TimelineEntry } from '../../domain/case';
import type { Deadline } from '../../domain/deadlines';
import type { Stage } from '../../domain/stages';
import { buildApp } from '../../api/app';
import { bearer, fixtureCase, TEST_JWT_SECRET } from '../helpers/api';
import { FakeTemporal } from '../helpers/fake-temporal';
import { scratchDatabase } from '../helpers/db';

/**
 * /metrics carries the business figures (api/metrics.ts) with the right values for a handful of cases
 * projected as the workflow projects them, in a database of this file's own (the run's database holds
 * other files' cases). The read-model figures are cached: a scrape within the cache period does not
 * query again.
 */

let db: { url: string; pool: Pool; dispose: () => Promise<void> };
let app: FastifyInstance;
let cachedApp: FastifyInstance;

const HOUR = 3_600_000;
const iso = (msFromNow: number) => new Date(Date.now() + msFromNow).toISOString();

function deadline(stage: Stage, dueInMs: number, level: 0 | 1 | 2): Deadline {
  return {
    id: `${stage}-1`,
    kind: stage as Deadline['kind'],
    stage,
    holder: 'agency',
    startedAt: iso(-48 * HOUR),
    dueAt: iso(dueInMs),
    escalateAt: iso(dueInMs + 24 * HOUR),
    status: 'running',
    onExpiry: 'escalate',
    overdue: dueInMs < 0 && level > 0,
    escalationLevel: level,
    basis: 'sla-policy-1',
  };
}

function breach(seq: number, level: 1 | 2): TimelineEntry {
  return { seq, at: iso(-HOUR), type: 'deadline_breached', stage: 'handling', actor: { sub: 'system', role: 'system' }, data: { level, kind: 'handling' } };
}

function kase(id: string, stage: Stage, deadlines: Deadline[], breaches: (1 | 2)[] = [], closed = false): CaseView {
  const base = fixtureCase(`metrics-${id}`, { stage, deadlines });
  const timeline = [...base.timeline, ...breaches.map((level, i) => breach(i + 2, level))];
  return {
    ...base,
    timeline,
    ...(closed ? { status: 'closed' as const, stage: 'review' as const, resolution: 'resolved', closedAt: iso(-HOUR) } : {}),
  };
}

const CASES: CaseView[] = [
  kase('a', 'capture', [deadline('capture', 5 * HOUR, 0)]),
  kase('b', 'handling', [deadline('handling', -2 * HOUR, 1)], [1]),
  kase('c', 'handling', [deadline('handling', -30 * HOUR, 2)], [1, 2]),
  kase('d', 'assignment', [deadline('assignment', -1 * HOUR, 0)]),
  kase('e', 'handling', [], [1], true),
  kase('f', 'patrol', []),
];

async function project(pool: Pool, c: CaseView): Promise<void> {
  await recordTransition(pool, { workflowId: c.caseId, snapshot: c, seq: c.timeline.length, events: c.timeline, notifications: [] });
}

/** The value of one sample of the exposition text, or undefined when absent. */
function sample(text: string, name: string, labels: Record<string, string> = {}): number | undefined {
  const want = Object.entries(labels).map(([k, v]) => `${k}="${v}"`);
  for (const line of text.split('\n')) {
    if (!line.startsWith(`${name}{`) && !line.startsWith(`${name} `)) continue;
    const labelText = line.slice(name.length).match(/^\{([^}]*)\}/)?.[1] ?? '';
    const have = labelText ? labelText.split(',') : [];
    if (want.length === have.length && want.every((w) => have.includes(w))) return Number(line.split(' ').pop());
  }
  return undefined;
}

beforeAll(async () => {
  db = await scratchDatabase();
  for (const c of CASES) await project(db.pool, c);
  const fake = new FakeTemporal(db.pool);
  // This app reads fresh figures on every scrape …
  app = await buildApp({ pool: db.pool, temporal: { client: fake.client, taskQueue: 'unused' }, jwtSecret: TEST_JWT_SECRET, businessMetricsCacheMs: 0 });
  // … this one keeps them for an hour.
  cachedApp = await buildApp({ pool: db.pool, temporal: { client: fake.client, taskQueue: 'unused' }, jwtSecret: TEST_JWT_SECRET, businessMetricsCacheMs: HOUR });
});
afterAll(async () => {
  await app?.close();
  await cachedApp?.close();
  await db?.dispose();
});

async function scrape(target = app): Promise<string> {
  const res = await target.inject({ method: 'GET', url: '/metrics' });
  expect(res.statusCode).toBe(200);
  return res.body;
}

describe('/metrics business figures', () => {
  it('open cases by stage (closed ones not counted, every stage present)', async () => {
    const text = await scrape();
    expect(sample(text, 'enforcement_open_cases', { stage: 'capture' })).toBe(1);
    expect(sample(text, 'enforcement_open_cases', { stage: 'handling' })).toBe(2);
    expect(sample(text, 'enforcement_open_cases', { stage: 'assignment' })).toBe(1);
    expect(sample(text, 'enforcement_open_cases', { stage: 'patrol' })).toBe(1);
    expect(sample(text, 'enforcement_open_cases', { stage: 'review' })).toBe(0);
    expect(sample(text, 'enforcement_open_cases', { stage: 'verification' })).toBe(0);
  });

  it('overdue open cases by escalation level, and escalations recorded by level (closed cases included)', async () => {
    const text = await scrape();
    expect(sample(text, 'enforcement_overdue_cases', { level: '0' })).toBe(1);
    expect(sample(text, 'enforcement_overdue_cases', { level: '1' })).toBe(1);
    expect(sample(text, 'enforcement_overdue_cases', { level: '2' })).toBe(1);
    expect(text).toContain('# TYPE enforcement_escalations_total counter');
    expect(sample(text, 'enforcement_escalations_total', { level: '1' })).toBe(3);
    expect(sample(text, 'enforcement_escalations_total', { level: '2' })).toBe(1);
    expect(sample(text, 'enforcement_business_metrics_age_seconds')).toBeLessThan(5);
  });

  it('follows the read model: a new overdue case counts on the next scrape; a cached app keeps its figures', async () => {
    const before = await scrape(cachedApp);
    expect(sample(before, 'enforcement_open_cases', { stage: 'verification' })).toBe(0);
    await project(db.pool, kase('g', 'verification', [deadline('verification', -3 * HOUR, 1)], [1]));
    const after = await scrape();
    expect(sample(after, 'enforcement_open_cases', { stage: 'verification' })).toBe(1);
    expect(sample(after, 'enforcement_overdue_cases', { level: '1' })).toBe(2);
    expect(sample(after, 'enforcement_escalations_total', { level: '1' })).toBe(4);
    // within its cache period the other app answers from memory, without asking Postgres again
    const cached = await scrape(cachedApp);
    expect(sample(cached, 'enforcement_open_cases', { stage: 'verification' })).toBe(0);
  });

  it('action latency by action and outcome: an opening and a step that succeed, a step refused', async () => {
    const opened = await app.inject({
      method: 'POST',
      url: '/v1/cases',
      headers: bearer('upstream'),
      payload: { source: 'hotline', countyCode: DEMO.county, townshipCode: DEMO.township, location: { address: '莲塘镇街上路18号' }, description: '占道经营' },
    });
    expect(opened.statusCode).toBe(201);
    const caseId = (opened.json() as { caseId: string }).caseId;
    const ok = await app.inject({
      method: 'POST',
      url: `/v1/cases/${caseId}/actions/patrol-report`,
      headers: bearer('township'),
      payload: { gridMemberId: 'grid-member-7', observedAt: '2026-11-25T10:00:00+08:00', findings: '属实' },
    });
    expect(ok.statusCode).toBe(200);
    const missing = await app.inject({ method: 'POST', url: '/v1/cases/no-such-case/actions/confirm', headers: bearer('township'), payload: { confirmed: true } });
    expect(missing.statusCode).toBe(404);

    const text = await scrape();
    expect(sample(text, 'enforcement_action_duration_seconds_count', { action: 'open', outcome: 'ok' })).toBe(1);
    expect(sample(text, 'enforcement_action_duration_seconds_count', { action: 'patrol-report', outcome: 'ok' })).toBe(1);
    expect(sample(text, 'enforcement_action_duration_seconds_count', { action: 'confirm', outcome: 'refused' })).toBe(1);
    expect(sample(text, 'enforcement_action_duration_seconds_count', { action: 'confirm', outcome: 'ok' })).toBeUndefined();
  });

  it('webhook deliveries by state, the oldest due one, subscriptions, and what is not yet fanned out', async () => {
    const before = await scrape();
    expect(sample(before, 'enforcement_webhook_deliveries', { state: 'due' })).toBe(0);
    expect(sample(before, 'enforcement_webhook_delivery_lag_seconds')).toBe(0);

    await db.pool.query(
      `INSERT INTO webhook_endpoints (id, owner_sub, owner_role, url, secret, enabled, deleted_at) VALUES
         ('we_on', 'platform', 'upstream', 'https://12345.example/hook', 'whsec_a', true, NULL),
         ('we_gone', 'platform', 'upstream', 'https://old.example/hook', 'whsec_b', false, NULL),
         ('we_deleted', 'platform', 'upstream', 'https://x.example/hook', 'whsec_c', false, now())`,
    );
    await db.pool.query(
      `INSERT INTO webhook_messages (id, event_type, case_id, seq, payload)
       SELECT 'msg_' || i, 'case.stage_changed', 'metrics-a', i, '{}'::jsonb FROM generate_series(1, 6) AS i`,
    );
    await db.pool.query(
      `INSERT INTO webhook_deliveries (message_id, endpoint_id, status, attempts, next_attempt_at) VALUES
         ('msg_1', 'we_on', 'pending', 0, now() - interval '90 seconds'),  -- due, waiting 90 s
         ('msg_2', 'we_on', 'pending', 1, now() - interval '10 seconds'),  -- a retry due now
         ('msg_3', 'we_on', 'pending', 3, now() + interval '30 minutes'),  -- a retry later
         ('msg_4', 'we_gone', 'dead', 1, now()),
         ('msg_5', 'we_on', 'delivered', 1, now()),
         ('msg_6', 'we_on', 'cancelled', 0, now())`,
    );
    // the timeline rows projected so far were fanned out; one notification and one new case are not yet
    await db.pool.query('UPDATE case_events SET published_at = now()');
    await db.pool.query(
      `INSERT INTO outbox (dedupe_key, case_id, channel, recipient, subject, payload, created_at)
       VALUES ('metrics-backlog-1', 'metrics-a', 'inbox', 'township:${DEMO.township}', '新案件', '{}', now() - interval '10 minutes')`,
    );
    await project(db.pool, kase('h', 'handling', [deadline('handling', 2 * HOUR, 0)], [1]));

    const text = await scrape();
    expect(sample(text, 'enforcement_webhook_deliveries', { state: 'due' })).toBe(2);
    expect(sample(text, 'enforcement_webhook_deliveries', { state: 'scheduled' })).toBe(1);
    expect(sample(text, 'enforcement_webhook_deliveries', { state: 'dead' })).toBe(1);
    const lag = sample(text, 'enforcement_webhook_delivery_lag_seconds')!;
    expect(lag).toBeGreaterThanOrEqual(90);
    expect(lag).toBeLessThan(150);
    expect(sample(text, 'enforcement_webhook_endpoints', { state: 'enabled' })).toBe(1);
    expect(sample(text, 'enforcement_webhook_endpoints', { state: 'disabled' })).toBe(1);
    expect(sample(text, 'enforcement_delivery_backlog', { source: 'outbox' })).toBe(1);
    expect(sample(text, 'enforcement_delivery_backlog', { source: 'timeline' })).toBe(2); // case h: its opening and its breach
    const outboxAge = sample(text, 'enforcement_delivery_backlog_age_seconds', { source: 'outbox' })!;
    expect(outboxAge).toBeGreaterThanOrEqual(600);
    expect(outboxAge).toBeLessThan(660);
    // the breach entry is an hour old (fixture), the oldest of the two
    expect(sample(text, 'enforcement_delivery_backlog_age_seconds', { source: 'timeline' })).toBeGreaterThanOrEqual(3600);
  });

  it("every API metric the Grafana dashboard (ops/grafana) queries is one /metrics exposes", async () => {
    const text = await scrape();
    const dashboard = fs.readFileSync(path.resolve(__dirname, '../../ops/grafana/enforcement-cases.json'), 'utf8');
    const used = new Set([...dashboard.matchAll(/\b((?:enforcement|http)_[a-z_]+?)(?:_bucket|_count|_sum)?\b/g)].map((m) => m[1]!));
    expect(used.size).toBeGreaterThan(5);
    for (const name of used) expect(text, name).toContain(`# TYPE ${name} `);
  });

  it('names the action of each step route, and nothing for other routes', () => {
    expect(actionOfRoute('POST', '/v1/cases')).toBe('open');
    expect(actionOfRoute('POST', '/v1/cases/:caseId/actions/verify')).toBe('verify');
    expect(actionOfRoute('POST', '/v1/cases/:caseId/county-response')).toBe('county-response');
    expect(actionOfRoute('POST', '/v1/cases/:caseId/judicial/police-decision')).toBe('judicial/police-decision');
    expect(actionOfRoute('POST', '/v1/cases/:caseId/court/court-ruling')).toBe('court/court-ruling');
    expect(actionOfRoute('GET', '/v1/cases/:caseId')).toBeUndefined();
    expect(actionOfRoute('POST', '/v1/admin/sla-policy')).toBeUndefined();
  });
});

import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO } from '../../db/seed';
import { bearer } from '../helpers/api';
import { useTestPool } from '../helpers/db';
import { startTemporalTestApp, type TemporalDev } from '../helpers/temporal-dev';

/**
 * Temporal goes away under a running API (its own native connection, as api/main.ts builds it): what
 * was read is still read, a step is refused with 503 and Retry-After, nothing hangs.
 */
const pool = useTestPool();
let app: FastifyInstance;
let temporal: TemporalDev;
let stop: (() => Promise<void>) | undefined;
const QUERY_TIMEOUT_MS = 1000;

beforeAll(async () => {
  ({ app, temporal, stop } = await startTemporalTestApp(pool, `temporal-outage-${process.pid}`, { app: { caseQueryTimeoutMs: QUERY_TIMEOUT_MS } }));
});
afterAll(async () => stop?.());

describe('Temporal unreachable', () => {
  it('answers GET from the read model within the query timeout, and refuses an action with 503', async () => {
    const opened = await app.inject({
      method: 'POST',
      url: '/v1/cases',
      headers: { ...bearer('upstream'), 'idempotency-key': `outage-${process.pid}-${Date.now()}` },
      payload: {
        source: 'hotline',
        countyCode: DEMO.county,
        townshipCode: DEMO.township,
        location: { address: '浦城县莲塘镇街上路18号' },
        description: '12345热线：夜间施工噪声扰民',
        reporter: { name: '王女士', phone: '13800000000' },
      },
    });
    expect(opened.statusCode).toBe(201);
    const caseId = opened.json().caseId as string;

    // the server goes away (the worker drains first, then the dev server stops)
    await temporal.stop();

    const started = Date.now();
    const read = await app.inject({ method: 'GET', url: `/v1/cases/${caseId}`, headers: bearer('township') });
    expect(read.statusCode).toBe(200);
    expect(read.json()).toMatchObject({ caseId, stage: 'patrol', status: 'open' });
    // bounded by the query timeout, not by the connection's own retries (about ten seconds)
    expect(Date.now() - started).toBeLessThan(QUERY_TIMEOUT_MS + 3000);

    const acted = await app.inject({
      method: 'POST',
      url: `/v1/cases/${caseId}/actions/patrol-report`,
      headers: { ...bearer('township'), 'idempotency-key': `outage-step-${process.pid}` },
      payload: { gridMemberId: 'grid-member-7', observedAt: read.json().openedAt, findings: '占道经营属实' },
    });
    expect(acted.statusCode).toBe(503);
    expect(acted.headers['retry-after']).toBeDefined();
    expect(acted.json().error.code).toBe('unavailable');
  }, 60_000);
});

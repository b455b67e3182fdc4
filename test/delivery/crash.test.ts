import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Pool } from 'pg';
import { recordTransition } from '../../activities';
import { DEMO } from '../../db/seed';
import { Dispatcher } from '../../delivery/dispatcher';
import { createEndpoint } from '../../delivery/subscriptions';
import { fixtureCase } from '../helpers/api';
import { scratchDatabase } from '../helpers/db';
import { drainUntil, Receiver, TEST_DELIVERY } from './receiver';

let db: Awaited<ReturnType<typeof scratchDatabase>>;
let pool: Pool;
let child: ChildProcess | undefined;
const receiver = new Receiver();

beforeAll(async () => {
  db = await scratchDatabase();
  pool = db.pool;
});
afterAll(async () => {
  if (child && child.exitCode === null) child.kill('SIGKILL');
  await receiver.close();
  await db?.dispose();
});

const SETTINGS = { ...TEST_DELIVERY, leaseMs: 1500, requestTimeoutMs: 1000 };

function startDispatcherProcess(url: string): Promise<ChildProcess> {
  const proc = spawn(process.execPath, ['--import', 'tsx', path.join(__dirname, 'dispatcher-process.ts')], {
    env: { ...process.env, DATABASE_URL: url, DELIVERY_SETTINGS: JSON.stringify(SETTINGS) },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  return new Promise((resolve, reject) => {
    proc.once('error', reject);
    proc.once('exit', (code) => reject(new Error(`dispatcher process exited early with ${code}`)));
    proc.stdout!.once('data', () => resolve(proc));
  });
}

describe('a dispatcher killed mid-delivery', () => {
  it('loses nothing: after the lease another dispatcher delivers every message, receivers dedupe on webhook-id', async () => {
    const url = await receiver.listen();
    const { secret } = await createEndpoint(pool, { ownerSub: 'admin-1', ownerRole: 'admin', url, eventTypes: ['case.opened'] });
    receiver.secret = secret;
    // The first request hangs: the dispatcher is killed while it waits for the answer.
    receiver.answers = ['hang'];
    const killed = new Promise<void>((resolve) => {
      receiver.onRequest = () => {
        if (child && child.exitCode === null && child.signalCode === null) {
          child.kill('SIGKILL');
          child.once('exit', () => resolve());
        }
      };
    });

    const caseIds: string[] = [];
    for (let i = 0; i < 6; i++) {
      const caseId = `T-crash-${process.pid}-${i}`;
      const snapshot = fixtureCase(caseId, { stage: 'patrol', countyCode: DEMO.county });
      await recordTransition(pool, { workflowId: caseId, snapshot, seq: 1, events: snapshot.timeline, notifications: [] });
      caseIds.push(caseId);
    }
    child = await startDispatcherProcess(db.url);
    await killed;
    expect(child.signalCode).toBe('SIGKILL');
    const beforeRecovery = await pool.query<{ status: string }>(`SELECT status FROM webhook_deliveries`);
    expect(beforeRecovery.rows.some((r) => r.status === 'pending')).toBe(true);

    const survivor = new Dispatcher({ pool, settings: SETTINGS });
    await drainUntil(
      survivor,
      async () => (await pool.query(`SELECT 1 FROM webhook_deliveries WHERE status <> 'delivered'`)).rowCount === 0,
      'every delivery delivered',
    );
    const unique = receiver.unique();
    expect(unique.map((r) => r.body.data.caseId).sort()).toEqual([...caseIds].sort());
    expect(receiver.requests.every((r) => r.verified)).toBe(true);
    // The hung message came again with the same webhook-id: at least once, deduplicated by the receiver.
    const hung = receiver.requests[0]!;
    expect(receiver.requests.filter((r) => r.webhookId === hung.webhookId).length).toBeGreaterThanOrEqual(2);
    const messages = await pool.query<{ id: string }>('SELECT id FROM webhook_messages');
    expect(unique.map((r) => r.webhookId).sort()).toEqual(messages.rows.map((r) => r.id).sort());
  });
});

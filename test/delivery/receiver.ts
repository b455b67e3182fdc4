import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { FastifyInstance } from 'fastify';
import type { Pool } from 'pg';
import { Webhook } from 'standardwebhooks';
import { buildApp } from '../../api/app';
import { Dispatcher } from '../../delivery/dispatcher';
import type { DeliverySettings } from '../../delivery/settings';
import { FakeTemporal } from '../helpers/fake-temporal';
import { TEST_JWT_SECRET } from '../helpers/api';

/** What a receiver got: every request, verified with `standardwebhooks` against the endpoint's secret. */
export interface Received {
  webhookId: string;
  verified: boolean;
  verifyError?: string;
  body: { type: string; timestamp: string; data: Record<string, unknown> & { caseId: string; seq: number } };
  answeredWith: number;
}

export type Answer = { status: number; headers?: Record<string, string> } | 'hang';

/**
 * A webhook receiver on loopback, as a subscriber would run it: verifies each signature with
 * `standardwebhooks`, answers what the test scripts (`answers`, one per request, then `otherwise`), and
 * dedupes on webhook-id (`unique()`).
 */
export class Receiver {
  readonly requests: Received[] = [];
  answers: Answer[] = [];
  otherwise: Answer = { status: 204 };
  secret = '';
  private readonly server = http.createServer((req, res) => this.handle(req, res));
  private readonly hung: http.ServerResponse[] = [];
  onRequest: ((r: Received) => void) | undefined;

  async listen(): Promise<string> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    const { port } = this.server.address() as AddressInfo;
    return `http://127.0.0.1:${port}/hooks`;
  }

  private handle(req: http.IncomingMessage, res: http.ServerResponse): void {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const raw = Buffer.concat(chunks).toString('utf8');
      const headers = {
        'webhook-id': String(req.headers['webhook-id'] ?? ''),
        'webhook-timestamp': String(req.headers['webhook-timestamp'] ?? ''),
        'webhook-signature': String(req.headers['webhook-signature'] ?? ''),
      };
      let verified = false;
      let verifyError: string | undefined;
      try {
        new Webhook(this.secret).verify(raw, headers);
        verified = true;
      } catch (err) {
        verifyError = (err as Error).message;
      }
      const answer = this.answers.shift() ?? this.otherwise;
      const received: Received = {
        webhookId: headers['webhook-id'],
        verified,
        ...(verifyError ? { verifyError } : {}),
        body: JSON.parse(raw) as Received['body'],
        answeredWith: answer === 'hang' ? 0 : answer.status,
      };
      this.requests.push(received);
      this.onRequest?.(received);
      if (answer === 'hang') {
        this.hung.push(res);
        return;
      }
      res.writeHead(answer.status, answer.headers ?? {});
      res.end();
    });
  }

  /** Successful receipts, once per webhook-id (a receiver's deduplication). */
  unique(): Received[] {
    const seen = new Map<string, Received>();
    for (const r of this.requests) if (r.answeredWith >= 200 && r.answeredWith < 300 && !seen.has(r.webhookId)) seen.set(r.webhookId, r);
    return [...seen.values()];
  }

  async close(): Promise<void> {
    for (const res of this.hung) res.destroy();
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

/** Short schedules so tests do not wait minutes; no jitter so attempts are countable. */
export const TEST_DELIVERY: Partial<DeliverySettings> = {
  pollIntervalMs: 25,
  retrySchedule: [50, 50, 50],
  jitter: 0,
  leaseMs: 3000,
  requestTimeoutMs: 2000,
  allowPrivateUrls: true,
};

export async function buildDeliveryApp(pool: Pool, delivery: Partial<DeliverySettings> = TEST_DELIVERY): Promise<FastifyInstance> {
  const fake = new FakeTemporal(pool);
  return buildApp({ pool, temporal: { client: fake.client, taskQueue: 'unused' }, jwtSecret: TEST_JWT_SECRET, delivery, inboxFeed: { mode: 'listen', heartbeatMs: 60_000 } });
}

/** Runs dispatcher rounds until `done` holds (bounded, generous: the machine is shared). */
export async function drainUntil(dispatcher: Dispatcher, done: () => boolean | Promise<boolean>, what: string, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await done())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    const r = await dispatcher.round();
    if (r.outbox + r.events + r.sent === 0) await new Promise((res) => setTimeout(res, 20));
  }
}

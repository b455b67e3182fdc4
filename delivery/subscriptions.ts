import { randomBytes } from 'node:crypto';
import type { Pool } from 'pg';
import { withTransaction } from '../db/pool';
import type { WebhookEventType } from './events';

/**
 * Webhook endpoints (subscriptions), their delivery log and dead letters, in Postgres. Who may see or
 * change which endpoint is decided by the caller (api/routes/webhooks.ts) and passed in as `owner`:
 * undefined for an admin (every endpoint), the upstream system's subject otherwise (its own only).
 */

export interface Endpoint {
  id: string;
  ownerSub: string;
  ownerRole: 'admin' | 'upstream';
  url: string;
  description: string | null;
  eventTypes: WebhookEventType[];
  countyCode: string | null;
  townshipCodes: string[] | null;
  enabled: boolean;
  disabledReason: string | null;
  createdAt: string;
  updatedAt: string;
}

interface EndpointRow {
  id: string;
  owner_sub: string;
  owner_role: 'admin' | 'upstream';
  url: string;
  description: string | null;
  event_types: WebhookEventType[];
  county_code: string | null;
  township_codes: string[] | null;
  enabled: boolean;
  disabled_reason: string | null;
  created_at: string;
  updated_at: string;
}

const ENDPOINT_COLUMNS = `id, owner_sub, owner_role, url, description, event_types, county_code, township_codes, enabled,
  disabled_reason, created_at, updated_at`;

function endpointOf(r: EndpointRow): Endpoint {
  return {
    id: r.id,
    ownerSub: r.owner_sub,
    ownerRole: r.owner_role,
    url: r.url,
    description: r.description,
    eventTypes: r.event_types,
    countyCode: r.county_code,
    townshipCodes: r.township_codes,
    enabled: r.enabled,
    disabledReason: r.disabled_reason,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
  };
}

/** A fresh endpoint secret in the Standard Webhooks form: `whsec_` + base64 of 32 random bytes. */
export function newSecret(): string {
  return `whsec_${randomBytes(32).toString('base64')}`;
}

const newEndpointId = () => `ep_${randomBytes(12).toString('hex')}`;

export interface NewEndpoint {
  ownerSub: string;
  ownerRole: 'admin' | 'upstream';
  url: string;
  description?: string | undefined;
  eventTypes: WebhookEventType[];
  countyCode?: string | undefined;
  townshipCodes?: string[] | undefined;
}

/**
 * Creates an endpoint; the secret is returned here and never again (rotate to get a new one). With an
 * Idempotency-Key, a retry by the same owner returns the endpoint it created (`replayed`), secret included.
 */
export async function createEndpoint(
  pool: Pool,
  e: NewEndpoint,
  idempotencyKey?: string,
): Promise<{ endpoint: Endpoint; secret: string; replayed: boolean }> {
  const secret = newSecret();
  const { rows } = await pool.query<EndpointRow>(
    `INSERT INTO webhook_endpoints (id, owner_sub, owner_role, url, description, event_types, county_code, township_codes, secret, idempotency_key)
     VALUES ($1, $2, $3, $4, $5, $6::text[], $7, $8::text[], $9, $10)
     ON CONFLICT (owner_sub, idempotency_key) WHERE idempotency_key IS NOT NULL DO NOTHING
     RETURNING ${ENDPOINT_COLUMNS}`,
    [newEndpointId(), e.ownerSub, e.ownerRole, e.url, e.description ?? null, e.eventTypes, e.countyCode ?? null, e.townshipCodes ?? null, secret, idempotencyKey ?? null],
  );
  if (rows[0]) return { endpoint: endpointOf(rows[0]), secret, replayed: false };
  const first = await pool.query<EndpointRow & { secret: string }>(
    `SELECT ${ENDPOINT_COLUMNS}, secret FROM webhook_endpoints WHERE owner_sub = $1 AND idempotency_key = $2`,
    [e.ownerSub, idempotencyKey],
  );
  const row = first.rows[0];
  if (!row) throw new Error('an endpoint conflicted on its Idempotency-Key but cannot be read back');
  return { endpoint: endpointOf(row), secret: row.secret, replayed: true };
}

export async function listEndpoints(pool: Pool, owner: string | undefined): Promise<Endpoint[]> {
  const { rows } = await pool.query<EndpointRow>(
    `SELECT ${ENDPOINT_COLUMNS} FROM webhook_endpoints
      WHERE deleted_at IS NULL AND ($1::text IS NULL OR owner_sub = $1)
      ORDER BY created_at, id`,
    [owner ?? null],
  );
  return rows.map(endpointOf);
}

/** Soft delete: the endpoint stops receiving; its pending deliveries are cancelled; the log stays. */
export async function deleteEndpoint(pool: Pool, id: string, owner: string | undefined): Promise<boolean> {
  return withTransaction(pool, async (client) => {
    const { rowCount } = await client.query(
      `UPDATE webhook_endpoints SET deleted_at = now(), enabled = false, updated_at = now()
        WHERE id = $1 AND deleted_at IS NULL AND ($2::text IS NULL OR owner_sub = $2)`,
      [id, owner ?? null],
    );
    if ((rowCount ?? 0) === 0) return false;
    await client.query(`UPDATE webhook_deliveries SET status = 'cancelled' WHERE endpoint_id = $1 AND status = 'pending'`, [id]);
    return true;
  });
}

/**
 * A new secret; the previous one keeps signing (a second signature in `webhook-signature`) until
 * `graceMs` from now, so the receiver can switch without losing a message. A retry with the
 * Idempotency-Key of the last rotation rotates nothing and answers the same secret.
 */
export async function rotateSecret(
  pool: Pool,
  id: string,
  owner: string | undefined,
  graceMs: number,
  idempotencyKey?: string,
): Promise<{ secret: string; previousSecretValidUntil: string } | undefined> {
  const secret = newSecret();
  const { rows } = await pool.query<{ secret: string; until: string }>(
    `UPDATE webhook_endpoints
        SET previous_secret = secret, secret = $3, rotation_key = $5,
            previous_secret_expires_at = now() + make_interval(secs => $4::double precision / 1000), updated_at = now()
      WHERE id = $1 AND deleted_at IS NULL AND ($2::text IS NULL OR owner_sub = $2)
        AND ($5::text IS NULL OR rotation_key IS DISTINCT FROM $5)
      RETURNING secret, previous_secret_expires_at AS until`,
    [id, owner ?? null, secret, graceMs, idempotencyKey ?? null],
  );
  let row = rows[0];
  if (!row && idempotencyKey !== undefined) {
    const again = await pool.query<{ secret: string; until: string }>(
      `SELECT secret, previous_secret_expires_at AS until FROM webhook_endpoints
        WHERE id = $1 AND deleted_at IS NULL AND ($2::text IS NULL OR owner_sub = $2) AND rotation_key = $3`,
      [id, owner ?? null, idempotencyKey],
    );
    row = again.rows[0];
  }
  return row ? { secret: row.secret, previousSecretValidUntil: row.until } : undefined;
}

export const DELIVERY_STATUSES = ['pending', 'delivered', 'dead', 'cancelled'] as const;
export type DeliveryStatus = (typeof DELIVERY_STATUSES)[number];

export interface DeliveryLogEntry {
  id: string;
  messageId: string;
  endpointId: string;
  eventType: string;
  caseId: string;
  seq: number;
  status: DeliveryStatus;
  attempts: number;
  nextAttemptAt: string | null;
  lastAttemptAt: string | null;
  lastStatusCode: number | null;
  lastError: string | null;
  deliveredAt: string | null;
  createdAt: string;
  payload: unknown;
}

interface DeliveryRow {
  id: number;
  message_id: string;
  endpoint_id: string;
  event_type: string;
  case_id: string;
  seq: number;
  status: DeliveryStatus;
  attempts: number;
  next_attempt_at: string;
  last_attempt_at: string | null;
  last_status_code: number | null;
  last_error: string | null;
  delivered_at: string | null;
  created_at: string;
  payload: unknown;
}

export interface DeliveryFilter {
  owner: string | undefined;
  status?: DeliveryStatus | undefined;
  endpointId?: string | undefined;
  caseId?: string | undefined;
  /** Deliveries with an id below this one (the previous page's last id). */
  before?: number | undefined;
  limit: number;
}

/** The delivery log, newest first: one row per message and endpoint. */
export async function listDeliveries(pool: Pool, f: DeliveryFilter): Promise<DeliveryLogEntry[]> {
  const { rows } = await pool.query<DeliveryRow>(
    `SELECT d.id, d.message_id, d.endpoint_id, m.event_type, m.case_id, m.seq, d.status, d.attempts, d.next_attempt_at,
            d.last_attempt_at, d.last_status_code, d.last_error, d.delivered_at, d.created_at, m.payload
       FROM webhook_deliveries d
       JOIN webhook_messages m ON m.id = d.message_id
       JOIN webhook_endpoints ep ON ep.id = d.endpoint_id
      WHERE ($1::text IS NULL OR ep.owner_sub = $1)
        AND ($2::text IS NULL OR d.status = $2)
        AND ($3::text IS NULL OR d.endpoint_id = $3)
        AND ($4::text IS NULL OR m.case_id = $4)
        AND ($5::bigint IS NULL OR d.id < $5)
      ORDER BY d.id DESC
      LIMIT $6`,
    [f.owner ?? null, f.status ?? null, f.endpointId ?? null, f.caseId ?? null, f.before ?? null, f.limit],
  );
  return rows.map((r) => ({
    id: String(r.id),
    messageId: r.message_id,
    endpointId: r.endpoint_id,
    eventType: r.event_type,
    caseId: r.case_id,
    seq: r.seq,
    status: r.status,
    attempts: r.attempts,
    nextAttemptAt: r.status === 'pending' ? r.next_attempt_at : null,
    lastAttemptAt: r.last_attempt_at,
    lastStatusCode: r.last_status_code,
    lastError: r.last_error,
    deliveredAt: r.delivered_at,
    createdAt: r.created_at,
    payload: r.payload,
  }));
}

export type ReplayOutcome = 'replayed' | 'not_found' | 'not_dead' | 'endpoint_unavailable';

/**
 * Sends a dead letter again: a fresh schedule from now, same webhook-id (receivers that did get it
 * dedupe). A replay re-enables an endpoint disabled by 410 (the admin says it is back); a deleted
 * endpoint cannot be replayed to. A retry with the Idempotency-Key of the last replay is answered as it was.
 */
export async function replayDelivery(pool: Pool, id: number, idempotencyKey?: string): Promise<ReplayOutcome> {
  const { rows } = await pool.query<{ status: DeliveryStatus; deleted: boolean; replay_key: string | null }>(
    `SELECT d.status, ep.deleted_at IS NOT NULL AS deleted, d.replay_key
       FROM webhook_deliveries d JOIN webhook_endpoints ep ON ep.id = d.endpoint_id WHERE d.id = $1`,
    [id],
  );
  const row = rows[0];
  if (!row) return 'not_found';
  if (idempotencyKey !== undefined && row.replay_key === idempotencyKey) return 'replayed';
  if (row.deleted) return 'endpoint_unavailable';
  if (row.status !== 'dead') return 'not_dead';
  const { rowCount } = await pool.query(
    `WITH d AS (
       UPDATE webhook_deliveries SET status = 'pending', attempts = 0, next_attempt_at = now(), last_error = NULL, replay_key = $2
        WHERE id = $1 AND status = 'dead'
        RETURNING endpoint_id
     )
     UPDATE webhook_endpoints ep SET enabled = true, disabled_reason = NULL, updated_at = now()
       FROM d WHERE ep.id = d.endpoint_id`,
    [id, idempotencyKey ?? null],
  );
  return (rowCount ?? 0) > 0 ? 'replayed' : 'not_dead';
}

import type { Pool, PoolClient } from 'pg';
import { withTransaction } from '../db/pool';
import { creditFeedEventOf, messageIdOf, routeOf, webhookEventsOf, webhookPayloadOf, type TimelineRow, type WebhookEvent } from './events';

/**
 * The dispatcher's first half: turns what recordTransition wrote into work for the channels, each batch
 * in one transaction, rows claimed with `FOR UPDATE SKIP LOCKED` so several dispatchers share the work
 * and a dispatcher that dies mid-batch leaves nothing half done (the transaction rolls back).
 * - outbox rows → in-app inbox rows (unit and person recipients), `delivered_at` set; NOTIFY inbox;
 * - outbox rows of the credit publicity feed (channel `credit-publicity`, written by the disclosure process)
 *   → webhook messages `case.disclosure_published` / `case.disclosure_withdrawn` (delivery/events.ts);
 * - case_events rows → webhook messages (delivery/events.ts) and one pending delivery per subscribed,
 *   enabled endpoint whose filters and jurisdiction admit the case.
 */

/** Postgres channel the API's SSE streams listen on; the payload is the inbox row's id. */
export const INBOX_CHANNEL = 'inbox_notification';

interface OutboxRow {
  id: number;
  dedupe_key: string;
  created_by: string | null;
  case_id: string;
  channel: string;
  recipient: string;
  subject: string;
  payload: Record<string, unknown>;
  created_at: string;
  county_code: string | null;
  township_code: string | null;
}

/** Fans out up to `limit` outbox rows; returns how many were taken. */
export async function fanOutOutbox(pool: Pool, limit: number): Promise<number> {
  return withTransaction(pool, async (client) => {
    const { rows } = await client.query<OutboxRow>(
      `SELECT o.id, o.dedupe_key, c.created_by, o.case_id, o.channel, o.recipient, o.subject, o.payload, o.created_at, c.county_code, c.township_code
         FROM outbox o LEFT JOIN cases c ON c.case_id = o.case_id
        WHERE o.dispatched_at IS NULL
        ORDER BY o.id
        LIMIT $1
        FOR UPDATE OF o SKIP LOCKED`,
      [limit],
    );
    for (const row of rows) await dispatchOutboxRow(client, row);
    return rows.length;
  });
}

async function dispatchOutboxRow(client: PoolClient, row: OutboxRow): Promise<void> {
  const route = routeOf(row.recipient);
  if (row.channel === 'credit-publicity' && row.county_code !== null && row.township_code !== null) {
    const event = creditFeedEventOf({
      dedupeKey: row.dedupe_key,
      caseId: row.case_id,
      createdAt: row.created_at,
      payload: row.payload,
      countyCode: row.county_code,
      townshipCode: row.township_code,
    });
    if (event) {
      await publishMessage(client, event.id, event, row.county_code, row.township_code, row.created_by);
      await client.query(`UPDATE outbox SET dispatched_at = now(), attempts = attempts + 1, dispatch_note = $2 WHERE id = $1`, [row.id, `webhook ${event.type}`]);
      return;
    }
  }
  if (route.channel !== 'inbox') {
    await client.query(`UPDATE outbox SET dispatched_at = now(), attempts = attempts + 1, dispatch_note = $2 WHERE id = $1`, [row.id, route.note]);
    return;
  }
  const address = route;
  const inserted = await client.query<{ id: number }>(
    `INSERT INTO inbox_notifications (outbox_id, recipient, recipient_kind, recipient_code, case_id, county_code, township_code,
                                      channel, subject, payload, created_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10::jsonb, $11)
     ON CONFLICT (outbox_id) DO NOTHING
     RETURNING id`,
    [
      row.id,
      row.recipient,
      address.kind,
      address.code,
      row.case_id,
      row.county_code,
      row.township_code,
      row.channel,
      row.subject,
      JSON.stringify(row.payload),
      row.created_at,
    ],
  );
  const id = inserted.rows[0]?.id;
  // NOTIFY is delivered at commit, so a listener never sees a row it cannot read yet.
  if (id !== undefined) await client.query('SELECT pg_notify($1, $2)', [INBOX_CHANNEL, String(id)]);
  await client.query(
    `UPDATE outbox SET dispatched_at = now(), delivered_at = now(), attempts = attempts + 1, dispatch_note = 'in-app inbox' WHERE id = $1`,
    [row.id],
  );
}

interface EventRow {
  case_id: string;
  seq: number;
  at: string;
  type: string;
  stage: string;
  data: Record<string, unknown> | null;
  next_stage: string | null;
  case_stage: string | null;
  case_seq: number | null;
  county_code: string | null;
  township_code: string | null;
  external_ref: string | null;
  created_by: string | null;
  feedback: { outcome?: unknown; message?: unknown } | null;
}

/** Turns up to `limit` unpublished timeline rows into webhook messages and deliveries; returns how many rows. */
export async function fanOutCaseEvents(pool: Pool, limit: number): Promise<number> {
  return withTransaction(pool, async (client) => {
    // One statement, one snapshot: the next row and the case row are read as of the same moment, so the
    // stage after the last recorded event is the case row's stage (both are written by one statement).
    const { rows } = await client.query<EventRow>(
      `SELECT e.case_id, e.seq, e.at, e.type, e.stage, e.data,
              (SELECT n.stage FROM case_events n WHERE n.case_id = e.case_id AND n.seq = e.seq + 1) AS next_stage,
              c.stage AS case_stage, c.seq AS case_seq, c.county_code, c.township_code, c.external_ref, c.created_by,
              CASE WHEN e.type = 'case_closed' THEN
                (SELECT o.payload FROM outbox o WHERE o.case_id = e.case_id AND o.channel = 'reporter-feedback' ORDER BY o.id DESC LIMIT 1)
              END AS feedback
         FROM case_events e LEFT JOIN cases c ON c.case_id = e.case_id
        WHERE e.published_at IS NULL
        ORDER BY e.at, e.case_id, e.seq
        LIMIT $1
        FOR UPDATE OF e SKIP LOCKED`,
      [limit],
    );
    for (const row of rows) await publishEvent(client, row);
    return rows.length;
  });
}

async function publishEvent(client: PoolClient, row: EventRow): Promise<void> {
  if (row.county_code !== null && row.township_code !== null) {
    const timeline: TimelineRow = {
      caseId: row.case_id,
      seq: row.seq,
      at: row.at,
      type: row.type,
      stage: row.stage,
      data: row.data,
      stageAfter: row.next_stage ?? (row.case_seq === row.seq ? (row.case_stage ?? undefined) : undefined),
      externalRef: row.external_ref,
      countyCode: row.county_code,
      townshipCode: row.township_code,
      reporterFeedback: row.feedback,
    };
    for (const event of webhookEventsOf(timeline)) {
      await publishMessage(client, messageIdOf(event), event, row.county_code, row.township_code, row.created_by);
    }
  }
  await client.query('UPDATE case_events SET published_at = now() WHERE case_id = $1 AND seq = $2', [row.case_id, row.seq]);
}

/** One webhook message (once per id) and a pending delivery per subscribed endpoint that may see the case. */
async function publishMessage(client: PoolClient, id: string, event: WebhookEvent, countyCode: string, townshipCode: string, createdBy: string | null): Promise<void> {
  await client.query(
    `INSERT INTO webhook_messages (id, event_type, case_id, seq, payload) VALUES ($1, $2, $3, $4, $5::jsonb)
     ON CONFLICT (id) DO NOTHING`,
    [id, event.type, event.caseId, event.seq, JSON.stringify(webhookPayloadOf(event))],
  );
  // Subscriptions: the event type, the endpoint's county and township filter, and jurisdiction — an
  // upstream system's endpoint receives only the cases it may read (api/auth.ts canReadCase: the
  // cases it opened), in its own county.
  await client.query(
    `INSERT INTO webhook_deliveries (message_id, endpoint_id)
     SELECT $1, ep.id FROM webhook_endpoints ep
      WHERE ep.deleted_at IS NULL AND ep.enabled
        AND (cardinality(ep.event_types) = 0 OR $2 = ANY (ep.event_types))
        AND (ep.county_code IS NULL OR ep.county_code = $3)
        AND (ep.township_codes IS NULL OR $4 = ANY (ep.township_codes))
        AND (ep.owner_role = 'admin' OR (ep.owner_role = 'upstream' AND ep.owner_sub = $5))
     ON CONFLICT (message_id, endpoint_id) DO NOTHING`,
    [id, event.type, countyCode, townshipCode, createdBy],
  );
}

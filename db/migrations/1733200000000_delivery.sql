-- Up Migration

-- Delivery (delivery.md): the dispatcher fans outbox rows out to in-app inboxes and case_events rows out
-- to webhook messages, each in one transaction with `FOR UPDATE SKIP LOCKED`, then sends webhook
-- deliveries under a lease. Nothing here is written by recordTransition; it only adds bookkeeping columns.

-- Outbox rows: dispatched_at when fanned out (inbox row written, or no in-app recipient); delivered_at
-- (existing column) when it reached its in-app inbox.
ALTER TABLE outbox ADD COLUMN dispatched_at timestamptz;
ALTER TABLE outbox ADD COLUMN dispatch_note text;
CREATE INDEX outbox_undispatched ON outbox (id) WHERE dispatched_at IS NULL;

-- Timeline rows: published_at when turned into webhook messages. Rows older than this migration are
-- history, not news: mark them published so a first subscriber is not flooded with the past.
ALTER TABLE case_events ADD COLUMN published_at timestamptz;
UPDATE case_events SET published_at = now();
CREATE INDEX case_events_unpublished ON case_events (case_id, seq) WHERE published_at IS NULL;

-- In-app inbox: one row per notification to a unit (township-leader:, county-supervisor:, department:,
-- brigade:) or a person (person:<sub>). Read state is per reader: a unit's notification read by one
-- officer stays unread for the others.
CREATE TABLE inbox_notifications (
  id             bigserial PRIMARY KEY,
  outbox_id      bigint NOT NULL UNIQUE REFERENCES outbox (id),
  recipient      text NOT NULL,
  recipient_kind text NOT NULL,
  recipient_code text NOT NULL,
  case_id        text NOT NULL,
  county_code    text,
  township_code  text,
  channel        text NOT NULL,
  subject        text NOT NULL,
  payload        jsonb NOT NULL,
  created_at     timestamptz NOT NULL
);
CREATE INDEX inbox_recipient ON inbox_notifications (recipient, id DESC);
CREATE INDEX inbox_kind ON inbox_notifications (recipient_kind, id DESC);

CREATE TABLE inbox_reads (
  notification_id bigint NOT NULL REFERENCES inbox_notifications (id),
  reader_sub      text NOT NULL,
  read_at         timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (notification_id, reader_sub)
);

-- Webhook endpoints (Standard Webhooks): one secret per endpoint (whsec_…), the previous one still signs
-- until previous_secret_expires_at after a rotation.
CREATE TABLE webhook_endpoints (
  id                         text PRIMARY KEY,
  owner_sub                  text NOT NULL,
  owner_role                 text NOT NULL CHECK (owner_role IN ('admin', 'upstream')),
  url                        text NOT NULL,
  description                text,
  event_types                text[] NOT NULL DEFAULT '{}',
  county_code                text,
  township_codes             text[],
  secret                     text NOT NULL,
  previous_secret            text,
  previous_secret_expires_at timestamptz,
  enabled                    boolean NOT NULL DEFAULT true,
  disabled_reason            text,
  created_at                 timestamptz NOT NULL DEFAULT now(),
  updated_at                 timestamptz NOT NULL DEFAULT now(),
  deleted_at                 timestamptz,
  -- Idempotency-Key of the POST that created it, and of the last rotation (a retry changes nothing)
  idempotency_key            text,
  rotation_key               text
);
CREATE INDEX webhook_endpoints_owner ON webhook_endpoints (owner_sub) WHERE deleted_at IS NULL;
CREATE UNIQUE INDEX webhook_endpoints_idempotency ON webhook_endpoints (owner_sub, idempotency_key) WHERE idempotency_key IS NOT NULL;

-- One message per case event and type: its id is the webhook-id, stable across retries and endpoints.
CREATE TABLE webhook_messages (
  id          text PRIMARY KEY,
  event_type  text NOT NULL,
  case_id     text NOT NULL,
  seq         integer NOT NULL,
  payload     jsonb NOT NULL,
  created_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX webhook_messages_case ON webhook_messages (case_id, seq);

-- One delivery per message and endpoint. A pending delivery is due at next_attempt_at; claiming it
-- moves next_attempt_at to the end of the lease, so a dispatcher that dies mid-delivery leaves it due
-- again when the lease runs out (at least once; receivers dedupe on webhook-id).
CREATE TABLE webhook_deliveries (
  id               bigserial PRIMARY KEY,
  message_id       text NOT NULL REFERENCES webhook_messages (id),
  endpoint_id      text NOT NULL REFERENCES webhook_endpoints (id),
  status           text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'delivered', 'dead', 'cancelled')),
  attempts         integer NOT NULL DEFAULT 0,
  next_attempt_at  timestamptz NOT NULL DEFAULT now(),
  last_attempt_at  timestamptz,
  last_status_code integer,
  last_error       text,
  delivered_at     timestamptz,
  created_at       timestamptz NOT NULL DEFAULT now(),
  -- Idempotency-Key of the last replay
  replay_key       text,
  UNIQUE (message_id, endpoint_id)
);
CREATE INDEX webhook_deliveries_due ON webhook_deliveries (next_attempt_at) WHERE status = 'pending';
CREATE INDEX webhook_deliveries_endpoint ON webhook_deliveries (endpoint_id, id DESC);

-- Down Migration
DROP TABLE webhook_deliveries;
DROP TABLE webhook_messages;
DROP TABLE webhook_endpoints;
DROP TABLE inbox_reads;
DROP TABLE inbox_notifications;
DROP INDEX case_events_unpublished;
ALTER TABLE case_events DROP COLUMN published_at;
DROP INDEX outbox_undispatched;
ALTER TABLE outbox DROP COLUMN dispatch_note;
ALTER TABLE outbox DROP COLUMN dispatched_at;

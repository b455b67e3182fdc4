-- Up Migration

-- Idempotency-Key of every state-changing POST (api.md "v1 extensions"): per caller, the first request's
-- fingerprint (method, path and body). A retry with the same key and the same request is answered as the
-- first one was (its stored answer; while the first is still in flight, actions use the key as the
-- Temporal Update ID, so the workflow itself answers both once); the
-- same key with another request is refused with 422 idempotency_key_reused.
CREATE TABLE idempotency_keys (
  caller text NOT NULL,
  key text NOT NULL,
  request_hash text NOT NULL,
  method text NOT NULL,
  path text NOT NULL,
  case_id text,
  -- The Temporal Update ID the request runs as (actions and events).
  update_id text,
  -- The first answer, once it is known: a retry gets it again without touching the case.
  response_status integer,
  response_body jsonb,
  created_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (caller, key)
);
-- Requests without a key are remembered here too for a short while (key "auto:" + fingerprint of the
-- request and the case state): an identical request in that window is a double submit and runs as the
-- same Update. Keys older than the retention an operator sets may be deleted by created_at.
CREATE INDEX idempotency_keys_created ON idempotency_keys (created_at);

-- Down Migration
DROP TABLE idempotency_keys;

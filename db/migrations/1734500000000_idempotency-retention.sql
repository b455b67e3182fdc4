-- Up Migration

-- Idempotency keys are kept for a retention period (worker/retention.ts): an explicit key for
-- IDEMPOTENCY_KEY_RETENTION_DAYS, the "auto:" keys of requests sent without one (their double-submit
-- window is 30 seconds) for a day. At a city's volume every action leaves a row, most with its answer
-- (the whole case view), so without this the table grows by gigabytes a year.
-- The purge of auto keys reads them by age without walking the explicit keys of the last month.
CREATE INDEX idempotency_keys_auto_created ON idempotency_keys (created_at) WHERE key LIKE 'auto:%';

-- Down Migration
DROP INDEX idempotency_keys_auto_created;

-- Up Migration

-- /metrics counts the webhook deliveries given up after their retries (api/metrics.ts): they are few
-- but accumulate among millions of delivered ones, so they are counted from an index of their own.
CREATE INDEX webhook_deliveries_dead ON webhook_deliveries (endpoint_id) WHERE status = 'dead';

-- Down Migration
DROP INDEX webhook_deliveries_dead;

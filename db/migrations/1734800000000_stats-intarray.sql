-- Up Migration

-- intarray (a PostgreSQL contrib module, trusted: the database's owner may create it) sorts an int4 array
-- in C: GET /v1/stats/efficiency takes each unit and stage's p90 from its sorted durations
-- (api/read-model/stats.ts) instead of a percentile_cont subquery per group.
CREATE EXTENSION IF NOT EXISTS intarray;

-- Down Migration

DROP EXTENSION IF EXISTS intarray;

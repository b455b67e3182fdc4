-- Up Migration

-- GET /v1/stats/efficiency counts the open cases of the period's whole days whose deadline has passed
-- and that no timer has marked yet (`is_open AND watch_due_at < now()`): a few at any time, but the
-- index on open cases' opening time (stats_case_facts_open_opened) found every open case of the period
-- (13,359 rows at a million cases, 30 days) to keep 7. This one starts from the passed deadlines;
-- the opening time rides along so the period is checked in the index.
CREATE INDEX stats_case_facts_open_watch ON stats_case_facts (watch_due_at) INCLUDE (opened_at)
  WHERE is_open AND watch_due_at IS NOT NULL;

-- Down Migration
DROP INDEX stats_case_facts_open_watch;

-- Up Migration

-- /metrics (api/metrics.ts) reads open cases by stage and escalation level, and the overdue ones among
-- them, with an index-only scan of this partial index (open cases only, never the table), at most once
-- per cache period however often Prometheus scrapes.
CREATE INDEX cases_open_stage_level ON cases (stage, escalation_level, current_due_at) WHERE status = 'open';
-- Escalations recorded so far by level: the timeline's deadline_breached rows only.
CREATE INDEX case_events_breaches ON case_events ((data ->> 'level')) WHERE type = 'deadline_breached';

-- Down Migration
DROP INDEX case_events_breaches;
DROP INDEX cases_open_stage_level;

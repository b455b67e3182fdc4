-- Up Migration

-- 延期率, 满意率 and 督办 per unit (GET /v1/stats/efficiency): read from the timeline events that record
-- them, which are few next to all events. A partial index finds them without scanning case_events.
CREATE INDEX case_events_work_orders ON case_events (case_id, seq)
  WHERE type IN ('extension_decided', 'satisfaction_recorded', 'supervision_ordered');

-- Down Migration
DROP INDEX case_events_work_orders;

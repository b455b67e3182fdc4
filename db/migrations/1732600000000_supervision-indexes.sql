-- Up Migration

-- Lists without a jurisdiction column (admin, city supervisor) need the same orderings as the
-- per-county / per-township / per-department indexes of the first migration, without the leading column.
-- Overdue list of the whole city: status = 'open' AND current_due_at < now() ORDER BY current_due_at, case_id.
CREATE INDEX cases_open_due ON cases (current_due_at, case_id) WHERE status = 'open';
-- Case list of the whole city: ORDER BY opened_at DESC, case_id DESC (also the stats cohort by opened_at).
CREATE INDEX cases_opened ON cases (opened_at DESC, case_id DESC);
-- 公示: published penalty decisions (GET /v1/public/disclosures) are a small part of all cases.
CREATE INDEX cases_penalty_decided ON cases (case_id)
  WHERE snapshot #>> '{penalty,kind}' = 'penalty' AND snapshot #>> '{penalty,decidedAt}' IS NOT NULL;

-- Down Migration
DROP INDEX cases_penalty_decided;
DROP INDEX cases_opened;
DROP INDEX cases_open_due;

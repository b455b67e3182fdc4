-- Up Migration

-- Statistics at a million cases (issue 7): the efficiency indicators (GET /v1/stats/efficiency, /overview,
-- /trend) read two narrow projections instead of `cases` (1 GB at a million cases, most of it `snapshot`)
-- with `case_reviews` and an EXISTS on `case_review_stages` per row.
--
-- * stats_case_facts: one row per case with exactly the figures an indicator needs (about 120 bytes);
-- * stats_stage_visits: one row per stage visit of a reviewed case, with the units of its case.
--
-- Both are maintained by the triggers below on the tables the projection writes (cases: recordTransition;
-- case_reviews, case_review_stages: recordReview), so they change in the same transaction as the rows they
-- summarise and can never drift. What a row holds is defined ONCE, by the views stats_*_source: the triggers
-- read them for one case, stats_rebuild() (the backfill this migration runs, and bulk loads use) for all.
-- An indicator over a period is then an aggregate over the rows of the cases opened in the period (an index
-- range on opened_at), with exact numbers.

CREATE TABLE stats_case_facts (
  case_id         text PRIMARY KEY,
  opened_at       timestamptz NOT NULL,
  county_code     text NOT NULL,
  township_code   text NOT NULL,
  department_code text,            -- cases.handler_department_code
  officer_ids     text[],          -- cases.handler_officer_ids
  closed_at       timestamptz,     -- cases.closed_at when status = 'closed', else null
  on_time         boolean NOT NULL, -- case_reviews.on_time IS TRUE
  verified        boolean NOT NULL, -- a verification stage visit, or reworked
  reworked        boolean NOT NULL, -- greatest(cases.rework_count, case_reviews.rework_count) > 0
  breached        boolean NOT NULL, -- ever_overdue OR overdue OR case_reviews.breached_deadlines > 0
  escalations     integer NOT NULL, -- case_reviews.escalations if reviewed, else cases.escalation_level
  -- An open case not (yet) marked breached: its current deadline. The case counts as breached once
  -- now() passes it, whether or not the workflow's timer has already fired (the read is at query time).
  watch_due_at    timestamptz,
  -- Board figures of open cases (GET /v1/stats/overview); the three open_* are null once closed.
  is_open         boolean NOT NULL, -- cases.status = 'open'
  open_stage      text,            -- cases.stage
  open_due_at     timestamptz,     -- cases.current_due_at
  open_escalation_level smallint   -- cases.escalation_level
) WITH (fillfactor = 90); -- room for HOT updates: no index covers a column that changes at every step

CREATE INDEX stats_case_facts_opened ON stats_case_facts (opened_at);
CREATE INDEX stats_case_facts_county_opened ON stats_case_facts (county_code, opened_at);
CREATE INDEX stats_case_facts_closed ON stats_case_facts (closed_at) WHERE closed_at IS NOT NULL;
CREATE INDEX stats_case_facts_county_closed ON stats_case_facts (county_code, closed_at) WHERE closed_at IS NOT NULL;
CREATE INDEX stats_case_facts_county_open ON stats_case_facts (county_code) WHERE is_open;

CREATE TABLE stats_stage_visits (
  case_id          text NOT NULL,
  stage            text NOT NULL,
  visit            integer NOT NULL,
  opened_at        timestamptz NOT NULL,
  county_code      text NOT NULL,
  township_code    text NOT NULL,
  department_code  text,
  officer_ids      text[],
  duration_seconds bigint NOT NULL,
  PRIMARY KEY (case_id, stage, visit)
);
CREATE INDEX stats_stage_visits_opened ON stats_stage_visits (opened_at);
CREATE INDEX stats_stage_visits_county_opened ON stats_stage_visits (county_code, opened_at);

-- The definitions (api/read-model/stats.ts INDICATOR_DEFINITIONS says the same in words).
CREATE VIEW stats_case_facts_source AS
SELECT c.case_id,
       c.opened_at,
       c.county_code,
       c.township_code,
       c.handler_department_code AS department_code,
       c.handler_officer_ids AS officer_ids,
       CASE WHEN c.status = 'closed' THEN c.closed_at END AS closed_at,
       COALESCE(r.on_time, false) AS on_time,
       (GREATEST(c.rework_count, COALESCE(r.rework_count, 0)) > 0
         OR EXISTS (SELECT 1 FROM case_review_stages s WHERE s.case_id = c.case_id AND s.stage = 'verification')) AS verified,
       GREATEST(c.rework_count, COALESCE(r.rework_count, 0)) > 0 AS reworked,
       (c.ever_overdue OR c.overdue OR COALESCE(r.breached_deadlines, 0) > 0) AS breached,
       CASE WHEN r.case_id IS NOT NULL THEN r.escalations ELSE c.escalation_level END AS escalations,
       CASE WHEN c.status = 'open' AND NOT (c.ever_overdue OR c.overdue OR COALESCE(r.breached_deadlines, 0) > 0)
            THEN c.current_due_at END AS watch_due_at,
       c.status = 'open' AS is_open,
       CASE WHEN c.status = 'open' THEN c.stage END AS open_stage,
       CASE WHEN c.status = 'open' THEN c.current_due_at END AS open_due_at,
       CASE WHEN c.status = 'open' THEN c.escalation_level END AS open_escalation_level
  FROM cases c
  LEFT JOIN case_reviews r ON r.case_id = c.case_id;

CREATE VIEW stats_stage_visits_source AS
SELECT s.case_id, s.stage, s.visit, c.opened_at, c.county_code, c.township_code,
       c.handler_department_code AS department_code, c.handler_officer_ids AS officer_ids, s.duration_seconds
  FROM case_review_stages s
  JOIN cases c ON c.case_id = s.case_id;

-- Brings the facts of one case in line with its source rows. Cheap when nothing changed (three primary-key
-- lookups and a comparison); the stage visits are rewritten only when asked (a review was written) or when
-- the case's units or opening time changed.
CREATE FUNCTION stats_refresh_case(p_case_id text, p_sync_visits boolean) RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
  n stats_case_facts%ROWTYPE;
  o stats_case_facts%ROWTYPE;
  sync boolean := p_sync_visits;
BEGIN
  SELECT f.* INTO n FROM stats_case_facts_source f WHERE f.case_id = p_case_id;
  IF NOT FOUND THEN
    -- no case row (deleted, or a review written before its case row: the case's INSERT catches up)
    DELETE FROM stats_stage_visits WHERE case_id = p_case_id;
    DELETE FROM stats_case_facts WHERE case_id = p_case_id;
    RETURN;
  END IF;
  SELECT f.* INTO o FROM stats_case_facts f WHERE f.case_id = p_case_id;
  IF NOT FOUND THEN
    INSERT INTO stats_case_facts SELECT n.*
      ON CONFLICT (case_id) DO UPDATE SET
        opened_at = EXCLUDED.opened_at, county_code = EXCLUDED.county_code, township_code = EXCLUDED.township_code,
        department_code = EXCLUDED.department_code, officer_ids = EXCLUDED.officer_ids, closed_at = EXCLUDED.closed_at,
        on_time = EXCLUDED.on_time, verified = EXCLUDED.verified, reworked = EXCLUDED.reworked,
        breached = EXCLUDED.breached, escalations = EXCLUDED.escalations, watch_due_at = EXCLUDED.watch_due_at,
        is_open = EXCLUDED.is_open, open_stage = EXCLUDED.open_stage, open_due_at = EXCLUDED.open_due_at,
        open_escalation_level = EXCLUDED.open_escalation_level;
    sync := true;
  ELSIF o IS DISTINCT FROM n THEN
    UPDATE stats_case_facts SET
        opened_at = n.opened_at, county_code = n.county_code, township_code = n.township_code,
        department_code = n.department_code, officer_ids = n.officer_ids, closed_at = n.closed_at,
        on_time = n.on_time, verified = n.verified, reworked = n.reworked,
        breached = n.breached, escalations = n.escalations, watch_due_at = n.watch_due_at,
        is_open = n.is_open, open_stage = n.open_stage, open_due_at = n.open_due_at, open_escalation_level = n.open_escalation_level
      WHERE case_id = p_case_id;
    sync := sync OR (o.opened_at, o.county_code, o.township_code, o.department_code, o.officer_ids)
                    IS DISTINCT FROM (n.opened_at, n.county_code, n.township_code, n.department_code, n.officer_ids);
  END IF;
  IF sync THEN
    DELETE FROM stats_stage_visits WHERE case_id = p_case_id;
    INSERT INTO stats_stage_visits SELECT v.* FROM stats_stage_visits_source v WHERE v.case_id = p_case_id;
  END IF;
END $$;

-- cases: recordTransition's upsert. Skipped (in C, no function call) when no column a fact depends on changed.
CREATE FUNCTION stats_on_case_row() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'DELETE' THEN
    PERFORM stats_refresh_case(OLD.case_id, false);
  ELSE
    IF TG_OP = 'UPDATE' AND OLD.case_id <> NEW.case_id THEN
      PERFORM stats_refresh_case(OLD.case_id, false);
    END IF;
    PERFORM stats_refresh_case(NEW.case_id, false);
  END IF;
  RETURN NULL;
END $$;

CREATE TRIGGER stats_cases_insert AFTER INSERT ON cases FOR EACH ROW EXECUTE FUNCTION stats_on_case_row();
CREATE TRIGGER stats_cases_delete AFTER DELETE ON cases FOR EACH ROW EXECUTE FUNCTION stats_on_case_row();
CREATE TRIGGER stats_cases_update AFTER UPDATE ON cases FOR EACH ROW
  WHEN ((OLD.case_id, OLD.status, OLD.opened_at, OLD.closed_at, OLD.county_code, OLD.township_code,
         OLD.handler_department_code, OLD.handler_officer_ids, OLD.rework_count, OLD.ever_overdue, OLD.overdue,
         OLD.escalation_level, OLD.current_due_at, OLD.stage)
        IS DISTINCT FROM
        (NEW.case_id, NEW.status, NEW.opened_at, NEW.closed_at, NEW.county_code, NEW.township_code,
         NEW.handler_department_code, NEW.handler_officer_ids, NEW.rework_count, NEW.ever_overdue, NEW.overdue,
         NEW.escalation_level, NEW.current_due_at, NEW.stage))
  EXECUTE FUNCTION stats_on_case_row();

-- case_reviews and case_review_stages: recordReview (one transaction). A review locks its case row first, so a
-- concurrent recordTransition of the same case and the review are applied one after the other (each refresh
-- then reads the other's committed rows; the lock order cases → facts is the same as recordTransition's).
CREATE FUNCTION stats_on_review_row() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
  id text;
BEGIN
  FOR id IN
    SELECT DISTINCT x.case_id FROM (
      SELECT OLD.case_id WHERE TG_OP IN ('UPDATE', 'DELETE')
      UNION ALL SELECT NEW.case_id WHERE TG_OP IN ('INSERT', 'UPDATE')) x
  LOOP
    PERFORM 1 FROM cases WHERE case_id = id FOR NO KEY UPDATE;
    PERFORM stats_refresh_case(id, TG_TABLE_NAME = 'case_review_stages');
  END LOOP;
  RETURN NULL;
END $$;

-- Stage visits come in one INSERT per review: refresh each case once per statement, not once per visit.
CREATE FUNCTION stats_on_review_stages_inserted() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
  id text;
BEGIN
  FOR id IN SELECT DISTINCT n.case_id FROM inserted_visits n LOOP
    PERFORM 1 FROM cases WHERE case_id = id FOR NO KEY UPDATE;
    PERFORM stats_refresh_case(id, true);
  END LOOP;
  RETURN NULL;
END $$;

CREATE TRIGGER stats_case_reviews AFTER INSERT OR UPDATE OR DELETE ON case_reviews
  FOR EACH ROW EXECUTE FUNCTION stats_on_review_row();
CREATE TRIGGER stats_case_review_stages_insert AFTER INSERT ON case_review_stages
  REFERENCING NEW TABLE AS inserted_visits
  FOR EACH STATEMENT EXECUTE FUNCTION stats_on_review_stages_inserted();
CREATE TRIGGER stats_case_review_stages_change AFTER UPDATE OR DELETE ON case_review_stages
  FOR EACH ROW EXECUTE FUNCTION stats_on_review_row();

-- The backfill: every fact from its source, set-based. This migration runs it for the cases already there;
-- a bulk load that bypasses the triggers (bench/stats.ts loads with session_replication_role = replica) runs
-- it afterwards. Same views as the triggers, so the same numbers.
CREATE FUNCTION stats_rebuild() RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
  TRUNCATE stats_stage_visits, stats_case_facts;
  -- in opening order: a period is then a run of adjacent pages, as it is when the rows are written live
  INSERT INTO stats_case_facts SELECT * FROM stats_case_facts_source ORDER BY opened_at;
  INSERT INTO stats_stage_visits SELECT * FROM stats_stage_visits_source ORDER BY opened_at;
END $$;

SELECT stats_rebuild();

-- Down Migration
DROP TRIGGER stats_case_review_stages_change ON case_review_stages;
DROP TRIGGER stats_case_review_stages_insert ON case_review_stages;
DROP TRIGGER stats_case_reviews ON case_reviews;
DROP TRIGGER stats_cases_update ON cases;
DROP TRIGGER stats_cases_delete ON cases;
DROP TRIGGER stats_cases_insert ON cases;
DROP FUNCTION stats_rebuild();
DROP FUNCTION stats_on_review_stages_inserted();
DROP FUNCTION stats_on_review_row();
DROP FUNCTION stats_on_case_row();
DROP FUNCTION stats_refresh_case(text, boolean);
DROP VIEW stats_stage_visits_source;
DROP VIEW stats_case_facts_source;
DROP TABLE stats_stage_visits;
DROP TABLE stats_case_facts;

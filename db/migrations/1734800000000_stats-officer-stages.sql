-- Up Migration

-- intarray (a PostgreSQL contrib module, trusted: the database's owner may create it) sorts an int4 array
-- in C: GET /v1/stats/efficiency takes each unit and stage's p90 from its sorted durations
-- (api/read-model/stats.ts) instead of a percentile_cont subquery per group.
CREATE EXTENSION IF NOT EXISTS intarray;

-- An officer's stage figures have no daily rows (an officer has about one case a day: as many rows as
-- visits), so a city-wide period grouped by officer read every visit of the period (141,755 at a million
-- cases, 30 days) and grouped them by officer set and stage: 120–180 ms of a 200 ms budget. Here each case
-- with stage visits has one row holding them all (27,000 rows for the same period), and the API groups
-- the visits per officer and stage itself (api/read-model/stats.ts officerStageRows).
CREATE TABLE stats_case_stages (
  case_id     text PRIMARY KEY,
  opened_at   timestamptz NOT NULL,
  county_code text NOT NULL,
  officer_ids text[],
  -- each visit's stage and duration_seconds as JSON values joined by commas: "handling",86400,"handling",3600,…
  -- (a list without brackets: the API joins an officer set's rows and parses them in one JSON.parse)
  visits      text NOT NULL
);
CREATE INDEX stats_case_stages_opened ON stats_case_stages (opened_at);
CREATE INDEX stats_case_stages_county_opened ON stats_case_stages (county_code, opened_at);

-- The definition: the case's visits in stats_stage_visits, by stage and visit.
CREATE VIEW stats_case_stages_source AS
SELECT v.case_id, v.opened_at, v.county_code, v.officer_ids,
       string_agg(to_json(v.stage)::text || ',' || v.duration_seconds, ',' ORDER BY v.stage, v.visit) AS visits
  FROM stats_stage_visits v
 GROUP BY 1, 2, 3, 4; -- the last three are the case's, equal on all its visits

-- Brings the rows of some cases in line with stats_stage_visits (a case without visits has no row): after a
-- delete or an update of visits, a handful of cases at a time (a case's refresh), by primary key.
CREATE FUNCTION stats_case_stages_sync(p_case_ids text[]) RETURNS void
LANGUAGE sql AS $$
  DELETE FROM stats_case_stages WHERE case_id = ANY (p_case_ids);
  INSERT INTO stats_case_stages (case_id, opened_at, county_code, officer_ids, visits)
  SELECT * FROM stats_case_stages_source WHERE case_id = ANY (p_case_ids);
$$;

-- stats_stage_visits is written by stats_refresh_case (a case's visits deleted, then inserted) and by
-- stats_rebuild (truncated, then every visit inserted in one statement): these rows follow whatever writes
-- it, once per statement. Inserted visits are added from the statement's own rows (no read of the table,
-- so the rebuild's one statement of millions of rows costs one aggregation), after any the case has. A
-- statement that changed no visit (a case's refresh before its review has none) does nothing.
CREATE FUNCTION stats_case_stages_on_visits() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'TRUNCATE' THEN
    TRUNCATE stats_case_stages;
  ELSIF TG_OP = 'INSERT' THEN
    IF NOT EXISTS (SELECT FROM new_visits) THEN
      RETURN NULL;
    END IF;
    INSERT INTO stats_case_stages AS s (case_id, opened_at, county_code, officer_ids, visits)
    SELECT v.case_id, v.opened_at, v.county_code, v.officer_ids,
           string_agg(to_json(v.stage)::text || ',' || v.duration_seconds, ',' ORDER BY v.stage, v.visit)
      FROM new_visits v
     GROUP BY 1, 2, 3, 4
    ON CONFLICT (case_id) DO UPDATE SET
      opened_at = EXCLUDED.opened_at, county_code = EXCLUDED.county_code, officer_ids = EXCLUDED.officer_ids,
      visits = s.visits || ',' || EXCLUDED.visits;
  ELSIF TG_OP = 'DELETE' THEN
    IF NOT EXISTS (SELECT FROM old_visits) THEN
      RETURN NULL;
    END IF;
    PERFORM stats_case_stages_sync(ARRAY(SELECT DISTINCT case_id FROM old_visits));
  ELSE
    PERFORM stats_case_stages_sync(ARRAY(SELECT case_id FROM old_visits UNION SELECT case_id FROM new_visits));
  END IF;
  RETURN NULL;
END $$;

CREATE TRIGGER stats_case_stages_insert AFTER INSERT ON stats_stage_visits
  REFERENCING NEW TABLE AS new_visits FOR EACH STATEMENT EXECUTE FUNCTION stats_case_stages_on_visits();
CREATE TRIGGER stats_case_stages_delete AFTER DELETE ON stats_stage_visits
  REFERENCING OLD TABLE AS old_visits FOR EACH STATEMENT EXECUTE FUNCTION stats_case_stages_on_visits();
CREATE TRIGGER stats_case_stages_update AFTER UPDATE ON stats_stage_visits
  REFERENCING OLD TABLE AS old_visits NEW TABLE AS new_visits FOR EACH STATEMENT EXECUTE FUNCTION stats_case_stages_on_visits();
CREATE TRIGGER stats_case_stages_truncate AFTER TRUNCATE ON stats_stage_visits
  FOR EACH STATEMENT EXECUTE FUNCTION stats_case_stages_on_visits();

-- the cases already reviewed
INSERT INTO stats_case_stages (case_id, opened_at, county_code, officer_ids, visits)
SELECT * FROM stats_case_stages_source ORDER BY opened_at; -- a period reads a run of opening times: adjacent pages

-- Down Migration

DROP TRIGGER stats_case_stages_truncate ON stats_stage_visits;
DROP TRIGGER stats_case_stages_update ON stats_stage_visits;
DROP TRIGGER stats_case_stages_delete ON stats_stage_visits;
DROP TRIGGER stats_case_stages_insert ON stats_stage_visits;
DROP FUNCTION stats_case_stages_on_visits();
DROP FUNCTION stats_case_stages_sync(text[]);
DROP VIEW stats_case_stages_source;
DROP TABLE stats_case_stages;
DROP EXTENSION IF EXISTS intarray;

-- Up Migration

-- A case's stage visits (stats_stage_visits, and through them stats_stage_daily and stats_case_stages) come
-- only from its review (case_review_stages, written at the close). stats_refresh_case rewrote them whenever
-- the case's units changed, which every case does twice before it has any: when its facts row is inserted
-- (the opening) and when officers are assigned. Each time four statements that change nothing ran in the
-- projection's transaction (about 0.5 ms of Postgres per sync, pg_stat_statements in bench:throughput).
-- Now the sync runs only when the case has review stages or visits; when it has neither, the four statements
-- would have changed no row, so the rollups are the same (test/stats: rollup vs recount).
CREATE OR REPLACE FUNCTION stats_refresh_case(p_case_id text, p_sync_visits boolean) RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
  n stats_case_facts%ROWTYPE;
  o stats_case_facts%ROWTYPE;
  sync boolean := p_sync_visits;
BEGIN
  SELECT f.* INTO n FROM stats_case_facts_source f WHERE f.case_id = p_case_id;
  IF NOT FOUND THEN
    -- no case row (deleted, or a review written before its case row: the case's INSERT catches up)
    SELECT f.* INTO o FROM stats_case_facts f WHERE f.case_id = p_case_id;
    IF FOUND THEN
      PERFORM stats_daily_move(o, NULL);
      PERFORM stats_stage_daily_apply(p_case_id, -1);
      DELETE FROM stats_stage_visits WHERE case_id = p_case_id;
      DELETE FROM stats_case_facts WHERE case_id = p_case_id;
    END IF;
    RETURN;
  END IF;
  SELECT f.* INTO o FROM stats_case_facts f WHERE f.case_id = p_case_id;
  IF NOT FOUND THEN
    -- no ON CONFLICT: the case row is locked (its INSERT, or the review's FOR NO KEY UPDATE), so a second
    -- insert of the same facts cannot race this one; if it ever did, failing beats counting a case twice
    INSERT INTO stats_case_facts SELECT n.*;
    PERFORM stats_daily_move(NULL, n);
    sync := true;
  ELSIF o IS DISTINCT FROM n THEN
    UPDATE stats_case_facts SET
        opened_at = n.opened_at, county_code = n.county_code, township_code = n.township_code,
        department_code = n.department_code, officer_ids = n.officer_ids, closed_at = n.closed_at,
        on_time = n.on_time, verified = n.verified, reworked = n.reworked,
        breached = n.breached, escalations = n.escalations, watch_due_at = n.watch_due_at,
        is_open = n.is_open, open_stage = n.open_stage, open_due_at = n.open_due_at, open_escalation_level = n.open_escalation_level
      WHERE case_id = p_case_id;
    -- the daily rows change only when a summed figure does (not at a step that moves a deadline)
    IF (o.opened_at, o.county_code, o.township_code, o.department_code, o.officer_ids, o.closed_at, o.on_time,
        o.verified, o.reworked, o.breached, o.escalations)
       IS DISTINCT FROM
       (n.opened_at, n.county_code, n.township_code, n.department_code, n.officer_ids, n.closed_at, n.on_time,
        n.verified, n.reworked, n.breached, n.escalations) THEN
      PERFORM stats_daily_move(o, n);
    END IF;
    sync := sync OR (o.opened_at, o.county_code, o.township_code, o.department_code, o.officer_ids)
                    IS DISTINCT FROM (n.opened_at, n.county_code, n.township_code, n.department_code, n.officer_ids);
  END IF;
  -- A case with no review stages and no visits has nothing to sync (each statement below would change no
  -- row): its opening and its assignment, two of the three syncs of every case, skip four statements.
  IF sync AND (EXISTS (SELECT FROM case_review_stages WHERE case_id = p_case_id)
               OR EXISTS (SELECT FROM stats_stage_visits WHERE case_id = p_case_id)) THEN
    PERFORM stats_stage_daily_apply(p_case_id, -1);
    DELETE FROM stats_stage_visits WHERE case_id = p_case_id;
    INSERT INTO stats_stage_visits SELECT v.* FROM stats_stage_visits_source v WHERE v.case_id = p_case_id;
    PERFORM stats_stage_daily_apply(p_case_id, 1);
  END IF;
END $$;

-- Down Migration

CREATE OR REPLACE FUNCTION stats_refresh_case(p_case_id text, p_sync_visits boolean) RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
  n stats_case_facts%ROWTYPE;
  o stats_case_facts%ROWTYPE;
  sync boolean := p_sync_visits;
BEGIN
  SELECT f.* INTO n FROM stats_case_facts_source f WHERE f.case_id = p_case_id;
  IF NOT FOUND THEN
    -- no case row (deleted, or a review written before its case row: the case's INSERT catches up)
    SELECT f.* INTO o FROM stats_case_facts f WHERE f.case_id = p_case_id;
    IF FOUND THEN
      PERFORM stats_daily_move(o, NULL);
      PERFORM stats_stage_daily_apply(p_case_id, -1);
      DELETE FROM stats_stage_visits WHERE case_id = p_case_id;
      DELETE FROM stats_case_facts WHERE case_id = p_case_id;
    END IF;
    RETURN;
  END IF;
  SELECT f.* INTO o FROM stats_case_facts f WHERE f.case_id = p_case_id;
  IF NOT FOUND THEN
    -- no ON CONFLICT: the case row is locked (its INSERT, or the review's FOR NO KEY UPDATE), so a second
    -- insert of the same facts cannot race this one; if it ever did, failing beats counting a case twice
    INSERT INTO stats_case_facts SELECT n.*;
    PERFORM stats_daily_move(NULL, n);
    sync := true;
  ELSIF o IS DISTINCT FROM n THEN
    UPDATE stats_case_facts SET
        opened_at = n.opened_at, county_code = n.county_code, township_code = n.township_code,
        department_code = n.department_code, officer_ids = n.officer_ids, closed_at = n.closed_at,
        on_time = n.on_time, verified = n.verified, reworked = n.reworked,
        breached = n.breached, escalations = n.escalations, watch_due_at = n.watch_due_at,
        is_open = n.is_open, open_stage = n.open_stage, open_due_at = n.open_due_at, open_escalation_level = n.open_escalation_level
      WHERE case_id = p_case_id;
    -- the daily rows change only when a summed figure does (not at a step that moves a deadline)
    IF (o.opened_at, o.county_code, o.township_code, o.department_code, o.officer_ids, o.closed_at, o.on_time,
        o.verified, o.reworked, o.breached, o.escalations)
       IS DISTINCT FROM
       (n.opened_at, n.county_code, n.township_code, n.department_code, n.officer_ids, n.closed_at, n.on_time,
        n.verified, n.reworked, n.breached, n.escalations) THEN
      PERFORM stats_daily_move(o, n);
    END IF;
    sync := sync OR (o.opened_at, o.county_code, o.township_code, o.department_code, o.officer_ids)
                    IS DISTINCT FROM (n.opened_at, n.county_code, n.township_code, n.department_code, n.officer_ids);
  END IF;
  IF sync THEN
    PERFORM stats_stage_daily_apply(p_case_id, -1);
    DELETE FROM stats_stage_visits WHERE case_id = p_case_id;
    INSERT INTO stats_stage_visits SELECT v.* FROM stats_stage_visits_source v WHERE v.case_id = p_case_id;
    PERFORM stats_stage_daily_apply(p_case_id, 1);
  END IF;
END $$;

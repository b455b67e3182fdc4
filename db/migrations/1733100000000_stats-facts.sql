-- Up Migration

-- Statistics at a million cases (issue 7): the efficiency indicators (GET /v1/stats/efficiency, /overview,
-- /trend) read four narrow projections instead of `cases` (1 GB at a million cases, most of it `snapshot`)
-- with `case_reviews` and an EXISTS on `case_review_stages` per row:
--
-- * stats_case_facts: one row per case with exactly the figures an indicator needs (about 120 bytes);
-- * stats_stage_visits: one row per stage visit of a reviewed case, with the units of its case;
-- * stats_daily: the case figures summed per unit (township, county, department, officer) and opening day
--   (Asia/Shanghai), for whole days of a period;
-- * stats_stage_daily: the stage visits per unit (township, county, department), opening day and stage:
--   count, sum and the durations themselves (a p90 is exact only over the values), for whole days of a
--   period. Not per officer: an officer has about one case a day, so a daily row per officer would be as
--   many rows as the visits themselves; an officer's stage figures are read from stats_stage_visits.
--
-- All are maintained by the triggers below on the tables the projection writes (cases: recordTransition;
-- case_reviews, case_review_stages: recordReview), so they change in the same transaction as the rows they
-- summarise and can never drift. What a row holds is defined ONCE, by the views stats_*_source: the triggers
-- read them for one case, stats_rebuild() (the backfill this migration runs, and bulk loads use) for all.
-- A period [from, to) is answered from the daily rows for its whole days and from the facts for the partial
-- days at its ends, with two corrections from the facts (closures at or after `to`; open cases whose deadline
-- passed before the workflow marked them): exact numbers (api/read-model/stats.ts).

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
CREATE INDEX stats_case_facts_open_opened ON stats_case_facts (opened_at) WHERE is_open;

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

-- The local day of an instant (Asia/Shanghai, no DST since 1991), and the end of its month.
CREATE FUNCTION stats_day(t timestamptz) RETURNS date
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$ SELECT (t AT TIME ZONE 'Asia/Shanghai')::date $$;
CREATE FUNCTION stats_month_end(t timestamptz) RETURNS timestamptz
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT (date_trunc('month', t AT TIME ZONE 'Asia/Shanghai') + interval '1 month') AT TIME ZONE 'Asia/Shanghai' $$;

-- The units a case counts for: its township, its county, its county department, each of its officers.
CREATE FUNCTION stats_units(township text, county text, department text, officers text[])
RETURNS TABLE (unit_kind text, unit_code text)
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT 'township', township
  UNION ALL SELECT 'county', county
  UNION ALL SELECT 'department', department WHERE department IS NOT NULL
  UNION ALL SELECT 'officer', o FROM unnest(officers) o WHERE o IS NOT NULL
$$;

CREATE TABLE stats_daily (
  unit_kind      text NOT NULL CHECK (unit_kind IN ('township', 'county', 'department', 'officer')),
  county_code    text NOT NULL,   -- the case's county (the jurisdiction of a county supervisor)
  opened_day     date NOT NULL,   -- stats_day(opened_at)
  unit_code      text NOT NULL,
  cases          integer NOT NULL,
  closed         integer NOT NULL, -- closed_at IS NOT NULL
  closed_on_time integer NOT NULL, -- closed and on_time
  -- closed before the end of the month it was opened in: a calendar month's closures (GET /v1/stats/trend)
  closed_in_month integer NOT NULL,
  closed_on_time_in_month integer NOT NULL,
  verified       integer NOT NULL,
  reworked       integer NOT NULL, -- reworked (which implies verified)
  breached       integer NOT NULL, -- breached as marked (not the unmarked late ones: a query-time correction)
  escalations    bigint NOT NULL,
  PRIMARY KEY (unit_kind, county_code, opened_day, unit_code)
);
CREATE INDEX stats_daily_day ON stats_daily (unit_kind, opened_day);

CREATE TABLE stats_stage_daily (
  unit_kind      text NOT NULL,
  county_code    text NOT NULL,
  opened_day     date NOT NULL,
  unit_code      text NOT NULL,
  stage          text NOT NULL,
  visits         integer NOT NULL,
  sum_seconds    bigint NOT NULL,
  durations      bigint[] NOT NULL, -- every visit's duration_seconds, unordered
  PRIMARY KEY (unit_kind, county_code, opened_day, unit_code, stage)
);
CREATE INDEX stats_stage_daily_day ON stats_stage_daily (unit_kind, opened_day);

-- concatenation of the durations of several days (the p90 of a period sorts them once)
CREATE AGGREGATE stats_concat(bigint[]) (SFUNC = array_cat, STYPE = bigint[], INITCOND = '{}');

-- a multiset difference: each element of b removed once from a
CREATE FUNCTION stats_multiset_minus(a bigint[], b bigint[]) RETURNS bigint[]
LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE AS $$
DECLARE
  x bigint;
  pos integer;
BEGIN
  FOREACH x IN ARRAY b LOOP
    pos := array_position(a, x);
    IF pos IS NOT NULL THEN
      a := a[:pos - 1] || a[pos + 1:];
    END IF;
  END LOOP;
  RETURN a;
END $$;

-- Moves one case's contribution to its units' daily rows from `o` to `n` (either may be null: a new or a
-- removed case): one upsert of the differences, rows whose figures do not change untouched. plpgsql, not
-- sql: its plan is cached for the session (a sql function is planned at every call).
CREATE FUNCTION stats_daily_move(o stats_case_facts, n stats_case_facts) RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO stats_daily AS d (unit_kind, county_code, opened_day, unit_code, cases, closed, closed_on_time,
                                closed_in_month, closed_on_time_in_month, verified, reworked, breached, escalations)
  SELECT x.unit_kind, x.county_code, x.opened_day, x.unit_code, sum(x.cases), sum(x.closed), sum(x.closed_on_time),
         sum(x.closed_in_month), sum(x.closed_on_time_in_month), sum(x.verified), sum(x.reworked), sum(x.breached),
         sum(x.escalations)
    FROM (SELECT u.unit_kind, f.county_code, stats_day(f.opened_at) AS opened_day, u.unit_code, c.sign AS cases,
                 c.sign * (f.closed_at IS NOT NULL)::int AS closed,
                 c.sign * (f.closed_at IS NOT NULL AND f.on_time)::int AS closed_on_time,
                 c.sign * (f.closed_at IS NOT NULL AND f.closed_at < stats_month_end(f.opened_at))::int AS closed_in_month,
                 c.sign * (f.closed_at IS NOT NULL AND f.closed_at < stats_month_end(f.opened_at) AND f.on_time)::int
                   AS closed_on_time_in_month,
                 c.sign * f.verified::int AS verified, c.sign * f.reworked::int AS reworked,
                 c.sign * f.breached::int AS breached, c.sign * f.escalations AS escalations
            FROM (SELECT o AS f, -1 AS sign WHERE o.case_id IS NOT NULL
                  UNION ALL SELECT n, 1 WHERE n.case_id IS NOT NULL) c
           CROSS JOIN LATERAL (SELECT (c.f).*) f
           CROSS JOIN LATERAL stats_units(f.township_code, f.county_code, f.department_code, f.officer_ids) u) x
   GROUP BY 1, 2, 3, 4
  HAVING (sum(x.cases), sum(x.closed), sum(x.closed_on_time), sum(x.closed_in_month), sum(x.closed_on_time_in_month),
          sum(x.verified), sum(x.reworked), sum(x.breached), sum(x.escalations)) <> (0, 0, 0, 0, 0, 0, 0, 0, 0)
  ON CONFLICT (unit_kind, county_code, opened_day, unit_code) DO UPDATE SET
    cases = d.cases + EXCLUDED.cases, closed = d.closed + EXCLUDED.closed,
    closed_on_time = d.closed_on_time + EXCLUDED.closed_on_time,
    closed_in_month = d.closed_in_month + EXCLUDED.closed_in_month,
    closed_on_time_in_month = d.closed_on_time_in_month + EXCLUDED.closed_on_time_in_month,
    verified = d.verified + EXCLUDED.verified, reworked = d.reworked + EXCLUDED.reworked,
    breached = d.breached + EXCLUDED.breached, escalations = d.escalations + EXCLUDED.escalations;
END $$;

-- Adds (sign 1) or removes (sign -1) the stage visits of one case (as in stats_stage_visits now).
CREATE FUNCTION stats_stage_daily_apply(p_case_id text, sign integer) RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
  IF sign > 0 THEN
    INSERT INTO stats_stage_daily AS d (unit_kind, county_code, opened_day, unit_code, stage, visits, sum_seconds, durations)
    SELECT u.unit_kind, v.county_code, stats_day(v.opened_at), u.unit_code, v.stage,
           count(*), sum(v.duration_seconds), array_agg(v.duration_seconds)
      FROM stats_stage_visits v
     CROSS JOIN LATERAL stats_units(v.township_code, v.county_code, v.department_code, NULL) u
     WHERE v.case_id = p_case_id
     GROUP BY 1, 2, 3, 4, 5
    ON CONFLICT (unit_kind, county_code, opened_day, unit_code, stage) DO UPDATE SET
      visits = d.visits + EXCLUDED.visits, sum_seconds = d.sum_seconds + EXCLUDED.sum_seconds,
      durations = d.durations || EXCLUDED.durations;
  ELSE
    UPDATE stats_stage_daily d SET
      visits = d.visits - x.visits, sum_seconds = d.sum_seconds - x.sum_seconds,
      durations = stats_multiset_minus(d.durations, x.durations)
      FROM (SELECT u.unit_kind, v.county_code, stats_day(v.opened_at) AS opened_day, u.unit_code, v.stage,
                   count(*) AS visits, sum(v.duration_seconds) AS sum_seconds, array_agg(v.duration_seconds) AS durations
              FROM stats_stage_visits v
             CROSS JOIN LATERAL stats_units(v.township_code, v.county_code, v.department_code, NULL) u
             WHERE v.case_id = p_case_id
             GROUP BY 1, 2, 3, 4, 5) x
     WHERE (d.unit_kind, d.county_code, d.opened_day, d.unit_code, d.stage)
         = (x.unit_kind, x.county_code, x.opened_day, x.unit_code, x.stage);
  END IF;
END $$;

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
  TRUNCATE stats_stage_daily, stats_daily, stats_stage_visits, stats_case_facts;
  INSERT INTO stats_case_facts SELECT * FROM stats_case_facts_source;
  INSERT INTO stats_stage_visits SELECT * FROM stats_stage_visits_source;
  -- the same sums as stats_daily_move / stats_stage_daily_apply, in one pass
  INSERT INTO stats_daily (unit_kind, county_code, opened_day, unit_code, cases, closed, closed_on_time,
                           closed_in_month, closed_on_time_in_month, verified, reworked, breached, escalations)
  SELECT u.unit_kind, f.county_code, stats_day(f.opened_at), u.unit_code, count(*),
         count(*) FILTER (WHERE f.closed_at IS NOT NULL),
         count(*) FILTER (WHERE f.closed_at IS NOT NULL AND f.on_time),
         count(*) FILTER (WHERE f.closed_at < stats_month_end(f.opened_at)),
         count(*) FILTER (WHERE f.closed_at < stats_month_end(f.opened_at) AND f.on_time),
         count(*) FILTER (WHERE f.verified), count(*) FILTER (WHERE f.reworked),
         count(*) FILTER (WHERE f.breached), sum(f.escalations)
    FROM stats_case_facts f
   CROSS JOIN LATERAL stats_units(f.township_code, f.county_code, f.department_code, f.officer_ids) u
   GROUP BY 1, 2, 3, 4
   ORDER BY 1, 3; -- a period reads a run of days: adjacent pages (live rows arrive day by day too)
  INSERT INTO stats_stage_daily (unit_kind, county_code, opened_day, unit_code, stage, visits, sum_seconds, durations)
  SELECT u.unit_kind, v.county_code, stats_day(v.opened_at), u.unit_code, v.stage,
         count(*), sum(v.duration_seconds), array_agg(v.duration_seconds)
    FROM stats_stage_visits v
   CROSS JOIN LATERAL stats_units(v.township_code, v.county_code, v.department_code, NULL) u
   GROUP BY 1, 2, 3, 4, 5
   ORDER BY 1, 3;
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
DROP FUNCTION stats_stage_daily_apply(text, integer);
DROP FUNCTION stats_daily_move(stats_case_facts, stats_case_facts);
DROP FUNCTION stats_multiset_minus(bigint[], bigint[]);
DROP AGGREGATE stats_concat(bigint[]);
DROP VIEW stats_stage_visits_source;
DROP VIEW stats_case_facts_source;
DROP TABLE stats_stage_daily;
DROP TABLE stats_daily;
DROP FUNCTION stats_units(text, text, text, text[]);
DROP FUNCTION stats_month_end(timestamptz);
DROP FUNCTION stats_day(timestamptz);
DROP TABLE stats_stage_visits;
DROP TABLE stats_case_facts;

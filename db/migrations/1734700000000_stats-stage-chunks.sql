-- Up Migration

-- A unit's stage row of a day (stats_stage_daily) held every duration of that day in one array, and each
-- close appended its visits to it: Postgres rewrites (and, past 2 kB, compresses and TOASTs) the whole
-- array at every append, so a close cost more the busier its day already was (bench:stats, 2,000 closes
-- of one township's day: 2.2 ms per close for the first tenth, 6.5 ms for the last). The durations now
-- come in chunks of at most 64 values (512 bytes, stored inline): a close appends to the newest chunk of
-- its unit, day and stage, or starts the next one. Readers sum and concatenate the rows of a unit and
-- stage as before (api/read-model/stats.ts): a day's figures are the sum of its chunks.
ALTER TABLE stats_stage_daily ADD COLUMN chunk integer NOT NULL DEFAULT 0;
ALTER TABLE stats_stage_daily DROP CONSTRAINT stats_stage_daily_pkey;
ALTER TABLE stats_stage_daily ADD PRIMARY KEY (unit_kind, county_code, opened_day, unit_code, stage, chunk);

-- An array of durations cut into chunks of 64, numbered from 0 (slices: no sort, no second aggregation),
-- each with its row's figures: visits and the sum of its durations.
CREATE FUNCTION stats_chunks(durations bigint[])
RETURNS TABLE (chunk integer, visits integer, sum_seconds bigint, durations bigint[])
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT g, cardinality(part), (SELECT sum(d) FROM unnest(part) d)::bigint, part
    FROM generate_series(0, (cardinality(durations) - 1) / 64) g
   CROSS JOIN LATERAL (SELECT durations[g * 64 + 1 : g * 64 + 64] AS part) p
$$;

-- the rows already there: split into chunks of 64 (visits and sums of each chunk from its own values)
CREATE TEMP TABLE stats_stage_daily_split ON COMMIT DROP AS
SELECT s.unit_kind, s.county_code, s.opened_day, s.unit_code, s.stage, c.chunk, c.visits, c.sum_seconds, c.durations
  FROM stats_stage_daily s
 CROSS JOIN LATERAL stats_chunks(s.durations) c
 WHERE cardinality(s.durations) > 64;
DELETE FROM stats_stage_daily WHERE cardinality(durations) > 64;
INSERT INTO stats_stage_daily (unit_kind, county_code, opened_day, unit_code, stage, chunk, visits, sum_seconds, durations)
SELECT unit_kind, county_code, opened_day, unit_code, stage, chunk, visits, sum_seconds, durations FROM stats_stage_daily_split;

-- Adds (sign 1) or removes (sign -1) the stage visits of one case (as in stats_stage_visits now).
CREATE OR REPLACE FUNCTION stats_stage_daily_apply(p_case_id text, sign integer) RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
  r record; -- not `v`: that is the visits' alias in the statements below
BEGIN
  IF sign > 0 THEN
    -- into the newest chunk of each unit, day and stage while it has room, else the next one. Two closes of
    -- the same day meet on the chunk's row lock (ON CONFLICT): the second appends after the first, a chunk
    -- may then pass 64 by a few values, which nothing depends on.
    INSERT INTO stats_stage_daily AS d (unit_kind, county_code, opened_day, unit_code, stage, chunk, visits, sum_seconds, durations)
    SELECT x.unit_kind, x.county_code, x.opened_day, x.unit_code, x.stage,
           COALESCE((SELECT CASE WHEN cardinality(s.durations) < 64 THEN s.chunk ELSE s.chunk + 1 END
                       FROM stats_stage_daily s
                      WHERE s.unit_kind = x.unit_kind AND s.county_code = x.county_code AND s.opened_day = x.opened_day
                        AND s.unit_code = x.unit_code AND s.stage = x.stage
                      ORDER BY s.chunk DESC
                      LIMIT 1), 0),
           x.visits, x.sum_seconds, x.durations
      FROM (SELECT u.unit_kind, v.county_code, stats_day(v.opened_at) AS opened_day, u.unit_code, v.stage,
                   count(*)::integer AS visits, sum(v.duration_seconds) AS sum_seconds, array_agg(v.duration_seconds) AS durations
              FROM stats_stage_visits v
             CROSS JOIN LATERAL stats_units(v.township_code, v.county_code, v.department_code, NULL) u
             WHERE v.case_id = p_case_id
             GROUP BY 1, 2, 3, 4, 5) x
    ON CONFLICT (unit_kind, county_code, opened_day, unit_code, stage, chunk) DO UPDATE SET
      visits = d.visits + EXCLUDED.visits, sum_seconds = d.sum_seconds + EXCLUDED.sum_seconds,
      durations = d.durations || EXCLUDED.durations;
  ELSE
    -- each visit once, from the newest chunk of its unit, day and stage that holds its duration (a case
    -- leaves the statistics rarely: moved to another unit, reopened)
    FOR r IN
      SELECT u.unit_kind, s.county_code, stats_day(s.opened_at) AS opened_day, u.unit_code, s.stage, s.duration_seconds
        FROM stats_stage_visits s
       CROSS JOIN LATERAL stats_units(s.township_code, s.county_code, s.department_code, NULL) u
       WHERE s.case_id = p_case_id
    LOOP
      UPDATE stats_stage_daily d SET
        visits = d.visits - 1, sum_seconds = d.sum_seconds - r.duration_seconds,
        durations = stats_multiset_minus(d.durations, ARRAY[r.duration_seconds])
       WHERE (d.unit_kind, d.county_code, d.opened_day, d.unit_code, d.stage, d.chunk) = (
             SELECT c.unit_kind, c.county_code, c.opened_day, c.unit_code, c.stage, c.chunk
               FROM stats_stage_daily c
              WHERE c.unit_kind = r.unit_kind AND c.county_code = r.county_code AND c.opened_day = r.opened_day
                AND c.unit_code = r.unit_code AND c.stage = r.stage AND c.durations @> ARRAY[r.duration_seconds]
              ORDER BY c.chunk DESC
              LIMIT 1);
    END LOOP;
  END IF;
END $$;

-- The backfill (see 1733100000000_stats-facts.sql), with the stage rows in chunks of 64.
CREATE OR REPLACE FUNCTION stats_rebuild() RETURNS void
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
  INSERT INTO stats_stage_daily (unit_kind, county_code, opened_day, unit_code, stage, chunk, visits, sum_seconds, durations)
  SELECT x.unit_kind, x.county_code, x.opened_day, x.unit_code, x.stage, c.chunk, c.visits, c.sum_seconds, c.durations
    FROM (SELECT u.unit_kind, v.county_code, stats_day(v.opened_at) AS opened_day, u.unit_code, v.stage,
                 array_agg(v.duration_seconds) AS durations
            FROM stats_stage_visits v
           CROSS JOIN LATERAL stats_units(v.township_code, v.county_code, v.department_code, NULL) u
           GROUP BY 1, 2, 3, 4, 5) x
   CROSS JOIN LATERAL stats_chunks(x.durations) c
   ORDER BY 1, 3;
END $$;

-- Down Migration
-- one row per unit, day and stage again, and the functions as 1733100000000_stats-facts.sql made them
CREATE TEMP TABLE stats_stage_daily_merged ON COMMIT DROP AS
SELECT unit_kind, county_code, opened_day, unit_code, stage, sum(visits)::integer AS visits,
       sum(sum_seconds)::bigint AS sum_seconds, stats_concat(durations ORDER BY chunk) AS durations
  FROM stats_stage_daily
 GROUP BY 1, 2, 3, 4, 5;
TRUNCATE stats_stage_daily;
ALTER TABLE stats_stage_daily DROP CONSTRAINT stats_stage_daily_pkey;
ALTER TABLE stats_stage_daily DROP COLUMN chunk;
ALTER TABLE stats_stage_daily ADD PRIMARY KEY (unit_kind, county_code, opened_day, unit_code, stage);
INSERT INTO stats_stage_daily (unit_kind, county_code, opened_day, unit_code, stage, visits, sum_seconds, durations)
SELECT unit_kind, county_code, opened_day, unit_code, stage, visits, sum_seconds, durations FROM stats_stage_daily_merged;
DROP FUNCTION stats_chunks(bigint[]);

CREATE OR REPLACE FUNCTION stats_stage_daily_apply(p_case_id text, sign integer) RETURNS void
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

CREATE OR REPLACE FUNCTION stats_rebuild() RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
  TRUNCATE stats_stage_daily, stats_daily, stats_stage_visits, stats_case_facts;
  INSERT INTO stats_case_facts SELECT * FROM stats_case_facts_source;
  INSERT INTO stats_stage_visits SELECT * FROM stats_stage_visits_source;
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
   ORDER BY 1, 3;
  INSERT INTO stats_stage_daily (unit_kind, county_code, opened_day, unit_code, stage, visits, sum_seconds, durations)
  SELECT u.unit_kind, v.county_code, stats_day(v.opened_at), u.unit_code, v.stage,
         count(*), sum(v.duration_seconds), array_agg(v.duration_seconds)
    FROM stats_stage_visits v
   CROSS JOIN LATERAL stats_units(v.township_code, v.county_code, v.department_code, NULL) u
   GROUP BY 1, 2, 3, 4, 5
   ORDER BY 1, 3;
END $$;

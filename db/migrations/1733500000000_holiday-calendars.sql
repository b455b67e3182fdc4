-- Up Migration

-- The State Council holiday schedule as data (deadlines.md "Calendars"): an admin publishes a year
-- (PUT /v1/admin/calendar/{year}); every version is kept, the latest of a year is in force and overrides
-- the years the chinese-days package carries.
CREATE TABLE holiday_calendars (
  year            integer NOT NULL CHECK (year BETWEEN 1949 AND 2200),
  version         integer NOT NULL CHECK (version > 0),
  holidays        date[] NOT NULL,
  workdays        date[] NOT NULL,
  source_document text NOT NULL,
  source_date     date NOT NULL,
  test_schedule   boolean NOT NULL DEFAULT false,
  published_by    text NOT NULL,
  published_at    timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (year, version)
);

-- Down Migration
DROP TABLE holiday_calendars;

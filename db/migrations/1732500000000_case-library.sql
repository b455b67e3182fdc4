-- Up Migration

-- Jurisdiction tree: county (县/市/区) → township (乡镇) / street (街道) → grid (网格), and county departments.
CREATE TABLE counties (
  code        text PRIMARY KEY,
  name        text NOT NULL,
  city        text NOT NULL
);

CREATE TABLE townships (
  code        text PRIMARY KEY,
  county_code text NOT NULL REFERENCES counties (code),
  name        text NOT NULL,
  kind        text NOT NULL CHECK (kind IN ('township', 'street'))
);
CREATE INDEX townships_county ON townships (county_code);

CREATE TABLE grids (
  code          text PRIMARY KEY,
  township_code text NOT NULL REFERENCES townships (code),
  name          text NOT NULL
);
CREATE INDEX grids_township ON grids (township_code);

-- County professional teams (县级部门) and stationed units.
CREATE TABLE departments (
  code        text PRIMARY KEY,
  county_code text NOT NULL REFERENCES counties (code),
  name        text NOT NULL,
  domain      text NOT NULL
);
CREATE UNIQUE INDEX departments_county_domain ON departments (county_code, domain);

-- 执法事项目录清单: the matter catalog, with routing level and territorial responsibility.
CREATE TABLE matters (
  code            text PRIMARY KEY,
  name            text NOT NULL,
  category        text NOT NULL CHECK (category IN ('penalty', 'inspection', 'compulsory', 'other')),
  domain          text NOT NULL,
  level           text NOT NULL CHECK (level IN ('township', 'county')),
  -- the county department (by domain) that handles a county-level matter and holds 主体责任
  legal_basis     text NOT NULL,
  primary_responsibility     text NOT NULL,
  cooperating_responsibility text
);

-- 执法人员名录库: officers with unit and certificate validity.
CREATE TABLE officers (
  id                     text PRIMARY KEY,
  name                   text NOT NULL,
  township_code          text REFERENCES townships (code),
  department_code        text REFERENCES departments (code),
  certificate_no         text,
  certificate_valid_from date,
  certificate_valid_until date,
  active                 boolean NOT NULL DEFAULT true,
  CHECK ((township_code IS NULL) <> (department_code IS NULL))
);
CREATE INDEX officers_township ON officers (township_code);
CREATE INDEX officers_department ON officers (department_code);

-- 执法对象名录库: businesses and persons subject to inspection.
CREATE TABLE enforcement_objects (
  id            text PRIMARY KEY,
  kind          text NOT NULL CHECK (kind IN ('person', 'organization')),
  name          text NOT NULL,
  credit_code   text,
  id_number     text,
  address       text NOT NULL,
  risk_level    text NOT NULL CHECK (risk_level IN ('low', 'medium', 'high')),
  township_code text NOT NULL REFERENCES townships (code)
);

-- Versioned SLA policy; a case keeps the version it started with.
CREATE TABLE sla_policies (
  version      integer PRIMARY KEY,
  slas         jsonb NOT NULL,
  urgent       jsonb NOT NULL DEFAULT '{}',
  published_at timestamptz NOT NULL DEFAULT now(),
  published_by text NOT NULL
);

-- 案件处理库: one row per case, projected from the case workflow; moves forward by seq only.
CREATE TABLE cases (
  case_id                 text PRIMARY KEY,
  workflow_id             text NOT NULL,
  external_ref            text,
  source                  text NOT NULL,
  county_code             text NOT NULL,
  township_code           text NOT NULL,
  grid_code               text,
  matter_code             text,
  status                  text NOT NULL CHECK (status IN ('open', 'closed')),
  stage                   text NOT NULL,
  resolution              text,
  urgent                  boolean NOT NULL DEFAULT false,
  handler_level           text NOT NULL,
  handler_department_code text,
  handler_officer_ids     text[],
  current_deadline_kind   text,
  current_due_at          timestamptz,
  overdue                 boolean NOT NULL DEFAULT false,
  ever_overdue            boolean NOT NULL DEFAULT false,
  escalation_level        smallint NOT NULL DEFAULT 0,
  rework_count            integer NOT NULL DEFAULT 0,
  created_by              text NOT NULL,
  opened_at               timestamptz NOT NULL,
  updated_at              timestamptz NOT NULL,
  closed_at               timestamptz,
  seq                     integer NOT NULL,
  snapshot                jsonb NOT NULL
);
-- Supervisor lists: overdue means now > current_due_at for open cases, ordered by lateness.
CREATE INDEX cases_open_due_county ON cases (county_code, current_due_at, case_id) WHERE status = 'open';
CREATE INDEX cases_open_due_township ON cases (township_code, current_due_at, case_id) WHERE status = 'open';
CREATE INDEX cases_open_due_department ON cases (handler_department_code, current_due_at, case_id) WHERE status = 'open';
CREATE INDEX cases_county_opened ON cases (county_code, opened_at DESC, case_id DESC);
CREATE INDEX cases_township_opened ON cases (township_code, opened_at DESC, case_id DESC);
CREATE INDEX cases_department_opened ON cases (handler_department_code, opened_at DESC, case_id DESC);
CREATE INDEX cases_created_by ON cases (created_by, opened_at DESC);

-- Append-only timeline, keyed by case and sequence.
CREATE TABLE case_events (
  case_id text NOT NULL,
  seq     integer NOT NULL,
  at      timestamptz NOT NULL,
  type    text NOT NULL,
  stage   text NOT NULL,
  actor   jsonb NOT NULL,
  data    jsonb,
  PRIMARY KEY (case_id, seq)
);

-- 效能监督: one row per closed case, and one per stage visit.
CREATE TABLE case_reviews (
  case_id                text PRIMARY KEY,
  county_code            text NOT NULL,
  township_code          text NOT NULL,
  department_code        text,
  source                 text NOT NULL,
  resolution             text,
  opened_at              timestamptz NOT NULL,
  closed_at              timestamptz NOT NULL,
  total_duration_seconds bigint NOT NULL,
  on_time                boolean NOT NULL,
  rework_count           integer NOT NULL,
  escalations            integer NOT NULL,
  breached_deadlines     integer NOT NULL,
  sla_policy_version     integer NOT NULL
);
CREATE INDEX case_reviews_county_closed ON case_reviews (county_code, closed_at);

CREATE TABLE case_review_stages (
  case_id          text NOT NULL REFERENCES case_reviews (case_id),
  stage            text NOT NULL,
  visit            integer NOT NULL,
  entered_at       timestamptz NOT NULL,
  left_at          timestamptz NOT NULL,
  duration_seconds bigint NOT NULL,
  due_at           timestamptz,
  on_time          boolean NOT NULL,
  PRIMARY KEY (case_id, stage, visit)
);

-- Notifications to deliver (escalations, reporter feedback, police, court, county transfers).
CREATE TABLE outbox (
  id           bigserial PRIMARY KEY,
  dedupe_key   text NOT NULL UNIQUE,
  case_id      text NOT NULL,
  channel      text NOT NULL,
  recipient    text NOT NULL,
  subject      text NOT NULL,
  payload      jsonb NOT NULL,
  created_at   timestamptz NOT NULL DEFAULT now(),
  delivered_at timestamptz,
  attempts     integer NOT NULL DEFAULT 0
);
CREATE INDEX outbox_undelivered ON outbox (id) WHERE delivered_at IS NULL;
CREATE INDEX outbox_case ON outbox (case_id);

-- Down Migration
DROP TABLE outbox;
DROP TABLE case_review_stages;
DROP TABLE case_reviews;
DROP TABLE case_events;
DROP TABLE cases;
DROP TABLE sla_policies;
DROP TABLE enforcement_objects;
DROP TABLE officers;
DROP TABLE matters;
DROP TABLE departments;
DROP TABLE grids;
DROP TABLE townships;
DROP TABLE counties;

-- Up Migration

-- Registries as maintained data (registries.md): officers, enforcement objects, matters and the
-- per-county territorial responsibility lists are edited over the API with optimistic concurrency
-- (`version`, the ETag), retired instead of deleted, and every version kept in registry_changes.

-- Shared with the 双随机 campaigns migration (same statements, IF NOT EXISTS): whichever runs second is a no-op.
ALTER TABLE enforcement_objects ADD COLUMN IF NOT EXISTS credit_class text NOT NULL DEFAULT 'B' CHECK (credit_class IN ('A','B','C','D'));
ALTER TABLE enforcement_objects ADD COLUMN IF NOT EXISTS grid_code text REFERENCES grids (code);
ALTER TABLE enforcement_objects ADD COLUMN IF NOT EXISTS industry text;
ALTER TABLE enforcement_objects ADD COLUMN IF NOT EXISTS retired_at timestamptz;
ALTER TABLE officers ADD COLUMN IF NOT EXISTS domains text[] NOT NULL DEFAULT '{}';  -- matter domains the officer may enforce
ALTER TABLE officers ADD COLUMN IF NOT EXISTS suspended_from date;
ALTER TABLE officers ADD COLUMN IF NOT EXISTS suspended_until date;
ALTER TABLE officers ADD COLUMN IF NOT EXISTS retired_at timestamptz;

-- The registries' own columns.
ALTER TABLE officers ADD COLUMN version integer NOT NULL DEFAULT 1;
ALTER TABLE enforcement_objects ADD COLUMN version integer NOT NULL DEFAULT 1;
-- A party linked at capture gets a row before anyone has classed it.
ALTER TABLE enforcement_objects ALTER COLUMN risk_level SET DEFAULT 'medium';
CREATE INDEX enforcement_objects_credit_code ON enforcement_objects (credit_code) WHERE credit_code IS NOT NULL;
CREATE INDEX enforcement_objects_id_number ON enforcement_objects (id_number) WHERE id_number IS NOT NULL;
CREATE INDEX enforcement_objects_township ON enforcement_objects (township_code);

-- 裁量基准: fine bands [{label, minFine, maxFine, circumstances?}] where known.
ALTER TABLE matters ADD COLUMN discretion_bands jsonb NOT NULL DEFAULT '[]';
ALTER TABLE matters ADD COLUMN retired_at timestamptz;
ALTER TABLE matters ADD COLUMN version integer NOT NULL DEFAULT 1;

-- 属地管理事项责任清单: per county, each item's primary unit (主体责任) and cooperating units (配合责任).
-- A unit is a department code of the county, or `township` (the case's township or street).
CREATE TABLE responsibility_items (
  id                text PRIMARY KEY,
  county_code       text NOT NULL REFERENCES counties (code),
  item_name         text NOT NULL,
  matter_code       text REFERENCES matters (code),
  primary_unit      text NOT NULL,
  cooperating_units text[] NOT NULL DEFAULT '{}',
  demo              boolean NOT NULL DEFAULT false,
  retired_at        timestamptz,
  version           integer NOT NULL DEFAULT 1
);
CREATE INDEX responsibility_items_county ON responsibility_items (county_code, id);
CREATE INDEX responsibility_items_matter ON responsibility_items (county_code, matter_code) WHERE retired_at IS NULL;

-- Every version of every registry row, with who changed it and when: the audit trail and the history
-- a case refers to ("the certificate as it was when it acted").
CREATE TABLE registry_changes (
  registry   text NOT NULL,
  row_key    text NOT NULL,
  version    integer NOT NULL,
  action     text NOT NULL CHECK (action IN ('create', 'update', 'retire', 'import')),
  actor      text NOT NULL,
  at         timestamptz NOT NULL DEFAULT now(),
  before     jsonb,
  after      jsonb NOT NULL,
  PRIMARY KEY (registry, row_key, version)
);
CREATE INDEX registry_changes_at ON registry_changes (registry, at DESC);

-- 执法对象: the case's party, linked when the capture is projected.
ALTER TABLE cases ADD COLUMN enforcement_object_id text;
CREATE INDEX cases_enforcement_object ON cases (enforcement_object_id, opened_at DESC) WHERE enforcement_object_id IS NOT NULL;

-- Down Migration
DROP INDEX cases_enforcement_object;
ALTER TABLE cases DROP COLUMN enforcement_object_id;
DROP TABLE registry_changes;
DROP TABLE responsibility_items;
ALTER TABLE matters DROP COLUMN version;
ALTER TABLE matters DROP COLUMN retired_at;
ALTER TABLE matters DROP COLUMN discretion_bands;
DROP INDEX enforcement_objects_township;
DROP INDEX enforcement_objects_id_number;
DROP INDEX enforcement_objects_credit_code;
ALTER TABLE enforcement_objects ALTER COLUMN risk_level DROP DEFAULT;
ALTER TABLE enforcement_objects DROP COLUMN version;
ALTER TABLE officers DROP COLUMN version;

-- Up Migration

-- 双随机一公开 random-inspection campaigns (registries.md). The registry columns below are shared with
-- the registries migration (same statements, IF NOT EXISTS): whichever runs second changes nothing.
ALTER TABLE enforcement_objects ADD COLUMN IF NOT EXISTS credit_class text NOT NULL DEFAULT 'B' CHECK (credit_class IN ('A','B','C','D'));
ALTER TABLE enforcement_objects ADD COLUMN IF NOT EXISTS grid_code text REFERENCES grids (code);
ALTER TABLE enforcement_objects ADD COLUMN IF NOT EXISTS industry text;
ALTER TABLE enforcement_objects ADD COLUMN IF NOT EXISTS retired_at timestamptz;
ALTER TABLE officers ADD COLUMN IF NOT EXISTS domains text[] NOT NULL DEFAULT '{}';  -- matter domains the officer may enforce
ALTER TABLE officers ADD COLUMN IF NOT EXISTS suspended_from date;
ALTER TABLE officers ADD COLUMN IF NOT EXISTS suspended_until date;
ALTER TABLE officers ADD COLUMN IF NOT EXISTS retired_at timestamptz;

-- 回避: an officer's recorded conflict of interest, with one object or every object of a township.
CREATE TABLE officer_recusals (
  id                    bigserial PRIMARY KEY,
  officer_id            text NOT NULL REFERENCES officers (id),
  enforcement_object_id text REFERENCES enforcement_objects (id),
  township_code         text REFERENCES townships (code),
  reason                text NOT NULL,
  recorded_by           text NOT NULL,
  recorded_at           timestamptz NOT NULL DEFAULT now(),
  CHECK (enforcement_object_id IS NOT NULL OR township_code IS NOT NULL)
);
CREATE INDEX officer_recusals_officer ON officer_recusals (officer_id);

-- A campaign plan: inspection items of the catalog, a ratio per credit-risk class, the units the
-- inspectors come from, the period and the policy; the seed's public source is declared here, before it is known.
CREATE TABLE inspection_plans (
  id                     text PRIMARY KEY,
  county_code            text NOT NULL REFERENCES counties (code),
  name                   text NOT NULL,
  matter_codes           text[] NOT NULL,
  ratios                 jsonb NOT NULL,
  units                  text[] NOT NULL DEFAULT '{}',
  industry               text,
  township_codes         text[] NOT NULL DEFAULT '{}',
  period_from            date NOT NULL,
  period_to              date NOT NULL,
  inspection_at          timestamptz NOT NULL,
  seed_source            text NOT NULL,
  policy                 jsonb NOT NULL,
  workflow_id            text NOT NULL UNIQUE,
  status                 text NOT NULL DEFAULT 'planned'
                         CHECK (status IN ('planned', 'pool_frozen', 'drawn', 'inspecting', 'published')),
  publication_due_at     timestamptz,
  publication_escalated_at timestamptz,
  published_at           timestamptz,
  created_by             text NOT NULL,
  created_at             timestamptz NOT NULL DEFAULT now(),
  CHECK (period_from <= period_to)
);
CREATE INDEX inspection_plans_county ON inspection_plans (county_code, created_at DESC);

-- The frozen candidate pool: sorted ids with their class and township at freezing time, and the hash.
CREATE TABLE inspection_pools (
  plan_id     text PRIMARY KEY REFERENCES inspection_plans (id),
  candidates  jsonb NOT NULL,
  size        integer NOT NULL,
  pool_hash   text NOT NULL,
  frozen_at   timestamptz NOT NULL DEFAULT now()
);

-- Every draw attempt, accepted or refused, with everything it was computed from (verify recomputes it).
CREATE TABLE inspection_draws (
  id              text PRIMARY KEY,
  plan_id         text NOT NULL REFERENCES inspection_plans (id),
  attempt         integer NOT NULL,
  seed            text NOT NULL,
  seed_source     jsonb NOT NULL,
  pool_hash       text NOT NULL,
  inspection_date date NOT NULL,
  inputs          jsonb NOT NULL,
  outcome         jsonb NOT NULL,
  status          text NOT NULL CHECK (status IN ('accepted', 'refused', 'superseded')),
  redraw_reason   text,
  drawn_by        text NOT NULL,
  drawn_at        timestamptz NOT NULL DEFAULT now(),
  UNIQUE (plan_id, attempt)
);

-- The inspectors drawn for each object of the draw that the campaign carried out.
CREATE TABLE inspection_assignments (
  draw_id     text NOT NULL REFERENCES inspection_draws (id),
  object_id   text NOT NULL REFERENCES enforcement_objects (id),
  officer_id  text NOT NULL REFERENCES officers (id),
  rank        integer NOT NULL,
  case_id     text,
  PRIMARY KEY (draw_id, object_id, officer_id)
);

-- One result per inspected object; public once published_at is set.
CREATE TABLE inspection_results (
  plan_id       text NOT NULL REFERENCES inspection_plans (id),
  object_id     text NOT NULL REFERENCES enforcement_objects (id),
  case_id       text,
  outcome       text NOT NULL CHECK (outcome IN ('compliant', 'issues_corrected', 'case_filed', 'not_found')),
  found_issues  jsonb NOT NULL DEFAULT '[]',
  inspected_at  timestamptz NOT NULL,
  recorded_by   text NOT NULL,
  recorded_at   timestamptz NOT NULL DEFAULT now(),
  published_at  timestamptz,
  PRIMARY KEY (plan_id, object_id)
);
CREATE INDEX inspection_results_published ON inspection_results (published_at DESC) WHERE published_at IS NOT NULL;

-- Down Migration
DROP TABLE inspection_results;
DROP TABLE inspection_assignments;
DROP TABLE inspection_draws;
DROP TABLE inspection_pools;
DROP TABLE inspection_plans;
DROP TABLE officer_recusals;

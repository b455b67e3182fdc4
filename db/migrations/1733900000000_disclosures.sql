-- Up Migration

-- The disclosure platform (执法信息公示, disclosure.md): one row per penalty decision's disclosure process
-- (workflows/disclosure.ts), written only by its activity `recordDisclosure`, forward by `version`. The
-- public list reads the published, unexpired rows; a withdrawn row keeps its entry and says why.
CREATE TABLE disclosures (
  disclosure_id        text PRIMARY KEY,
  case_id              text NOT NULL,
  version              integer NOT NULL CHECK (version > 0),
  status               text NOT NULL CHECK (status IN ('pending', 'published', 'expired', 'withdrawn', 'not_published', 'cancelled')),
  county_code          text NOT NULL,
  township_code        text NOT NULL,
  decided_at           timestamptz NOT NULL,
  -- the masked entry; null when nothing may be published (a minor)
  entry                jsonb,
  not_published_reason text,
  publish_due_at       timestamptz,
  published_at         timestamptz,
  published_by         text,
  visible_until        timestamptz,
  short_visibility     boolean,
  decision_changed_at  timestamptz,
  withdrawn_at         timestamptz,
  withdrawal_reason    text,
  withdrawn_by         text,
  escalations          integer NOT NULL DEFAULT 0,
  deadlines            jsonb NOT NULL DEFAULT '[]',
  history              jsonb NOT NULL DEFAULT '[]',
  updated_at           timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX disclosures_case ON disclosures (case_id, disclosure_id);
-- the public list: by status (published, or withdrawn with its reason), newest decision first
CREATE INDEX disclosures_public ON disclosures (status, decided_at DESC, disclosure_id DESC);

-- Down Migration
DROP TABLE disclosures;

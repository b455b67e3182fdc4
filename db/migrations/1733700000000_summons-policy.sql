-- Up Migration

-- 吹哨报到 (registries.md "Summons"): counts the SLA policy sets besides periods, versioned with it.
-- `bounces`: how many county-transfer returns and summons declines one department may give a case
-- before the case escalates to the county supervisor. '{}' (older versions): the defaults of
-- domain/sla.ts (DEFAULT_POLICY_LIMITS) apply.
ALTER TABLE sla_policies ADD COLUMN limits jsonb NOT NULL DEFAULT '{}';

-- Down Migration
ALTER TABLE sla_policies DROP COLUMN limits;

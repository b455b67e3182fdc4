-- Up Migration

-- 吹哨报到: the county departments summoned to a case (domain/summons.ts). A summoned department lists the
-- case among its own (GET /v1/cases) beside the cases it handles; the projection keeps the column in step
-- with the snapshot's `summons`.
ALTER TABLE cases ADD COLUMN summoned_department_codes text[] NOT NULL DEFAULT '{}';
UPDATE cases
   SET summoned_department_codes = ARRAY(SELECT DISTINCT s->>'departmentCode' FROM jsonb_array_elements(snapshot->'summons') AS s ORDER BY 1)
 WHERE jsonb_typeof(snapshot->'summons') = 'array';
CREATE INDEX cases_summoned_departments ON cases USING gin (summoned_department_codes) WHERE summoned_department_codes <> '{}';

-- Down Migration

DROP INDEX cases_summoned_departments;
ALTER TABLE cases DROP COLUMN summoned_department_codes;

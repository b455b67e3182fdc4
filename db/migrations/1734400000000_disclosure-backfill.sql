-- Up Migration

-- Penalty results decided before the disclosure process existed were public at once (the old list read
-- them from `cases`). Without rows here they would vanish from GET /v1/public/disclosures on upgrade, so
-- they are carried over as published at their decision, with the visibility of disclosure.md (3 months for
-- a warning or a fine up to 3,000 yuan, else 3 years; past it: expired), the party masked, no free text
-- (the facts were never published before and cannot be masked in SQL), and nothing for a minor or a warning
-- under the summary procedure (Art 2). Such rows have no process behind them: the public list hides them
-- at `visible_until` (api/read-model/disclosures.ts, by `carried_over`). Idempotent: cases that have a
-- disclosure are skipped.
ALTER TABLE disclosures ADD COLUMN IF NOT EXISTS carried_over boolean NOT NULL DEFAULT false;
WITH decided AS (
  SELECT c.case_id, c.county_code, c.township_code, c.matter_code,
         (c.snapshot #>> '{penalty,decidedAt}')::timestamptz AS decided_at,
         c.snapshot #>> '{penalty,decidedAt}' AS decided_text,
         NULLIF(c.snapshot #>> '{penalty,fine}', '')::numeric AS fine,
         COALESCE((c.snapshot #>> '{penalty,summary}')::boolean, false) AS summary,
         c.snapshot #>> '{party,kind}' AS party_kind,
         COALESCE(c.snapshot #>> '{party,name}', '') AS party_name,
         c.snapshot #>> '{party,creditCode}' AS credit_code,
         c.snapshot #>> '{party,idNumber}' AS id_number,
         COALESCE((c.snapshot #>> '{party,minor}')::boolean, false) AS minor_flag
    FROM cases c
   WHERE c.snapshot #>> '{penalty,kind}' = 'penalty'
     AND c.snapshot #>> '{penalty,decidedAt}' IS NOT NULL
     AND NOT EXISTS (SELECT 1 FROM disclosures d WHERE d.case_id = c.case_id)
), judged AS (
  SELECT d.*,
         d.minor_flag OR (
           d.id_number ~ '^[0-9]{6}(19|20)[0-9]{2}(0[1-9]|1[0-2])(0[1-9]|[12][0-9]|3[01])[0-9]{3}[0-9Xx]$'
           AND to_date(substr(d.id_number, 7, 8), 'YYYYMMDD') + interval '18 years' > (d.decided_at AT TIME ZONE 'Asia/Shanghai')::date
         ) AS minor,
         COALESCE(d.fine, 0) = 0 AND d.summary AS summary_warning,
         d.decided_at + CASE WHEN COALESCE(d.fine, 0) <= 3000 THEN interval '3 months' ELSE interval '36 months' END AS visible_until
    FROM decided d
)
INSERT INTO disclosures (disclosure_id, case_id, version, status, county_code, township_code, decided_at, entry,
                         not_published_reason, published_at, published_by, visible_until, short_visibility, carried_over)
SELECT 'disclosure-backfill-' || j.case_id, j.case_id, 1,
       CASE WHEN j.minor OR j.summary_warning THEN 'not_published'
            WHEN j.visible_until <= now() THEN 'expired'
            ELSE 'published' END,
       j.county_code, j.township_code, j.decided_at,
       CASE WHEN j.minor THEN NULL ELSE jsonb_build_object(
         'caseId', j.case_id,
         'decisionNo', j.case_id,
         'countyCode', j.county_code,
         'countyName', co.name,
         'townshipCode', j.township_code,
         'townshipName', t.name,
         'matterCode', j.matter_code,
         'matterName', m.name,
         'legalBasis', m.legal_basis,
         'facts', '',
         'party', jsonb_strip_nulls(jsonb_build_object(
           'kind', CASE WHEN j.party_kind = 'organization' THEN 'organization' ELSE 'person' END,
           'name', CASE WHEN j.party_kind = 'organization' THEN j.party_name
                        ELSE left(j.party_name, 1) || repeat('*', greatest(1, char_length(j.party_name) - 1)) END,
           'creditCode', CASE WHEN j.party_kind = 'organization' THEN j.credit_code END)),
         'penalty', CASE WHEN COALESCE(j.fine, 0) > 0 THEN 'fine' ELSE 'warning' END,
         'fine', j.fine,
         'decidedAt', j.decided_text) END,
       CASE WHEN j.minor THEN '当事人为未成年人 the party is a minor: nothing is published'
            WHEN j.summary_warning THEN '简易程序警告不予公示 a warning under the summary procedure is not published' END,
       CASE WHEN j.minor OR j.summary_warning THEN NULL ELSE j.decided_at END,
       CASE WHEN j.minor OR j.summary_warning THEN NULL ELSE 'migration: published at its decision before the disclosure process' END,
       CASE WHEN j.minor OR j.summary_warning THEN NULL ELSE j.visible_until END,
       CASE WHEN j.minor OR j.summary_warning THEN NULL ELSE COALESCE(j.fine, 0) <= 3000 END,
       true
  FROM judged j
  LEFT JOIN counties co ON co.code = j.county_code
  LEFT JOIN townships t ON t.code = j.township_code
  LEFT JOIN matters m ON m.code = j.matter_code;

-- Down Migration

DELETE FROM disclosures WHERE carried_over;
ALTER TABLE disclosures DROP COLUMN carried_over;

import { createHash } from 'node:crypto';
import type { Pool } from 'pg';
import type { CaseView } from '../domain/case';
import { creditCodeProblem, idNumberProblem } from '../domain/identifiers';

/**
 * The case workflows' use of the registries: the party linked to its enforcement object when the
 * capture is projected, and the responsibility list item that routes a matter in a county.
 */

/** The object's key for a party: its credit code, else its ID number, else (no identifier) the case. */
function objectKeyOf(s: CaseView): string {
  const p = s.party!;
  const basis = p.creditCode ? `credit:${p.creditCode.toUpperCase()}` : p.idNumber ? `id:${p.idNumber.toUpperCase()}` : `case:${s.caseId}`;
  return `EO-${createHash('sha256').update(basis).digest('hex').slice(0, 16)}`;
}

/**
 * Links the case's party to its enforcement object, found by credit code or ID number, else made
 * (keyed by the identifier, so two cases capturing the same new party at once make one object).
 * Idempotent: a linked case is left as it is.
 *
 * One statement (so one round trip, atomic by itself) instead of a transaction of five: the case row
 * is locked and must still be unlinked (a concurrent retry waits, then finds it linked and does
 * nothing); an object made here is logged in registry_changes as a registry edit would be.
 */
export async function linkPartyToEnforcementObject(pool: Pool, s: CaseView): Promise<void> {
  const party = s.party;
  if (!party) return;
  const creditCode = party.creditCode?.trim().toUpperCase() || null;
  const idNumber = party.idNumber?.trim().toUpperCase() || null;
  await pool.query({
    name: 'link-party-to-enforcement-object',
    text: `WITH target AS (
       SELECT case_id FROM cases WHERE case_id = $1 AND enforcement_object_id IS NULL FOR UPDATE
     ), found AS (
       -- the roster stores both identifiers upper-case (domain/registries.ts), so the indexes answer this
       SELECT id FROM enforcement_objects
        WHERE EXISTS (SELECT 1 FROM target) AND (credit_code = $2 OR id_number = $3)
        ORDER BY retired_at NULLS FIRST, (credit_code = $2) DESC NULLS LAST, id LIMIT 1
     ), made AS (
       INSERT INTO enforcement_objects (id, kind, name, credit_code, id_number, address, township_code, grid_code)
       SELECT $4, $5, $6, $7, $8, $9, $10, (SELECT code FROM grids WHERE code = $11 AND township_code = $10)
        WHERE EXISTS (SELECT 1 FROM target) AND NOT EXISTS (SELECT 1 FROM found)
       ON CONFLICT (id) DO NOTHING
       RETURNING id, kind, name, credit_code, id_number, address, township_code, grid_code, credit_class, version
     ), logged AS (
       INSERT INTO registry_changes (registry, row_key, version, action, actor, before, after)
       SELECT 'enforcement-objects', m.id, 1, 'create', $12, NULL,
              jsonb_strip_nulls(jsonb_build_object(
                'id', m.id, 'kind', m.kind, 'name', m.name, 'creditCode', m.credit_code, 'idNumber', m.id_number,
                'address', m.address, 'townshipCode', m.township_code, 'countyCode', $13::text, 'gridCode', m.grid_code,
                'creditClass', m.credit_class, 'version', m.version))
         FROM made m
       ON CONFLICT DO NOTHING
     )
     UPDATE cases SET enforcement_object_id = COALESCE((SELECT id FROM found), $4)
      WHERE case_id = $1 AND EXISTS (SELECT 1 FROM target)`,
    values: [
      s.caseId,
      creditCode,
      idNumber,
      objectKeyOf(s),
      party.kind,
      party.name,
      // an identifier that fails its check digit is not the roster's (the object is still keyed by it, so found again)
      creditCode && !creditCodeProblem(creditCode) ? creditCode : null,
      idNumber && !idNumberProblem(idNumber) ? idNumber : null,
      s.location.address,
      s.townshipCode,
      s.gridCode ?? null,
      `capture:${s.caseId}`,
      s.countyCode,
    ],
  });
}

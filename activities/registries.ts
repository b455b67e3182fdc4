import { createHash } from 'node:crypto';
import type { Pool } from 'pg';
import { withTransaction } from '../db/pool';
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
 */
export async function linkPartyToEnforcementObject(pool: Pool, s: CaseView): Promise<void> {
  const party = s.party;
  if (!party) return;
  const creditCode = party.creditCode?.trim().toUpperCase() || null;
  const idNumber = party.idNumber?.trim().toUpperCase() || null;
  await withTransaction(pool, async (client) => {
    const linked = await client.query<{ enforcement_object_id: string | null }>('SELECT enforcement_object_id FROM cases WHERE case_id = $1 FOR UPDATE', [s.caseId]);
    if (!linked.rows[0] || linked.rows[0].enforcement_object_id) return;
    let objectId: string | undefined;
    if (creditCode || idNumber) {
      const found = await client.query<{ id: string }>(
        // the roster stores both identifiers upper-case (domain/registries.ts), so the indexes answer this
        `SELECT id FROM enforcement_objects
          WHERE credit_code = $1 OR id_number = $2
          ORDER BY retired_at NULLS FIRST, (credit_code = $1) DESC NULLS LAST, id LIMIT 1`,
        [creditCode, idNumber],
      );
      objectId = found.rows[0]?.id;
    }
    if (!objectId) {
      objectId = objectKeyOf(s);
      const made = await client.query(
        `INSERT INTO enforcement_objects (id, kind, name, credit_code, id_number, address, township_code, grid_code)
         VALUES ($1, $2, $3, $4, $5, $6, $7, (SELECT code FROM grids WHERE code = $8 AND township_code = $7))
         ON CONFLICT (id) DO NOTHING
         RETURNING id, kind, name, credit_code, id_number, address, township_code, grid_code, credit_class, version`,
        // an identifier that fails its check digit is not the roster's (the object is still keyed by it, so found again)
        [
          objectId,
          party.kind,
          party.name,
          creditCode && !creditCodeProblem(creditCode) ? creditCode : null,
          idNumber && !idNumberProblem(idNumber) ? idNumber : null,
          s.location.address,
          s.townshipCode,
          s.gridCode ?? null,
        ],
      );
      const row = made.rows[0] as Record<string, unknown> | undefined;
      if (row) {
        const after = Object.fromEntries(
          Object.entries({
            id: row.id,
            kind: row.kind,
            name: row.name,
            creditCode: row.credit_code,
            idNumber: row.id_number,
            address: row.address,
            townshipCode: row.township_code,
            countyCode: s.countyCode,
            gridCode: row.grid_code,
            creditClass: row.credit_class,
            version: row.version,
          }).filter(([, v]) => v !== null && v !== undefined),
        );
        await client.query(
          `INSERT INTO registry_changes (registry, row_key, version, action, actor, before, after)
           VALUES ('enforcement-objects', $1, 1, 'create', $2, NULL, $3::jsonb) ON CONFLICT DO NOTHING`,
          [objectId, `capture:${s.caseId}`, JSON.stringify(after)],
        );
      }
    }
    await client.query('UPDATE cases SET enforcement_object_id = $2 WHERE case_id = $1', [s.caseId, objectId]);
  });
}


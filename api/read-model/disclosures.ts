import { z } from 'zod';
import type { Pool } from 'pg';
import { cursorIdSchema, decodeCursor, encodeCursor, sortKeySchema, sortKeyText } from './cursor';
import { isoSql, paramList } from './sql';

/**
 * 公示: published administrative-penalty results (行政处罚法 Art 48; 三项制度). A case is disclosed once its
 * snapshot holds a penalty decision of kind 'penalty' with its decision time (open while the fine is
 * unpaid, or closed). Persons' names are masked (张三 → 张*); organisations are named in full with their
 * unified social credit code. Identity numbers, addresses, phone numbers and reporters are never shown.
 * Newest decision first, keyset pagination on (decidedAt, caseId); the partial index
 * `cases_penalty_decided` narrows the scan to penalised cases.
 */

export const disclosuresQuerySchema = z
  .object({
    limit: z.coerce.number().int().min(1).max(200).default(50),
    cursor: z.string().min(1).max(512).optional().describe('opaque: the nextCursor of the previous page'),
  })
  .strict();
export type DisclosuresQuery = z.output<typeof disclosuresQuerySchema>;

export const disclosureSchema = z.object({
  caseId: z.string(),
  countyCode: z.string(),
  countyName: z.string().nullable(),
  townshipCode: z.string(),
  townshipName: z.string().nullable(),
  matterCode: z.string().nullable(),
  matterName: z.string().nullable(),
  party: z.object({
    kind: z.enum(['person', 'organization']),
    name: z.string().describe('a person: surname and asterisks (张*)'),
    creditCode: z.string().optional().describe('organisations only'),
  }),
  fine: z.number().nullable(),
  decidedAt: z.string(),
});
export type Disclosure = z.infer<typeof disclosureSchema>;
export const disclosureListSchema = z.object({ items: z.array(disclosureSchema), nextCursor: z.string().optional() });

/** 张三 → 张*, 欧阳娜娜 → 欧***: the first character stays, each other character becomes *. */
export function maskPersonName(name: string): string {
  const chars = Array.from(name.trim());
  if (chars.length === 0) return '*';
  return chars[0] + '*'.repeat(Math.max(1, chars.length - 1));
}

interface Row {
  case_id: string;
  county_code: string;
  county_name: string | null;
  township_code: string;
  township_name: string | null;
  matter_code: string | null;
  matter_name: string | null;
  party_kind: string | null;
  party_name: string | null;
  credit_code: string | null;
  fine: string | null;
  decided_at: string;
  sort_key: string;
}

const cursorSchema = z.object({ k: sortKeySchema, id: cursorIdSchema }).strict();

export async function listDisclosures(pool: Pool, query: DisclosuresQuery): Promise<{ items: Disclosure[]; nextCursor?: string }> {
  const { params, p } = paramList();
  const decided = `(c.snapshot #>> '{penalty,decidedAt}')::timestamptz`;
  const where = [`c.snapshot #>> '{penalty,kind}' = 'penalty'`, `c.snapshot #>> '{penalty,decidedAt}' IS NOT NULL`];
  if (query.cursor !== undefined) {
    const c = decodeCursor(query.cursor, cursorSchema);
    where.push(`(${decided}, c.case_id) < (${p(c.k)}::timestamptz, ${p(c.id)})`);
  }
  const { rows } = await pool.query<Row>(
    `SELECT c.case_id, c.county_code, co.name AS county_name, c.township_code, t.name AS township_name,
            c.matter_code, m.name AS matter_name,
            c.snapshot #>> '{party,kind}' AS party_kind, c.snapshot #>> '{party,name}' AS party_name,
            c.snapshot #>> '{party,creditCode}' AS credit_code,
            c.snapshot #>> '{penalty,fine}' AS fine,
            ${isoSql(decided)} AS decided_at,
            ${sortKeyText(decided)} AS sort_key
       FROM cases c
       LEFT JOIN counties co ON co.code = c.county_code
       LEFT JOIN townships t ON t.code = c.township_code
       LEFT JOIN matters m ON m.code = c.matter_code
      WHERE ${where.join(' AND ')}
      ORDER BY ${decided} DESC, c.case_id DESC
      LIMIT ${p(query.limit + 1)}`,
    params,
  );
  const page = rows.slice(0, query.limit);
  const items = page.map((r): Disclosure => {
    const kind = r.party_kind === 'organization' ? 'organization' : 'person';
    const rawName = r.party_name ?? '';
    const party: Disclosure['party'] = { kind, name: kind === 'person' ? maskPersonName(rawName) : rawName };
    if (kind === 'organization' && r.credit_code) party.creditCode = r.credit_code;
    const fine = r.fine === null ? null : Number(r.fine);
    return {
      caseId: r.case_id,
      countyCode: r.county_code,
      countyName: r.county_name,
      townshipCode: r.township_code,
      townshipName: r.township_name,
      matterCode: r.matter_code,
      matterName: r.matter_name,
      party,
      fine: fine !== null && Number.isFinite(fine) ? fine : null,
      decidedAt: r.decided_at,
    };
  });
  const last = page[page.length - 1];
  const out: { items: Disclosure[]; nextCursor?: string } = { items };
  if (rows.length > query.limit && last) {
    out.nextCursor = encodeCursor({ k: last.sort_key, id: last.case_id });
  }
  return out;
}

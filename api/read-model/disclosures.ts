import { z } from 'zod';
import type { Pool } from 'pg';
import { cursorIdSchema, decodeCursor, encodeCursor, sortKeySchema, sortKeyText } from './cursor';
import { isoSql, paramList } from './sql';
import { withTransaction } from '../../db/pool';
import { creditWithdrawalNotice, type DisclosureEntry } from '../../domain/disclosure';
import { enqueueDisclosureNotifications } from '../../activities/disclosures';

export { maskPersonName } from '../../domain/masking';

/**
 * 公示: the disclosure platform's public list (行政处罚法 Art 48; 三项制度; disclosure.md). An entry is
 * listed once its disclosure process (workflows/disclosure.ts) has published it, and until its
 * visibility ends (3 months for a warning or a low fine, else 3 years); a withdrawn entry leaves the list
 * and appears under `status=withdrawn` with the reason. Entries were masked when prepared
 * (domain/masking.ts): persons by surname (张*), no identity numbers, phones, cards or street addresses.
 * Newest decision first, keyset pagination on (decidedAt, disclosureId).
 */

export const disclosuresQuerySchema = z
  .object({
    limit: z.coerce.number().int().min(1).max(200).default(50),
    cursor: z.string().min(1).max(512).optional().describe('opaque: the nextCursor of the previous page'),
    status: z.enum(['published', 'withdrawn']).default('published').describe('published (default), or withdrawn: taken down, with the reason'),
  })
  .strict();
export type DisclosuresQuery = z.output<typeof disclosuresQuerySchema>;

export const disclosureSchema = z.object({
  caseId: z.string(),
  disclosureId: z.string(),
  decisionNo: z.string().describe('决定书文号'),
  status: z.enum(['published', 'withdrawn']),
  countyCode: z.string(),
  countyName: z.string().nullable(),
  townshipCode: z.string(),
  townshipName: z.string().nullable().describe('the deciding authority: the township brigade'),
  matterCode: z.string().nullable(),
  matterName: z.string().nullable().describe('the violation type'),
  legalBasis: z.string().nullable(),
  facts: z.string().describe('the facts in short, masked'),
  party: z.object({
    kind: z.enum(['person', 'organization']),
    name: z.string().describe('a person: surname and asterisks (张*)'),
    creditCode: z.string().optional().describe('organisations only'),
  }),
  penalty: z.enum(['warning', 'fine']),
  fine: z.number().nullable(),
  decidedAt: z.string(),
  publishedAt: z.string(),
  visibleUntil: z.string().describe('the end of its visibility: 3 months (warning, low fine) or 3 years after publication'),
  withdrawn: z.object({ at: z.string(), reason: z.string() }).optional().describe('a withdrawn entry: when and why'),
});
export type Disclosure = z.infer<typeof disclosureSchema>;
export const disclosureListSchema = z.object({ items: z.array(disclosureSchema), nextCursor: z.string().optional() });

interface Row {
  disclosure_id: string;
  status: 'published' | 'withdrawn';
  entry: DisclosureEntry;
  published_at: string;
  visible_until: string;
  withdrawn_at: string | null;
  withdrawal_reason: string | null;
  decided_at: string;
  sort_key: string;
}

const cursorSchema = z.object({ k: sortKeySchema, id: cursorIdSchema }).strict();

export async function listDisclosures(pool: Pool, query: DisclosuresQuery): Promise<{ items: Disclosure[]; nextCursor?: string }> {
  const { params, p } = paramList();
  // The disclosure process is the one authority on visibility: its durable timer ends it (status expired).
  const where = [`d.status = ${p(query.status)}`, `d.entry IS NOT NULL`, `d.published_at IS NOT NULL`];
  // rows carried over from before the process (migration 1734400000000) have no timer: hidden at visible_until
  if (query.status === 'published') where.push(`(NOT d.carried_over OR d.visible_until > now())`);
  if (query.cursor !== undefined) {
    const c = decodeCursor(query.cursor, cursorSchema);
    where.push(`(d.decided_at, d.disclosure_id) < (${p(c.k)}::timestamptz, ${p(c.id)})`);
  }
  const { rows } = await pool.query<Row>(
    `SELECT d.disclosure_id, d.status, d.entry, ${isoSql('d.published_at')} AS published_at, ${isoSql('d.visible_until')} AS visible_until,
            ${isoSql('d.withdrawn_at')} AS withdrawn_at, ${isoSql('d.decided_at')} AS decided_at, d.withdrawal_reason, ${sortKeyText('d.decided_at')} AS sort_key
       FROM disclosures d
      WHERE ${where.join(' AND ')}
      ORDER BY d.decided_at DESC, d.disclosure_id DESC
      LIMIT ${p(query.limit + 1)}`,
    params,
  );
  const page = rows.slice(0, query.limit);
  const items = page.map((r): Disclosure => {
    const e = r.entry;
    return {
      caseId: e.caseId,
      disclosureId: r.disclosure_id,
      decisionNo: e.decisionNo,
      status: r.status,
      countyCode: e.countyCode,
      countyName: e.countyName,
      townshipCode: e.townshipCode,
      townshipName: e.townshipName,
      matterCode: e.matterCode,
      matterName: e.matterName,
      legalBasis: e.legalBasis,
      facts: e.facts,
      party: e.party,
      penalty: e.penalty,
      fine: e.fine,
      decidedAt: r.decided_at,
      publishedAt: r.published_at,
      visibleUntil: r.visible_until,
      ...(r.status === 'withdrawn' && r.withdrawn_at ? { withdrawn: { at: r.withdrawn_at, reason: r.withdrawal_reason ?? '' } } : {}),
    };
  });
  const last = page[page.length - 1];
  const out: { items: Disclosure[]; nextCursor?: string } = { items };
  if (rows.length > query.limit && last) out.nextCursor = encodeCursor({ k: last.sort_key, id: last.disclosure_id });
  return out;
}

/** What a withdrawal answers (the same fields as the disclosure process's answer). */
export interface CarriedOverWithdrawal {
  caseId: string;
  disclosureId: string;
  status: 'withdrawn';
  publishedAt?: string;
  visibleUntil?: string;
  withdrawnAt: string;
  withdrawalReason: string;
  escalations: number;
}

/**
 * Withdraws an entry carried over from before the disclosure process (migration 1734400000000): no
 * workflow stands behind it, so the row, the step in its history and the notice to the credit publicity
 * system are written here, in one transaction, as workflows/disclosure.ts writes them for its own entries.
 * `{ refused }` names the row's status when it is not published (expired, not published, withdrawn).
 */
export async function withdrawCarriedOver(
  pool: Pool,
  a: { disclosureId: string; actor: { sub: string; role: string; unit?: string }; reason: string },
): Promise<CarriedOverWithdrawal | { refused: string }> {
  return withTransaction(pool, async (client) => {
    const reason = a.reason.trim();
    const { rows } = await client.query<{ case_id: string; county_code: string; status: string; carried_over: boolean }>(
      'SELECT case_id, county_code, status, carried_over FROM disclosures WHERE disclosure_id = $1 FOR UPDATE',
      [a.disclosureId],
    );
    const row = rows[0];
    if (!row?.carried_over) throw new Error(`disclosure ${a.disclosureId} is not a carried-over entry`);
    if (row.status !== 'published') return { refused: row.status };
    const updated = await client.query<{ published_at: string | null; visible_until: string | null; withdrawn_at: string; escalations: number }>(
      `UPDATE disclosures SET status = 'withdrawn', version = version + 1, withdrawn_at = now(), withdrawal_reason = $2, withdrawn_by = $3,
              history = history || jsonb_build_array(jsonb_build_object(
                'at', ${isoSql('now()')}, 'type', 'disclosure_withdrawn', 'actor', $4::jsonb,
                'data', jsonb_build_object('reason', $2::text, 'wasPublished', true, 'carriedOver', true))),
              updated_at = now()
        WHERE disclosure_id = $1
        RETURNING ${isoSql('published_at')} AS published_at, ${isoSql('visible_until')} AS visible_until,
                  ${isoSql('withdrawn_at')} AS withdrawn_at, escalations`,
      [a.disclosureId, reason, a.actor.sub, JSON.stringify(a.actor)],
    );
    const w = updated.rows[0]!;
    // the credit publicity system is told as the disclosure process tells it (the same dedupe key)
    await enqueueDisclosureNotifications(client, row.case_id, [
      {
        dedupeKey: `${a.disclosureId}:credit-withdrawal`,
        ...creditWithdrawalNotice({ caseId: row.case_id, disclosureId: a.disclosureId, countyCode: row.county_code, withdrawnAt: w.withdrawn_at, reason }),
      },
    ]);
    return {
      caseId: row.case_id,
      disclosureId: a.disclosureId,
      status: 'withdrawn' as const,
      ...(w.published_at ? { publishedAt: w.published_at } : {}),
      ...(w.visible_until ? { visibleUntil: w.visible_until } : {}),
      withdrawnAt: w.withdrawn_at,
      withdrawalReason: reason,
      escalations: w.escalations,
    };
  });
}

import { z } from 'zod';
import type { Pool, PoolClient } from 'pg';
import { withTransaction } from '../../db/pool';
import { DEFAULT_POLICY_LIMITS, DEFAULT_SLA_POLICY, SLA_KEYS, applySlaChange, type SlaPolicy, type SlaPolicyChange } from '../../domain/sla';
import { periodSchema } from '../../domain/period-schema';

/**
 * The versioned SLA policy (`sla_policies`). With no row stored, the policy in force is DEFAULT_SLA_POLICY
 * (deadlines.md "Local SLA defaults") as version 1, and the first PUT publishes version 2.
 */

const slaMap = z.object(Object.fromEntries(SLA_KEYS.map((k) => [k, periodSchema().optional()])) as Record<
  (typeof SLA_KEYS)[number],
  z.ZodOptional<ReturnType<typeof periodSchema>>
>);

export const slaPolicyResponseSchema = z.object({
  version: z.number().int(),
  slas: slaMap.describe('the period of each stage SLA (and county-response)'),
  urgent: slaMap.describe('tighter periods for urgent cases; keys left out use slas'),
  limits: z
    .object({ bounces: z.number().int().describe('county-transfer returns + summons declines of one department before the case escalates to the county supervisor') })
    .describe('counts besides periods'),
  publishedAt: z.string().nullable().describe('null for the built-in default policy'),
  publishedBy: z.string().nullable(),
});
export type SlaPolicyResponse = z.infer<typeof slaPolicyResponseSchema>;

interface PolicyRow {
  version: number;
  slas: SlaPolicy['slas'];
  urgent: SlaPolicy['urgent'];
  limits: SlaPolicy['limits'] | null;
  published_at: string;
  published_by: string;
}

const SELECT_LATEST = `
  SELECT version, slas, urgent, limits,
         to_char(published_at AT TIME ZONE 'Asia/Shanghai', 'YYYY-MM-DD"T"HH24:MI:SS.MS"+08:00"') AS published_at,
         published_by
    FROM sla_policies ORDER BY version DESC LIMIT 1`;

function toResponse(row: PolicyRow | undefined): SlaPolicyResponse {
  if (!row) return { ...DEFAULT_SLA_POLICY, limits: { ...DEFAULT_POLICY_LIMITS }, publishedAt: null, publishedBy: null };
  // A stored policy may predate a key added later: the default fills it.
  return {
    version: row.version,
    slas: { ...DEFAULT_SLA_POLICY.slas, ...row.slas },
    urgent: row.urgent ?? {},
    limits: { ...DEFAULT_POLICY_LIMITS, ...row.limits },
    publishedAt: row.published_at,
    publishedBy: row.published_by,
  };
}

export async function currentSlaPolicy(db: Pool | PoolClient): Promise<SlaPolicyResponse> {
  const { rows } = await db.query<PolicyRow>(SELECT_LATEST);
  return toResponse(rows[0]);
}

/** Key of the transaction-scoped advisory lock that serialises publications ('sla_policies'). */
const PUBLISH_LOCK = 0x51a_9011c;

/**
 * Publishes the next version: in one transaction, under an advisory lock, reads the latest version, applies
 * the change and inserts version + 1. Concurrent PUTs queue on the lock, so each builds on the one before
 * it: no lost update, no duplicate version (the primary key would refuse one anyway).
 */
export async function publishSlaPolicy(pool: Pool, change: SlaPolicyChange, publishedBy: string): Promise<SlaPolicyResponse> {
  return withTransaction(pool, async (client) => {
    await client.query('SELECT pg_advisory_xact_lock($1)', [PUBLISH_LOCK]);
    const current = await currentSlaPolicy(client);
    const next = applySlaChange({ version: current.version, slas: current.slas as SlaPolicy['slas'], urgent: current.urgent, limits: current.limits }, change);
    await client.query(
      'INSERT INTO sla_policies (version, slas, urgent, limits, published_by) VALUES ($1, $2::jsonb, $3::jsonb, $4::jsonb, $5)',
      [current.version + 1, JSON.stringify(next.slas), JSON.stringify(next.urgent), JSON.stringify(next.limits), publishedBy],
    );
    const { rows } = await client.query<PolicyRow>(SELECT_LATEST);
    return toResponse(rows[0]);
  });
}

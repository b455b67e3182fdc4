import type { Pool, PoolClient } from 'pg';
import { withTransaction } from '../db/pool';
import type { Actor } from '../domain/case';
import type { Deadline } from '../domain/deadlines';
import type { DisclosureEntry, DisclosureInput, DisclosureStatus } from '../domain/disclosure';
import { isMinorParty, maskPersonName, maskText } from '../domain/masking';
import type { Notification } from './contract';

/** What the disclosure process (workflows/disclosure.ts) asks of the outside world; idempotent like every activity. */
export interface DisclosureActivities {
  /** The masked entry of a decision, or why nothing may be published. */
  prepareDisclosure(input: DisclosureInput): Promise<PreparedDisclosure>;
  /** Writes the disclosure's row (forward by version only) and its notifications, in one transaction. */
  recordDisclosure(input: DisclosureRecord): Promise<void>;
}

export type PreparedDisclosure = { publish: true; entry: DisclosureEntry } | { publish: false; reason: string };

export interface DisclosureStep {
  at: string;
  type: string;
  actor: Actor;
  data?: Record<string, unknown>;
}

export interface DisclosureRecord {
  disclosureId: string;
  caseId: string;
  version: number;
  status: DisclosureStatus;
  countyCode: string;
  townshipCode: string;
  decidedAt: string;
  entry?: DisclosureEntry;
  notPublishedReason?: string;
  publishDueAt?: string;
  publishedAt?: string;
  publishedBy?: string;
  visibleUntil?: string;
  shortVisibility?: boolean;
  decisionChangedAt?: string;
  withdrawnAt?: string;
  withdrawalReason?: string;
  withdrawnBy?: string;
  escalations: number;
  deadlines: Deadline[];
  history: DisclosureStep[];
  notifications: Notification[];
}

export function createDisclosureActivities(pool: Pool): DisclosureActivities {
  return {
    prepareDisclosure: (input) => prepareDisclosure(pool, input),
    recordDisclosure: (input) => recordDisclosure(pool, input),
  };
}

/** The decision's local date (Asia/Shanghai): decidedAt is written with its +08:00 offset. */
const localDate = (iso: string): string => new Date(Date.parse(iso) + 8 * 3600_000).toISOString().slice(0, 10);

export async function prepareDisclosure(pool: Pool, input: DisclosureInput): Promise<PreparedDisclosure> {
  if (isMinorParty(input.party, localDate(input.decision.decidedAt))) {
    return { publish: false, reason: 'the party was a minor on the decision date: nothing is published' };
  }
  const { rows } = await pool.query<{ county_name: string | null; township_name: string | null; matter_name: string | null; legal_basis: string | null }>(
    `SELECT (SELECT name FROM counties WHERE code = $1) AS county_name,
            (SELECT name FROM townships WHERE code = $2) AS township_name,
            (SELECT name FROM matters WHERE code = $3) AS matter_name,
            (SELECT legal_basis FROM matters WHERE code = $3) AS legal_basis`,
    [input.countyCode, input.townshipCode, input.matterCode ?? null],
  );
  const names = rows[0];
  const party = input.party;
  const person = party.kind === 'person';
  const fine = input.decision.fine !== undefined && input.decision.fine > 0 ? input.decision.fine : null;
  const entry: DisclosureEntry = {
    caseId: input.caseId,
    decisionNo: input.caseId,
    countyCode: input.countyCode,
    countyName: names?.county_name ?? null,
    townshipCode: input.townshipCode,
    townshipName: names?.township_name ?? null,
    matterCode: input.matterCode ?? null,
    matterName: names?.matter_name ?? null,
    legalBasis: names?.legal_basis ?? null,
    facts: maskText(input.facts, { names: [person ? party.name : undefined, ...input.otherNames] }),
    party: {
      kind: person ? 'person' : 'organization',
      name: person ? maskPersonName(party.name) : party.name,
      ...(!person && party.creditCode ? { creditCode: party.creditCode } : {}),
    },
    penalty: fine === null ? 'warning' : 'fine',
    fine,
    decidedAt: input.decision.decidedAt,
  };
  return { publish: true, entry };
}

/** A disclosure's notifications into the outbox, each once (by its dedupe key), in the caller's transaction. */
export async function enqueueDisclosureNotifications(client: PoolClient, caseId: string, notifications: readonly Notification[]): Promise<void> {
  for (const n of notifications) {
    await client.query(
      `INSERT INTO outbox (dedupe_key, case_id, channel, recipient, subject, payload) VALUES ($1, $2, $3, $4, $5, $6::jsonb)
       ON CONFLICT (dedupe_key) DO NOTHING`,
      [n.dedupeKey, caseId, n.channel, n.recipient, n.subject, JSON.stringify(n.payload)],
    );
  }
}

export async function recordDisclosure(pool: Pool, r: DisclosureRecord): Promise<void> {
  await withTransaction(pool, async (client) => {
    await enqueueDisclosureNotifications(client, r.caseId, r.notifications);
    await client.query(
      `INSERT INTO disclosures (disclosure_id, case_id, version, status, county_code, township_code, decided_at, entry, not_published_reason,
                                publish_due_at, published_at, published_by, visible_until, short_visibility, decision_changed_at,
                                withdrawn_at, withdrawal_reason, withdrawn_by, escalations, deadlines, history, updated_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8::jsonb, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20::jsonb, $21::jsonb, now())
       ON CONFLICT (disclosure_id) DO UPDATE SET
         version = EXCLUDED.version, status = EXCLUDED.status, entry = EXCLUDED.entry, not_published_reason = EXCLUDED.not_published_reason,
         publish_due_at = EXCLUDED.publish_due_at, published_at = EXCLUDED.published_at, published_by = EXCLUDED.published_by,
         visible_until = EXCLUDED.visible_until, short_visibility = EXCLUDED.short_visibility,
         decision_changed_at = EXCLUDED.decision_changed_at, withdrawn_at = EXCLUDED.withdrawn_at,
         withdrawal_reason = EXCLUDED.withdrawal_reason, withdrawn_by = EXCLUDED.withdrawn_by, escalations = EXCLUDED.escalations,
         deadlines = EXCLUDED.deadlines, history = EXCLUDED.history, updated_at = now()
       WHERE disclosures.version < EXCLUDED.version`,
      [
        r.disclosureId,
        r.caseId,
        r.version,
        r.status,
        r.countyCode,
        r.townshipCode,
        r.decidedAt,
        r.entry ? JSON.stringify(r.entry) : null,
        r.notPublishedReason ?? null,
        r.publishDueAt ?? null,
        r.publishedAt ?? null,
        r.publishedBy ?? null,
        r.visibleUntil ?? null,
        r.shortVisibility ?? null,
        r.decisionChangedAt ?? null,
        r.withdrawnAt ?? null,
        r.withdrawalReason ?? null,
        r.withdrawnBy ?? null,
        r.escalations,
        JSON.stringify(r.deadlines),
        JSON.stringify(r.history),
      ],
    );
  });
}

import { createHash } from 'node:crypto';

/**
 * The webhook event types (delivery.md) and the one mapping from the case timeline to them. Pure: the
 * dispatcher (delivery/fanout.ts) reads the rows and calls `webhookEventsOf`; nothing else decides
 * which event a timeline row becomes.
 *
 * Payloads are thin (Standard Webhooks `{type, timestamp, data}`): identifiers, stage, due dates and the
 * timeline `seq`, so a receiver orders and deduplicates by (caseId, seq) and reads the case for the rest.
 */
export const WEBHOOK_EVENT_TYPES = [
  'case.opened',
  'case.stage_changed',
  'case.deadline_breached',
  'case.transferred',
  'case.police_notified',
  'case.closed',
  'case.extension_decided',
  'case.supervision_ordered',
  'case.disclosure_published',
  'case.disclosure_withdrawn',
] as const;
export type WebhookEventType = (typeof WEBHOOK_EVENT_TYPES)[number];

/** A timeline row with what the mapping needs of its case, as the dispatcher reads it. */
export interface TimelineRow {
  caseId: string;
  seq: number;
  at: string;
  type: string;
  /** The stage the case was in when the event was recorded. */
  stage: string;
  data: Record<string, unknown> | null;
  /** The stage right after this event: the next row's stage, or the case row's when this is the last. */
  stageAfter: string | undefined;
  externalRef: string | null;
  countyCode: string;
  townshipCode: string;
  /** The latest reporter feedback written with the case's notifications (for `case.closed`). */
  reporterFeedback: { outcome?: unknown; message?: unknown } | null;
}

export interface WebhookEvent {
  type: WebhookEventType;
  /** The instant of the timeline event (the payload's `timestamp`). */
  timestamp: string;
  caseId: string;
  seq: number;
  data: Record<string, unknown>;
}

const str = (v: unknown): string | null => (typeof v === 'string' ? v : null);
const num = (v: unknown): number | null => (typeof v === 'number' ? v : null);

/** The webhook events one timeline row stands for (none, one, or a typed event and a stage change). */
export function webhookEventsOf(row: TimelineRow): WebhookEvent[] {
  const d = row.data ?? {};
  const base = { caseId: row.caseId, seq: row.seq, externalRef: row.externalRef, countyCode: row.countyCode, townshipCode: row.townshipCode };
  const event = (type: WebhookEventType, data: Record<string, unknown>): WebhookEvent => ({
    type,
    timestamp: row.at,
    caseId: row.caseId,
    seq: row.seq,
    data: { ...base, ...data },
  });
  const out: WebhookEvent[] = [];
  switch (row.type) {
    case 'case_opened':
      out.push(event('case.opened', { stage: row.stageAfter ?? row.stage }));
      break;
    case 'deadline_breached':
      out.push(event('case.deadline_breached', { stage: row.stage, deadline: str(d.kind), level: num(d.level), dueAt: str(d.dueAt) }));
      break;
    case 'transferred_to_county':
      out.push(event('case.transferred', { stage: row.stage, departmentCode: str(d.departmentCode), dueAt: str(d.dueAt) }));
      break;
    case 'obstruction_reported':
      out.push(event('case.police_notified', { stage: row.stage, reason: 'obstruction' }));
      break;
    case 'handed_over_to_police':
      out.push(event('case.police_notified', { stage: row.stage, reason: 'judicial_transfer' }));
      break;
    case 'case_closed': {
      const feedback = row.reporterFeedback;
      out.push(
        event('case.closed', {
          stage: row.stage,
          resolution: str(d.resolution),
          feedback: feedback ? { outcome: str(feedback.outcome), message: str(feedback.message) } : null,
        }),
      );
      break;
    }
    // Recorded by the 12345 work-order steps of the case workflow (issue 8 part 2), with data
    // `{requestId, approved, kind (the deadline), dueAt (the new due date when approved)}` and
    // `{orderId, note, dueAt?}` respectively.
    case 'extension_decided':
      out.push(
        event('case.extension_decided', {
          stage: row.stage,
          requestId: str(d.requestId),
          approved: d.approved === true,
          deadline: str(d.kind),
          dueAt: str(d.dueAt),
        }),
      );
      break;
    case 'supervision_ordered':
      out.push(event('case.supervision_ordered', { stage: row.stage, orderId: str(d.orderId), dueAt: str(d.dueAt) }));
      break;
  }
  // Stage changes are not timeline rows of their own: the workflow records the event, then enters the
  // next stage, so the row's stage differs from the stage after it.
  if (row.type !== 'case_opened' && row.stageAfter !== undefined && row.stageAfter !== row.stage) {
    out.push(event('case.stage_changed', { from: row.stage, to: row.stageAfter, cause: row.type }));
  }
  return out;
}

/**
 * The message id (`webhook-id`): the same for a case event and type however often the dispatcher
 * fans it out, so duplicates collapse in the database and receivers can dedupe on it.
 */
export function messageIdOf(e: Pick<WebhookEvent, 'caseId' | 'seq' | 'type'>): string {
  const digest = createHash('sha256').update(`${e.caseId}\u0000${e.seq}\u0000${e.type}`).digest('hex');
  return `msg_${digest.slice(0, 32)}`;
}

/**
 * The credit publicity feed (disclosure.md): the disclosure process writes an outbox row on channel
 * `credit-publicity` when it publishes or withdraws an entry (it outlives its case, so it has no timeline
 * seq of its own); the dispatcher turns that row into this event for the operator's adapter. `seq` is 0;
 * the message id comes from the row's dedupe key, so the event is created once however often it is fanned out.
 */
export function creditFeedEventOf(row: { dedupeKey: string; caseId: string; createdAt: string; payload: Record<string, unknown>; countyCode: string; townshipCode: string }):
  | (WebhookEvent & { id: string })
  | undefined {
  const kind = row.payload.event;
  const type: WebhookEventType | undefined =
    kind === 'disclosure_published' ? 'case.disclosure_published' : kind === 'disclosure_withdrawn' ? 'case.disclosure_withdrawn' : undefined;
  if (!type) return undefined;
  const { event: _event, ...data } = row.payload;
  const id = `msg_${createHash('sha256').update(`outbox\u0000${row.dedupeKey}`).digest('hex').slice(0, 32)}`;
  return {
    id,
    type,
    timestamp: row.createdAt,
    caseId: row.caseId,
    seq: 0,
    data: { ...data, caseId: row.caseId, countyCode: row.countyCode, townshipCode: row.townshipCode },
  };
}

/** The body sent (Standard Webhooks payload structure). */
export function webhookPayloadOf(e: WebhookEvent): { type: WebhookEventType; timestamp: string; data: Record<string, unknown> } {
  return { type: e.type, timestamp: e.timestamp, data: e.data };
}

/** In-app recipients: a unit or a person. Other recipients (phone:, upstream:, public-security:, court:, party:) are external. */
export const INBOX_RECIPIENT_KINDS = ['township-leader', 'county-supervisor', 'department', 'brigade', 'person'] as const;
export type InboxRecipientKind = (typeof INBOX_RECIPIENT_KINDS)[number];

/** `township-leader:350722101` → its kind and code, when the recipient reads an in-app inbox. */
export function inboxAddressOf(recipient: string): { kind: InboxRecipientKind; code: string } | undefined {
  const i = recipient.indexOf(':');
  if (i <= 0) return undefined;
  const kind = recipient.slice(0, i);
  const code = recipient.slice(i + 1);
  if (!code || !(INBOX_RECIPIENT_KINDS as readonly string[]).includes(kind)) return undefined;
  return { kind: kind as InboxRecipientKind, code };
}

/**
 * Where a notification goes, by its recipient: an in-app inbox; the webhook subscriptions of the
 * case's events (upstream systems, police, courts — case.closed carries the reporter feedback,
 * case.police_notified the police notice); or no channel yet (a reporter's phone: SMS comes later as
 * another route here, not a second dispatcher).
 */
export type NotificationRoute =
  | { channel: 'inbox'; kind: InboxRecipientKind; code: string }
  | { channel: 'webhooks'; note: string }
  | { channel: 'none'; note: string };

export function routeOf(recipient: string): NotificationRoute {
  const inbox = inboxAddressOf(recipient);
  if (inbox) return { channel: 'inbox', ...inbox };
  const kind = recipient.split(':')[0] ?? recipient;
  if (kind === 'phone') return { channel: 'none', note: 'a phone recipient: no SMS channel yet; the case source hears of it by webhook (case.closed)' };
  return { channel: 'webhooks', note: `external recipient ${kind}: reached through webhook subscriptions of the case events` };
}


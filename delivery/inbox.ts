import pg, { type Pool } from 'pg';
import type { Claims } from '../api/claims';
import { INBOX_CHANNEL } from './fanout';

/**
 * The in-app inbox: which notifications a caller reads (the same jurisdiction as for cases, domain.md
 * "Roles"), marking them read, and a live feed of new ones for the SSE stream.
 */

/**
 * What a caller's inbox holds: its person address and its unit's addresses.
 * - township (a brigade and its leader): `township-leader:<townshipCode>`, `brigade:<townshipCode>`;
 * - county (a department): `department:<departmentCode>`;
 * - supervisor: `county-supervisor:<countyCode>` (a city supervisor, without countyCode: every county's);
 * - admin: everything; upstream: its person address only (it is told by webhooks).
 * One structure, evaluated by SQL (`scopeSql`) and in memory (`visibleTo`) alike.
 */
export interface InboxScope {
  all: boolean;
  recipients: string[];
  kinds: string[];
}

export function inboxScope(claims: Claims): InboxScope {
  const person = `person:${claims.sub}`;
  switch (claims.role) {
    case 'admin':
      return { all: true, recipients: [], kinds: [] };
    case 'supervisor':
      return claims.countyCode === undefined
        ? { all: false, recipients: [person], kinds: ['county-supervisor'] }
        : { all: false, recipients: [person, `county-supervisor:${claims.countyCode}`], kinds: [] };
    case 'township':
      return {
        all: false,
        recipients: [person, `township-leader:${claims.townshipCode}`, `brigade:${claims.townshipCode}`],
        kinds: [],
      };
    case 'county':
      return { all: false, recipients: [person, `department:${claims.departmentCode}`], kinds: [] };
    case 'upstream':
      return { all: false, recipients: [person], kinds: [] };
  }
}

export function visibleTo(scope: InboxScope, row: { recipient: string; recipient_kind: string }): boolean {
  return scope.all || scope.recipients.includes(row.recipient) || scope.kinds.includes(row.recipient_kind);
}

/** The scope as a WHERE condition over inbox_notifications `n`, with its three parameters from `first`. */
function scopeSql(first: number): string {
  return `($${first}::boolean OR n.recipient = ANY ($${first + 1}::text[]) OR n.recipient_kind = ANY ($${first + 2}::text[]))`;
}
const scopeParams = (s: InboxScope) => [s.all, s.recipients, s.kinds];

export interface InboxItem {
  id: string;
  caseId: string;
  channel: string;
  recipient: string;
  subject: string;
  payload: Record<string, unknown>;
  createdAt: string;
  readAt: string | null;
}

export interface InboxRow {
  id: number;
  case_id: string;
  channel: string;
  recipient: string;
  recipient_kind: string;
  subject: string;
  payload: Record<string, unknown>;
  created_at: string;
  read_at: string | null;
}

export function inboxItemOf(r: InboxRow): InboxItem {
  return {
    id: String(r.id),
    caseId: r.case_id,
    channel: r.channel,
    recipient: r.recipient,
    subject: r.subject,
    payload: r.payload,
    createdAt: r.created_at,
    readAt: r.read_at,
  };
}

const ITEM_COLUMNS = `n.id, n.case_id, n.channel, n.recipient, n.recipient_kind, n.subject, n.payload, n.created_at, r.read_at`;

export interface InboxQuery {
  unreadOnly: boolean;
  caseId?: string | undefined;
  /** Items with an id below this one (the previous page's last id). */
  before?: number | undefined;
  /** Items with an id above this one, oldest first (an SSE client's Last-Event-ID). */
  after?: number | undefined;
  limit: number;
}

/** The caller's notifications, newest first (or, with `after`, oldest first from there). */
export async function listInbox(pool: Pool, claims: Claims, q: InboxQuery): Promise<InboxItem[]> {
  const scope = inboxScope(claims);
  const { rows } = await pool.query<InboxRow>(
    `SELECT ${ITEM_COLUMNS}
       FROM inbox_notifications n
       LEFT JOIN inbox_reads r ON r.notification_id = n.id AND r.reader_sub = $4
      WHERE ${scopeSql(1)}
        AND (NOT $5::boolean OR r.read_at IS NULL)
        AND ($6::text IS NULL OR n.case_id = $6)
        AND ($7::bigint IS NULL OR n.id < $7)
        AND ($8::bigint IS NULL OR n.id > $8)
      ORDER BY CASE WHEN $8::bigint IS NULL THEN -n.id ELSE n.id END
      LIMIT $9`,
    [...scopeParams(scope), claims.sub, q.unreadOnly, q.caseId ?? null, q.before ?? null, q.after ?? null, q.limit],
  );
  return rows.map(inboxItemOf);
}

/** One notification if the caller may read it. */
export async function inboxItem(pool: Pool, claims: Claims, id: number): Promise<InboxItem | undefined> {
  const scope = inboxScope(claims);
  const { rows } = await pool.query<InboxRow>(
    `SELECT ${ITEM_COLUMNS}
       FROM inbox_notifications n
       LEFT JOIN inbox_reads r ON r.notification_id = n.id AND r.reader_sub = $4
      WHERE ${scopeSql(1)} AND n.id = $5`,
    [...scopeParams(scope), claims.sub, id],
  );
  return rows[0] ? inboxItemOf(rows[0]) : undefined;
}

/** Marks a notification read for the caller (idempotent: the first read time stays). Undefined if not visible. */
export async function markRead(pool: Pool, claims: Claims, id: number): Promise<InboxItem | undefined> {
  const item = await inboxItem(pool, claims, id);
  if (!item) return undefined;
  await pool.query(
    `INSERT INTO inbox_reads (notification_id, reader_sub) VALUES ($1, $2) ON CONFLICT (notification_id, reader_sub) DO NOTHING`,
    [id, claims.sub],
  );
  return inboxItem(pool, claims, id);
}

/**
 * New inbox rows as they are committed, for the SSE streams of one API process. A dedicated connection
 * LISTENs on the channel the dispatcher NOTIFYs (delivery/fanout.ts); the notification only wakes the
 * feed, which then reads the rows it has not emitted yet, so a notification lost during a reconnect
 * is caught by the next one or by the safety poll. `poll` mode (embedded PGlite: one connection for
 * the whole process, no room for a listener) reads on a timer instead.
 */
export type FeedMode = 'listen' | 'poll';
type FeedListener = (row: InboxRow) => void;

/** Ids are assigned before commit, so a lower id can commit after a higher one: look back this far. */
const LOOK_BACK = 500;

export class InboxFeed {
  private readonly listeners = new Set<FeedListener>();
  private started: Promise<void> | undefined;
  private client: pg.Client | undefined;
  private timer: NodeJS.Timeout | undefined;
  private highest = 0;
  private readonly emitted = new Set<number>();
  private checking: Promise<void> | undefined;
  private again = false;
  private closed = false;

  constructor(
    private readonly pool: Pool,
    private readonly mode: FeedMode,
    private readonly pollMs: number,
    private readonly onError: (err: unknown) => void = () => undefined,
  ) {}

  /** Registers a listener (starting the feed on first use); resolves once new rows will reach it. */
  async subscribe(listener: FeedListener): Promise<() => void> {
    this.listeners.add(listener);
    try {
      await (this.started ??= this.start());
    } catch (err) {
      this.listeners.delete(listener);
      this.started = undefined;
      throw err;
    }
    return () => this.listeners.delete(listener);
  }

  private async start(): Promise<void> {
    // What is already there is not news: remember the recent ids so the look-back does not emit them.
    const { rows } = await this.pool.query<{ id: number }>(
      `SELECT id FROM inbox_notifications WHERE id > (SELECT coalesce(max(id), 0) FROM inbox_notifications) - $1`,
      [LOOK_BACK],
    );
    for (const r of rows) {
      this.emitted.add(r.id);
      this.highest = Math.max(this.highest, r.id);
    }
    if (this.mode === 'listen') await this.listen();
    this.timer = setInterval(() => this.check(), this.mode === 'listen' ? Math.max(this.pollMs, 5000) : this.pollMs);
    this.timer.unref();
  }

  private async listen(): Promise<void> {
    const client = new pg.Client(this.pool.options as pg.ClientConfig);
    client.on('notification', () => this.check());
    client.on('error', (err) => {
      this.onError(err);
      this.client = undefined;
      void client.end().catch(() => undefined);
      // Reconnect after a pause; the next check catches up on what was missed meanwhile.
      if (!this.closed) setTimeout(() => void this.listen().then(() => this.check(), this.onError), 1000).unref();
    });
    await client.connect();
    await client.query(`LISTEN ${INBOX_CHANNEL}`);
    this.client = client;
  }

  /** Reads rows not yet emitted; one read at a time, and one more if asked meanwhile. */
  check(): void {
    if (this.checking) {
      this.again = true;
      return;
    }
    this.checking = this.read()
      .catch(this.onError)
      .finally(() => {
        this.checking = undefined;
        if (this.again && !this.closed) {
          this.again = false;
          this.check();
        }
      });
  }

  private async read(): Promise<void> {
    const { rows } = await this.pool.query<InboxRow>(
      `SELECT n.id, n.case_id, n.channel, n.recipient, n.recipient_kind, n.subject, n.payload, n.created_at, NULL::timestamptz AS read_at
         FROM inbox_notifications n WHERE n.id > $1 ORDER BY n.id`,
      [Math.max(0, this.highest - LOOK_BACK)],
    );
    for (const row of rows) {
      if (row.id <= this.highest - LOOK_BACK || this.emitted.has(row.id)) continue;
      this.emitted.add(row.id);
      this.highest = Math.max(this.highest, row.id);
      for (const listener of this.listeners) listener(row);
    }
    for (const id of this.emitted) if (id <= this.highest - LOOK_BACK) this.emitted.delete(id);
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.timer) clearInterval(this.timer);
    this.listeners.clear();
    await this.checking;
    await this.client?.end().catch(() => undefined);
  }
}

import { createHash, randomUUID } from 'node:crypto';
import type { Pool } from 'pg';
import { stringify } from 'safe-stable-stringify';
import type { CaseView } from '../domain/case';
import { HttpError } from './errors';

/**
 * Idempotency-Key on every state-changing POST (api.md "v1 extensions"): per caller, the first
 * request's fingerprint and, once known, its answer (db table `idempotency_keys`).
 */
export interface IdempotentRequest {
  caller: string;
  key: string;
  method: string;
  /** The route's path with its parameters filled in (the same key on another case is another request). */
  path: string;
  body: unknown;
  caseId?: string;
}

export type KeyClaim =
  | { kind: 'first' }
  /** A retry: the first answer when it is stored, else the first request is still in flight (or died). */
  | { kind: 'retry'; answer?: { status: number; body: unknown } };

const sha256 = (text: string): string => createHash('sha256').update(text).digest('hex');

/** Fingerprint of a request: key order in the body does not matter. */
export function requestFingerprint(r: Pick<IdempotentRequest, 'method' | 'path' | 'body'>): string {
  return sha256(stringify({ method: r.method, path: r.path, body: r.body ?? null }) ?? '');
}

/**
 * Claims the key for this request. The same key with another request (method, path or body) is
 * refused with 422 `idempotency_key_reused`.
 */
export async function claimIdempotencyKey(pool: Pool, r: IdempotentRequest): Promise<KeyClaim> {
  const hash = requestFingerprint(r);
  const inserted = await pool.query(
    `INSERT INTO idempotency_keys (caller, key, request_hash, method, path, case_id)
     VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (caller, key) DO NOTHING`,
    [r.caller, r.key, hash, r.method, r.path, r.caseId ?? null],
  );
  if (inserted.rowCount === 1) return { kind: 'first' };
  return judgeRetry(pool, r, hash);
}

/**
 * What an action needs of its case before it runs (jurisdiction, closed or not, the projected seq): read
 * from the row's columns, not its snapshot, which would be read, sent and parsed whole at every step.
 */
export type CaseGate = Pick<CaseView, 'countyCode' | 'townshipCode' | 'status' | 'handler'>;

/** The columns of `cases` a CaseGate is read from (caseGateOf). */
export const CASE_GATE_COLUMNS = 'county_code, township_code, status, handler_level, handler_department_code, handler_officer_ids';

interface ClaimRow<T> {
  row: { snapshot: T; seq: number } | undefined;
  fresh: boolean;
  claim: () => Promise<KeyClaim>;
}

/**
 * The case row of a step on a case and, for a keyed request, the key's claim, in one statement (one
 * round trip on the action path). The caller checks jurisdiction on the row, then asks `claim()`; a
 * request it refuses gives a fresh claim back with `releaseClaim`, so the key stays free as before.
 * `caseRowWithClaim` reads the whole snapshot (a reader's jurisdiction may depend on the timeline),
 * `caseGateWithClaim` only the gate's columns.
 */
export function caseRowWithClaim(pool: Pool, r: IdempotentRequest & { caseId: string }): Promise<ClaimRow<CaseView>> {
  return rowWithClaim(pool, r, 'case-row-with-claim', 'c.snapshot', (first) => first.snapshot as CaseView);
}

export function caseGateWithClaim(pool: Pool, r: IdempotentRequest & { caseId: string }): Promise<ClaimRow<CaseGate>> {
  return rowWithClaim(
    pool,
    r,
    'case-gate-with-claim',
    CASE_GATE_COLUMNS,
    (first) => caseGateOf(first as unknown as CaseGateRow),
  );
}

export interface CaseGateRow {
  county_code: string;
  township_code: string;
  status: CaseView['status'];
  handler_level: CaseView['handler']['level'];
  handler_department_code: string | null;
  handler_officer_ids: string[] | null;
}

export function caseGateOf(row: CaseGateRow): CaseGate {
  return {
    countyCode: row.county_code,
    townshipCode: row.township_code,
    status: row.status,
    handler: {
      level: row.handler_level,
      ...(row.handler_department_code !== null ? { departmentCode: row.handler_department_code } : {}),
      ...(row.handler_officer_ids !== null ? { officerIds: row.handler_officer_ids } : {}),
    },
  };
}

async function rowWithClaim<T>(
  pool: Pool,
  r: IdempotentRequest & { caseId: string },
  name: string,
  columns: string,
  read: (first: Record<string, unknown>) => T,
): Promise<ClaimRow<T>> {
  const hash = requestFingerprint(r);
  // Named (like the other statements of the action path): prepared once per connection, not parsed and planned per request.
  const { rows } = await pool.query<Record<string, unknown> & { seq: number | null; claimed: boolean }>({
    name,
    text: `WITH claim AS (
       INSERT INTO idempotency_keys (caller, key, request_hash, method, path, case_id)
       VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (caller, key) DO NOTHING
       RETURNING 1
     )
     SELECT ${columns}, c.seq, EXISTS (SELECT 1 FROM claim) AS claimed
       FROM (SELECT 1) AS one LEFT JOIN cases c ON c.case_id = $6`,
    values: [r.caller, r.key, hash, r.method, r.path, r.caseId],
  });
  const first = rows[0];
  const row = first && first.seq !== null ? { snapshot: read(first), seq: first.seq } : undefined;
  // A key already claimed is judged (first answer, or 422 for another request) when the caller asks,
  // after its own checks on the row: a request outside the caller's jurisdiction is 403 either way.
  if (first?.claimed) return { row, fresh: true, claim: async () => ({ kind: 'first' }) };
  return { row, fresh: false, claim: () => judgeRetry(pool, r, hash) };
}

/** Gives back a key claimed by a request that was then refused before it did anything. */
export async function releaseClaim(pool: Pool, caller: string, key: string): Promise<void> {
  await pool.query('DELETE FROM idempotency_keys WHERE caller = $1 AND key = $2 AND response_status IS NULL', [caller, key]);
}

/**
 * The case as projected at `seq` or later, and (keyed) that answer stored for the key, in one
 * statement: the answer is `extra` with the case under `caseField`, or the case itself. undefined when
 * the read model is behind `seq` (then nothing is stored).
 */
export async function projectedAnswer<T>(
  pool: Pool,
  a: { caseId: string; seq: number; keyed?: { caller: string; key: string }; status: number; extra?: Record<string, unknown>; caseField?: string },
): Promise<T | undefined> {
  const { rows } = await pool.query<{ answer: T }>({
    name: 'projected-answer',
    text: `WITH c AS (
       SELECT CASE WHEN $6::text IS NULL THEN snapshot ELSE $5::jsonb || jsonb_build_object($6::text, snapshot) END AS answer
         FROM cases WHERE case_id = $1 AND seq >= $2
     ), remembered AS (
       UPDATE idempotency_keys SET response_status = $7, response_body = (SELECT answer FROM c)
        WHERE $3::text IS NOT NULL AND caller = $3 AND key = $4 AND response_status IS NULL AND EXISTS (SELECT 1 FROM c)
     )
     SELECT answer FROM c`,
    values: [a.caseId, a.seq, a.keyed?.caller ?? null, a.keyed?.key ?? null, JSON.stringify(a.extra ?? {}), a.caseField ?? null, a.status],
  });
  return rows[0]?.answer;
}

/** A retry of a claimed key: the first answer when stored; 422 when the key was used for another request. */
async function judgeRetry(pool: Pool, r: IdempotentRequest, hash: string): Promise<KeyClaim> {
  const { rows } = await pool.query<{ request_hash: string; method: string; path: string; response_status: number | null; response_body: unknown }>(
    'SELECT request_hash, method, path, response_status, response_body FROM idempotency_keys WHERE caller = $1 AND key = $2',
    [r.caller, r.key],
  );
  const first = rows[0];
  if (!first) return { kind: 'first' }; // deleted in between (retention): nothing to compare with
  if (first.request_hash !== hash) {
    throw new HttpError(
      422,
      'idempotency_key_reused',
      `Idempotency-Key "${r.key}" was used for another request (${first.method} ${first.path} with another body); use a new key for a new request`,
      [{ path: 'headers.idempotency-key', message: 'already used for a different request' }],
    );
  }
  return first.response_status === null ? { kind: 'retry' } : { kind: 'retry', answer: { status: first.response_status, body: first.response_body } };
}

/** Stores the first answer of a keyed request (2xx and refusals alike: a retry gets the same answer). */
export async function rememberAnswer(pool: Pool, caller: string, key: string, status: number, body: unknown): Promise<void> {
  await pool.query(
    'UPDATE idempotency_keys SET response_status = $3, response_body = $4 WHERE caller = $1 AND key = $2 AND response_status IS NULL',
    [caller, key, status, JSON.stringify(body)],
  );
}

/** The Temporal Update ID of a keyed action: the same key from the same caller is the same Update. */
export function keyedUpdateId(caller: string, key: string): string {
  return `key-${sha256(`${caller}\n${key}`).slice(0, 40)}`;
}

/** How long an identical request without a key counts as a double submit of the first. */
export const DOUBLE_SUBMIT_WINDOW_SECONDS = 30;

/**
 * The Update ID of an action sent without a key: identical requests (caller, path, body) against the
 * same case state (`seq`) within DOUBLE_SUBMIT_WINDOW_SECONDS run as one Update, so a double click is
 * answered once. After the window the same request is a new one (a refusal is not repeated for ever
 * once, say, a certificate was renewed). One statement: concurrent duplicates meet on the row lock.
 * The row's key is `auto:<fingerprint of path and body>:<seq>`.
 */
export async function doubleSubmitUpdateId(pool: Pool, r: { caller: string; path: string; body: unknown; seq: number; caseId: string }): Promise<string> {
  const fresh = `auto-${randomUUID()}`;
  const { rows } = await pool.query<{ update_id: string }>({
    name: 'double-submit-update-id',
    text: `INSERT INTO idempotency_keys AS k (caller, key, request_hash, method, path, case_id, update_id)
           VALUES ($1, 'auto:' || $2 || ':' || $7::int, $2, 'POST', $3, $4, $5)
           ${SHARED_UPDATE_ID}`,
    values: [r.caller, doubleSubmitFingerprint(r), r.path, r.caseId, fresh, DOUBLE_SUBMIT_WINDOW_SECONDS, r.seq],
  });
  return rows[0]?.update_id ?? fresh;
}

/**
 * An unkeyed action's gate (as `caseGateWithClaim` for a keyed one) and its double-submit Update ID
 * (`doubleSubmitUpdateId`, from the row's seq) in one statement: one round trip on the action path.
 * No row: the case is not projected yet (the caller asks Temporal, with an Update ID of its own).
 * A request the gate then refuses leaves its row behind; the same request is refused the same way.
 */
export async function caseGateWithDoubleSubmitId(
  pool: Pool,
  r: { caller: string; path: string; body: unknown; caseId: string },
): Promise<{ row: { snapshot: CaseGate; seq: number }; updateId: string } | undefined> {
  const { rows } = await pool.query<CaseGateRow & { seq: number; update_id: string }>({
    name: 'case-gate-with-double-submit-id',
    text: `WITH gate AS (SELECT ${CASE_GATE_COLUMNS}, seq FROM cases WHERE case_id = $4),
           shared AS (
             INSERT INTO idempotency_keys AS k (caller, key, request_hash, method, path, case_id, update_id)
             SELECT $1, 'auto:' || $2 || ':' || gate.seq, $2, 'POST', $3, $4, $5 FROM gate
             ${SHARED_UPDATE_ID}
           )
           SELECT gate.*, (SELECT update_id FROM shared) AS update_id FROM gate`,
    values: [r.caller, doubleSubmitFingerprint(r), r.path, r.caseId, `auto-${randomUUID()}`, DOUBLE_SUBMIT_WINDOW_SECONDS],
  });
  const first = rows[0];
  return first ? { row: { snapshot: caseGateOf(first), seq: first.seq }, updateId: first.update_id } : undefined;
}

const doubleSubmitFingerprint = (r: { path: string; body: unknown }): string => sha256(stringify({ path: r.path, body: r.body ?? null }) ?? '');

/** The double-submit row's upsert: the first request's Update ID inside the window ($6 s), a fresh one ($5) after it. */
const SHARED_UPDATE_ID = `ON CONFLICT (caller, key) DO UPDATE SET
               update_id = CASE WHEN k.created_at < now() - make_interval(secs => $6) THEN EXCLUDED.update_id ELSE k.update_id END,
               created_at = CASE WHEN k.created_at < now() - make_interval(secs => $6) THEN now() ELSE k.created_at END
             RETURNING update_id`;

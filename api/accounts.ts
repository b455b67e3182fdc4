import { createHash, randomBytes } from 'node:crypto';
import { hash, verify } from '@node-rs/argon2';
import type { Pool } from 'pg';
import type { z } from 'zod';
import { type Account, type NewAccount, accountChangeSchema, ACCOUNT_ROLES } from './account-schemas';
import { claimsSchema, type Claims } from './claims';
import { HttpError } from './errors';

/**
 * Accounts of the people who sign in to the workbench (workbench.md "Sign-in"), their sessions and
 * the count of failed sign-ins. Passwords are hashed with argon2id (@node-rs/argon2, its defaults);
 * a session is a random secret in an HttpOnly cookie of which only the SHA-256 is stored.
 */

export const SESSION_TTL_SECONDS = 10 * 3600;
export const SESSION_TOKEN_TTL_SECONDS = 15 * 60;
export const SESSION_COOKIE = 'wb_session';

/** Failed sign-ins allowed per username and client address within the window, then 429. */
export const SIGN_IN_FAILURE_LIMIT = 5;
export const SIGN_IN_FAILURE_WINDOW_SECONDS = 15 * 60;

interface AccountRow {
  username: string;
  display_name: string;
  password_hash: string;
  role: (typeof ACCOUNT_ROLES)[number];
  county_code: string | null;
  township_code: string | null;
  department_code: string | null;
  disabled: boolean;
  /** timestamptz arrive as ISO strings with +08:00 (db/pool.ts) */
  created_at: string;
  updated_at: string;
}

const COLUMNS = `username, display_name, password_hash, role, county_code, township_code, department_code, disabled, created_at, updated_at`;

function toAccount(r: AccountRow): Account {
  return {
    username: r.username,
    displayName: r.display_name,
    role: r.role,
    ...(r.county_code ? { countyCode: r.county_code } : {}),
    ...(r.township_code ? { townshipCode: r.township_code } : {}),
    ...(r.department_code ? { departmentCode: r.department_code } : {}),
    disabled: r.disabled,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
  };
}

/** The claims an account signs in with: exactly those of api/claims.ts, `sub` being the username. */
export function claimsOfAccount(a: Pick<Account, 'username' | 'role' | 'countyCode' | 'townshipCode' | 'departmentCode'>): Claims {
  return claimsSchema.parse({
    sub: a.username,
    role: a.role,
    ...(a.countyCode ? { countyCode: a.countyCode } : {}),
    ...(a.townshipCode ? { townshipCode: a.townshipCode } : {}),
    ...(a.departmentCode ? { departmentCode: a.departmentCode } : {}),
  });
}

export const hashPassword = (password: string): Promise<string> => hash(password);

/** A hash to verify against when the username is unknown, so both answers take the same time. */
let decoyHash: Promise<string> | undefined;

export async function listAccounts(pool: Pool): Promise<Account[]> {
  const { rows } = await pool.query<AccountRow>(`SELECT ${COLUMNS} FROM accounts ORDER BY role, username`);
  return rows.map(toAccount);
}

export async function findAccount(pool: Pool, username: string): Promise<Account | undefined> {
  const { rows } = await pool.query<AccountRow>(`SELECT ${COLUMNS} FROM accounts WHERE username = $1`, [username]);
  return rows[0] ? toAccount(rows[0]) : undefined;
}

/** Creates an account; 409 when the username is taken, 422 when a unit code is unknown or of another county. */
export async function createAccount(pool: Pool, a: NewAccount): Promise<Account> {
  await checkUnits(pool, a);
  const passwordHash = await hashPassword(a.password);
  const { rows } = await pool.query<AccountRow>(
    `INSERT INTO accounts (username, display_name, password_hash, role, county_code, township_code, department_code)
     VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (username) DO NOTHING RETURNING ${COLUMNS}`,
    [a.username, a.displayName, passwordHash, a.role, a.countyCode ?? null, a.townshipCode ?? null, a.departmentCode ?? null],
  );
  if (!rows[0]) {
    throw new HttpError(409, 'conflict', `account ${a.username} exists`, [{ path: 'body.username', message: 'taken' }]);
  }
  return toAccount(rows[0]);
}

async function checkUnits(pool: Pool, a: Pick<NewAccount, 'countyCode' | 'townshipCode' | 'departmentCode'>): Promise<void> {
  const unknown = (path: string, message: string) => new HttpError(422, 'unknown_unit', message, [{ path, message }]);
  if (a.countyCode) {
    const { rowCount } = await pool.query('SELECT 1 FROM counties WHERE code = $1', [a.countyCode]);
    if (!rowCount) throw unknown('body.countyCode', `county ${a.countyCode} does not exist`);
  }
  if (a.townshipCode) {
    const { rows } = await pool.query<{ county_code: string }>('SELECT county_code FROM townships WHERE code = $1', [a.townshipCode]);
    if (!rows[0]) throw unknown('body.townshipCode', `township ${a.townshipCode} does not exist`);
    if (rows[0].county_code !== a.countyCode) throw unknown('body.townshipCode', `township ${a.townshipCode} is in county ${rows[0].county_code}`);
  }
  if (a.departmentCode) {
    const { rows } = await pool.query<{ county_code: string }>('SELECT county_code FROM departments WHERE code = $1', [a.departmentCode]);
    if (!rows[0]) throw unknown('body.departmentCode', `department ${a.departmentCode} does not exist`);
    if (rows[0].county_code !== a.countyCode) {
      throw unknown('body.departmentCode', `department ${a.departmentCode} is in county ${rows[0].county_code}`);
    }
  }
}

/** Sets a new password and revokes the account's sessions. False when there is no such account. */
export async function resetPassword(pool: Pool, username: string, password: string): Promise<boolean> {
  const passwordHash = await hashPassword(password);
  const { rowCount } = await pool.query(
    'UPDATE accounts SET password_hash = $2, password_changed_at = now(), updated_at = now() WHERE username = $1',
    [username, passwordHash],
  );
  if (!rowCount) return false;
  await pool.query('UPDATE sessions SET revoked_at = now() WHERE username = $1 AND revoked_at IS NULL', [username]);
  return true;
}

/** Changes display name or disabled flag; disabling revokes the sessions. */
export async function changeAccount(pool: Pool, username: string, change: z.infer<typeof accountChangeSchema>): Promise<Account | undefined> {
  const { rows } = await pool.query<AccountRow>(
    `UPDATE accounts SET display_name = COALESCE($2, display_name), disabled = COALESCE($3, disabled), updated_at = now()
     WHERE username = $1 RETURNING ${COLUMNS}`,
    [username, change.displayName ?? null, change.disabled ?? null],
  );
  if (!rows[0]) return undefined;
  if (rows[0].disabled) await pool.query('UPDATE sessions SET revoked_at = now() WHERE username = $1 AND revoked_at IS NULL', [username]);
  return toAccount(rows[0]);
}

// ---------------------------------------------------------------- sign-in

export type SignInResult = { ok: true; account: Account } | { ok: false; retryAfterSeconds?: number };

/**
 * Checks a username and password. Failures are recorded per username and address; after
 * SIGN_IN_FAILURE_LIMIT of them within the window the attempt is refused without looking at the password.
 */
export async function signIn(pool: Pool, username: string, password: string, ip: string): Promise<SignInResult> {
  const { rows: recent } = await pool.query<{ n: number; oldest: string | null }>(
    `SELECT count(*)::int AS n, min(at) AS oldest FROM sign_in_failures
     WHERE username = $1 AND ip = $2 AND at > now() - make_interval(secs => $3)`,
    [username, ip, SIGN_IN_FAILURE_WINDOW_SECONDS],
  );
  const { n, oldest } = recent[0] ?? { n: 0, oldest: null };
  if (n >= SIGN_IN_FAILURE_LIMIT) {
    const retryAt = (oldest ? Date.parse(oldest) : Date.now()) + SIGN_IN_FAILURE_WINDOW_SECONDS * 1000;
    return { ok: false, retryAfterSeconds: Math.max(1, Math.ceil((retryAt - Date.now()) / 1000)) };
  }
  const { rows } = await pool.query<AccountRow>(`SELECT ${COLUMNS} FROM accounts WHERE username = $1`, [username]);
  const row = rows[0];
  let matches = false;
  if (row) matches = await verify(row.password_hash, password);
  else await verify(await (decoyHash ??= hashPassword(randomBytes(16).toString('hex'))), password); // same time as a real check
  if (!row || !matches || row.disabled) {
    await pool.query('INSERT INTO sign_in_failures (username, ip) VALUES ($1, $2)', [username, ip]);
    // Old failures are of no use past the window; trimming here keeps the table small without a job.
    await pool.query(`DELETE FROM sign_in_failures WHERE at < now() - make_interval(secs => $1)`, [SIGN_IN_FAILURE_WINDOW_SECONDS * 4]);
    return { ok: false };
  }
  await pool.query('DELETE FROM sign_in_failures WHERE username = $1 AND ip = $2', [username, ip]);
  return { ok: true, account: toAccount(row) };
}

const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');

/** Opens a session; returns the secret for the cookie and when it expires. */
export async function openSession(pool: Pool, username: string): Promise<{ secret: string; expiresAt: string }> {
  const secret = randomBytes(32).toString('base64url');
  const { rows } = await pool.query<{ expires_at: string }>(
    `INSERT INTO sessions (id_hash, username, expires_at) VALUES ($1, $2, now() + make_interval(secs => $3)) RETURNING expires_at`,
    [sha256(secret), username, SESSION_TTL_SECONDS],
  );
  return { secret, expiresAt: rows[0]!.expires_at };
}

/** The account of a live session (not revoked, not expired, account not disabled), else undefined. */
export async function accountOfSession(pool: Pool, secret: string): Promise<{ account: Account; expiresAt: string } | undefined> {
  const { rows } = await pool.query<AccountRow & { expires_at: string }>(
    `SELECT ${COLUMNS.split(', ').map((c) => `a.${c}`).join(', ')}, s.expires_at FROM sessions s JOIN accounts a USING (username)
     WHERE s.id_hash = $1 AND s.revoked_at IS NULL AND s.expires_at > now() AND NOT a.disabled`,
    [sha256(secret)],
  );
  const row = rows[0];
  return row ? { account: toAccount(row), expiresAt: row.expires_at } : undefined;
}

export async function revokeSession(pool: Pool, secret: string): Promise<void> {
  await pool.query('UPDATE sessions SET revoked_at = now() WHERE id_hash = $1 AND revoked_at IS NULL', [sha256(secret)]);
}

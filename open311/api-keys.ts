import { createHash, randomBytes } from 'node:crypto';
import type { Pool } from 'pg';

/**
 * Open311 API keys, issued by an admin and bound to an upstream identity (the `sub` its cases are
 * opened as) and a county (optionally some townships). Stored as SHA-256 digests; the key is shown once.
 */
export interface ApiKey {
  id: string;
  upstreamSub: string;
  countyCode: string;
  townshipCodes: string[] | null;
  description: string | null;
  issuedBy: string;
  issuedAt: string;
  revokedAt: string | null;
}

interface KeyRow {
  id: string;
  upstream_sub: string;
  county_code: string;
  township_codes: string[] | null;
  description: string | null;
  issued_by: string;
  issued_at: string;
  revoked_at: string | null;
}

const COLUMNS = 'id, upstream_sub, county_code, township_codes, description, issued_by, issued_at, revoked_at';
const keyOf = (r: KeyRow): ApiKey => ({
  id: r.id,
  upstreamSub: r.upstream_sub,
  countyCode: r.county_code,
  townshipCodes: r.township_codes,
  description: r.description,
  issuedBy: r.issued_by,
  issuedAt: r.issued_at,
  revokedAt: r.revoked_at,
});

const digest = (key: string) => createHash('sha256').update(key, 'utf8').digest('hex');

export async function issueApiKey(
  pool: Pool,
  input: { upstreamSub: string; countyCode: string; townshipCodes?: string[] | undefined; description?: string | undefined; issuedBy: string },
): Promise<{ key: ApiKey; apiKey: string }> {
  const apiKey = `o311_${randomBytes(24).toString('base64url')}`;
  const { rows } = await pool.query<KeyRow>(
    `INSERT INTO open311_api_keys (id, key_digest, upstream_sub, county_code, township_codes, description, issued_by)
     VALUES ($1, $2, $3, $4, $5::text[], $6, $7) RETURNING ${COLUMNS}`,
    [`key_${randomBytes(8).toString('hex')}`, digest(apiKey), input.upstreamSub, input.countyCode, input.townshipCodes ?? null, input.description ?? null, input.issuedBy],
  );
  return { key: keyOf(rows[0]!), apiKey };
}

/** The live key for a presented value, or undefined (unknown or revoked). */
export async function findApiKey(pool: Pool, apiKey: string): Promise<ApiKey | undefined> {
  const { rows } = await pool.query<KeyRow>(`SELECT ${COLUMNS} FROM open311_api_keys WHERE key_digest = $1 AND revoked_at IS NULL`, [digest(apiKey)]);
  return rows[0] ? keyOf(rows[0]) : undefined;
}

export async function listApiKeys(pool: Pool): Promise<ApiKey[]> {
  const { rows } = await pool.query<KeyRow>(`SELECT ${COLUMNS} FROM open311_api_keys ORDER BY issued_at, id`);
  return rows.map(keyOf);
}

export async function revokeApiKey(pool: Pool, id: string): Promise<boolean> {
  const { rowCount } = await pool.query('UPDATE open311_api_keys SET revoked_at = now() WHERE id = $1 AND revoked_at IS NULL', [id]);
  return (rowCount ?? 0) > 0;
}

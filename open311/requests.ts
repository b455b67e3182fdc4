import type { Pool } from 'pg';
import { z } from 'zod';
import { STAGE_LABELS, type Stage } from '../domain/stages';
import { GeoReportError } from './georeport';

/**
 * `GET requests` and `GET requests/{id}`: the cases opened through Open311, as GeoReport service
 * requests. Never the reporter's data (name, phone, email, device, account) nor free text they wrote:
 * the problem's place, service, status and dates only.
 */

const DAY_MS = 86_400_000;
/** The spec's default and largest window. */
export const WINDOW_DAYS = 90;

const listQuerySchema = z.object({
  service_request_id: z.string().min(1).max(2000).optional(),
  service_code: z.string().min(1).max(500).optional(),
  start_date: z.iso.datetime({ offset: true }).optional(),
  end_date: z.iso.datetime({ offset: true }).optional(),
  status: z
    .string()
    .regex(/^(open|closed)(,(open|closed))*$/, 'status is open, closed or open,closed')
    .optional(),
  jurisdiction_id: z.string().min(1).max(64).optional(),
  api_key: z.string().optional(),
});
export type RequestsQuery = z.infer<typeof listQuerySchema>;

export function parseRequestsQuery(query: unknown): RequestsQuery {
  const parsed = listQuerySchema.safeParse(query ?? {});
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new GeoReportError(400, `${issue.path.join('.')}: ${issue.message}`);
  }
  return parsed.data;
}

interface RequestRow {
  case_id: string;
  status: 'open' | 'closed';
  stage: Stage;
  resolution: string | null;
  service_code: string;
  service_name: string;
  service_notice: string | null;
  agency: string | null;
  opened_at: string;
  updated_at: string;
  current_due_at: string | null;
  address: string | null;
  lat: number | null;
  lng: number | null;
  media_url: string | null;
}

export type ServiceRequestRecord = Record<string, string | number | null>;

function recordOf(r: RequestRow): ServiceRequestRecord {
  const notes = `${STAGE_LABELS[r.stage] ?? r.stage} (${r.stage})${r.resolution ? `; ${r.resolution}` : ''}`;
  return {
    service_request_id: r.case_id,
    status: r.status,
    status_notes: notes,
    service_name: r.service_name,
    service_code: r.service_code,
    agency_responsible: r.agency,
    service_notice: r.service_notice,
    requested_datetime: r.opened_at,
    updated_datetime: r.updated_at,
    expected_datetime: r.status === 'open' ? r.current_due_at : null,
    address: r.address,
    lat: r.lat,
    long: r.lng,
    media_url: r.media_url,
  };
}

const SELECT = `
  SELECT c.case_id, c.status, c.stage, c.resolution, q.service_code, s.service_name, s.service_notice,
         coalesce(d.name, t.name || '综合行政执法队') AS agency, c.opened_at, c.updated_at, c.current_due_at,
         c.snapshot #>> '{location,address}' AS address, q.lat, q.lng, q.media_url
    FROM open311_requests q
    JOIN cases c ON c.case_id = q.case_id
    JOIN open311_services s ON s.service_code = q.service_code
    LEFT JOIN townships t ON t.code = c.township_code
    LEFT JOIN departments d ON d.code = c.handler_department_code`;

const list = (s: string | undefined) => (s === undefined ? null : s.split(',').map((x) => x.trim()).filter((x) => x.length > 0));

/** The spec's filters: ids (which override the others), service codes, a window of at most 90 days, status. */
export async function listServiceRequests(pool: Pool, q: RequestsQuery, now = Date.now()): Promise<ServiceRequestRecord[]> {
  const ids = list(q.service_request_id);
  if (ids) {
    const { rows } = await pool.query<RequestRow>(`${SELECT} WHERE q.case_id = ANY ($1::text[]) ORDER BY c.opened_at DESC, c.case_id`, [ids]);
    return rows.map(recordOf);
  }
  const end = q.end_date ? Date.parse(q.end_date) : now;
  const start = q.start_date ? Date.parse(q.start_date) : end - WINDOW_DAYS * DAY_MS;
  if (start > end) throw new GeoReportError(400, 'start_date is after end_date');
  if (end - start > WINDOW_DAYS * DAY_MS) throw new GeoReportError(400, `start_date and end_date are at most ${WINDOW_DAYS} days apart`);
  const { rows } = await pool.query<RequestRow>(
    `${SELECT}
      WHERE c.opened_at >= $1 AND c.opened_at <= $2
        AND ($3::text[] IS NULL OR q.service_code = ANY ($3::text[]))
        AND ($4::text[] IS NULL OR c.status = ANY ($4::text[]))
        AND ($5::text IS NULL OR c.county_code = $5)
      ORDER BY c.opened_at DESC, c.case_id
      LIMIT 1000`,
    [new Date(start).toISOString(), new Date(end).toISOString(), list(q.service_code), list(q.status), q.jurisdiction_id ?? null],
  );
  return rows.map(recordOf);
}

export async function findServiceRequest(pool: Pool, id: string): Promise<ServiceRequestRecord | undefined> {
  const { rows } = await pool.query<RequestRow>(`${SELECT} WHERE q.case_id = $1`, [id]);
  return rows[0] ? recordOf(rows[0]) : undefined;
}

/** Records the Open311 side of an opened case (idempotent: a retried request finds its row). */
export async function recordServiceRequest(
  pool: Pool,
  r: { caseId: string; serviceCode: string; apiKeyId: string; lat?: number | undefined; lng?: number | undefined; addressString?: string | undefined; attributes: Record<string, unknown>; mediaUrl?: string | undefined },
): Promise<void> {
  await pool.query(
    `INSERT INTO open311_requests (case_id, service_code, api_key_id, lat, lng, address_string, attributes, media_url)
     VALUES ($1, $2, $3, $4, $5, $6, $7::jsonb, $8) ON CONFLICT (case_id) DO NOTHING`,
    [r.caseId, r.serviceCode, r.apiKeyId, r.lat ?? null, r.lng ?? null, r.addressString ?? null, JSON.stringify(r.attributes), r.mediaUrl ?? null],
  );
}

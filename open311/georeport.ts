import { createHash } from 'node:crypto';
import { XMLBuilder } from 'fast-xml-parser';
import { z } from 'zod';
import type { OpenCaseBody } from '../domain/case';
import type { ApiKey } from './api-keys';
import type { ReportableService, ServiceAttribute } from './catalog';

/**
 * GeoReport v2 (https://wiki.open311.org/GeoReport_v2) in our words: the request fields, attribute
 * parsing (`attribute[CODE]`, `attribute[CODE][]`), the JSON and XML renderings and the error format.
 * Pure: the routes (api/routes/open311.ts) read and write Postgres and open cases.
 */

export type Format = 'json' | 'xml';

/** `services.json`, `requests/638344.xml` → the name and the format. */
export function splitFormat(file: string): { name: string; format: Format } | undefined {
  const m = /^(.+)\.(json|xml)$/.exec(file);
  return m ? { name: m[1]!, format: m[2] as Format } : undefined;
}

export class GeoReportError extends Error {
  constructor(
    readonly status: 400 | 403 | 404 | 429 | 503,
    message: string,
  ) {
    super(message);
  }
}

/** The attribute every definition carries besides the service's own: the township the problem is in. */
export const TOWNSHIP_ATTRIBUTE = 'TOWNSHIP';

export function townshipAttribute(townships: { code: string; name: string }[], required: boolean): ServiceAttribute {
  return {
    code: TOWNSHIP_ATTRIBUTE,
    variable: true,
    datatype: 'singlevaluelist',
    required,
    order: 1000,
    description: '所在乡镇（街道） The township or street the problem is in',
    values: townships.map((t) => ({ key: t.code, name: t.name })),
  };
}

/** The spec's fields of POST requests (form-urlencoded), attributes aside. Coordinates are WGS-84. */
const requestFieldsSchema = z
  .object({
    // Checked by the route: a missing or unknown key is 403, not 400.
    api_key: z.string().optional(),
    jurisdiction_id: z.string().min(1).max(64).optional(),
    service_code: z.string().min(1, 'service_code is required').max(64),
    lat: z.coerce.number().min(-90).max(90).optional(),
    long: z.coerce.number().min(-180).max(180).optional(),
    address_string: z.string().trim().min(1).max(500).optional(),
    address_id: z.string().trim().min(1).max(64).optional(),
    email: z.string().max(200).optional(),
    device_id: z.string().max(200).optional(),
    account_id: z.string().max(200).optional(),
    first_name: z.string().trim().max(50).optional(),
    last_name: z.string().trim().max(50).optional(),
    phone: z.string().trim().max(32).optional(),
    description: z.string().trim().max(4000, 'description is at most 4,000 characters').optional(),
    media_url: z.url().max(2000).optional(),
  })
  .superRefine((r, ctx) => {
    if ((r.lat === undefined) !== (r.long === undefined)) ctx.addIssue({ code: 'custom', path: ['lat'], message: 'lat and long come together' });
    if (r.lat === undefined && !r.address_string && !r.address_id) {
      ctx.addIssue({ code: 'custom', path: ['lat'], message: 'a location is required: lat and long, address_string or address_id' });
    }
  });
export type RequestFields = z.infer<typeof requestFieldsSchema>;

export interface ParsedRequest {
  fields: RequestFields;
  /** Attribute values by code: a string, or a list for `attribute[CODE][]` and repeated keys. */
  attributes: Record<string, string | string[]>;
}

/** Splits a parsed form body into the spec's fields and its attributes; 400 naming the first bad field. */
export function parseRequestBody(body: unknown): ParsedRequest {
  if (!body || typeof body !== 'object' || Array.isArray(body)) throw new GeoReportError(400, 'a form-urlencoded body is required');
  const fields: Record<string, string> = {};
  const attributes: Record<string, string | string[]> = {};
  for (const [key, raw] of Object.entries(body as Record<string, unknown>)) {
    const values = (Array.isArray(raw) ? raw : [raw]).map(String);
    const attr = /^attribute\[([^\]]+)\](\[\])?$/.exec(key);
    if (attr) {
      const code = attr[1]!;
      const prior = attributes[code];
      const list = [...(prior === undefined ? [] : Array.isArray(prior) ? prior : [prior]), ...values];
      attributes[code] = attr[2] || list.length > 1 ? list : list[0]!;
      continue;
    }
    if (values.length > 1) throw new GeoReportError(400, `${key} is given more than once`);
    if (values[0] !== '') fields[key] = values[0]!;
  }
  const parsed = requestFieldsSchema.safeParse(fields);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new GeoReportError(400, `${issue.path.join('.') || 'body'}: ${issue.message}`);
  }
  return { fields: parsed.data, attributes };
}

/** Checks attribute values against the service definition; 400 naming the attribute. */
export function checkAttributes(definition: ServiceAttribute[], given: Record<string, string | string[]>): Record<string, string | string[]> {
  const byCode = new Map(definition.filter((a) => a.variable).map((a) => [a.code, a]));
  for (const code of Object.keys(given)) {
    if (!byCode.has(code)) throw new GeoReportError(400, `attribute[${code}] is not an attribute of this service`);
  }
  for (const a of byCode.values()) {
    const value = given[a.code];
    const list = value === undefined ? [] : Array.isArray(value) ? value : [value];
    if (list.length === 0 || list.every((v) => v === '')) {
      if (a.required) throw new GeoReportError(400, `attribute[${a.code}] is required: ${a.description}`);
      continue;
    }
    if (a.datatype !== 'multivaluelist' && list.length > 1) throw new GeoReportError(400, `attribute[${a.code}] takes one value`);
    const keys = new Set((a.values ?? []).map((v) => v.key));
    for (const v of list) {
      if ((a.datatype === 'singlevaluelist' || a.datatype === 'multivaluelist') && !keys.has(v)) {
        throw new GeoReportError(400, `attribute[${a.code}]: ${v} is not one of ${[...keys].join(', ')}`);
      }
      if (a.datatype === 'number' && !Number.isFinite(Number(v))) throw new GeoReportError(400, `attribute[${a.code}] must be a number`);
      if (a.datatype === 'datetime' && Number.isNaN(Date.parse(v))) throw new GeoReportError(400, `attribute[${a.code}] must be an ISO 8601 date-time`);
      if (v.length > 4000) throw new GeoReportError(400, `attribute[${a.code}] is at most 4,000 characters`);
    }
  }
  return given;
}

/** The body of POST /v1/cases for a GeoReport request: a complaint in the key's county. */
export function openCaseBodyOf(r: ParsedRequest, service: ReportableService, key: ApiKey, townshipCode: string): OpenCaseBody {
  const f = r.fields;
  const where = f.address_string ?? (f.lat !== undefined ? `WGS-84 ${f.lat},${f.long}` : `address_id ${f.address_id}`);
  const name = [f.last_name, f.first_name].filter((s) => s && s.length > 0).join('');
  return {
    source: 'complaint',
    countyCode: key.countyCode,
    townshipCode,
    location: { address: where, ...(f.lat !== undefined ? { lat: f.lat, lng: f.long! } : {}) },
    description: `[${service.serviceCode} ${service.serviceName}] ${f.description ?? ''}`.trim(),
    ...(name || f.phone ? { reporter: { ...(name ? { name } : {}), ...(f.phone ? { phone: f.phone } : {}) } } : {}),
  };
}

/**
 * Idempotency on the key and the request (delivery.md): the same key posting the same fields opens
 * one case. The digest covers every field and attribute, sorted, api_key excluded (the key id stands for it).
 */
export function requestIdempotencyKey(keyId: string, body: Record<string, unknown>): string {
  const entries = Object.entries(body)
    .filter(([k]) => k !== 'api_key')
    .map(([k, v]) => [k, Array.isArray(v) ? v.map(String) : String(v)] as const)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `open311:${createHash('sha256').update(JSON.stringify([keyId, entries])).digest('hex')}`;
}

/* ---------- renderings ---------- */

const builder = new XMLBuilder({ format: true, suppressEmptyNode: false, processEntities: true });

type XmlValue = string | number | boolean | null | undefined | XmlValue[] | { [k: string]: XmlValue };

/** Nulls become empty elements, as in the spec's examples. */
function forXml(v: XmlValue): unknown {
  if (v === null || v === undefined) return '';
  if (Array.isArray(v)) return v.map(forXml);
  if (typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, forXml(x)]));
  return String(v);
}

/** A list in the spec's shape: a JSON array, or `<root><item>…</item>…</root>`. */
export function renderList(format: Format, root: string, item: string, items: Record<string, XmlValue>[]): { body: string; contentType: string } {
  if (format === 'json') return { body: JSON.stringify(items), contentType: 'application/json; charset=utf-8' };
  const xml = builder.build({ [root]: items.length > 0 ? { [item]: items.map(forXml) } : '' }) as string;
  return { body: `<?xml version="1.0" encoding="utf-8"?>\n${xml}`, contentType: 'text/xml; charset=utf-8' };
}

/** A single document (the service definition). */
export function renderDocument(format: Format, root: string, doc: Record<string, XmlValue>): { body: string; contentType: string } {
  if (format === 'json') return { body: JSON.stringify(doc), contentType: 'application/json; charset=utf-8' };
  const xml = builder.build({ [root]: forXml(doc) }) as string;
  return { body: `<?xml version="1.0" encoding="utf-8"?>\n${xml}`, contentType: 'text/xml; charset=utf-8' };
}

/** Errors as the spec has them: `[{code, description}]` / `<errors><error>…</error></errors>`. */
export function renderError(format: Format, status: number, description: string): { body: string; contentType: string } {
  return renderList(format, 'errors', 'error', [{ code: status, description }]);
}

/** `GET services`: one entry per reportable service. */
export function serviceEntry(s: ReportableService): Record<string, XmlValue> {
  return {
    service_code: s.serviceCode,
    service_name: s.serviceName,
    description: s.description,
    metadata: true, // every service has a definition (at least the township attribute)
    type: 'realtime',
    keywords: s.keywords.join(', '),
    group: s.group,
  };
}

/** `GET services/{code}`: the service definition. JSON keeps lists as arrays; XML nests `<value>` in `<values>`. */
export function serviceDefinition(format: Format, s: ReportableService, attributes: ServiceAttribute[]): Record<string, XmlValue> {
  const rendered = attributes.map((a) => ({
    variable: a.variable,
    code: a.code,
    datatype: a.datatype,
    required: a.required,
    datatype_description: a.datatypeDescription ?? null,
    order: a.order,
    description: a.description,
    ...(a.values ? { values: format === 'json' ? a.values : { value: a.values } } : {}),
  }));
  return { service_code: s.serviceCode, attributes: format === 'json' ? rendered : { attribute: rendered } };
}

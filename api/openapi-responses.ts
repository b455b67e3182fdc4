import { z } from 'zod';

/**
 * The error answers of a route for its OpenAPI document (api.md "Errors"), in one place, so every
 * route lists what it can answer and a generated client knows the error body:
 *
 *   response: { 200: thingSchema, ...errorResponses(400, 401, 403, 404, 503) }
 *
 * Which statuses a route can answer:
 * - 400: it has a querystring, path parameters or a body (malformed or schema-invalid input);
 * - 401: it needs a bearer token; 403: it checks role or jurisdiction; 404: it names a resource;
 * - 409 / 422: only state-changing routes (a step not allowed now / a business rule); never a GET;
 * - 412 / 428: a registry change with a stale If-Match / without one;
 * - 406: a Server-Sent Events stream, when the Accept header refuses text/event-stream;
 * - 413 / 415: it takes a body (too large / not application/json); 429: it is rate-limited;
 * - 503: it needs PostgreSQL or Temporal (an outage; the answer carries Retry-After).
 */
export const errorResponseSchema = z
  .object({
    error: z.object({
      code: z.string().describe('machine-readable: invalid_request, unauthorized, forbidden, not_found, unavailable, …'),
      message: z.string(),
      details: z.array(z.object({ path: z.string().describe('body.field, querystring.name, params.name, headers.name, token.claim'), message: z.string() })),
    }),
  })
  .describe('api.md error body');

export const ERROR_STATUS_DESCRIPTIONS = {
  400: 'malformed or schema-invalid input; details name each bad field (text with NUL or unpaired surrogates included)',
  401: 'no valid bearer token (missing, bad signature, no exp, or expired)',
  403: 'outside your role or jurisdiction',
  404: 'no such resource',
  406: 'the Accept header refuses text/event-stream (this route only streams)',
  409: 'not allowed in the current state; the message names the state and what is allowed',
  412: 'If-Match names a version that is no longer current (a registry row changed since you read it): read it again',
  428: 'this change needs an If-Match header with the ETag you read',
  413: 'request body too large',
  415: 'the body must be application/json',
  422: 'a business rule refuses it',
  429: 'rate limited; retry later',
  503: 'PostgreSQL or Temporal unavailable; retry after the Retry-After header',
} as const;
export type ErrorStatus = keyof typeof ERROR_STATUS_DESCRIPTIONS;

/** `{status: schema}` for each status, the schema described by the status's text for the document. */
function describedResponses<Schema extends z.ZodType, S extends number>(schema: Schema, descriptions: Record<S, string>, statuses: S[]): Record<S, Schema> {
  const out = {} as Record<S, Schema>;
  for (const status of statuses) out[status] = schema.describe(descriptions[status]);
  return out;
}

/** `{status: errorResponseSchema}` for each status, each described for the document. */
export function errorResponses<S extends ErrorStatus>(...statuses: S[]): Record<S, typeof errorResponseSchema> {
  return describedResponses(errorResponseSchema, ERROR_STATUS_DESCRIPTIONS, statuses);
}

/**
 * Open311 GeoReport v2 (/open311/v2/…) answers errors in the spec's own format, not api.md's: a list of
 * `{code, description}` (`<errors><error>…` in the .xml form); it authenticates by api_key, not a token.
 */
export const georeportErrorSchema = z
  .array(z.object({ code: z.number().int().describe('the HTTP status'), description: z.string() }))
  .describe('GeoReport v2 errors (JSON; the .xml form answers <errors><error><code/><description/></error></errors>)');

export const GEOREPORT_ERROR_DESCRIPTIONS = {
  400: 'malformed or invalid input (unknown attribute, bad date window, body not form-urlencoded, too large, …)',
  403: 'api_key missing (creation) or invalid, or the request is outside the jurisdiction of the key',
  404: 'no such service or service request (or not a .json/.xml document)',
  429: 'too many service requests from this api_key; retry after the Retry-After header',
  503: 'PostgreSQL or Temporal unavailable; retry after the Retry-After header',
} as const;
export type GeoReportErrorStatus = keyof typeof GEOREPORT_ERROR_DESCRIPTIONS;

/** `{status: georeportErrorSchema}` for each status, for the Open311 routes. */
export function georeportErrorResponses<S extends GeoReportErrorStatus>(...statuses: S[]): Record<S, typeof georeportErrorSchema> {
  return describedResponses(georeportErrorSchema, GEOREPORT_ERROR_DESCRIPTIONS, statuses);
}

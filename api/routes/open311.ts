import formbody from '@fastify/formbody';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Pool } from 'pg';
import { findApiKey, type ApiKey } from '../../open311/api-keys';
import { findService, listServices } from '../../open311/catalog';
import {
  checkAttributes,
  GeoReportError,
  openCaseBodyOf,
  parseRequestBody,
  renderDocument,
  renderError,
  renderList,
  requestIdempotencyKey,
  serviceDefinition,
  serviceEntry,
  splitFormat,
  TOWNSHIP_ATTRIBUTE,
  townshipAttribute,
  type Format,
} from '../../open311/georeport';
import { findServiceRequest, listServiceRequests, parseRequestsQuery, recordServiceRequest } from '../../open311/requests';
import type { Claims } from '../claims';
import { georeportErrorResponses } from '../openapi-responses';
import { isDatabaseUnavailable, RETRY_AFTER_SECONDS } from '../outage';

/**
 * Open311 GeoReport v2 under /open311/v2/ (delivery.md), JSON and XML, errors in the spec's format.
 *
 * POST requests is a thin adapter over POST /v1/cases: it opens the case through that very route
 * (`app.inject`, as the key's upstream identity, with an Idempotency-Key derived from the key and the
 * request), so validation, jurisdiction, idempotency and the workflow start are the same code. (The
 * case-opening code lives in the route handler of api/routes/cases.ts; when it moves into a function of
 * its own, call that instead.)
 */

const FORMATS: Format[] = ['json', 'xml'];

function send(reply: FastifyReply, status: number, rendered: { body: string; contentType: string }) {
  return reply.code(status).header('content-type', rendered.contentType).send(rendered.body);
}

function formatOfUrl(url: string): Format {
  return /\.xml(\?|$)/.test(url) ? 'xml' : 'json';
}

async function keyOrRefuse(pool: Pool, apiKey: string | undefined, required: boolean): Promise<ApiKey | undefined> {
  if (apiKey === undefined || apiKey === '') {
    if (required) throw new GeoReportError(403, 'api_key is required to create a service request');
    return undefined;
  }
  const key = await findApiKey(pool, apiKey);
  if (!key) throw new GeoReportError(403, "Invalid api_key received -- can't proceed");
  return key;
}

async function townshipsOf(pool: Pool, countyCode: string | undefined): Promise<{ code: string; name: string }[]> {
  const { rows } = await pool.query<{ code: string; name: string }>(
    'SELECT code, name FROM townships WHERE ($1::text IS NULL OR county_code = $1) ORDER BY code',
    [countyCode ?? null],
  );
  return rows;
}

export default async function open311Routes(app: FastifyInstance, { pool }: { pool: Pool }): Promise<void> {
  // form-urlencoded bodies for this plugin's routes only (the v1 API stays JSON).
  await app.register(formbody);
  app.setErrorHandler((err: Error & { statusCode?: number }, request, reply) => {
    const format = formatOfUrl(request.url);
    if (err instanceof GeoReportError) {
      if (err.status === 503 || err.status === 429) reply.header('retry-after', String(RETRY_AFTER_SECONDS));
      return send(reply, err.status, renderError(format, err.status, err.message));
    }
    if (typeof err.statusCode === 'number' && err.statusCode >= 400 && err.statusCode < 500) return send(reply, 400, renderError(format, 400, err.message));
    // An outage is a 503 with Retry-After (as in api/app.ts); anything else is a bug: 500, not "retry later".
    if (isDatabaseUnavailable(err)) {
      request.log.warn({ err }, 'open311: postgres unavailable');
      reply.header('retry-after', String(RETRY_AFTER_SECONDS));
      return send(reply, 503, renderError(format, 503, 'the service is unavailable; retry later'));
    }
    request.log.error({ err }, 'open311 request failed');
    return send(reply, 500, renderError(format, 500, 'internal error'));
  });

  // Documented with the spec's own error body (api/openapi-responses.ts georeportErrorResponses), not api.md's:
  // these routes authenticate by api_key and answer errors as GeoReport v2 does.
  const schema = { tags: ['open311'], hide: false };

  for (const format of FORMATS) {
    app.get(`/open311/v2/services.${format}`, { schema: { ...schema, summary: `GeoReport v2: reportable services (${format})`, response: georeportErrorResponses(503) } }, async (_request, reply) => {
      const services = await listServices(pool);
      return send(reply, 200, renderList(format, 'services', 'service', services.map(serviceEntry)));
    });

    app.get(
      `/open311/v2/requests.${format}`,
      { schema: { ...schema, summary: `GeoReport v2: service requests of the last 90 days, filtered (${format})`, response: georeportErrorResponses(400, 403, 503) } },
      async (request, reply) => {
        const q = parseRequestsQuery(request.query);
        await keyOrRefuse(pool, q.api_key, false);
        const records = await listServiceRequests(pool, q);
        return send(reply, 200, renderList(format, 'service_requests', 'request', records));
      },
    );

    app.post(
      `/open311/v2/requests.${format}`,
      {
        schema: {
          ...schema,
          summary: `GeoReport v2: report a problem (form-urlencoded; opens a complaint case) (${format})`,
          response: georeportErrorResponses(400, 403, 404, 429, 503),
        },
      },
      async (request, reply) => createRequest(request, reply, format),
    );
  }

  app.get('/open311/v2/services/:file', { schema: { ...schema, summary: 'GeoReport v2: a service definition ({code}.json or {code}.xml)', response: georeportErrorResponses(404, 503) } }, async (request, reply) => {
    const { file } = request.params as { file: string };
    const split = splitFormat(file);
    if (!split) throw new GeoReportError(404, `no such document ${file}: use {service_code}.json or .xml`);
    const service = await findService(pool, split.name);
    if (!service) throw new GeoReportError(404, `service_code ${split.name} not found`);
    const { jurisdiction_id } = (request.query ?? {}) as { jurisdiction_id?: string };
    const attributes = [...service.attributes, townshipAttribute(await townshipsOf(pool, jurisdiction_id), true)];
    return send(reply, 200, renderDocument(split.format, 'service_definition', serviceDefinition(split.format, service, attributes)));
  });

  app.get('/open311/v2/requests/:file', { schema: { ...schema, summary: 'GeoReport v2: one service request ({id}.json or {id}.xml)', response: georeportErrorResponses(403, 404, 503) } }, async (request, reply) => {
    const { file } = request.params as { file: string };
    const split = splitFormat(file);
    if (!split) throw new GeoReportError(404, `no such document ${file}: use {service_request_id}.json or .xml`);
    const { api_key } = (request.query ?? {}) as { api_key?: string };
    await keyOrRefuse(pool, api_key, false);
    const record = await findServiceRequest(pool, split.name);
    if (!record) throw new GeoReportError(404, `service_request_id ${split.name} not found`);
    return send(reply, 200, renderList(split.format, 'service_requests', 'request', [record]));
  });

  async function createRequest(request: FastifyRequest, reply: FastifyReply, format: Format) {
    const parsed = parseRequestBody(request.body);
    const key = (await keyOrRefuse(pool, parsed.fields.api_key, true))!;
    if (parsed.fields.jurisdiction_id !== undefined && parsed.fields.jurisdiction_id !== key.countyCode) {
      throw new GeoReportError(400, `jurisdiction_id ${parsed.fields.jurisdiction_id} is not the jurisdiction of this api_key (${key.countyCode})`);
    }
    const service = await findService(pool, parsed.fields.service_code);
    if (!service) throw new GeoReportError(404, `service_code ${parsed.fields.service_code} not found`);

    // The township: the TOWNSHIP attribute, or the key's only township.
    const townships = (await townshipsOf(pool, key.countyCode)).filter((t) => !key.townshipCodes || key.townshipCodes.includes(t.code));
    const only = townships.length === 1 ? townships[0]!.code : undefined;
    const attributes = checkAttributes([...service.attributes, townshipAttribute(townships, only === undefined)], parsed.attributes);
    const township = (attributes[TOWNSHIP_ATTRIBUTE] as string | undefined) ?? only!;

    const claims: Claims = {
      sub: key.upstreamSub,
      role: 'upstream',
      countyCode: key.countyCode,
      ...(key.townshipCodes ? { townshipCodes: key.townshipCodes } : {}),
    };
    const opened = await app.inject({
      method: 'POST',
      url: '/v1/cases',
      headers: {
        authorization: `Bearer ${app.jwt.sign(claims, { expiresIn: '1m' })}`,
        'idempotency-key': requestIdempotencyKey(key.id, request.body as Record<string, unknown>),
        'content-type': 'application/json',
      },
      payload: openCaseBodyOf(parsed, service, key, township),
    });
    if (opened.statusCode >= 500) throw new GeoReportError(503, 'the case service is unavailable; retry later');
    // The rate limit of POST /v1/cases applies to the key's upstream identity: say so (429), not "bad request".
    if (opened.statusCode === 429) throw new GeoReportError(429, 'too many service requests; retry later');
    if (opened.statusCode >= 400) {
      const body = opened.json() as { error?: { message?: string } };
      throw new GeoReportError(opened.statusCode === 403 ? 403 : 400, body.error?.message ?? `refused (${opened.statusCode})`);
    }
    const { caseId } = opened.json() as { caseId: string };
    await recordServiceRequest(pool, {
      caseId,
      serviceCode: service.serviceCode,
      apiKeyId: key.id,
      lat: parsed.fields.lat,
      lng: parsed.fields.long,
      addressString: parsed.fields.address_string,
      attributes,
      mediaUrl: parsed.fields.media_url,
    });
    const notice = service.serviceNotice ?? '已受理，将由乡镇综合行政执法队核查处理。Received; the township brigade will check and handle it.';
    return send(reply, opened.statusCode === 201 ? 201 : 200, renderList(format, 'service_requests', 'request', [{ service_request_id: caseId, service_notice: notice, account_id: null }]));
  }
}

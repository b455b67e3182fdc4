import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { Pool } from 'pg';
import { z } from 'zod';
import { issueApiKey, listApiKeys, revokeApiKey } from '../../open311/api-keys';
import { listServices, putService, serviceBodySchema } from '../../open311/catalog';
import { HttpError, notFound } from '../errors';
import { errorResponses } from '../openapi-responses';
import { requireRole } from './guards';

/** Administration of Open311: the catalog of reportable services, and API keys bound to an upstream identity and county. */

const keySchema = z.object({
  id: z.string(),
  upstreamSub: z.string(),
  countyCode: z.string(),
  townshipCodes: z.array(z.string()).nullable(),
  description: z.string().nullable(),
  issuedBy: z.string(),
  issuedAt: z.string(),
  revokedAt: z.string().nullable(),
});

const serviceSchema = z.object({
  serviceCode: z.string(),
  serviceName: z.string(),
  description: z.string(),
  group: z.string(),
  matterCode: z.string(),
  keywords: z.array(z.string()),
  attributes: z.array(z.unknown()),
  serviceNotice: z.string().optional(),
  active: z.boolean(),
});

const open311AdminRoutes: FastifyPluginAsyncZod<{ pool: Pool }> = async (app, { pool }) => {
  const admin = [app.authenticate, requireRole('admin')];
  const tags = ['open311', 'admin'];
  const security = [{ bearerAuth: [] }];

  app.post(
    '/v1/admin/open311/keys',
    {
      onRequest: admin,
      schema: {
        tags,
        security,
        summary: 'Issue an Open311 API key for an upstream identity and county (the key is shown once)',
        body: z
          .object({
            upstreamSub: z.string().trim().min(1).max(100),
            countyCode: z.string().trim().min(1).max(64),
            townshipCodes: z.array(z.string().min(1)).min(1).max(200).optional(),
            description: z.string().max(500).optional(),
          })
          .strict(),
        // 422: an unknown county, or townships not of it
        response: { 201: keySchema.extend({ apiKey: z.string() }), ...errorResponses(400, 401, 403, 413, 415, 422, 503) },
      },
    },
    async (request, reply) => {
      const b = request.body;
      const { rows } = await pool.query<{ code: string }>('SELECT code FROM townships WHERE county_code = $1', [b.countyCode]);
      if (rows.length === 0) throw new HttpError(422, 'unknown_code', `unknown county ${b.countyCode}`, [{ path: 'body.countyCode', message: 'unknown county' }]);
      const outside = (b.townshipCodes ?? []).filter((t) => !rows.some((r) => r.code === t));
      if (outside.length > 0) {
        throw new HttpError(422, 'unknown_code', `not townships of county ${b.countyCode}: ${outside.join(', ')}`, [{ path: 'body.townshipCodes', message: 'unknown township' }]);
      }
      const issued = await issueApiKey(pool, { ...b, issuedBy: request.user.sub });
      return reply.code(201).send({ ...issued.key, apiKey: issued.apiKey });
    },
  );

  app.get(
    '/v1/admin/open311/keys',
    { onRequest: admin, schema: { tags, security, summary: 'Open311 API keys (never the keys themselves)', response: { 200: z.object({ items: z.array(keySchema) }), ...errorResponses(401, 403, 503) } } },
    async () => ({ items: await listApiKeys(pool) }),
  );

  app.delete(
    '/v1/admin/open311/keys/:id',
    { onRequest: admin, schema: { tags, security, summary: 'Revoke an Open311 API key', params: z.object({ id: z.string().min(1).max(100) }), response: { 204: z.null(), ...errorResponses(400, 401, 403, 404, 503) } } },
    async (request, reply) => {
      if (!(await revokeApiKey(pool, request.params.id))) throw notFound(`api key ${request.params.id}`);
      return reply.code(204).send(null);
    },
  );

  app.get(
    '/v1/admin/open311/services',
    { onRequest: admin, schema: { tags, security, summary: 'The catalog of reportable services, inactive ones too', response: { 200: z.object({ items: z.array(serviceSchema) }), ...errorResponses(401, 403, 503) } } },
    async () => ({ items: await listServices(pool, true) }),
  );

  app.put(
    '/v1/admin/open311/services/:serviceCode',
    {
      onRequest: admin,
      schema: {
        tags,
        security,
        summary: 'Create or replace a reportable service, mapped to a matter (its domain becomes the GeoReport group)',
        params: z.object({ serviceCode: z.string().trim().min(1).max(64).regex(/^[A-Za-z0-9_-]+$/, 'letters, digits, _ and - only') }),
        body: serviceBodySchema,
        // Create or replace: no 404; 422 for an unknown matter.
        response: { 200: serviceSchema, ...errorResponses(400, 401, 403, 413, 415, 422, 503) },
      },
    },
    async (request) => {
      const saved = await putService(pool, request.params.serviceCode, request.body, request.user.sub);
      if (!saved) throw new HttpError(422, 'unknown_code', `unknown matter ${request.body.matterCode}`, [{ path: 'body.matterCode', message: 'unknown matter' }]);
      return saved;
    },
  );
};

export default open311AdminRoutes;

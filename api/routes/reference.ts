import { z } from 'zod';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { Pool } from 'pg';
import {
  getMatter,
  jurisdictions,
  jurisdictionsQuerySchema,
  jurisdictionsSchema,
  listMatters,
  listOfficers,
  matterQuerySchema,
  matterSchema,
  mattersQuerySchema,
  officerListSchema,
  officersQuerySchema,
} from '../read-model/reference';
import { requireRole } from './guards';
import { errorResponses } from '../openapi-responses';

/** Reference data: the jurisdiction tree, the matter catalog (执法事项目录清单), the personnel roster (执法人员名录库). */
const referenceRoutes: FastifyPluginAsyncZod<{ pool: Pool }> = async (app, { pool }) => {
  app.get(
    '/v1/jurisdictions',
    {
      onRequest: app.authenticate,
      schema: {
        tags: ['reference'],
        summary: 'Counties → townships (→ grids), and each county’s departments',
        security: [{ bearerAuth: [] }],
        querystring: jurisdictionsQuerySchema,
        response: { 200: jurisdictionsSchema, ...errorResponses(400, 401, 503) },
      },
    },
    async (request) => jurisdictions(pool, request.query.grids === 'true'),
  );

  app.get(
    '/v1/matters',
    {
      onRequest: app.authenticate,
      schema: {
        tags: ['reference'],
        summary: 'The matter catalog with routing level and territorial responsibility',
        security: [{ bearerAuth: [] }],
        querystring: mattersQuerySchema,
        response: { 200: z.object({ items: z.array(matterSchema) }), ...errorResponses(400, 401, 503) },
      },
    },
    async (request) => listMatters(pool, request.user, request.query),
  );

  app.get(
    '/v1/matters/:code',
    {
      onRequest: app.authenticate,
      schema: {
        tags: ['reference'],
        summary: 'One matter of the catalog; 404 when unknown',
        security: [{ bearerAuth: [] }],
        params: z.object({ code: z.string().min(1).max(64).regex(/^[A-Za-z0-9_.-]+$/, 'letters, digits, _ . - only') }),
        querystring: matterQuerySchema,
        response: { 200: matterSchema, ...errorResponses(400, 401, 404, 503) },
      },
    },
    async (request) => getMatter(pool, request.user, request.params.code, request.query.countyCode),
  );

  app.get(
    '/v1/officers',
    {
      onRequest: [app.authenticate, requireRole('township', 'county', 'supervisor', 'admin')],
      schema: {
        tags: ['reference'],
        summary: 'The personnel roster with certificate validity',
        description:
          'township: its own brigade; county: its own department; supervisor: its county (city supervisor: all); admin: all. ' +
          'A filter outside your jurisdiction is refused with 403. `certified` is computed for today in Asia/Shanghai: ' +
          'active, with a certificate number, valid from ≤ today ≤ valid until.',
        security: [{ bearerAuth: [] }],
        querystring: officersQuerySchema,
        response: { 200: officerListSchema, ...errorResponses(400, 401, 403, 503) },
      },
    },
    async (request) => listOfficers(pool, request.user, request.query),
  );
};

export default referenceRoutes;

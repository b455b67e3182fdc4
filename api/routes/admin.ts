import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { Pool } from 'pg';
import { slaPolicyChangeSchema } from '../../domain/sla-schemas';
import { currentSlaPolicy, publishSlaPolicy, slaPolicyResponseSchema } from '../read-model/sla-policy';
import { requireRole } from './guards';
import { errorResponses } from '../openapi-responses';

/** Administration: the versioned SLA policy (a running case keeps the version it started with). */
const adminRoutes: FastifyPluginAsyncZod<{ pool: Pool }> = async (app, { pool }) => {
  const admin = [app.authenticate, requireRole('admin')];

  app.get(
    '/v1/admin/sla-policy',
    {
      onRequest: admin,
      schema: {
        tags: ['admin'],
        summary: 'The SLA policy new cases start with',
        security: [{ bearerAuth: [] }],
        response: { 200: slaPolicyResponseSchema, ...errorResponses(401, 403, 503) },
      },
    },
    async () => currentSlaPolicy(pool),
  );

  app.put(
    '/v1/admin/sla-policy',
    {
      onRequest: admin,
      schema: {
        tags: ['admin'],
        summary: 'Publish the next SLA policy version; stages left out keep their current value',
        description:
          'Each key of `slas` / `urgent` is a stage (or county-response) with {"duration": ISO 8601} or {"workingDays"}, {"days"}, {"months"}. ' +
          'Publications are serialised: concurrent PUTs each build on the previous version. Running cases keep their version.',
        security: [{ bearerAuth: [] }],
        body: slaPolicyChangeSchema(),
        response: { 200: slaPolicyResponseSchema, ...errorResponses(400, 401, 403, 413, 415, 503) },
      },
    },
    async (request) => publishSlaPolicy(pool, request.body, request.user.sub),
  );
};

export default adminRoutes;

import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { Pool } from 'pg';
import { z } from 'zod';
import { checkEndpointUrl } from '../../delivery/endpoint-url';
import { WEBHOOK_EVENT_TYPES } from '../../delivery/events';
import type { DeliverySettings } from '../../delivery/settings';
import {
  createEndpoint,
  deleteEndpoint,
  listDeliveries,
  listEndpoints,
  replayDelivery,
  rotateSecret,
} from '../../delivery/subscriptions';
import type { Claims } from '../claims';
import { forbidden, HttpError, notFound } from '../errors';
import { errorResponses } from '../openapi-responses';
import { requireRole } from './guards';
import { createBodySchema, deliverySchema, endpointSchema, messagesQuerySchema } from '../read-model/webhooks';

/**
 * Webhook subscriptions (Standard Webhooks, delivery.md): endpoints with their secret (shown once,
 * rotatable), the delivery log and dead-letter replay. Admins manage every endpoint; an upstream system
 * its own, inside its county and townships, and it only ever receives the cases it may read.
 */

const idParams = z.object({ id: z.string().min(1).max(100) });

/** api.md v1 extensions: a retry with the same Idempotency-Key (per caller) answers as the first request did. */
const idempotencyHeaders = z.looseObject({
  'idempotency-key': z.string().trim().min(1).max(200).optional().describe('a retry with the same key changes nothing and answers the same'),
});

/** Admin: every endpoint (undefined); upstream: its own. */
const ownerOf = (claims: Claims): string | undefined => (claims.role === 'admin' ? undefined : claims.sub);

/** An upstream system subscribes inside its jurisdiction only: its county, and its townships if it has a list. */
function upstreamFilters(claims: Claims, body: { countyCode?: string | undefined; townshipCodes?: string[] | undefined }) {
  if (body.countyCode !== undefined && body.countyCode !== claims.countyCode) {
    throw forbidden(`countyCode ${body.countyCode} is outside your jurisdiction (county ${claims.countyCode})`);
  }
  const outside = (body.townshipCodes ?? []).filter((t) => claims.townshipCodes !== undefined && !claims.townshipCodes.includes(t));
  if (outside.length > 0) throw forbidden(`townshipCodes ${outside.join(', ')} are not townships you serve`);
  return { countyCode: claims.countyCode, townshipCodes: body.townshipCodes ?? claims.townshipCodes };
}

/** A filter naming an unknown county, or a township outside the county, would silently match nothing: refuse it (422). */
async function assertKnownPlaces(pool: Pool, countyCode: string | undefined, townshipCodes: string[] | undefined): Promise<void> {
  if (countyCode !== undefined) {
    const { rowCount } = await pool.query('SELECT 1 FROM counties WHERE code = $1', [countyCode]);
    if (!rowCount) throw new HttpError(422, 'unknown_code', `unknown county ${countyCode}`, [{ path: 'body.countyCode', message: 'unknown county' }]);
  }
  if (townshipCodes !== undefined) {
    const { rows } = await pool.query<{ code: string }>(
      'SELECT code FROM townships WHERE code = ANY ($1::text[]) AND ($2::text IS NULL OR county_code = $2)',
      [townshipCodes, countyCode ?? null],
    );
    const unknown = townshipCodes.filter((t) => !rows.some((r) => r.code === t));
    if (unknown.length > 0) {
      const where = countyCode ? ` of county ${countyCode}` : '';
      throw new HttpError(422, 'unknown_code', `not townships${where}: ${unknown.join(', ')}`, [{ path: 'body.townshipCodes', message: `unknown township${where}` }]);
    }
  }
}

const webhooksRoutes: FastifyPluginAsyncZod<{ pool: Pool; settings: Pick<DeliverySettings, 'allowPrivateUrls' | 'secretRotationGraceMs'> }> = async (
  app,
  { pool, settings },
) => {
  const managers = [app.authenticate, requireRole('admin', 'upstream')];
  const tags = ['webhooks'];
  const security = [{ bearerAuth: [] }];

  app.post(
    '/v1/webhooks/endpoints',
    {
      onRequest: managers,
      schema: {
        tags,
        security,
        summary: 'Subscribe an endpoint; the answer carries its signing secret (whsec_…) — the only time it is shown',
        description: [
          `Event types: ${WEBHOOK_EVENT_TYPES.join(', ')} (empty: all). Deliveries are signed per Standard Webhooks`,
          '(webhook-id, webhook-timestamp, webhook-signature). URLs on private, loopback or link-local addresses are refused',
          'unless the deployment allows them (WEBHOOK_ALLOW_PRIVATE_URLS). An upstream system subscribes within its county',
          '(and its townships) and receives only the cases it opened.',
        ].join(' '),
        headers: idempotencyHeaders,
        body: createBodySchema,
        response: {
          201: endpointSchema.extend({ secret: z.string() }),
          200: endpointSchema.extend({ secret: z.string() }).describe('a retry with the same Idempotency-Key: the endpoint it created'),
          // 422: an unknown county or township, or a refused URL (private address, not http(s), …)
          ...errorResponses(400, 401, 403, 413, 415, 422, 503),
        },
      },
    },
    async (request, reply) => {
      const claims = request.user;
      const body = request.body;
      const filters =
        claims.role === 'upstream'
          ? upstreamFilters(claims, body)
          : { countyCode: body.countyCode, townshipCodes: body.townshipCodes };
      await assertKnownPlaces(pool, filters.countyCode, filters.townshipCodes);
      const check = await checkEndpointUrl(body.url, settings.allowPrivateUrls);
      if (!check.ok) throw new HttpError(422, 'endpoint_url_refused', `url refused: ${check.reason}`, [{ path: 'body.url', message: check.reason }]);
      const endpoint = {
        ownerSub: claims.sub,
        ownerRole: claims.role === 'admin' ? ('admin' as const) : ('upstream' as const),
        url: check.url.toString(),
        description: body.description,
        eventTypes: body.eventTypes,
        countyCode: filters.countyCode,
        townshipCodes: filters.townshipCodes,
      };
      const created = await createEndpoint(pool, endpoint, request.headers['idempotency-key']);
      return reply.code(created.replayed ? 200 : 201).send({ ...created.endpoint, secret: created.secret });
    },
  );

  app.get(
    '/v1/webhooks/endpoints',
    {
      onRequest: managers,
      schema: { tags, security, summary: 'Your endpoints (admin: all), without secrets', response: { 200: z.object({ items: z.array(endpointSchema) }), ...errorResponses(401, 403, 503) } },
    },
    async (request) => ({ items: await listEndpoints(pool, ownerOf(request.user)) }),
  );

  app.delete(
    '/v1/webhooks/endpoints/:id',
    {
      onRequest: managers,
      schema: { tags, security, summary: 'Unsubscribe: no more deliveries; pending ones are cancelled', params: idParams, response: { 204: z.null(), ...errorResponses(400, 401, 403, 404, 503) } },
    },
    async (request, reply) => {
      const deleted = await deleteEndpoint(pool, request.params.id, ownerOf(request.user));
      if (!deleted) throw notFound(`webhook endpoint ${request.params.id}`);
      return reply.code(204).send(null);
    },
  );

  app.post(
    '/v1/webhooks/endpoints/:id/rotate-secret',
    {
      onRequest: managers,
      schema: {
        tags,
        security,
        summary: 'A new signing secret (shown once); the previous one also signs until previousSecretValidUntil',
        headers: idempotencyHeaders,
        params: idParams,
        response: { 200: z.object({ id: z.string(), secret: z.string(), previousSecretValidUntil: z.string() }), ...errorResponses(400, 401, 403, 404, 503) },
      },
    },
    async (request) => {
      const rotated = await rotateSecret(pool, request.params.id, ownerOf(request.user), settings.secretRotationGraceMs, request.headers['idempotency-key']);
      if (!rotated) throw notFound(`webhook endpoint ${request.params.id}`);
      return { id: request.params.id, ...rotated };
    },
  );

  app.get(
    '/v1/webhooks/messages',
    {
      onRequest: managers,
      schema: {
        tags,
        security,
        summary: 'The delivery log, newest first (status=dead: the dead letters); one row per message and endpoint',
        querystring: messagesQuerySchema,
        response: { 200: z.object({ items: z.array(deliverySchema), nextCursor: z.string().optional() }), ...errorResponses(400, 401, 403, 503) },
      },
    },
    async (request) => {
      const q = request.query;
      const items = await listDeliveries(pool, {
          owner: ownerOf(request.user),
          status: q.status,
          endpointId: q.endpointId,
          caseId: q.caseId,
          before: q.cursor !== undefined ? Number(q.cursor) : undefined,
          limit: q.limit,
        });
      return items.length === q.limit ? { items, nextCursor: items.at(-1)!.id } : { items };
    },
  );

  app.post(
    '/v1/webhooks/messages/:id/replay',
    {
      onRequest: [app.authenticate, requireRole('admin')],
      schema: {
        tags,
        security,
        summary: 'Send a dead letter again (same webhook-id, a fresh retry schedule; re-enables an endpoint disabled by 410)',
        headers: idempotencyHeaders,
        params: z.object({ id: z.string().regex(/^\d+$/, 'a delivery id from GET /v1/webhooks/messages') }),
        // 409: not a dead letter, or its endpoint was deleted
        response: { 202: z.object({ id: z.string(), status: z.literal('pending') }), ...errorResponses(400, 401, 403, 404, 409, 503) },
      },
    },
    async (request, reply) => {
      const outcome = await replayDelivery(pool, Number(request.params.id), request.headers['idempotency-key']);
      switch (outcome) {
        case 'not_found':
          throw notFound(`webhook delivery ${request.params.id}`);
        case 'not_dead':
          throw new HttpError(409, 'not_a_dead_letter', `delivery ${request.params.id} is not a dead letter; only dead letters are replayed`);
        case 'endpoint_unavailable':
          throw new HttpError(409, 'endpoint_deleted', `the endpoint of delivery ${request.params.id} was deleted`);
        case 'replayed':
          return reply.code(202).send({ id: request.params.id, status: 'pending' as const });
      }
    },
  );
};

export default webhooksRoutes;

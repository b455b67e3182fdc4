import sse from '@fastify/sse';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { Pool } from 'pg';
import { z } from 'zod';
import { InboxFeed, inboxItemOf, inboxScope, listInbox, markRead, visibleTo, type FeedMode } from '../../delivery/inbox';
import { errorBody, notFound } from '../errors';
import { errorResponses } from '../openapi-responses';

/**
 * The in-app inbox (api.md v1 extensions): the caller's notifications — its unit's (township leader,
 * brigade, department, county supervisor) and its own — marked read per person, and a live stream over
 * Server-Sent Events (@fastify/sse) fed by Postgres LISTEN/NOTIFY (delivery/inbox.ts InboxFeed).
 */

const itemSchema = z
  .object({
    id: z.string(),
    caseId: z.string(),
    channel: z.string().describe('escalation, county-transfer, …'),
    recipient: z.string().describe('the unit or person addressed, e.g. township-leader:350722101'),
    subject: z.string(),
    payload: z.record(z.string(), z.unknown()),
    createdAt: z.string(),
    readAt: z.string().nullable().describe('when you marked it read; null: unread'),
  })
  .describe('inbox notification');

const listQuerySchema = z.object({
  unread: z.enum(['true', 'false']).optional().describe('true: unread only'),
  caseId: z.string().min(1).optional(),
  limit: z.coerce.number().int().min(1).max(500).default(50),
  cursor: z.string().regex(/^\d+$/, 'a cursor from nextCursor').optional(),
});

export interface InboxRouteOptions {
  pool: Pool;
  /** `listen` (LISTEN/NOTIFY on a connection of its own) or `poll` (embedded PGlite's single connection). */
  feedMode: FeedMode;
  /** Poll interval (poll mode) in ms. */
  feedPollMs: number;
  /** Keep-alive comment interval of the SSE stream in ms. */
  heartbeatMs: number;
}

const inboxRoutes: FastifyPluginAsyncZod<InboxRouteOptions> = async (app, { pool, feedMode, feedPollMs, heartbeatMs }) => {
  await app.register(sse, { heartbeatInterval: heartbeatMs });
  const feed = new InboxFeed(pool, feedMode, feedPollMs, (err) => app.log.error({ err }, 'inbox feed'));
  const streams = new Set<() => void>();
  // Open streams would hold app.close() (and a graceful shutdown) for ever: end them first.
  app.addHook('preClose', async () => {
    for (const end of streams) end();
  });
  app.addHook('onClose', async () => feed.close());

  const tags = ['inbox'];
  const security = [{ bearerAuth: [] }];

  app.get(
    '/v1/inbox',
    {
      onRequest: [app.authenticate],
      schema: {
        tags,
        security,
        summary: "Your notifications and your unit's, newest first",
        description:
          'Township: its leader and brigade; county: its department; supervisor: its county (city supervisor: all counties); admin: all; everyone: person:<sub>.',
        querystring: listQuerySchema,
        response: { 200: z.object({ items: z.array(itemSchema), nextCursor: z.string().optional() }), ...errorResponses(400, 401, 503) },
      },
    },
    async (request) => {
      const q = request.query;
      const items = await listInbox(pool, request.user, {
          unreadOnly: q.unread === 'true',
          caseId: q.caseId,
          before: q.cursor !== undefined ? Number(q.cursor) : undefined,
          limit: q.limit,
        });
      return items.length === q.limit ? { items, nextCursor: items.at(-1)!.id } : { items };
    },
  );

  app.post(
    '/v1/inbox/:id/read',
    {
      onRequest: [app.authenticate],
      schema: {
        tags,
        security,
        summary: 'Mark a notification read (for you; others of your unit keep their own read state)',
        params: z.object({ id: z.string().regex(/^\d+$/, 'a notification id') }),
        response: { 200: itemSchema, ...errorResponses(400, 401, 404, 503) },
      },
    },
    async (request) => {
      const item = await markRead(pool, request.user, Number(request.params.id));
      // Another unit's notification is "not found", as if it did not exist.
      if (!item) throw notFound(`notification ${request.params.id}`);
      return item;
    },
  );

  app.get(
    '/v1/inbox/stream',
    {
      onRequest: [app.authenticate],
      sse: { kind: 'only' },
      // @fastify/sse answers a client whose Accept refuses text/event-stream with a 406 in a body of its own
      // ({statusCode, error, message}); its negotiation is not exported, so keep it and give the 406 api.md's body
      // (preSerialization: the body must match the documented 406 before it is serialised.)
      preSerialization: async (request, reply, payload: unknown) => {
        if (reply.statusCode !== 406) return payload;
        const accept = request.headers.accept ?? '(none)';
        return errorBody('not_acceptable', `this endpoint only streams text/event-stream (Accept: ${accept} refuses it)`, [
          { path: 'headers.accept', message: 'must admit text/event-stream' },
        ]);
      },
      schema: {
        tags,
        security,
        summary: 'Live stream (Server-Sent Events) of new notifications',
        description:
          'Events: `ready` once subscribed, then `notification` with an inbox item as data and its id as the event id. ' +
          'On reconnect, Last-Event-ID replays what was missed (up to 500). The errors below come before the stream starts.',
        response: errorResponses(401, 406, 503),
      },
    },
    async (request, reply) => {
      const claims = request.user;
      const scope = inboxScope(claims);
      reply.sse.keepAlive();
      // Serialise writes: the feed may call back while a replayed item is being written.
      let writing: Promise<unknown> = Promise.resolve();
      const write = (message: { id?: string; event: string; data: unknown }) => {
        writing = writing.then(() => (reply.sse.isConnected ? reply.sse.send(message) : undefined)).catch((err: unknown) => request.log.debug({ err }, 'sse write'));
        return writing;
      };
      // Replay and the live feed can overlap: each notification once.
      const sent = new Set<number>();
      const unsubscribe = await feed.subscribe((row) => {
        if (!visibleTo(scope, row) || sent.has(row.id)) return;
        sent.add(row.id);
        void write({ id: String(row.id), event: 'notification', data: inboxItemOf(row) });
      });
      const end = () => {
        unsubscribe();
        streams.delete(end);
        if (reply.sse.isConnected) reply.sse.close();
      };
      streams.add(end);
      reply.sse.onClose(() => {
        unsubscribe();
        streams.delete(end);
      });
      const lastEventId = reply.sse.lastEventId;
      if (lastEventId && /^\d+$/.test(lastEventId)) {
        const missed = await listInbox(pool, claims, { unreadOnly: false, after: Number(lastEventId), limit: 500 });
        for (const item of missed) {
          if (sent.has(Number(item.id))) continue;
          sent.add(Number(item.id));
          await write({ id: item.id, event: 'notification', data: item });
        }
      }
      await write({ event: 'ready', data: { subscribed: true } });
    },
  );
};

export default inboxRoutes;

import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { Pool } from 'pg';
import { z } from 'zod';
import { changeAccount, createAccount, listAccounts, resetPassword } from '../accounts';
import { accountChangeSchema, accountSchema, newAccountSchema, passwordSchema } from '../account-schemas';
import { notFound } from '../errors';
import { errorResponses } from '../openapi-responses';
import { requireRole } from './guards';

/** Administration of the people's accounts: list, create, change (disable), reset a password. */
const accountsRoutes: FastifyPluginAsyncZod<{ pool: Pool }> = async (app, { pool }) => {
  const admin = [app.authenticate, requireRole('admin')];
  const params = z.object({ username: z.string().trim().toLowerCase().min(1).max(64) });

  app.get(
    '/v1/admin/accounts',
    {
      onRequest: admin,
      schema: {
        tags: ['admin'],
        summary: 'Accounts of the people who sign in',
        security: [{ bearerAuth: [] }],
        response: { 200: z.object({ items: z.array(accountSchema) }), ...errorResponses(401, 403, 503) },
      },
    },
    async () => ({ items: await listAccounts(pool) }),
  );

  app.post(
    '/v1/admin/accounts',
    {
      onRequest: admin,
      schema: {
        tags: ['admin'],
        summary: 'Create an account (409 when the username is taken; 422 for an unknown unit)',
        security: [{ bearerAuth: [] }],
        body: newAccountSchema,
        response: { 201: accountSchema, ...errorResponses(400, 401, 403, 409, 413, 415, 422, 503) },
      },
    },
    async (request, reply) => reply.code(201).send(await createAccount(pool, request.body)),
  );

  app.patch(
    '/v1/admin/accounts/:username',
    {
      onRequest: admin,
      schema: {
        tags: ['admin'],
        summary: 'Change the display name or disable an account (disabling ends its sessions)',
        security: [{ bearerAuth: [] }],
        params,
        body: accountChangeSchema,
        response: { 200: accountSchema, ...errorResponses(400, 401, 403, 404, 413, 415, 503) },
      },
    },
    async (request) => {
      const changed = await changeAccount(pool, request.params.username, request.body);
      if (!changed) throw notFound(`account ${request.params.username}`);
      return changed;
    },
  );

  app.put(
    '/v1/admin/accounts/:username/password',
    {
      onRequest: admin,
      schema: {
        tags: ['admin'],
        summary: "Reset an account's password (ends its sessions)",
        security: [{ bearerAuth: [] }],
        params,
        body: z.object({ password: passwordSchema }).strict(),
        response: { 204: z.null(), ...errorResponses(400, 401, 403, 404, 413, 415, 503) },
      },
    },
    async (request, reply) => {
      if (!(await resetPassword(pool, request.params.username, request.body.password))) throw notFound(`account ${request.params.username}`);
      return reply.code(204).send(null);
    },
  );
};

export default accountsRoutes;

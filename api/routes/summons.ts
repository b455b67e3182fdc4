import { randomBytes } from 'node:crypto';
import type { Client } from '@temporalio/client';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { Pool } from 'pg';
import { z } from 'zod';
import type { CaseRequest } from '../../domain/actions';
import { summonsAnswerSchema, summonsSchema } from '../../domain/summons-schemas';
import { requestUpdate } from '../../workflows/definitions';
import { actorFromClaims, canActOnCase, canReadCase, claimsOf, requireRole } from '../auth';
import { actionIdempotencyHeaders, caseAccess, caseParams, type KeyedRequest } from '../case-access';
import { forbidden, notFound } from '../errors';
import { doubleSubmitUpdateId, keyedUpdateId, rememberAnswer } from '../idempotency';
import { errorResponses } from '../openapi-responses';

/**
 * 街道吹哨、部门报到 (registries.md "Summons", api.md "v1 extensions"): the township of a case summons
 * several county departments of its county at once; each answers for itself. Both are the case's
 * `request` Update (rules in domain/summons.ts, the workflow side in workflows/summons.ts), honouring
 * Idempotency-Key; without a key, the same request on the same case state within the double-submit
 * window is one Update.
 */
export interface SummonsRoutesOptions {
  pool: Pool;
  temporal: { client: Client };
}

const summonsAnswerResponseSchema = z
  .object({
    caseId: z.string(),
    seq: z.number().describe('the last timeline entry the request recorded'),
    stage: z.string(),
    status: z.string(),
    requestId: z.string().optional().describe('the summons id (SUM-…)'),
    case: z.looseObject({}).describe('the case object after the request, with `summons[]`'),
  })
  .describe('what the request did, and the case after it');
const departmentParams = caseParams.extend({ departmentCode: z.string().trim().min(1).max(64).describe('the answering county department') });
const stateChangingErrors = errorResponses(400, 401, 403, 404, 409, 413, 415, 422, 503);

const summonsRoutes: FastifyPluginAsyncZod<SummonsRoutesOptions> = async (app, opts) => {
  const { pool } = opts;
  const { client } = opts.temporal;
  const access = caseAccess(pool, client);

  async function send(
    request: KeyedRequest & { log: { warn: (o: object, m: string) => void } },
    caseId: string,
    path: string,
    body: unknown,
    may: (c: NonNullable<Awaited<ReturnType<typeof access.loadCase>>>) => string | undefined,
    toRequest: (actor: ReturnType<typeof actorFromClaims>) => CaseRequest,
  ): Promise<z.infer<typeof summonsAnswerResponseSchema>> {
    const claims = claimsOf(request);
    const row = await access.readModelRow(caseId);
    const c = row?.snapshot ?? (await access.loadCase(caseId, request.log));
    if (!c) throw notFound(`case ${caseId}`);
    if (!canReadCase(claims, c)) throw forbidden();
    const refused = may(c);
    if (refused) throw forbidden(refused);
    const keyed = await access.claimKey(request, caseId, path, body);
    if (keyed?.claim.kind === 'retry' && keyed.claim.answer) return keyed.claim.answer.body as z.infer<typeof summonsAnswerResponseSchema>;
    const updateId = keyed
      ? keyedUpdateId(claims.sub, keyed.key)
      : row
        ? await doubleSubmitUpdateId(pool, { caller: claims.sub, path, body, seq: row.seq, caseId })
        : `once-${randomBytes(16).toString('hex')}`;
    let outcome;
    try {
      outcome = await client.workflow.getHandle(caseId).executeUpdate(requestUpdate, { args: [toRequest(actorFromClaims(claims))], updateId });
    } catch (err) {
      throw access.mapUpdateError(err, caseId);
    }
    const after = await access.readModelRow(caseId);
    const answer = { ...outcome, case: (after && after.seq >= outcome.seq ? after.snapshot : await access.queryCase(caseId)) as unknown as Record<string, unknown> };
    if (keyed) await rememberAnswer(pool, claims.sub, keyed.key, 200, answer);
    return answer;
  }

  app.post(
    '/v1/cases/:caseId/summons',
    {
      onRequest: app.authenticate,
      schema: {
        tags: ['summons'],
        summary: 'Summon several county departments at once (街道吹哨)',
        description:
          'The township of the case, while it is handled or processed. Every department must be a department of the case’s county ' +
          '(422 naming the others; nothing is summoned then) and not already awaiting its answer (409). Each department gets its own ' +
          'response deadline (SLA policy `county-response`) and a notification; the case shows them in `summons[]` and its timeline.',
        security: [{ bearerAuth: [] }],
        params: caseParams,
        headers: actionIdempotencyHeaders,
        body: summonsSchema(),
        response: { 200: summonsAnswerResponseSchema, ...stateChangingErrors },
      },
    },
    async (request) => {
      const claims = claimsOf(request);
      requireRole(claims, 'township');
      const { caseId } = request.params;
      return send(
        request,
        caseId,
        `/v1/cases/${caseId}/summons`,
        request.body,
        (c) => (canActOnCase(claims, c) ? undefined : 'only the township of the case summons departments to it'),
        (actor) => ({ kind: 'summons', body: request.body, actor }),
      );
    },
  );

  app.post(
    '/v1/cases/:caseId/summons/:departmentCode/answer',
    {
      onRequest: app.authenticate,
      schema: {
        tags: ['summons'],
        summary: 'A summoned department reports for duty or declines (部门报到)',
        description:
          'Role county, for its own department only (403 for another). `decline` needs a `reason`. An answer after the due time is ' +
          'still recorded (`late: true`) and stops the escalation. Declines count, with returned transfers, towards the policy’s bounce ' +
          'limit (`limits.bounces`, default 2), at which the county supervisor is told.',
        security: [{ bearerAuth: [] }],
        params: departmentParams,
        headers: actionIdempotencyHeaders,
        body: summonsAnswerSchema(),
        response: { 200: summonsAnswerResponseSchema, ...stateChangingErrors },
      },
    },
    async (request) => {
      const claims = claimsOf(request);
      requireRole(claims, 'county');
      const { caseId, departmentCode } = request.params;
      if (claims.departmentCode !== departmentCode) throw forbidden(`a department answers only for itself (you are ${claims.departmentCode ?? 'no department'})`);
      return send(
        request,
        caseId,
        `/v1/cases/${caseId}/summons/${departmentCode}/answer`,
        request.body,
        () => undefined,
        (actor) => ({ kind: 'summons-answer', departmentCode, body: request.body, actor }),
      );
    },
  );
};

export default summonsRoutes;

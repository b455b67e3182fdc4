import { randomBytes } from 'node:crypto';
import type { Client } from '@temporalio/client';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { Pool } from 'pg';
import { z } from 'zod';
import {
  extensionDecisionSchema,
  extensionRequestSchema,
  satisfactionSchema,
  supervisionOrderSchema,
  type CaseRequest,
} from '../../domain/actions';
import type { CaseView } from '../../domain/case';
import { requestUpdate } from '../../workflows/definitions';
import { actorFromClaims, canActOnCase, canReadCase, claimsOf, requireRole } from '../auth';
import { actionIdempotencyHeaders, caseAccess, caseParams, type KeyedRequest } from '../case-access';
import { forbidden, HttpError, notFound } from '../errors';
import { caseRowWithClaim, keyedUpdateId, projectedAnswer, releaseClaim, rememberAnswer } from '../idempotency';
import { errorResponses } from '../openapi-responses';

/**
 * 12345 work-order semantics beyond the procedure's steps (api.md "v1 extensions"): extension
 * requests (延期) and their decisions, supervision orders (督办), satisfaction callbacks (回访). Each is
 * the case's `request` Update, checked by the workflow against the case's state (domain/procedure.ts
 * checkCaseRequest), honouring Idempotency-Key like the actions.
 */
export interface WorkOrderRoutesOptions {
  pool: Pool;
  temporal: { client: Client };
}

const requestAnswerSchema = z
  .object({
    caseId: z.string(),
    seq: z.number().describe('the timeline entry that recorded the request'),
    stage: z.string(),
    status: z.string(),
    requestId: z.string().optional().describe('the extension request or supervision order id'),
    case: z.looseObject({}).describe('the case object after the request'),
  })
  .describe('what the request did, and the case after it');
const stateChangingErrors = errorResponses(400, 401, 403, 404, 409, 413, 415, 422, 503);

const workOrderRoutes: FastifyPluginAsyncZod<WorkOrderRoutesOptions> = async (app, opts) => {
  const { pool } = opts;
  const { client } = opts.temporal;
  const access = caseAccess(pool, client);

  type Who = (claims: ReturnType<typeof claimsOf>, c: CaseView) => boolean;

  async function send(
    request: KeyedRequest & { log: { warn: (o: object, m: string) => void } },
    caseId: string,
    path: string,
    body: unknown,
    may: Who,
    toRequest: (actor: ReturnType<typeof actorFromClaims>) => CaseRequest,
  ) {
    const claims = claimsOf(request);
    // The case from the read model (projected before each step returns; the workflow re-checks the
    // step), a case not yet projected from its workflow; a keyed request claims its key in the same
    // statement and gives it back when refused here.
    const key = request.headers['idempotency-key'];
    const claimed = typeof key === 'string' ? await caseRowWithClaim(pool, { caller: claims.sub, key, method: 'POST', path, body, caseId }) : undefined;
    const row = claimed ? claimed.row : await access.readModelRow(caseId);
    const refuse = async (err: HttpError): Promise<never> => {
      if (typeof key === 'string' && claimed?.fresh) await releaseClaim(pool, claims.sub, key);
      throw err;
    };
    const c = row?.snapshot ?? (await access.loadCase(caseId, request.log));
    if (!c) return refuse(notFound(`case ${caseId}`));
    if (!canReadCase(claims, c)) return refuse(forbidden());
    if (!may(claims, c)) return refuse(forbidden('outside your role for this case'));
    const keyed = typeof key === 'string' && claimed ? { key, claim: await claimed.claim() } : undefined;
    if (keyed?.claim.kind === 'retry' && keyed.claim.answer) return keyed.claim.answer.body as z.infer<typeof requestAnswerSchema>;
    const updateId = keyed ? keyedUpdateId(claims.sub, keyed.key) : `once-${randomBytes(16).toString('hex')}`;
    let outcome;
    try {
      outcome = await client.workflow.getHandle(caseId).executeUpdate(requestUpdate, { args: [toRequest(actorFromClaims(claims))], updateId });
    } catch (err) {
      throw access.mapUpdateError(err, caseId);
    }
    // The case as projected at the step's seq, stored as the key's answer in the same statement.
    const remember = keyed ? { caller: claims.sub, key: keyed.key } : undefined;
    const projected = await projectedAnswer<z.infer<typeof requestAnswerSchema>>(pool, {
      caseId,
      seq: outcome.seq,
      status: 200,
      extra: { ...outcome },
      caseField: 'case',
      ...(remember ? { keyed: remember } : {}),
    });
    if (projected) return projected;
    const answer = { ...outcome, case: (await access.queryCase(caseId)) as unknown as Record<string, unknown> };
    if (keyed) await rememberAnswer(pool, claims.sub, keyed.key, 200, answer);
    return answer;
  }

  /** The handler asks: the township brigade for its own case, the county department for a transfer it holds. */
  const handler: Who = (claims, c) => canActOnCase(claims, c);
  const supervisor: Who = (claims) => claims.role === 'supervisor' || claims.role === 'admin';
  /** The platform that dispatched the work order (its creator), or the township. */
  const caller: Who = (claims, c) => (claims.role === 'upstream' && c.createdBy?.sub === claims.sub) || claims.role === 'township';

  app.post(
    '/v1/cases/:caseId/extension-requests',
    {
      onRequest: app.authenticate,
      schema: {
        tags: ['work orders'],
        summary: 'Ask for more time on a running deadline (延期申请)',
        description:
          'The handler (township brigade of the case; county department holding the transfer). The deadline is named by `deadlineKind` ' +
          '(default: the current stage’s own) and must not have fallen due. A county supervisor decides; the request is on the case ' +
          '(`extensionRequests`) and its timeline.',
        security: [{ bearerAuth: [] }],
        params: caseParams,
        headers: actionIdempotencyHeaders,
        body: extensionRequestSchema,
        response: { 200: requestAnswerSchema, ...stateChangingErrors },
      },
    },
    async (request) => {
      requireRole(claimsOf(request), 'township', 'county');
      const { caseId } = request.params;
      return send(request, caseId, `/v1/cases/${caseId}/extension-requests`, request.body, handler, (actor) => ({
        kind: 'extension-request',
        body: request.body,
        actor,
      }));
    },
  );

  app.post(
    '/v1/cases/:caseId/extension-requests/:requestId/decision',
    {
      onRequest: app.authenticate,
      schema: {
        tags: ['work orders'],
        summary: 'Approve or refuse an extension (延期审批)',
        description: 'Supervisor of the case’s county, admin. An approved extension moves the deadline (and its level-2 escalation) and counts in 延期率.',
        security: [{ bearerAuth: [] }],
        params: caseParams.extend({ requestId: z.string().min(1).max(64) }),
        headers: actionIdempotencyHeaders,
        body: extensionDecisionSchema,
        response: { 200: requestAnswerSchema, ...stateChangingErrors },
      },
    },
    async (request) => {
      requireRole(claimsOf(request), 'supervisor', 'admin');
      const { caseId, requestId } = request.params;
      return send(request, caseId, `/v1/cases/${caseId}/extension-requests/${requestId}/decision`, request.body, supervisor, (actor) => ({
        kind: 'extension-decision',
        requestId,
        body: request.body,
        actor,
      }));
    },
  );

  app.post(
    '/v1/cases/:caseId/supervision-orders',
    {
      onRequest: app.authenticate,
      schema: {
        tags: ['work orders'],
        summary: 'Urge the handler (督办)',
        description:
          'Supervisor of the case’s county, admin. Recorded on the case and its timeline, notified to the handling unit; with `dueAt`, ' +
          'a deadline that escalates when the case has not moved on by then.',
        security: [{ bearerAuth: [] }],
        params: caseParams,
        headers: actionIdempotencyHeaders,
        body: supervisionOrderSchema,
        response: { 200: requestAnswerSchema, ...stateChangingErrors },
      },
    },
    async (request) => {
      requireRole(claimsOf(request), 'supervisor', 'admin');
      const { caseId } = request.params;
      return send(request, caseId, `/v1/cases/${caseId}/supervision-orders`, request.body, supervisor, (actor) => ({
        kind: 'supervision-order',
        body: request.body,
        actor,
      }));
    },
  );

  app.post(
    '/v1/cases/:caseId/satisfaction',
    {
      onRequest: app.authenticate,
      schema: {
        tags: ['work orders'],
        summary: 'Satisfaction callback after close (回访)',
        description:
          'The platform that dispatched the case (upstream, its own cases) or the township, within the callback window after close ' +
          '(SLA policy `callback`, default 5 working days). `unsatisfied` with `reopen: true` reopens the same case: back to handling by ' +
          'the same handler, with a new handling deadline.',
        security: [{ bearerAuth: [] }],
        params: caseParams,
        headers: actionIdempotencyHeaders,
        body: satisfactionSchema,
        response: { 200: requestAnswerSchema, ...stateChangingErrors },
      },
    },
    async (request) => {
      requireRole(claimsOf(request), 'upstream', 'township');
      const { caseId } = request.params;
      return send(request, caseId, `/v1/cases/${caseId}/satisfaction`, request.body, caller, (actor) => ({
        kind: 'satisfaction',
        body: request.body,
        actor,
      }));
    },
  );
};

export default workOrderRoutes;

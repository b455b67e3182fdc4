import { randomBytes } from 'node:crypto';
import type { Client } from '@temporalio/client';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { Pool } from 'pg';
import { z } from 'zod';
import { publishDisclosureUpdate, withdrawDisclosureUpdate, type DisclosureState } from '../../workflows/disclosure';
import { actorFromClaims, canActOnCase, claimsOf, requireRole } from '../auth';
import { actionIdempotencyHeaders, caseAccess, caseParams, type KeyedRequest } from '../case-access';
import { forbidden, HttpError, notFound } from '../errors';
import { keyedUpdateId, rememberAnswer } from '../idempotency';
import { errorResponses } from '../openapi-responses';
import { isoSql } from '../read-model/sql';
import { withdrawCarriedOver } from '../read-model/disclosures';
import { DISCLOSURE_STATUSES, type DisclosureStatus } from '../../domain/disclosure';

/**
 * The township's acts on a decision's disclosure (公示, disclosure.md): publish the prepared, masked
 * entry (due 7 working days after the decision), and withdraw it with a reason (due 3 working days after
 * the decision changed). Each is an Update of the disclosure workflow (workflows/disclosure.ts), which
 * outlives its case; the case's latest disclosure is the one acted on.
 */
export interface DisclosureRoutesOptions {
  pool: Pool;
  temporal: { client: Client };
}

const withdrawBodySchema = z.object({ reason: z.string().trim().min(1).max(2000).describe('why it is withdrawn: shown on the platform') }).strict();
const publishBodySchema = z.object({}).strict().nullish().describe('no fields: the prepared entry is published as it is');

const disclosureAnswerSchema = z
  .object({
    caseId: z.string(),
    disclosureId: z.string(),
    status: z.string(),
    publishDueAt: z.string().optional(),
    publishedAt: z.string().optional(),
    visibleUntil: z.string().optional(),
    decisionChangedAt: z.string().optional(),
    withdrawnAt: z.string().optional(),
    withdrawalReason: z.string().optional(),
    escalations: z.number(),
  })
  .describe('the disclosure after the act');

/** A disclosure as the township and supervisors see it: the entry to review, its deadlines and steps. */
const caseDisclosureSchema = z.object({
  disclosureId: z.string(),
  status: z.enum(DISCLOSURE_STATUSES),
  entry: z.looseObject({}).nullable().describe('the masked entry as it is (or will be) published; null when nothing may be'),
  notPublishedReason: z.string().nullable(),
  decidedAt: z.string(),
  publishDueAt: z.string().nullable(),
  publishedAt: z.string().nullable(),
  visibleUntil: z.string().nullable(),
  decisionChangedAt: z.string().nullable(),
  withdrawnAt: z.string().nullable(),
  withdrawalReason: z.string().nullable(),
  escalations: z.number(),
  deadlines: z.array(z.looseObject({})).describe('its deadlines: publication, credit feed, visibility, withdrawal'),
  history: z.array(z.looseObject({})).describe('its steps: prepared, breaches, published, decision changed, withdrawn, expired'),
});

interface CaseDisclosureRow {
  disclosure_id: string;
  status: DisclosureStatus;
  entry: Record<string, unknown> | null;
  not_published_reason: string | null;
  decided_at: string;
  publish_due_at: string | null;
  published_at: string | null;
  visible_until: string | null;
  decision_changed_at: string | null;
  withdrawn_at: string | null;
  withdrawal_reason: string | null;
  escalations: number;
  deadlines: Record<string, unknown>[];
  history: Record<string, unknown>[];
}

const answerOf = (s: DisclosureState): z.infer<typeof disclosureAnswerSchema> => ({
  caseId: s.caseId,
  disclosureId: s.disclosureId,
  status: s.status,
  ...(s.publishDueAt ? { publishDueAt: s.publishDueAt } : {}),
  ...(s.publishedAt ? { publishedAt: s.publishedAt } : {}),
  ...(s.visibleUntil ? { visibleUntil: s.visibleUntil } : {}),
  ...(s.decisionChangedAt ? { decisionChangedAt: s.decisionChangedAt } : {}),
  ...(s.withdrawnAt ? { withdrawnAt: s.withdrawnAt } : {}),
  ...(s.withdrawalReason ? { withdrawalReason: s.withdrawalReason } : {}),
  escalations: s.escalations,
});

const disclosureRoutes: FastifyPluginAsyncZod<DisclosureRoutesOptions> = async (app, { pool, temporal }) => {
  const { client } = temporal;
  const access = caseAccess(pool, client);

  async function act(
    request: KeyedRequest & { log: { warn: (o: object, m: string) => void } },
    caseId: string,
    path: string,
    body: unknown,
    send: (disclosureId: string, actor: ReturnType<typeof actorFromClaims>, updateId: string) => Promise<DisclosureState>,
    /** For an entry carried over from before the disclosure process (no workflow behind it); absent: 409. */
    withoutProcess?: (disclosureId: string, actor: ReturnType<typeof actorFromClaims>) => Promise<z.infer<typeof disclosureAnswerSchema>>,
  ): Promise<z.infer<typeof disclosureAnswerSchema>> {
    const claims = claimsOf(request);
    requireRole(claims, 'township', 'admin');
    const c = await access.loadCase(caseId, request.log);
    if (!c) throw notFound(`case ${caseId}`);
    if (claims.role === 'township' && !canActOnCase(claims, c)) throw forbidden();
    const { rows } = await pool.query<{ disclosure_id: string; carried_over: boolean }>(
      `SELECT disclosure_id, carried_over FROM disclosures WHERE case_id = $1 ORDER BY decided_at DESC, disclosure_id DESC LIMIT 1`,
      [caseId],
    );
    const disclosureId = rows[0]?.disclosure_id;
    if (!disclosureId) throw new HttpError(409, 'no_disclosure', `case ${caseId} has no disclosure`, [{ path: 'penalty', message: 'no penalty decision to publish' }]);
    const carriedOver = rows[0]!.carried_over;
    if (carriedOver && !withoutProcess) {
      throw new HttpError(409, 'disclosure_ended', `the disclosure of case ${caseId} was carried over from before the disclosure process: it was published at its decision`, [
        { path: 'status', message: 'carried over' },
      ]);
    }
    const keyed = await access.claimKey(request, caseId, path, body);
    if (keyed?.claim.kind === 'retry' && keyed.claim.answer) return keyed.claim.answer.body as z.infer<typeof disclosureAnswerSchema>;
    let answer: z.infer<typeof disclosureAnswerSchema>;
    if (carriedOver) {
      answer = await withoutProcess!(disclosureId, actorFromClaims(claims));
    } else {
      const updateId = keyed ? keyedUpdateId(claims.sub, keyed.key) : `once-${randomBytes(16).toString('hex')}`;
      try {
        answer = answerOf(await send(disclosureId, actorFromClaims(claims), updateId));
      } catch (err) {
        const mapped = access.mapUpdateError(err, caseId);
        if (mapped instanceof HttpError && mapped.code === 'case_closed') {
          throw new HttpError(409, 'disclosure_ended', `the disclosure of case ${caseId} has ended`, [{ path: 'status', message: 'ended' }]);
        }
        throw mapped;
      }
    }
    if (keyed) await rememberAnswer(pool, claims.sub, keyed.key, 200, answer);
    return answer;
  }

  app.get(
    '/v1/cases/:caseId/disclosure',
    {
      onRequest: app.authenticate,
      schema: {
        tags: ['disclosure'],
        summary: "The case's disclosures (公示), newest decision first: the entry to review before publishing, deadlines, steps",
        description: 'Anyone who may read the case. A rework gives a case a second decision, and a second disclosure.',
        security: [{ bearerAuth: [] }],
        params: caseParams,
        response: { 200: z.object({ items: z.array(caseDisclosureSchema) }), ...errorResponses(400, 401, 403, 404, 503) },
      },
    },
    async (request) => {
      const { caseId } = request.params;
      await access.loadReadableCase(caseId, request);
      const { rows } = await pool.query<CaseDisclosureRow>(
        `SELECT disclosure_id, status, entry, not_published_reason, ${isoSql('decided_at')} AS decided_at, ${isoSql('publish_due_at')} AS publish_due_at,
                ${isoSql('published_at')} AS published_at, ${isoSql('visible_until')} AS visible_until,
                ${isoSql('decision_changed_at')} AS decision_changed_at, ${isoSql('withdrawn_at')} AS withdrawn_at, withdrawal_reason,
                escalations, deadlines, history
           FROM disclosures WHERE case_id = $1 ORDER BY disclosures.decided_at DESC, disclosure_id DESC`,
        [caseId],
      );
      return {
        items: rows.map((r) => ({
          disclosureId: r.disclosure_id,
          status: r.status,
          entry: r.entry,
          notPublishedReason: r.not_published_reason,
          decidedAt: r.decided_at,
          publishDueAt: r.publish_due_at,
          publishedAt: r.published_at,
          visibleUntil: r.visible_until,
          decisionChangedAt: r.decision_changed_at,
          withdrawnAt: r.withdrawn_at,
          withdrawalReason: r.withdrawal_reason,
          escalations: r.escalations,
          deadlines: r.deadlines,
          history: r.history,
        })),
      };
    },
  );

  app.post(
    '/v1/cases/:caseId/disclosure/publish',
    {
      onRequest: app.authenticate,
      schema: {
        tags: ['disclosure'],
        summary: 'Publish the decision on the disclosure platform (公示) and feed the credit publicity system',
        description:
          'Roles township (its own cases) and admin. Publishes the prepared, masked entry after the township has read it; due 7 working ' +
          'days after the decision (policy), escalated when late. 409 when nothing awaits publication. Honours Idempotency-Key.',
        security: [{ bearerAuth: [] }],
        params: caseParams,
        headers: actionIdempotencyHeaders,
        body: publishBodySchema,
        response: { 200: disclosureAnswerSchema, ...errorResponses(400, 401, 403, 404, 409, 413, 415, 422, 503) },
      },
    },
    async (request) => {
      const { caseId } = request.params;
      return act(request, caseId, `/v1/cases/${caseId}/disclosure/publish`, request.body ?? {}, (id, actor, updateId) =>
        client.workflow.getHandle(id).executeUpdate(publishDisclosureUpdate, { args: [{ actor }], updateId }),
      );
    },
  );

  app.post(
    '/v1/cases/:caseId/disclosure/withdraw',
    {
      onRequest: app.authenticate,
      schema: {
        tags: ['disclosure'],
        summary: 'Withdraw the published decision, with the reason shown on the platform',
        description:
          'Roles township (its own cases) and admin. Due within 3 working days of a changed decision (行政处罚法 Art 48), escalated when late. ' +
          'The entry leaves the public list and is listed under `GET /v1/public/disclosures?status=withdrawn` with the reason. 409 when ' +
          'nothing is published. An entry carried over from before the disclosure process (published at its decision, no process behind it) ' +
          'is withdrawn the same way. Honours Idempotency-Key.',
        security: [{ bearerAuth: [] }],
        params: caseParams,
        headers: actionIdempotencyHeaders,
        body: withdrawBodySchema,
        response: { 200: disclosureAnswerSchema, ...errorResponses(400, 401, 403, 404, 409, 413, 415, 422, 503) },
      },
    },
    async (request) => {
      const { caseId } = request.params;
      return act(
        request,
        caseId,
        `/v1/cases/${caseId}/disclosure/withdraw`,
        request.body,
        (id, actor, updateId) => client.workflow.getHandle(id).executeUpdate(withdrawDisclosureUpdate, { args: [{ actor, reason: request.body.reason }], updateId }),
        async (id, actor) => {
          const withdrawn = await withdrawCarriedOver(pool, { disclosureId: id, actor, reason: request.body.reason });
          if ('refused' in withdrawn) {
            throw new HttpError(409, 'wrong_stage', `the disclosure is ${withdrawn.refused}: only a published entry can be withdrawn`, [
              { path: 'status', message: withdrawn.refused },
            ]);
          }
          return withdrawn;
        },
      );
    },
  );
};

export default disclosureRoutes;

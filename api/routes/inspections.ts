import { createHash } from 'node:crypto';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { FastifyRequest } from 'fastify';
import { ApplicationFailure, WorkflowNotFoundError, WorkflowUpdateFailedError, type Client } from '@temporalio/client';
import type { Pool } from 'pg';
import { z } from 'zod';
import { withTransaction } from '../../db/pool';
import { REFUSAL } from '../../domain/errors';
import { createPlanSchema, drawRequestSchema, inspectionResultSchema } from '../../domain/inspection-plan';
import type { Actor } from '../../domain/case';
import { toShanghaiIso } from '../../domain/time';
import {
  inspectionCampaignWorkflowId,
  inspectionDrawUpdate,
  inspectionResultSignal,
  type InspectionCampaignInput,
} from '../../workflows/inspection-campaign-messages';
import type { Claims } from '../claims';
import { forbidden, HttpError, notFound } from '../errors';
import { errorResponses } from '../openapi-responses';
import { isTemporalUnavailable } from '../case-access';
import {
  drawViewSchema,
  deletePlan,
  insertPlan,
  isInspectedObject,
  listPlanResults,
  listPlans,
  listPublicResults,
  planCounty,
  planListQuerySchema,
  planSummarySchema,
  planViewSchema,
  publicResultListSchema,
  publicResultsQuerySchema,
  readDraw,
  readPlan,
  resultListSchema,
  verificationSchema,
  verifyRecordedDraw,
} from '../read-model/inspections';
import { requireRole } from './guards';
import { recordInspectionResult } from '../../activities/inspection-campaign';

/**
 * 双随机一公开 campaigns (api.md "v1 extensions"): plans, auditable draws with their recomputation,
 * results, and the public list. County callers act in their own county; supervisors in theirs (a city
 * supervisor anywhere); admins anywhere. The campaign itself runs in `inspectionCampaignWorkflow`.
 */
const inspectionsRoutes: FastifyPluginAsyncZod<{ pool: Pool; temporal: { client: Client; taskQueue: string } }> = async (app, { pool, temporal }) => {
  const staff = [app.authenticate, requireRole('county', 'supervisor', 'admin')];
  const planParams = z.object({ planId: z.string().min(1).max(200) });
  const drawParams = z.object({ drawId: z.string().min(1).max(200) });
  const idempotencyHeaders = z.object({ 'idempotency-key': z.string().min(1).max(200).optional() }).loose();

  const unavailable = () => new HttpError(503, 'unavailable', 'the campaign service is unavailable; retry later');

  function mayActIn(claims: Claims, countyCode: string): boolean {
    if (claims.role === 'admin') return true;
    return claims.countyCode === undefined ? claims.role === 'supervisor' : claims.countyCode === countyCode;
  }
  async function ownPlan(request: FastifyRequest, planId: string) {
    const found = await planCounty(pool, planId);
    if (!found) throw notFound(`inspection plan ${planId}`);
    if (!mayActIn(request.user, found.countyCode)) throw forbidden();
    return found;
  }
  const actorOf = (c: Claims): Actor => ({ sub: c.sub, role: c.role, ...(c.departmentCode ?? c.countyCode ? { unit: c.departmentCode ?? c.countyCode } : {}) });

  /** Business checks of a plan against the catalog and the jurisdiction tree: 422 naming each bad field. */
  async function refusePlan(body: z.infer<typeof createPlanSchema>): Promise<void> {
    const details: { path: string; message: string }[] = [];
    const county = await pool.query('SELECT 1 FROM counties WHERE code = $1', [body.countyCode]);
    if (county.rows.length === 0) details.push({ path: 'body.countyCode', message: `unknown county ${body.countyCode}` });
    const matters = await pool.query<{ code: string; category: string }>('SELECT code, category FROM matters WHERE code = ANY ($1)', [body.matterCodes]);
    body.matterCodes.forEach((code, i) => {
      const m = matters.rows.find((r) => r.code === code);
      if (!m) details.push({ path: `body.matterCodes.${i}`, message: `unknown matter ${code}` });
      else if (m.category !== 'inspection') details.push({ path: `body.matterCodes.${i}`, message: `${code} is a ${m.category} matter; a campaign inspects only items of category inspection` });
    });
    const units = await pool.query<{ code: string }>(
      `SELECT code FROM townships WHERE county_code = $1 AND code = ANY ($2)
       UNION SELECT code FROM departments WHERE county_code = $1 AND code = ANY ($2)`,
      [body.countyCode, body.units],
    );
    body.units.forEach((u, i) => {
      if (!units.rows.some((r) => r.code === u)) details.push({ path: `body.units.${i}`, message: `${u} is no brigade or department of county ${body.countyCode}` });
    });
    const townships = await pool.query<{ code: string }>('SELECT code FROM townships WHERE county_code = $1 AND code = ANY ($2)', [body.countyCode, body.townshipCodes]);
    body.townshipCodes.forEach((t, i) => {
      if (!townships.rows.some((r) => r.code === t)) details.push({ path: `body.townshipCodes.${i}`, message: `${t} is no township of county ${body.countyCode}` });
    });
    if (details.length > 0) throw new HttpError(422, 'business_rule', details.map((d) => d.message).join('; '), details);
  }

  app.post(
    '/v1/inspections/plans',
    {
      onRequest: staff,
      schema: {
        tags: ['inspections'],
        summary: 'Plan a 双随机一公开 campaign; its candidate pool is frozen and hashed before any seed is drawn',
        description:
          'The campaign workflow starts at once and freezes the pool (the enforcement objects of the county, or of `townshipCodes` / `industry`). ' +
          'Declare in `seedSource` which public values will make the seed. An Idempotency-Key makes a retry return the same plan (200).',
        security: [{ bearerAuth: [] }],
        headers: idempotencyHeaders,
        body: createPlanSchema,
        response: { 201: planViewSchema, 200: planViewSchema, ...errorResponses(400, 401, 403, 413, 415, 422, 503) },
      },
    },
    async (request, reply) => {
      const body = request.body;
      if (!mayActIn(request.user, body.countyCode)) throw forbidden(`you may plan campaigns in county ${request.user.countyCode ?? '(none)'} only`);
      await refusePlan(body);
      const key = request.headers['idempotency-key'];
      const planId = `IP-${key ? createHash('sha256').update(`${request.user.sub}\n${key}`).digest('hex').slice(0, 12) : crypto.randomUUID().replace(/-/g, '').slice(0, 12)}`;
      const workflowId = inspectionCampaignWorkflowId(planId);
      const created = await withTransaction(pool, (client) => insertPlan(client, planId, workflowId, body, request.user.sub));
      if (created) {
        // After the commit: the campaign's first activity reads the plan row.
        const input: InspectionCampaignInput = { planId, countyCode: body.countyCode, inspectionAt: body.inspectionAt, policy: body.policy, createdBy: actorOf(request.user) };
        try {
          await temporal.client.workflow.start('inspectionCampaignWorkflow', { workflowId, taskQueue: temporal.taskQueue, args: [input] });
        } catch (err) {
          await deletePlan(pool, planId);
          if (isTemporalUnavailable(err)) throw unavailable();
          throw err;
        }
      }
      const plan = await readPlan(pool, planId);
      return reply.code(created ? 201 : 200).send(plan!);
    },
  );

  app.get(
    '/v1/inspections/plans',
    {
      onRequest: staff,
      schema: {
        tags: ['inspections'],
        summary: 'The campaigns, newest first: a county user its county, a city-wide supervisor or admin all (or `countyCode`)',
        security: [{ bearerAuth: [] }],
        querystring: planListQuerySchema,
        response: { 200: z.object({ items: z.array(planSummarySchema), nextCursor: z.string().optional() }), ...errorResponses(400, 401, 403, 503) },
      },
    },
    async (request) => {
      const q = request.query;
      const own = request.user.role === 'admin' ? undefined : request.user.countyCode;
      if (own !== undefined && q.countyCode !== undefined && q.countyCode !== own) throw forbidden(`you see the campaigns of county ${own} only`);
      return listPlans(pool, { ...q, ...(own !== undefined ? { countyCode: own } : {}) });
    },
  );

  app.get(
    '/v1/inspections/plans/:planId',
    {
      onRequest: staff,
      schema: {
        tags: ['inspections'],
        summary: 'A campaign plan: its frozen pool and hash, every draw attempt, the publication deadline',
        security: [{ bearerAuth: [] }],
        params: planParams,
        response: { 200: planViewSchema, ...errorResponses(400, 401, 403, 404, 503) },
      },
    },
    async (request) => {
      await ownPlan(request, request.params.planId);
      return (await readPlan(pool, request.params.planId))!;
    },
  );

  app.post(
    '/v1/inspections/plans/:planId/draws',
    {
      onRequest: staff,
      schema: {
        tags: ['inspections'],
        summary: 'Draw the objects and their inspectors from the frozen pool with a seed of public values',
        description:
          'Objects are ranked per credit-risk class by SHA-256(id + "/" + seed) and the ceil(ratio × n) smallest drawn; each gets at least two ' +
          'certified, non-recused inspectors of the units that may enforce the items. Every attempt is recorded. A redraw needs `reason` ' +
          'and stays visible; draws are refused once the inspection has started (409). Fewer than two eligible inspectors for an object: ' +
          '422 insufficient_inspectors naming it (the attempt is recorded). An Idempotency-Key makes a retry answer the same attempt.',
        security: [{ bearerAuth: [] }],
        headers: idempotencyHeaders,
        params: planParams,
        body: drawRequestSchema,
        response: { 201: drawViewSchema, ...errorResponses(400, 401, 403, 404, 409, 413, 415, 422, 503) },
      },
    },
    async (request, reply) => {
      const plan = await ownPlan(request, request.params.planId);
      const key = request.headers['idempotency-key'];
      let answer;
      try {
        answer = await temporal.client.workflow.getHandle(plan.workflowId).executeUpdate(inspectionDrawUpdate, {
          args: [{ seed: request.body.seed, ...(request.body.reason ? { reason: request.body.reason } : {}), actor: actorOf(request.user) }],
          ...(key ? { updateId: `draw:${request.user.sub}:${key}` } : {}),
        });
      } catch (err) {
        if (err instanceof WorkflowUpdateFailedError && err.cause instanceof ApplicationFailure) {
          const field = err.cause.type === REFUSAL.invalidInput ? 'body.reason' : 'status';
          const status = err.cause.type === REFUSAL.invalidInput ? 400 : 409;
          throw new HttpError(status, status === 400 ? 'invalid_input' : 'wrong_stage', err.cause.message, [{ path: field, message: err.cause.message }]);
        }
        if (err instanceof WorkflowNotFoundError) throw new HttpError(409, 'campaign_closed', `the campaign of plan ${request.params.planId} has ended`);
        if (isTemporalUnavailable(err)) throw unavailable();
        throw err;
      }
      if (answer.status === 'refused') {
        throw new HttpError(422, 'insufficient_inspectors', `draw ${answer.drawId} refused: ${answer.refusal.message}`, [
          { path: `objects.${answer.refusal.objectId}`, message: answer.refusal.message },
        ]);
      }
      const drawn = await readDraw(pool, answer.drawId);
      return reply.code(201).send(drawn!.draw);
    },
  );

  app.get(
    '/v1/inspections/draws/:drawId',
    {
      onRequest: staff,
      schema: {
        tags: ['inspections'],
        summary: 'A draw attempt: seed and its public source, pool hash, drawn objects per stratum and their inspectors',
        security: [{ bearerAuth: [] }],
        params: drawParams,
        response: { 200: drawViewSchema, ...errorResponses(400, 401, 403, 404, 503) },
      },
    },
    async (request) => {
      const found = await readDraw(pool, request.params.drawId);
      if (!found) throw notFound(`draw ${request.params.drawId}`);
      if (!mayActIn(request.user, found.countyCode)) throw forbidden();
      return found.draw;
    },
  );

  app.get(
    '/v1/inspections/draws/:drawId/verify',
    {
      onRequest: staff,
      schema: {
        tags: ['inspections'],
        summary: 'Recompute a draw from its recorded inputs (frozen pool, seed, roster and recusals of the day) and say whether it agrees',
        security: [{ bearerAuth: [] }],
        params: drawParams,
        response: { 200: verificationSchema, ...errorResponses(400, 401, 403, 404, 503) },
      },
    },
    async (request) => {
      const found = await verifyRecordedDraw(pool, request.params.drawId);
      if (!found) throw notFound(`draw ${request.params.drawId}`);
      if (!mayActIn(request.user, found.countyCode)) throw forbidden();
      return found.verification;
    },
  );

  app.post(
    '/v1/inspections/plans/:planId/results',
    {
      onRequest: staff,
      schema: {
        tags: ['inspections'],
        summary: "Record an inspected object's result; the campaign publishes every result once all are in",
        description: 'Only objects of the draw the campaign carried out (else 422). A result may be corrected until it is published. 202: the campaign records it.',
        security: [{ bearerAuth: [] }],
        params: planParams,
        body: inspectionResultSchema,
        response: { 202: z.object({ accepted: z.literal(true) }), ...errorResponses(400, 401, 403, 404, 409, 413, 415, 422, 503) },
      },
    },
    async (request, reply) => {
      const plan = await ownPlan(request, request.params.planId);
      const body = request.body;
      if (!(await isInspectedObject(pool, request.params.planId, body.objectId))) {
        throw new HttpError(422, 'business_rule', `object ${body.objectId} was not drawn for inspection in plan ${request.params.planId}`, [
          { path: 'body.objectId', message: 'not an inspected object of this campaign' },
        ]);
      }
      if (plan.status === 'published') {
        throw new HttpError(409, 'published', `the results of plan ${request.params.planId} are published; they can no longer change`, [{ path: 'status', message: 'published' }]);
      }
      await recordInspectionResult(pool, {
        planId: request.params.planId,
        objectId: body.objectId,
        outcome: body.outcome,
        foundIssues: body.foundIssues,
        inspectedAt: body.inspectedAt ?? toShanghaiIso(Date.now()),
        recordedBy: request.user.sub,
      });
      try {
        await temporal.client.workflow.getHandle(plan.workflowId).signal(inspectionResultSignal, { objectId: body.objectId });
      } catch (err) {
        // Recorded: the campaign finds it the next time it looks, so an outage is still an answer to retry.
        if (err instanceof WorkflowNotFoundError) throw new HttpError(409, 'campaign_closed', 'the campaign has published its results; they can no longer change');
        if (isTemporalUnavailable(err)) throw unavailable();
        throw err;
      }
      return reply.code(202).send({ accepted: true });
    },
  );

  app.get(
    '/v1/inspections/plans/:planId/results',
    {
      onRequest: staff,
      schema: {
        tags: ['inspections'],
        summary: "The campaign's recorded results, published or not",
        security: [{ bearerAuth: [] }],
        params: planParams,
        response: { 200: resultListSchema, ...errorResponses(400, 401, 403, 404, 503) },
      },
    },
    async (request) => {
      await ownPlan(request, request.params.planId);
      return listPlanResults(pool, request.params.planId);
    },
  );

  app.get(
    '/v1/public/inspection-results',
    {
      schema: {
        tags: ['public'],
        summary: 'Published 双随机 inspection results (公示), newest publication first',
        description: 'No authentication. Persons are named by surname only (张*) without identity numbers; organisations in full with their credit code.',
        querystring: publicResultsQuerySchema,
        response: { 200: publicResultListSchema, ...errorResponses(400, 503) },
      },
    },
    async (request) => listPublicResults(pool, request.query),
  );
};

export default inspectionsRoutes;

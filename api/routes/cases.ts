import { withLateSurcharge } from '../../domain/statutory';
import { createHash, randomBytes } from 'node:crypto';
import {
  WorkflowExecutionAlreadyStartedError,
  WorkflowNotFoundError,
  WithStartWorkflowOperation,
  type Client,
} from '@temporalio/client';
import { Mutex } from 'async-mutex';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { Pool } from 'pg';
import { z } from 'zod';
import {
  actionBodySchemas,
  COURT_EVENTS,
  courtEventBodySchemas,
  countyResponseSchema,
  JUDICIAL_EVENTS,
  judicialEventBodySchemas,
  type ActionRequest,
  type CourtEvent,
  type JudicialEvent,
} from '../../domain/actions';
import type { CaseView, CaseWorkflowInput } from '../../domain/case';
import { openCaseSchema } from '../../domain/case-schemas';
import type { SlaPolicy } from '../../domain/sla';
import { ACTIONS, CASE_SOURCES, CASE_STATUSES, STAGES, type ActionName } from '../../domain/stages';
import {
  actionUpdate,
  childEventUpdate,
  countyResponseSignal,
  openedUpdate,
  type ChildEventRequest,
} from '../../workflows/definitions';
import { caseGateWithClaim, caseGateWithDoubleSubmitId, type CaseGate, claimIdempotencyKey, keyedUpdateId, projectedAnswer, releaseClaim, rememberAnswer } from '../idempotency';
import { actionIdempotencyHeaders, caseAccess, caseIdSchema, caseParams, idempotencyKeySchema, isTemporalUnavailable, type KeyedRequest } from '../case-access';
import { actorFromClaims, canActOnCase, canOpenCase, canReadCase, claimsOf, requireRole } from '../auth';
import { forbidden, HttpError, notFound } from '../errors';
import { errorResponses } from '../openapi-responses';

/** Workflow type of the case (exported as `caseWorkflow` from workflows/index.ts). */
export const CASE_WORKFLOW_TYPE = 'caseWorkflow';

export interface CasesRoutesOptions {
  pool: Pool;
  temporal: { client: Client; taskQueue: string };
  /** Rate limit of POST /v1/cases (per caller). */
  rateLimit?: { max: number; timeWindow: number | string };
  /** How long one query may take before the read model answers instead. Default 5 s. */
  queryTimeoutMs?: number;
}

// ---------------------------------------------------------------- schemas (OpenAPI)



const actorSchema = z.looseObject({ sub: z.string(), role: z.string(), unit: z.string().optional() });

/** The case object of api.md: the main fields typed, everything else passed through. */
export const caseResponseSchema = z
  .looseObject({
    caseId: z.string(),
    externalRef: z.string().optional(),
    source: z.enum(CASE_SOURCES),
    status: z.enum(CASE_STATUSES),
    stage: z.enum(STAGES),
    resolution: z.string().optional(),
    countyCode: z.string(),
    townshipCode: z.string(),
    gridCode: z.string().optional(),
    matterCode: z.string().optional(),
    location: z.looseObject({ address: z.string(), lat: z.number().optional(), lng: z.number().optional() }),
    description: z.string(),
    urgent: z.boolean().optional(),
    handler: z.looseObject({
      level: z.enum(['township', 'county', 'judicial', 'court']),
      departmentCode: z.string().optional(),
      officerIds: z.array(z.string()).optional(),
    }),
    openedAt: z.string(),
    updatedAt: z.string(),
    closedAt: z.string().optional(),
    deadlines: z.array(
      z.looseObject({
        kind: z.string(),
        stage: z.string(),
        dueAt: z.string(),
        overdue: z.boolean(),
        escalationLevel: z.number(),
        calendarEstimated: z.boolean().optional(),
      }),
    ),
    timeline: z.array(
      z.looseObject({
        seq: z.number(),
        at: z.string(),
        type: z.string(),
        stage: z.string(),
        actor: actorSchema,
        data: z.record(z.string(), z.unknown()).optional(),
      }),
    ),
    children: z.array(
      z.looseObject({
        kind: z.enum(['judicial-transfer', 'court-enforcement']),
        workflowId: z.string(),
        status: z.string(),
        outcome: z.string().optional(),
      }),
    ),
    penalty: z.looseObject({}).optional(),
    review: z.looseObject({}).optional(),
    createdBy: actorSchema.optional(),
  })
  .describe('the case object of api.md');

export type CaseResponse = z.output<typeof caseResponseSchema>;
/** CaseView satisfies the response schema; its nested interfaces just lack the index signature of looseObject. */
/** The case as answered: with its late surcharge (加处罚款) as of now, a projection of recorded dates. */
const asResponse = (c: CaseView): CaseResponse => withLateSurcharge(c, Date.now()) as unknown as CaseResponse;

const acceptedSchema = z
  .object({ accepted: z.literal(true), caseId: z.string(), signal: z.string() })
  .describe('the event was delivered to the case; its effect shows in the case timeline');


const idempotencyHeaders = z.looseObject({
  'idempotency-key': idempotencyKeySchema
    .optional()
    .describe('retries with the same key (per caller) return the same case; overrides body.externalRef as the key; the same key with another body: 422 idempotency_key_reused'),
});

// ---------------------------------------------------------------- helpers

/** Deterministic case id from the caller and its idempotency key: `C` + 20 hex digits of sha256. */
export function idempotentCaseId(sub: string, key: string): string {
  return `C${createHash('sha256').update(`${sub}\n${key}`).digest('hex').slice(0, 20)}`;
}
export function randomCaseId(): string {
  return `C${randomBytes(10).toString('hex')}`;
}

/**
 * Concurrent creations of one case (duplicates of a key) in this process take turns: Temporal accepts
 * at most 10 Updates in flight per workflow, and the turn after the first finds the case projected.
 */
class PerCaseTurns {
  private readonly turns = new Map<string, { mutex: Mutex; waiting: number }>();
  async run<T>(caseId: string, fn: () => Promise<T>): Promise<T> {
    let turn = this.turns.get(caseId);
    if (!turn) this.turns.set(caseId, (turn = { mutex: new Mutex(), waiting: 0 }));
    turn.waiting += 1;
    try {
      return await turn.mutex.runExclusive(fn);
    } finally {
      turn.waiting -= 1;
      if (turn.waiting === 0) this.turns.delete(caseId);
    }
  }
}


// ---------------------------------------------------------------- plugin

const casesRoutes: FastifyPluginAsyncZod<CasesRoutesOptions> = async (app, opts) => {
  const { pool } = opts;
  const { client, taskQueue } = opts.temporal;
  const creationTurns = new PerCaseTurns();
  const { readModelRow, readModelCase, queryCase, loadCase, loadReadableCase, claimKey, mapUpdateError } = caseAccess(pool, client, opts.queryTimeoutMs);

  // ------------------------------------------------------------ POST /v1/cases
  app.post(
    '/v1/cases',
    {
      onRequest: app.authenticate,
      config: { rateLimit: opts.rateLimit ?? { max: 600, timeWindow: '1 minute' } },
      schema: {
        tags: ['cases'],
        summary: 'Open a case',
        description:
          'Roles upstream (its county, and its townshipCodes when the token lists them), township (its own township), admin. ' +
          'Idempotent per caller on the `Idempotency-Key` header, else on `externalRef`: a retry returns the existing case with 200. ' +
          'The same Idempotency-Key with a different body is refused (422 idempotency_key_reused); a retried externalRef with another body ' +
          'returns the existing case (the first body wins). Concurrent duplicates create exactly one case. Answers once the case has opened ' +
          '(update-with-start: one round trip, never a 503 for a case it created).',
        security: [{ bearerAuth: [] }],
        headers: idempotencyHeaders,
        body: openCaseSchema,
        response: { 200: caseResponseSchema, 201: caseResponseSchema, ...errorResponses(400, 401, 403, 413, 415, 422, 429, 503) },
      },
    },
    async (request, reply) => {
      const claims = claimsOf(request);
      requireRole(claims, 'upstream', 'township', 'admin');
      const body = request.body;
      if (!canOpenCase(claims, body.countyCode, body.townshipCode)) {
        throw forbidden(`you may not open cases in township ${body.townshipCode} of county ${body.countyCode}`);
      }
      const headerKey = request.headers['idempotency-key'];
      const key = headerKey ?? body.externalRef;
      const caseId = key ? idempotentCaseId(claims.sub, key) : randomCaseId();
      if (headerKey) {
        await claimIdempotencyKey(pool, { caller: claims.sub, key: headerKey, method: 'POST', path: '/v1/cases', body, caseId });
      }
      const created = await creationTurns.run(caseId, () => openCase(request, caseId, key));
      return reply.code(created.status).send(asResponse(created.case));
    },
  );

  async function openCase(
    request: KeyedRequest & { body: z.infer<typeof openCaseSchema>; log: { warn: (o: object, m: string) => void } },
    caseId: string,
    key: string | undefined,
  ): Promise<{ status: 200 | 201; case: CaseView }> {
    const claims = claimsOf(request);
    const body = request.body;
    if (key) {
      // Already known (possibly closed and past the workflow's retention): the same case, 200.
      const existing = await readModelCase(caseId);
      if (existing) {
        const live = await queryCase(caseId).catch(() => existing);
        return { status: 200, case: live };
      }
    }

    // The township, and the SLA policy the case starts with (the current one) in the same round trip: the
    // workflow then needs no activity to load it.
    const { rows } = await pool.query<{ county_code: string; version: number | null; slas: SlaPolicy['slas'] | null; urgent: SlaPolicy['urgent'] | null }>(
      `SELECT t.county_code, p.version, p.slas, p.urgent
         FROM townships t
         LEFT JOIN LATERAL (SELECT version, slas, urgent FROM sla_policies ORDER BY version DESC LIMIT 1) p ON true
        WHERE t.code = $1`,
      [body.townshipCode],
    );
    const township = rows[0];
    if (!township) {
      throw new HttpError(422, 'unknown_township', `township ${body.townshipCode} does not exist`, [
        { path: 'body.townshipCode', message: 'unknown township' },
      ]);
    }
    if (township.county_code !== body.countyCode) {
      throw new HttpError(422, 'unknown_township', `township ${body.townshipCode} is not in county ${body.countyCode}`, [
        { path: 'body.countyCode', message: `township ${body.townshipCode} belongs to county ${township.county_code}` },
      ]);
    }

    const slaPolicy: SlaPolicy | undefined = township.version !== null && township.slas ? { version: township.version, slas: township.slas, urgent: township.urgent ?? {} } : undefined;
    const input: CaseWorkflowInput = { ...body, caseId, createdBy: actorFromClaims(claims), ...(slaPolicy ? { slaPolicy } : {}) };
    // Update-with-start: the case starts (or, for a concurrent duplicate, is found running) and answers
    // once it has opened, in one round trip. The first caller the case answers is told 201.
    const startWorkflowOperation = new WithStartWorkflowOperation(CASE_WORKFLOW_TYPE, {
      workflowId: caseId,
      taskQueue,
      args: [input],
      workflowIdReusePolicy: 'REJECT_DUPLICATE',
      workflowIdConflictPolicy: 'USE_EXISTING',
    });
    try {
      const opened = await client.workflow.executeUpdateWithStart(openedUpdate, { startWorkflowOperation });
      return { status: opened.created ? 201 : 200, case: opened.case ?? (await projectedCase(caseId, opened.seq)) };
    } catch (err) {
      if (err instanceof WorkflowExecutionAlreadyStartedError) {
        // Closed already (and so projected): the same case.
        const c = await loadCase(caseId, request.log);
        if (c) return { status: 200, case: c };
      }
      if (isTemporalUnavailable(err)) throw new HttpError(503, 'unavailable', 'the case service is unavailable; retry later');
      throw err;
    }
  }

  /** The case as of `seq` or later: the read model (each step is projected before it answers), else the workflow. */
  async function projectedCase(caseId: string, seq: number): Promise<CaseView> {
    const row = await readModelRow(caseId);
    return row && row.seq >= seq ? row.snapshot : queryCase(caseId);
  }

  // ------------------------------------------------------------ GET /v1/cases/:caseId
  app.get(
    '/v1/cases/:caseId',
    {
      onRequest: app.authenticate,
      schema: {
        tags: ['cases'],
        summary: 'The live case',
        description:
          'Anyone with jurisdiction: upstream the cases it created, township its own, county cases its department handles or handled, ' +
          'supervisor its county (city supervisor: all), admin all. Closed cases past retention come from the case library.',
        security: [{ bearerAuth: [] }],
        params: caseParams,
        response: { 200: caseResponseSchema, ...errorResponses(400, 401, 403, 404, 503) },
      },
    },
    async (request) => asResponse(await loadReadableCase(request.params.caseId, request)),
  );

  // ------------------------------------------------------------ actions
  async function runAction(
    request: KeyedRequest & { log: { warn: (o: object, m: string) => void } },
    caseId: string,
    action: ActionName,
    body: unknown,
  ): Promise<CaseView> {
    const claims = claimsOf(request);
    requireRole(claims, 'township', 'county');
    const path = `/v1/cases/${caseId}/actions/${action}`;
    // Jurisdiction from the read model (one indexed row, projected before each step returns); the
    // workflow itself re-checks the stage. A case not yet projected is asked directly. A keyed request
    // claims its key in the same statement (one round trip), and gives it back if refused here; an
    // unkeyed one gets its double-submit Update ID in the same statement.
    const key = request.headers['idempotency-key'];
    const claimed = typeof key === 'string' ? await caseGateWithClaim(pool, { caller: claims.sub, key, method: 'POST', path, body, caseId }) : undefined;
    const unkeyed = claimed ? undefined : await caseGateWithDoubleSubmitId(pool, { caller: claims.sub, path, body, caseId });
    const row = claimed ? claimed.row : unkeyed?.row;
    const refuse = async (err: HttpError): Promise<never> => {
      if (typeof key === 'string' && claimed?.fresh) await releaseClaim(pool, claims.sub, key);
      throw err;
    };
    const c: CaseGate | undefined = row?.snapshot ?? (await loadCase(caseId, request.log));
    if (!c) return refuse(notFound(`case ${caseId}`));
    if (!canActOnCase(claims, c)) {
      return refuse(
        forbidden(
          claims.role === 'county'
            ? 'a county department acts only on a case it has accepted on transfer'
            : 'outside your jurisdiction',
        ),
      );
    }
    const keyed = typeof key === 'string' && claimed ? { key, claim: await claimed.claim() } : undefined;
    if (keyed?.claim.kind === 'retry' && keyed.claim.answer) return keyed.claim.answer.body as CaseView;
    // A keyed retry whose first answer was never stored (the API died in between) may be the step that
    // closed the case: ask again with the same Update ID, and Temporal answers with the first outcome.
    const unansweredRetry = keyed?.claim.kind === 'retry';
    if (c.status === 'closed' && !unansweredRetry) {
      throw new HttpError(409, 'case_closed', `case ${caseId} is closed`, [{ path: 'status', message: 'closed' }]);
    }
    // The Update ID makes a retry (same key) or a double submit (same request, same case state) one
    // Update: Temporal runs it once and answers every copy with its outcome.
    const updateId = keyed ? keyedUpdateId(claims.sub, keyed.key) : (unkeyed?.updateId ?? `once-${randomBytes(16).toString('hex')}`);
    const req = { action, body, actor: actorFromClaims(claims) } as ActionRequest;
    try {
      const outcome = await client.workflow.getHandle(caseId).executeUpdate(actionUpdate, { args: [req], updateId });
      // The step was projected before it returned: the read model holds the case as of outcome.seq
      // (read, and stored as the key's answer, in one statement).
      const remember = keyed ? { caller: claims.sub, key: keyed.key } : undefined;
      const projected = await projectedAnswer<CaseView>(pool, { caseId, seq: outcome.seq, status: 200, ...(remember ? { keyed: remember } : {}) });
      if (projected) return projected;
      const live = await queryCase(caseId);
      if (keyed) await rememberAnswer(pool, claims.sub, keyed.key, 200, live);
      return live;
    } catch (err) {
      throw mapUpdateError(err, caseId);
    }
  }

  for (const action of ACTIONS) {
    app.post(
      `/v1/cases/:caseId/actions/${action}`,
      {
        onRequest: app.authenticate,
        schema: {
          tags: ['actions'],
          summary: `Action ${action}`,
          description:
            'A human step. Roles: township (its own cases), county (a case it accepted on transfer). ' +
            '409 when the case is in another stage (the message names it and what is allowed); 422 when a business rule refuses.',
          security: [{ bearerAuth: [] }],
          params: caseParams,
          headers: actionIdempotencyHeaders,
          body: actionBodySchemas[action] as z.ZodType<unknown>,
          response: { 200: caseResponseSchema, ...errorResponses(400, 401, 403, 404, 409, 413, 415, 422, 503) },
        },
      },
      async (request) => asResponse(await runAction(request, request.params.caseId, action, request.body)),
    );
  }
  // Unknown action names: 400 naming params.action (the known ones match the static routes above).
  app.post(
    '/v1/cases/:caseId/actions/:action',
    {
      onRequest: app.authenticate,
      schema: {
        hide: true,
        params: z.object({ caseId: caseIdSchema, action: z.enum(ACTIONS) }),
        response: errorResponses(400, 401, 404),
      },
    },
    async () => {
      // unreachable: a known action matches its static route first
      throw new HttpError(404, 'not_found', 'unknown action');
    },
  );

  // ------------------------------------------------------------ county response
  app.post(
    '/v1/cases/:caseId/county-response',
    {
      onRequest: app.authenticate,
      schema: {
        tags: ['actions'],
        summary: "The county department's answer to a transfer (乡呼县应)",
        description:
          'Role county; only the department the case awaits (403 for another department, 409 when the case awaits no answer).',
        security: [{ bearerAuth: [] }],
        params: caseParams,
        headers: actionIdempotencyHeaders,
        body: countyResponseSchema,
        response: { 202: acceptedSchema, ...errorResponses(400, 401, 403, 404, 409, 413, 415, 422, 503) },
      },
    },
    async (request, reply) => {
      const claims = claimsOf(request);
      requireRole(claims, 'county');
      const { caseId } = request.params;
      const c = await loadCase(caseId, request.log);
      if (!c) throw notFound(`case ${caseId}`);
      const answer = { accepted: true as const, caseId, signal: 'county-response' };
      const keyed = await claimKey(request, caseId, `/v1/cases/${caseId}/county-response`, request.body);
      if (keyed?.claim.kind === 'retry' && keyed.claim.answer) return reply.code(202).send(answer);
      const addressedToCaller =
        c.countyCode === claims.countyCode && c.handler.level === 'county' && c.handler.departmentCode === claims.departmentCode;
      if (!addressedToCaller) {
        if (!canReadCase(claims, c)) throw forbidden('the case is not transferred to your department');
        throw new HttpError(409, 'wrong_state', `case ${caseId} awaits no answer from your department`, [
          { path: 'handler', message: `handled at ${c.handler.level} level${c.handler.departmentCode ? ` by ${c.handler.departmentCode}` : ''}` },
        ]);
      }
      if (c.status !== 'open' || c.stage !== 'assignment') {
        throw new HttpError(409, 'wrong_state', `case ${caseId} is ${c.status} in stage ${c.stage}; a transfer is answered in stage assignment`, [
          { path: 'stage', message: c.stage },
        ]);
      }
      await signalCase(caseId, () =>
        client.workflow.getHandle(caseId).signal(countyResponseSignal, {
          ...request.body,
          departmentCode: claims.departmentCode ?? '',
          actor: actorFromClaims(claims),
          ...(keyed ? { requestId: keyedUpdateId(claims.sub, keyed.key) } : {}),
        }),
      );
      if (keyed) await rememberAnswer(pool, claims.sub, keyed.key, 202, answer);
      return reply.code(202).send(answer);
    },
  );

  async function signalCase(caseId: string, send: () => Promise<void>): Promise<void> {
    try {
      await send();
    } catch (err) {
      if (err instanceof WorkflowNotFoundError) {
        throw new HttpError(409, 'case_closed', `case ${caseId} is closed`, [{ path: 'status', message: 'closed' }]);
      }
      if (isTemporalUnavailable(err)) throw new HttpError(503, 'unavailable', 'the case service is unavailable; retry later');
      throw err;
    }
  }

  /**
   * An event of the judicial transfer or court enforcement: sent as an Update the case checks against
   * the step its child waits for (out of order → 409 naming what it waits for), then forwards.
   */
  async function sendChildEvent(
    request: KeyedRequest & { log: { warn: (o: object, m: string) => void } },
    caseId: string,
    path: string,
    body: Record<string, unknown>,
    toRequest: (actor: ReturnType<typeof actorFromClaims>) => ChildEventRequest,
  ): Promise<void> {
    const claims = claimsOf(request);
    requireRole(claims, 'township', 'admin');
    const c = await loadCase(caseId, request.log);
    if (!c) throw notFound(`case ${caseId}`);
    if (claims.role === 'township' && !canActOnCase(claims, c)) throw forbidden();
    const keyed = await claimKey(request, caseId, path, body);
    if (keyed?.claim.kind === 'retry' && keyed.claim.answer) return;
    const kind = toRequest(actorFromClaims(claims)).kind;
    if (!(c.children ?? []).some((ch) => ch.kind === kind && ch.status === 'running')) {
      throw new HttpError(409, 'no_child', `case ${caseId} has no running ${kind}`, [{ path: 'children', message: `no running ${kind}` }]);
    }
    const updateId = keyed ? keyedUpdateId(claims.sub, keyed.key) : `once-${randomBytes(16).toString('hex')}`;
    try {
      await client.workflow.getHandle(caseId).executeUpdate(childEventUpdate, { args: [toRequest(actorFromClaims(claims))], updateId });
    } catch (err) {
      throw mapUpdateError(err, caseId);
    }
    if (keyed) await rememberAnswer(pool, claims.sub, keyed.key, 202, { accepted: true });
  }

  // ------------------------------------------------------------ judicial transfer events
  for (const event of JUDICIAL_EVENTS) {
    app.post(
      `/v1/cases/:caseId/judicial/${event}`,
      {
        onRequest: app.authenticate,
        schema: {
          tags: ['judicial'],
          summary: `Judicial transfer event ${event}`,
          description:
            'Roles township (its own cases) and admin. 409 when the case has no running judicial transfer, or when the event is out of order ' +
            '(the message names the event the transfer waits for). Honours Idempotency-Key.',
          security: [{ bearerAuth: [] }],
          params: caseParams,
          headers: actionIdempotencyHeaders,
          body: judicialEventBodySchemas[event] as z.ZodType<Record<string, unknown>>,
          response: { 202: acceptedSchema, ...errorResponses(400, 401, 403, 404, 409, 413, 415, 422, 503) },
        },
      },
      async (request, reply) => {
        const { caseId } = request.params;
        await sendChildEvent(request, caseId, `/v1/cases/${caseId}/judicial/${event}`, request.body, (actor) => ({
          kind: 'judicial-transfer',
          event: { ...request.body, event, actor } as JudicialEvent,
        }));
        return reply.code(202).send({ accepted: true as const, caseId, signal: `judicial/${event}` });
      },
    );
  }
  app.post(
    '/v1/cases/:caseId/judicial/:event',
    {
      onRequest: app.authenticate,
      schema: { hide: true, params: z.object({ caseId: caseIdSchema, event: z.enum(JUDICIAL_EVENTS) }), response: errorResponses(400, 401, 404) },
    },
    async () => {
      throw new HttpError(404, 'not_found', 'unknown event');
    },
  );

  // ------------------------------------------------------------ court enforcement events
  for (const event of COURT_EVENTS) {
    app.post(
      `/v1/cases/:caseId/court/${event}`,
      {
        onRequest: app.authenticate,
        schema: {
          tags: ['court'],
          summary: `Court enforcement event ${event}`,
          description:
            'Roles township (its own cases) and admin. 409 when the case has no running court enforcement, or when the event is out of order ' +
            '(the message names the event the enforcement waits for). Honours Idempotency-Key.',
          security: [{ bearerAuth: [] }],
          params: caseParams,
          headers: actionIdempotencyHeaders,
          body: courtEventBodySchemas[event] as z.ZodType<Record<string, unknown>>,
          response: { 202: acceptedSchema, ...errorResponses(400, 401, 403, 404, 409, 413, 415, 422, 503) },
        },
      },
      async (request, reply) => {
        const { caseId } = request.params;
        await sendChildEvent(request, caseId, `/v1/cases/${caseId}/court/${event}`, request.body, (actor) => ({
          kind: 'court-enforcement',
          event: { ...request.body, event, actor } as CourtEvent,
        }));
        return reply.code(202).send({ accepted: true as const, caseId, signal: `court/${event}` });
      },
    );
  }
  app.post(
    '/v1/cases/:caseId/court/:event',
    {
      onRequest: app.authenticate,
      schema: { hide: true, params: z.object({ caseId: caseIdSchema, event: z.enum(COURT_EVENTS) }), response: errorResponses(400, 401, 404) },
    },
    async () => {
      throw new HttpError(404, 'not_found', 'unknown event');
    },
  );
};

export default casesRoutes;

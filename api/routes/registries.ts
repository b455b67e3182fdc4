import type { FastifyReply, FastifyRequest } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { Pool } from 'pg';
import { z } from 'zod';
import { responsibilityItemInputSchema, type RegistryName } from '../../domain/registries';
import { createHash } from 'node:crypto';
import { errorBody, forbidden, HttpError, notFound } from '../errors';
import { claimIdempotencyKey, rememberAnswer } from '../idempotency';
import { errorResponses } from '../openapi-responses';
import {
  createRegistryRow,
  etagOf,
  exportRegistry,
  getRegistryRow,
  importRegistry,
  isMasked,
  listRegistry,
  MASKED_ID_REFUSAL,
  registryChanges,
  registryHistory,
  retireRegistryRow,
  scopeOf,
  storedIdNumberMasked,
  updateRegistryRow,
  type RegistryScope,
} from '../read-model/registries';
import { REGISTRIES, type RegistryDefinition } from '../read-model/registry-definitions';
import { CSV_TYPE, parseCsv, parseXlsx, writeCsv, writeXlsx, XLSX_TYPE } from '../registry-files';
import { requireRole } from './guards';

/**
 * Admin routes of the four registries (api.md "v1 extensions"): `/v1/admin/officers`,
 * `/v1/admin/enforcement-objects`, `/v1/admin/matters`, `/v1/admin/responsibility-lists/{countyCode}`,
 * each with list / create / read (ETag) / update (If-Match required: 428 without, 412 when stale) /
 * retire (DELETE) / history, and Excel/CSV import (dry run) and export.
 * An admin token with `countyCode` manages only that county's rows (403 otherwise).
 */

/** An uploaded file, kept out of enumerable properties so body-wide checks (app.ts) do not walk its bytes. */
class UploadedFile {
  readonly #bytes: Buffer;
  constructor(
    bytes: Buffer,
    readonly type: 'csv' | 'xlsx',
  ) {
    this.#bytes = bytes;
  }
  get bytes(): Buffer {
    return this.#bytes;
  }
}

const IMPORT_BODY_LIMIT = 10 * 1024 * 1024;

const keyHeaders = z.looseObject({
  'idempotency-key': z.string().trim().min(1).max(200).optional().describe('a retry with the same key and request answers as the first did and changes nothing'),
});

const objectSchema = z.looseObject({ version: z.number().int().describe('the ETag is this version in quotes') });
const listSchema = z.object({ items: z.array(objectSchema), nextCursor: z.string().optional() });
const historySchema = z.object({
  items: z.array(
    z.object({
      version: z.number().int(),
      action: z.enum(['create', 'update', 'retire', 'import']),
      actor: z.string().describe('token subject of the admin'),
      at: z.string(),
      before: z.looseObject({}).nullable(),
      after: z.looseObject({}),
    }),
  ),
});
const importReportSchema = z.object({
  dryRun: z.boolean(),
  rows: z.number().int(),
  created: z.number().int(),
  updated: z.number().int(),
  unchanged: z.number().int(),
  errors: z.array(
    z.object({
      line: z.number().int().describe('line of the file; 1 is the header'),
      column: z.string(),
      message: z.string(),
      issue: z
        .looseObject({ code: z.string() })
        .optional()
        .describe('the validation issue behind the message (zod: code and its parameters, never the value), for a client to word it in its own language'),
    }),
  ),
});
const listQuery = z
  .object({
    includeRetired: z.enum(['true', 'false']).optional().transform((v) => v === 'true'),
    q: z.string().trim().min(1).max(100).optional().describe('contains (case-insensitive) in the key, the name and the codes people search by'),
    after: z.string().max(200).optional().describe('the nextCursor of the previous page'),
    limit: z.coerce.number().int().min(1).max(1000).default(200),
  })
  .strict();
const importQuery = z.object({ dryRun: z.enum(['true', 'false']).default('false').transform((v) => v === 'true') }).strict();
const countyCode = z.string().min(1).max(32);
const rowId = z.string().min(1).max(200);

const PATH_OF: Record<RegistryName, string> = {
  officers: '/v1/admin/officers',
  'enforcement-objects': '/v1/admin/enforcement-objects',
  matters: '/v1/admin/matters',
  'responsibility-lists': '/v1/admin/responsibility-lists/:countyCode',
};

const registriesRoutes: FastifyPluginAsyncZod<{ pool: Pool }> = async (app, { pool }) => {
  const admin = [app.authenticate, requireRole('admin')];
  const security = [{ bearerAuth: [] }];

  app.addContentTypeParser([CSV_TYPE, 'application/csv'], { parseAs: 'buffer', bodyLimit: IMPORT_BODY_LIMIT }, (_req, body, done) => {
    done(null, new UploadedFile(body as Buffer, 'csv'));
  });
  app.addContentTypeParser(XLSX_TYPE, { parseAs: 'buffer', bodyLimit: IMPORT_BODY_LIMIT }, (_req, body, done) => {
    done(null, new UploadedFile(body as Buffer, 'xlsx'));
  });

  /**
   * Runs a state-changing POST once per Idempotency-Key (api.md "v1 extensions"): a retry with the same
   * key and request gets the first answer (success or refusal); while the first is still running, 409.
   */
  async function once(
    request: FastifyRequest,
    reply: FastifyReply,
    fingerprint: unknown,
    run: () => Promise<{ status: number; body: Record<string, unknown> }>,
  ): Promise<FastifyReply> {
    const respond = (status: number, body: unknown) => {
      const version = (body as { version?: unknown }).version;
      if (status < 300 && typeof version === 'number') reply.header('etag', etagOf(version));
      return reply.code(status).send(body as never);
    };
    const key = (request.headers as { 'idempotency-key'?: string })['idempotency-key'];
    if (key === undefined) {
      const { status, body } = await run();
      return respond(status, body);
    }
    const caller = request.user.sub;
    const claim = await claimIdempotencyKey(pool, { caller, key, method: 'POST', path: request.url, body: fingerprint });
    if (claim.kind === 'retry') {
      if (claim.answer) return respond(claim.answer.status, claim.answer.body);
      throw new HttpError(409, 'in_progress', `the first request with Idempotency-Key "${key}" is still running; retry shortly`, [
        { path: 'headers.idempotency-key', message: 'in progress' },
      ]);
    }
    try {
      const { status, body } = await run();
      await rememberAnswer(pool, caller, key, status, body);
      return respond(status, body);
    } catch (err) {
      if (err instanceof HttpError && err.statusCode < 500) {
        await rememberAnswer(pool, caller, key, err.statusCode, errorBody(err.code, err.message, err.details));
      } else {
        // an outage: the request did nothing, so the key is free for the retry
        await pool.query('DELETE FROM idempotency_keys WHERE caller = $1 AND key = $2 AND response_status IS NULL', [caller, key]).catch(() => undefined);
      }
      throw err;
    }
  }

  for (const name of Object.keys(PATH_OF) as RegistryName[]) {
    const def: RegistryDefinition = REGISTRIES[name];
    const base = PATH_OF[name];
    const tags = ['registries'];
    const bodySchema = (name === 'responsibility-lists' ? responsibilityItemInputSchema : def.input) as z.ZodType<Record<string, unknown>>;
    const baseParams = def.pathCounty ? z.object({ countyCode }) : z.object({});
    const rowParams = def.pathCounty ? z.object({ countyCode, id: rowId }) : z.object({ id: rowId });
    /** The county in the path may be unknown (404) or badly formed (400); the other registries' base paths have no parameter. */
    const pathAnswers = def.pathCounty ? ([400, 404] as const) : ([] as const);

    /** The caller's scope; a county admin naming another county in the path is refused, an unknown county is 404. */
    const scope = async (request: FastifyRequest): Promise<RegistryScope> => {
      const pathCounty = def.pathCounty ? (request.params as { countyCode: string }).countyCode : undefined;
      if (pathCounty !== undefined) {
        if (request.user.countyCode !== undefined && request.user.countyCode !== pathCounty) {
          throw forbidden(`you administer county ${request.user.countyCode}, not ${pathCounty}`);
        }
        const { rowCount } = await pool.query('SELECT 1 FROM counties WHERE code = $1', [pathCounty]);
        if (!rowCount) throw notFound(`county ${pathCounty}`);
      }
      return scopeOf(request.user, pathCounty);
    };
    const withPathCounty = (request: FastifyRequest, body: Record<string, unknown>) =>
      def.pathCounty ? { ...body, countyCode: (request.params as { countyCode: string }).countyCode } : body;
    const sendRow = (reply: FastifyReply, row: Record<string, unknown>) => reply.header('etag', etagOf(row.version as number)).send(row);

    app.get(
      base,
      {
        onRequest: admin,
        schema: { tags, summary: `List ${def.noun}s (the caller's county for a county admin)`, security, params: baseParams, querystring: listQuery, response: { 200: listSchema, ...errorResponses(400, 401, 403, ...pathAnswers, 503) } },
      },
      async (request) => listRegistry(pool, def, await scope(request), request.query),
    );

    app.post(
      base,
      {
        onRequest: admin,
        schema: {
          tags,
          summary: `Create a ${def.noun}`,
          description:
            'Answers 201 with the row and its ETag; a taken id/code is 409. Every change is kept in the history. ' +
            'With Idempotency-Key a retry answers as the first request did (422 when the key was used for another request).',
          security,
          params: baseParams,
          headers: keyHeaders,
          body: bodySchema,
          response: { 201: objectSchema, ...errorResponses(400, 401, 403, ...pathAnswers, 409, 413, 415, 422, 503) },
        },
      },
      async (request, reply) =>
        once(request, reply, request.body, async () => ({
          status: 201,
          body: await createRegistryRow(pool, def, withPathCounty(request, request.body), request.user.sub, await scope(request)),
        })),
    );

    app.get(
      `${base}/changes`,
      {
        onRequest: admin,
        schema: {
          tags,
          summary: `Audit trail of the ${def.noun}s: the latest changes of every row (the caller's county for a county admin), newest first`,
          security,
          params: baseParams,
          querystring: z
            .object({
              since: z.iso.datetime({ offset: true }).optional().describe('only changes at or after this instant'),
              limit: z.coerce.number().int().min(1).max(500).default(100),
            })
            .strict(),
          response: { 200: z.object({ items: z.array(historySchema.shape.items.element.extend({ id: z.string() })) }), ...errorResponses(400, 401, 403, ...pathAnswers, 503) },
        },
      },
      async (request) => registryChanges(pool, def, await scope(request), request.query),
    );

    app.get(
      `${base}/export.xlsx`,
      { onRequest: admin, schema: { tags, summary: `Export the ${def.noun}s as an Excel workbook (import reads it back)`, security, params: baseParams, response: errorResponses(401, 403, ...pathAnswers, 503) } },
      async (request, reply) => {
        const rows = await exportRegistry(pool, def, await scope(request));
        reply.header('content-type', XLSX_TYPE).header('content-disposition', `attachment; filename="${name}.xlsx"`);
        // a Buffer is sent as it is (no JSON serialisation); the type provider only knows the error bodies
        return reply.send((await writeXlsx(def, rows)) as never);
      },
    );
    app.get(
      `${base}/export.csv`,
      { onRequest: admin, schema: { tags, summary: `Export the ${def.noun}s as CSV (UTF-8 with BOM; import reads it back)`, security, params: baseParams, response: errorResponses(401, 403, ...pathAnswers, 503) } },
      async (request, reply) => {
        const rows = await exportRegistry(pool, def, await scope(request));
        reply.header('content-type', `${CSV_TYPE}; charset=utf-8`).header('content-disposition', `attachment; filename="${name}.csv"`);
        return reply.send((await writeCsv(def, rows)) as never);
      },
    );

    app.post(
      `${base}/import`,
      {
        onRequest: admin,
        bodyLimit: IMPORT_BODY_LIMIT,
        schema: {
          tags,
          summary: `Import ${def.noun}s from .xlsx (${XLSX_TYPE}) or CSV (text/csv)`,
          description:
            `Header row: ${def.fileFields.map((f) => f.name).join(', ')} (lists ;-separated, booleans true/false). ` +
            'Every row is validated; a dry run, or any bad row, changes nothing. A dry run answers 200 with the report (every bad row ' +
            'by line and column in `errors`); a real import with bad rows answers 422 whose details name each one ' +
            '(`body.lines.<line>.<column>`); a clean import upserts all rows in one transaction and answers the report.',
          security,
          params: baseParams,
          querystring: importQuery,
          headers: keyHeaders,
          response: { 200: importReportSchema, ...errorResponses(400, 401, 403, ...pathAnswers, 409, 413, 415, 422, 503) },
        },
      },
      async (request, reply) => {
        const file = request.body;
        if (!(file instanceof UploadedFile)) {
          throw new HttpError(415, 'unsupported_media_type', `send the file as ${XLSX_TYPE} or text/csv`, [{ path: 'headers.content-type', message: `expected ${XLSX_TYPE} or text/csv` }]);
        }
        const s = await scope(request);
        const digest = createHash('sha256').update(file.bytes).digest('hex');
        return once(request, reply, { file: digest, type: file.type }, async () => {
          const rows = file.type === 'csv' ? parseCsv(def, file.bytes) : await parseXlsx(def, file.bytes);
          const report = await importRegistry(pool, def, rows, request.query.dryRun, request.user.sub, s);
          if (report.errors.length && !report.dryRun) {
            throw new HttpError(
              422,
              'invalid_rows',
              `${new Set(report.errors.map((e) => e.line)).size} of ${report.rows} rows are bad; nothing was changed`,
              report.errors.map((e) => ({ path: `body.lines.${e.line}.${e.column}`, message: `line ${e.line}, column ${e.column}: ${e.message}` })),
            );
          }
          return { status: 200, body: report as unknown as Record<string, unknown> };
        });
      },
    );

    app.get(
      `${base}/:id`,
      { onRequest: admin, schema: { tags, summary: `A ${def.noun}, with its ETag`, security, params: rowParams, response: { 200: objectSchema, ...errorResponses(400, 401, 403, 404, 503) } } },
      async (request, reply) => sendRow(reply, await getRegistryRow(pool, def, request.params.id, await scope(request))),
    );

    app.put(
      `${base}/:id`,
      {
        onRequest: admin,
        schema: {
          tags,
          summary: `Replace a ${def.noun} (If-Match required)`,
          description:
            'The whole row. `If-Match` must carry the ETag you read: without it 428, stale 412. A retired row is 409. ' +
            'A row sent back as it was read is accepted: `countyCode`, `version` and `retiredAt` (what a read adds) are ignored, and an ' +
            '`idNumber` masked as it was read keeps the stored number.',
          security,
          params: rowParams,
          headers: z.looseObject({ 'if-match': z.string().optional().describe('the ETag of the version you read, e.g. "3"') }),
          body: bodySchema,
          response: { 200: objectSchema, ...errorResponses(400, 401, 403, 404, 409, 412, 413, 415, 428, 503) },
        },
        // A row edited from what was read may come back whole: the fields a read adds (its county,
        // version and retirement) are dropped, and a masked ID number keeps the stored one (as an import of
        // an export does); another mask is refused naming the field.
        preValidation: async (request) => {
          const body = request.body as Record<string, unknown> | undefined;
          if (!body || typeof body !== 'object') return;
          for (const field of ['countyCode', 'version', 'retiredAt']) delete body[field];
          if (!isMasked(body.idNumber)) return;
          const stored = await storedIdNumberMasked(pool, def, (request.params as { id: string }).id, body.idNumber);
          if (!stored) throw new HttpError(400, 'invalid_request', MASKED_ID_REFUSAL, [{ path: 'body.idNumber', message: MASKED_ID_REFUSAL }]);
          body.idNumber = stored;
        },
      },
      async (request, reply) => {
        const ifMatch = request.headers['if-match'];
        if (ifMatch === undefined) {
          throw new HttpError(428, 'precondition_required', `a change of a ${def.noun} needs If-Match with the ETag you read (GET it first)`, [{ path: 'headers.if-match', message: 'required' }]);
        }
        const key = request.params.id;
        const body = withPathCounty(request, request.body);
        if (typeof body[def.keyField] === 'string' && body[def.keyField] !== key) {
          throw new HttpError(400, 'invalid_request', `the body's ${def.keyField} differs from the path`, [{ path: `body.${def.keyField}`, message: `must be ${key} or left out` }]);
        }
        return sendRow(reply, await updateRegistryRow(pool, def, key, body, ifMatch, request.user.sub, await scope(request)));
      },
    );

    app.delete(
      `${base}/:id`,
      {
        onRequest: admin,
        schema: {
          tags,
          summary: `Retire a ${def.noun} (kept for history)`,
          description: 'Retiring keeps the row and its versions; it leaves lists and refuses new use. `If-Match`, when given, must be current (412).',
          security,
          params: rowParams,
          headers: z.looseObject({ 'if-match': z.string().optional() }),
          response: { 200: objectSchema, ...errorResponses(400, 401, 403, 404, 412, 503) },
        },
      },
      async (request, reply) => sendRow(reply, await retireRegistryRow(pool, def, request.params.id, request.headers['if-match'], request.user.sub, await scope(request))),
    );

    app.get(
      `${base}/:id/history`,
      {
        onRequest: admin,
        schema: { tags, summary: `Audit trail of a ${def.noun}: every version, who changed it and when, before and after`, security, params: rowParams, response: { 200: historySchema, ...errorResponses(400, 401, 403, 404, 503) } },
      },
      async (request) => registryHistory(pool, def, request.params.id, await scope(request)),
    );
  }
};

export default registriesRoutes;

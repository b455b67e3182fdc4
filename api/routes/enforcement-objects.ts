import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { Pool } from 'pg';
import { z } from 'zod';
import { CREDIT_CLASSES } from '../../domain/registries';
import type { Claims } from '../claims';
import { forbidden, notFound } from '../errors';
import { errorResponses } from '../openapi-responses';
import { enforcementObjects as def } from '../read-model/registry-definitions';
import { requireRole } from './guards';

/**
 * 执法对象名录库 for the people who work with it (api.md "v1 extensions"): the roster of the caller's
 * jurisdiction, ID numbers masked, and one object's page with the cases and inspections that concern it.
 */

const objectSchema = z.looseObject({
  id: z.string(),
  kind: z.enum(['person', 'organization']),
  name: z.string(),
  creditCode: z.string().optional(),
  idNumber: z.string().optional().describe('masked: region and last four digits only'),
  townshipCode: z.string(),
  countyCode: z.string(),
  creditClass: z.enum(CREDIT_CLASSES),
  version: z.number().int(),
});
const caseSummarySchema = z.object({
  caseId: z.string(),
  source: z.string(),
  status: z.string(),
  stage: z.string(),
  matterCode: z.string().nullable(),
  openedAt: z.string(),
  closedAt: z.string().nullable(),
});

/** The roster rows a caller may read, as a WHERE condition on `t` (townships) with its parameters. */
function jurisdiction(claims: Claims, params: unknown[]): string | undefined {
  if (claims.role === 'township') {
    params.push(claims.townshipCode);
    return `r.township_code = $${params.length}`;
  }
  if (claims.countyCode === undefined) return undefined; // city supervisor or city-wide admin
  params.push(claims.countyCode);
  return `t.county_code = $${params.length}`;
}

const enforcementObjectsRoutes: FastifyPluginAsyncZod<{ pool: Pool }> = async (app, { pool }) => {
  const readers = [app.authenticate, requireRole('township', 'county', 'supervisor', 'admin')];
  const security = [{ bearerAuth: [] }];

  app.get(
    '/v1/enforcement-objects',
    {
      onRequest: readers,
      schema: {
        tags: ['registries'],
        summary: "The enforcement objects of the caller's jurisdiction (ID numbers masked)",
        security,
        querystring: z
          .object({
            townshipCode: z.string().min(1).max(32).optional(),
            creditClass: z.enum(CREDIT_CLASSES).optional(),
            q: z.string().trim().min(1).max(100).optional().describe('name, credit code or masked ID contains'),
            after: z.string().max(200).optional(),
            limit: z.coerce.number().int().min(1).max(500).default(100),
          })
          .strict(),
        response: { 200: z.object({ items: z.array(objectSchema), nextCursor: z.string().optional() }), ...errorResponses(400, 401, 403, 503) },
      },
    },
    async (request) => {
      const q = request.query;
      const params: unknown[] = [];
      const where = ['r.retired_at IS NULL'];
      const own = jurisdiction(request.user, params);
      if (own) where.push(own);
      if (q.townshipCode !== undefined) (params.push(q.townshipCode), where.push(`r.township_code = $${params.length}`));
      if (q.creditClass !== undefined) (params.push(q.creditClass), where.push(`r.credit_class = $${params.length}`));
      if (q.q !== undefined) (params.push(`%${q.q}%`), where.push(`(r.name ILIKE $${params.length} OR r.credit_code ILIKE $${params.length})`));
      if (q.after !== undefined) (params.push(q.after), where.push(`r.id > $${params.length}`));
      params.push(q.limit + 1);
      const { rows } = await pool.query(`SELECT ${def.select} FROM ${def.from} WHERE ${where.join(' AND ')} ORDER BY r.id LIMIT $${params.length}`, params);
      const items = rows.slice(0, q.limit).map((r) => def.mask(def.fromRow(r as Record<string, unknown>)));
      const last = items[items.length - 1];
      return (rows.length > q.limit && last ? { items, nextCursor: String(last.id) } : { items }) as never;
    },
  );

  app.get(
    '/v1/enforcement-objects/:id',
    {
      onRequest: readers,
      schema: {
        tags: ['registries'],
        summary: 'One enforcement object with the cases and the inspections (source inspection) that concern it',
        security,
        params: z.object({ id: z.string().min(1).max(200) }),
        response: {
          200: objectSchema.extend({ cases: z.array(caseSummarySchema), inspections: z.array(caseSummarySchema) }),
          ...errorResponses(400, 401, 403, 404, 503),
        },
      },
    },
    async (request) => {
      const { rows } = await pool.query(`SELECT ${def.select} FROM ${def.from} WHERE r.id = $1`, [request.params.id]);
      const row = rows[0] as Record<string, unknown> | undefined;
      if (!row) throw notFound(`enforcement object ${request.params.id}`);
      const claims = request.user;
      const inJurisdiction =
        claims.role === 'township' ? row.township_code === claims.townshipCode : claims.countyCode === undefined || row.county_code === claims.countyCode;
      if (!inJurisdiction) throw forbidden('this enforcement object is outside your jurisdiction');
      // A township sees its own township's cases of the object; the county, supervisor and admin every case of it.
      const cases = await pool.query<{ case_id: string; source: string; status: string; stage: string; matter_code: string | null; opened_at: string; closed_at: string | null }>(
        `SELECT case_id, source, status, stage, matter_code, opened_at, closed_at FROM cases
          WHERE enforcement_object_id = $1 AND ($2::text IS NULL OR township_code = $2)
          ORDER BY opened_at DESC, case_id DESC LIMIT 500`,
        [request.params.id, claims.role === 'township' ? (claims.townshipCode ?? null) : null],
      );
      const summaries = cases.rows.map((c) => ({
        caseId: c.case_id,
        source: c.source,
        status: c.status,
        stage: c.stage,
        matterCode: c.matter_code,
        openedAt: c.opened_at,
        closedAt: c.closed_at,
      }));
      return {
        ...def.mask(def.fromRow(row)),
        cases: summaries.filter((c) => c.source !== 'inspection'),
        inspections: summaries.filter((c) => c.source === 'inspection'),
      } as never;
    },
  );
};

export default enforcementObjectsRoutes;

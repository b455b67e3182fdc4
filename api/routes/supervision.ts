import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { Pool } from 'pg';
import { caseListQuerySchema, caseListSchema, listCases } from '../read-model/cases';
import {
  INDICATOR_DEFINITIONS,
  efficiencyStats,
  efficiencyStatsSchema,
  overviewQuerySchema,
  overviewSchema,
  statsOverview,
  statsQuerySchema,
  statsTrend,
  trendQuerySchema,
  trendSchema,
} from '../read-model/stats';
import { requireRole } from './guards';
import { errorResponses } from '../openapi-responses';

/** Supervision (效能监督): the case list with its overdue view, and the efficiency indicators. */
const supervisionRoutes: FastifyPluginAsyncZod<{ pool: Pool }> = async (app, { pool }) => {
  app.get(
    '/v1/cases',
    {
      onRequest: [app.authenticate, requireRole('township', 'county', 'supervisor', 'admin')],
      schema: {
        tags: ['supervision'],
        summary: 'List cases in your jurisdiction; overdue=true lists overdue cases, most overdue first',
        description: [
          'Jurisdiction: township → its township; county → cases its department handles; supervisor → its county',
          '(a city supervisor, without countyCode: all); admin → all. A filter outside your jurisdiction is refused with 403.',
          'Overdue is evaluated at query time: open and current deadline (currentDeadline.dueAt) before now, whether or not',
          'the workflow has already marked it. overdue=true orders by lateness (dueAt ascending, then caseId);',
          'other lists are newest first (openedAt descending, then caseId). Pass nextCursor back as cursor for the next page.',
        ].join(' '),
        security: [{ bearerAuth: [] }],
        querystring: caseListQuerySchema,
        response: { 200: caseListSchema, ...errorResponses(400, 401, 403, 503) },
      },
    },
    async (request) => listCases(pool, request.user, request.query),
  );

  app.get(
    '/v1/stats/efficiency',
    {
      onRequest: [app.authenticate, requireRole('supervisor', 'admin')],
      schema: {
        tags: ['supervision'],
        summary: 'Efficiency indicators (结案率, 按期结案率, 返工率, 超期率, 延期率, stage durations, escalations) per unit',
        description: [
          'Supervisor: its county (a city supervisor: all); admin: all. Every rate carries its numerator and denominator.',
          ...Object.entries(INDICATOR_DEFINITIONS).map(([k, v]) => `${k}: ${v}.`),
        ].join('\n'),
        security: [{ bearerAuth: [] }],
        querystring: statsQuerySchema,
        response: { 200: efficiencyStatsSchema, ...errorResponses(400, 401, 403, 503) },
      },
    },
    async (request) => efficiencyStats(pool, request.user, request.query),
  );

  app.get(
    '/v1/stats/overview',
    {
      onRequest: [app.authenticate, requireRole('supervisor', 'admin')],
      schema: {
        tags: ['supervision'],
        summary: 'Supervision board: open cases by stage, overdue cases by escalation level, this month opened and closed',
        description: 'Supervisor: its county (a city supervisor: all); admin: all. Read at query time: overdue means open with the current deadline passed.',
        security: [{ bearerAuth: [] }],
        querystring: overviewQuerySchema,
        response: { 200: overviewSchema, ...errorResponses(401, 403, 503) },
      },
    },
    async (request) => statsOverview(pool, request.user),
  );

  app.get(
    '/v1/stats/trend',
    {
      onRequest: [app.authenticate, requireRole('supervisor', 'admin')],
      schema: {
        tags: ['supervision'],
        summary: 'The efficiency indicators month by month (结案率, 按期结案率, 返工率, 超期率, …) over your jurisdiction',
        description: [
          'Supervisor: its county (a city supervisor: all); admin: all. Each month (Asia/Shanghai) is a period of its own,',
          'with the definitions of GET /v1/stats/efficiency: the cases opened in the month, closures before its end.',
        ].join(' '),
        security: [{ bearerAuth: [] }],
        querystring: trendQuerySchema,
        response: { 200: trendSchema, ...errorResponses(400, 401, 403, 503) },
      },
    },
    async (request) => statsTrend(pool, request.user, request.query),
  );
};

export default supervisionRoutes;

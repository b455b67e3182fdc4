import { WorkflowExecutionAlreadyStartedError, type Client } from '@temporalio/client';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { Pool } from 'pg';
import { z } from 'zod';
import { checkYearSchedule, packageSchedules, yearScheduleAnswerSchema, yearScheduleSchema } from '../../domain/holiday-calendar';
import { publishedSchedules } from '../../activities/holiday-calendars';
import { HttpError } from '../errors';
import { errorResponses } from '../openapi-responses';
import { requireRole } from './guards';

/**
 * The holiday calendar as data (deadlines.md "Calendars"): an admin publishes a year's schedule of days
 * off and make-up working days with its source document; every version is kept and the latest
 * overrides the year the chinese-days package carries. New deadlines use it at once; deadlines computed
 * earlier as `calendarEstimated` keep their recorded dates.
 */
const yearParams = z.object({ year: z.coerce.number().int().min(1949).max(2200) });


/** Stores the next version of a year; two publications of one year at once: the later retries on the key. */
async function publishVersion(
  pool: Pool,
  year: number,
  holidays: string[],
  workdays: string[],
  sourceDocument: string,
  sourceDate: string,
  testSchedule: boolean,
  by: string,
): Promise<number> {
  for (let attempt = 1; ; attempt++) {
    try {
      const { rows } = await pool.query<{ version: number }>(
        `INSERT INTO holiday_calendars (year, version, holidays, workdays, source_document, source_date, test_schedule, published_by)
         SELECT $1, COALESCE(max(version), 0) + 1, $2::date[], $3::date[], $4, $5::date, $6, $7 FROM holiday_calendars WHERE year = $1
         RETURNING version`,
        [year, holidays, workdays, sourceDocument, sourceDate, testSchedule, by],
      );
      return rows[0]!.version;
    } catch (err) {
      if ((err as { code?: string }).code !== '23505' || attempt >= 5) throw err;
    }
  }
}

export interface CalendarRoutesOptions {
  pool: Pool;
  temporal: { client: Client; taskQueue: string };
}

const calendarRoutes: FastifyPluginAsyncZod<CalendarRoutesOptions> = async (app, { pool, temporal }) => {
  const admin = [app.authenticate, requireRole('admin')];

  app.get(
    '/v1/admin/calendar/:year',
    {
      onRequest: admin,
      schema: {
        tags: ['admin'],
        summary: 'A year of the holiday calendar in force',
        security: [{ bearerAuth: [] }],
        params: yearParams,
        response: { 200: yearScheduleAnswerSchema, ...errorResponses(400, 401, 403, 503) },
      },
    },
    async (request) => {
      const { year } = request.params;
      const published = (await publishedSchedules(pool)).find((s) => s.year === year);
      if (published) return { ...published, source: 'admin' as const };
      const packaged = packageSchedules().find((s) => s.year === year);
      if (packaged) return { year, source: 'package' as const, holidays: packaged.holidays, workdays: packaged.workdays };
      return { year, source: 'none' as const, holidays: [], workdays: [] };
    },
  );

  app.put(
    '/v1/admin/calendar/:year',
    {
      onRequest: admin,
      schema: {
        tags: ['admin'],
        summary: 'Publish a year of the holiday calendar (a new version)',
        description:
          'Days off and make-up working days (调休) with the source document. Refused (422, naming the date) when a make-up day is not ' +
          'on a weekend, a date is outside the year or both off and worked, or a statutory holiday of 全国年节及纪念日放假办法 is missing. ' +
          'More than 7 working days in a row is published with a warning.',
        security: [{ bearerAuth: [] }],
        params: yearParams,
        body: yearScheduleSchema,
        response: { 200: yearScheduleAnswerSchema, ...errorResponses(400, 401, 403, 413, 415, 422, 503) },
      },
    },
    async (request) => {
      const { year } = request.params;
      const body = request.body;
      const check = checkYearSchedule(year, body);
      if (check.errors.length > 0) {
        throw new HttpError(422, 'invalid_schedule', check.errors.map((e) => e.message).join('; '), check.errors);
      }
      const holidays = [...new Set(body.holidays)].sort();
      const workdays = [...new Set(body.workdays)].sort();
      const version = await publishVersion(pool, year, holidays, workdays, body.sourceDocument, body.sourceDate, body.testSchedule ?? false, request.user.sub);
      const workflowId = `calendar-recompute-${year}-v${version}`;
      try {
        await temporal.client.workflow.start('calendarRecomputeWorkflow', { workflowId, taskQueue: temporal.taskQueue, args: [{ year, version }] });
      } catch (err) {
        if (!(err instanceof WorkflowExecutionAlreadyStartedError)) {
          request.log.error({ err, year, version }, 'the recomputation of estimated deadlines could not start');
          throw new HttpError(503, 'unavailable', `version ${version} of ${year} is published, but running cases could not be told yet; publish again to retry`);
        }
      }
      return {
        year,
        source: 'admin' as const,
        version,
        holidays,
        workdays,
        sourceDocument: body.sourceDocument,
        sourceDate: body.sourceDate,
        ...(body.testSchedule ? { testSchedule: true } : {}),
        ...(check.warnings.length ? { warnings: check.warnings } : {}),
        recompute: { workflowId },
      };
    },
  );
};

export default calendarRoutes;

import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { Pool } from 'pg';
import { disclosureListSchema, disclosuresQuerySchema, listDisclosures } from '../read-model/disclosures';
import { errorResponses } from '../openapi-responses';

/** Public disclosure (公示) of penalty decisions: no authentication. */
const publicRoutes: FastifyPluginAsyncZod<{ pool: Pool }> = async (app, { pool }) => {
  app.get(
    '/v1/public/disclosures',
    {
      schema: {
        tags: ['public'],
        summary: 'Published administrative-penalty results (公示), newest decision first',
        description:
          'Penalty decisions the township has published and whose visibility (3 months for a warning or a low fine, else 3 years) has not ' +
          'ended; `status=withdrawn` lists the withdrawn ones with the reason. Persons are named by surname only (张*); organisations in full ' +
          'with their credit code. Facts are masked: no identity numbers, phones, bank cards, street addresses or reporters; nothing of a minor.',
        querystring: disclosuresQuerySchema,
        response: { 200: disclosureListSchema, ...errorResponses(400, 503) },
      },
    },
    async (request) => listDisclosures(pool, request.query),
  );
};

export default publicRoutes;

import { z } from 'zod';
import { actionBodySchemas } from './action-schemas';
import { CASE_SOURCES } from './stages';

/**
 * The body of `POST /v1/cases` and its parts, for the API and the console. Not imported by the workflow:
 * a workflow evaluates its modules anew (domain/lazy.ts), and these schemas are the API's to check.
 */

const code = z.string().trim().min(1).max(64).regex(/^[A-Za-z0-9_.-]+$/, 'letters, digits, _ . - only');

export const locationSchema = z
  .object({
    address: z.string().trim().min(1).max(500),
    lat: z.number().min(-90).max(90).optional(),
    lng: z.number().min(-180).max(180).optional(),
  })
  .strict();

export type CaseLocation = z.infer<typeof locationSchema>;

/** 网格员巡查报告: the grid member's on-site report (action `patrol-report`, or with a patrol case). */
export const patrolReportSchema = actionBodySchemas['patrol-report'];
export type PatrolReport = z.infer<typeof patrolReportSchema>;

/** Body of `POST /v1/cases`. */
export const openCaseSchema = z
  .object({
    source: z.enum(CASE_SOURCES),
    externalRef: z.string().trim().min(1).max(128).optional(),
    countyCode: code,
    townshipCode: code,
    gridCode: code.optional(),
    location: locationSchema,
    description: z.string().trim().min(1).max(5000),
    urgent: z.boolean().optional(),
    reporter: z
      .object({ name: z.string().trim().max(100).optional(), phone: z.string().trim().max(32).optional() })
      .strict()
      .optional(),
    patrol: patrolReportSchema.optional().describe('required when source is "patrol" (the case starts at discovery), refused otherwise'),
  })
  .strict()
  .superRefine((body, ctx) => {
    if (body.source === 'patrol' && !body.patrol) {
      ctx.addIssue({ code: 'custom', path: ['patrol'], message: 'a patrol case arrives with its patrol report' });
    }
    if (body.source !== 'patrol' && body.patrol) {
      ctx.addIssue({ code: 'custom', path: ['patrol'], message: `a ${body.source} case starts at patrol: a grid member reports with the patrol-report action` });
    }
  });
export type OpenCaseBody = z.infer<typeof openCaseSchema>;

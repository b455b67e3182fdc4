import { z } from 'zod';
import { CREDIT_CLASSES } from './credit-strata';

/**
 * A 双随机一公开 campaign plan (registries.md): inspection items of the catalog, a ratio per
 * credit-risk class, the units the inspectors come from, the period, and the policy. The seed's public
 * source is declared with the plan, before its values are known.
 */

const isoDate = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'a date YYYY-MM-DD');
const instant = z.iso.datetime({ offset: true });

export const inspectionPolicySchema = z
  .object({
    /** Brigade officers of the object's own township are never drawn for it (回避). */
    recuseOwnTownship: z.boolean().default(true),
    inspectorsPerObject: z.number().int().min(2).max(5).default(2),
    /** Inspection cases with a result still pending, at most (a sliding window far below Temporal's 2,000 pending children). */
    window: z.number().int().min(1).max(200).default(50),
    /** The campaign continues as new after starting this many cases (bounded history). */
    continueAfter: z.number().int().min(10).max(1000).default(500),
    /** Objects with hotline or complaint cases in the year before freezing get extra tickets (domain/inspection-draw.ts). */
    weightComplaints: z.boolean().default(false),
  })
  .strict();
export type InspectionPolicy = z.infer<typeof inspectionPolicySchema>;

export const ratiosSchema = z
  .partialRecord(z.enum(CREDIT_CLASSES), z.number().min(0).max(1))
  .refine((r) => Object.keys(r).length > 0, 'at least one credit-risk class');

export const createPlanSchema = z
  .object({
    countyCode: z.string().min(1),
    name: z.string().min(1).max(200),
    matterCodes: z.array(z.string().min(1)).min(1).max(20).describe('items of the matter catalog with category inspection'),
    ratios: ratiosSchema.describe('draw ratio (0–1) per credit-risk class, e.g. {"A": 0.05, "B": 0.2, "C": 0.6, "D": 1}'),
    units: z.array(z.string().min(1)).max(100).default([]).describe('township or department codes the inspectors come from; empty: any unit of the county'),
    industry: z.string().min(1).max(100).optional().describe('only objects of this industry'),
    townshipCodes: z.array(z.string().min(1)).max(100).default([]).describe('only objects of these townships; empty: the whole county'),
    period: z.object({ from: isoDate, to: isoDate }).refine((p) => p.from <= p.to, { message: 'from must not be after to', path: ['to'] }),
    inspectionAt: instant.describe('when the inspectors go on site; the 20-working-day publication deadline counts from it'),
    seedSource: z.string().min(1).max(300).describe('the public values the seed will be taken from, declared before they are known (e.g. 福彩3D draw of 2026-11-30)'),
    policy: inspectionPolicySchema.default({ recuseOwnTownship: true, inspectorsPerObject: 2, window: 50, continueAfter: 500, weightComplaints: false }),
  })
  .strict();
export type CreatePlanBody = z.infer<typeof createPlanSchema>;

export const seedSourceSchema = z
  .object({
    source: z.string().min(1).max(300).describe('what the values are, e.g. 中国福利彩票3D 第2026318期'),
    publishedOn: isoDate.describe('the date the values were published'),
    values: z.array(z.string().regex(/^[0-9A-Za-z-]{1,40}$/, 'letters, digits or -')).min(1).max(20).describe('the published values, in published order'),
  })
  .strict();
export type SeedSource = z.infer<typeof seedSourceSchema>;

export const drawRequestSchema = z
  .object({
    seed: seedSourceSchema,
    reason: z.string().min(1).max(1000).optional().describe('required for a redraw; stays visible'),
  })
  .strict();

export const INSPECTION_OUTCOMES = ['compliant', 'issues_corrected', 'case_filed', 'not_found'] as const;
export type InspectionOutcome = (typeof INSPECTION_OUTCOMES)[number];

export const inspectionResultSchema = z
  .object({
    objectId: z.string().min(1),
    outcome: z.enum(INSPECTION_OUTCOMES),
    foundIssues: z.array(z.string().min(1).max(1000)).max(50).default([]),
    inspectedAt: instant.optional(),
  })
  .strict();
export type InspectionResultBody = z.infer<typeof inspectionResultSchema>;

import { z } from 'zod';
import { lazy } from './lazy';
import { APPEAL_KINDS, PRESERVED_EVIDENCE_DECISIONS, type StatutoryActionName } from './statutory';

/**
 * The statutory steps' body schemas (domain/statutory.ts). Apart from statutory.ts so that workflow code,
 * which imports its rules, does not evaluate zod for every new case (domain/lazy.ts).
 */

const isoInstant = lazy(() => z.iso.datetime({ offset: true }));
/** Builders of the statutory steps' body schemas (built lazily by domain/action-schemas.ts), one per step. */
export const statutoryActionBodySchemaBuilders = {
  'preserve-evidence': () => z
    .object({
      items: z.array(z.string().trim().min(1).max(500)).min(1).max(100).describe('what was registered and preserved (先行登记保存)'),
      preservedAt: isoInstant().optional().describe('when the preservation was made; default now; not in the future'),
      approvedBy: z.string().trim().min(1).max(200).optional().describe('the agency head who approved it (行政处罚法 Art 56)'),
    })
    .strict(),
  'decide-preserved-evidence': () => z
    .object({
      decision: z.enum(PRESERVED_EVIDENCE_DECISIONS).describe('解除 / 作为证据留存 / 没收 / 查封扣押 / 检验鉴定'),
      notes: z.string().trim().max(2000).optional(),
    })
    .strict(),
  'hearing-notice': () => z
    .object({
      hearingAt: isoInstant().describe('when the hearing will be held'),
      noticeServedAt: isoInstant().optional().describe('when the notice reached the party; default now; not in the future'),
      place: z.string().trim().min(1).max(500).optional(),
    })
    .strict(),
  'appeal-filed': () => z
    .object({
      kind: z.enum(APPEAL_KINDS).describe('the party applied for administrative reconsideration (行政复议) or sued (行政诉讼)'),
      filedAt: isoInstant().optional().describe('when the request or lawsuit was filed; default now; not in the future'),
      body: z.string().trim().min(1).max(200).optional().describe('the reconsideration body or the court'),
    })
    .strict(),
  'appeal-decided': () => z
    .object({
      upheld: z.boolean().describe('true: the penalty stands (维持, 驳回诉讼请求); false: revoked (撤销), the penalty falls'),
      decidedAt: isoInstant().optional().describe('when it was decided; default now; not in the future'),
      reason: z.string().trim().min(1).max(2000).optional(),
    })
    .strict()
    .superRefine((b, ctx) => {
      if (!b.upheld && !b.reason) ctx.addIssue({ code: 'custom', path: ['reason'], message: 'a revoked penalty must say why' });
    }),
} satisfies Record<StatutoryActionName, () => z.ZodType>;


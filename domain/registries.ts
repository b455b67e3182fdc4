import { z } from 'zod';
import { creditCodeProblem, idNumberProblem } from './identifiers';

/**
 * The four maintained registries (registries.md): the shapes admins create, update and import, and the
 * rule of when an officer is certified. Pure: the store (api/read-model/registries.ts) and the
 * activities use these.
 */

export const REGISTRY_NAMES = ['officers', 'enforcement-objects', 'matters', 'responsibility-lists'] as const;
export type RegistryName = (typeof REGISTRY_NAMES)[number];

const isoDate = z.iso.date();
const code = z.string().trim().min(1).max(64);
const text = (max: number) => z.string().trim().min(1).max(max);

/* ---------- 执法人员名录库 ---------- */

export const officerInputSchema = z
  .object({
    id: code.regex(/^[A-Za-z0-9._-]+$/, 'letters, digits, dot, dash, underscore').optional().describe('kept when given (an import round trip); made up when absent'),
    name: text(100),
    townshipCode: code.optional().describe('the township brigade (综合执法大队) the officer belongs to'),
    departmentCode: code.optional().describe('or the county department'),
    certificateNo: text(64).optional().describe('执法证号'),
    validFrom: isoDate.optional(),
    validUntil: isoDate.optional(),
    domains: z.array(code).max(20).default([]).describe('matter domains the officer may enforce (urban_management, ecology, …)'),
    suspendedFrom: isoDate.optional().describe('暂扣: no acts from this day …'),
    suspendedUntil: isoDate.optional().describe('… through this day'),
    active: z.boolean().default(true),
  })
  .strict()
  .superRefine((o, ctx) => {
    if ((o.townshipCode === undefined) === (o.departmentCode === undefined)) {
      ctx.addIssue({ code: 'custom', path: ['townshipCode'], message: 'exactly one unit: townshipCode (brigade) or departmentCode (county department)' });
    }
    if (o.certificateNo && (!o.validFrom || !o.validUntil)) {
      ctx.addIssue({ code: 'custom', path: [o.validFrom ? 'validUntil' : 'validFrom'], message: 'a certificate has a validity: validFrom and validUntil' });
    }
    if (o.validFrom && o.validUntil && o.validUntil < o.validFrom) {
      ctx.addIssue({ code: 'custom', path: ['validUntil'], message: 'before validFrom' });
    }
    if ((o.suspendedFrom === undefined) !== (o.suspendedUntil === undefined)) {
      ctx.addIssue({ code: 'custom', path: ['suspendedUntil'], message: 'a suspension has both suspendedFrom and suspendedUntil' });
    } else if (o.suspendedFrom && o.suspendedUntil && o.suspendedUntil < o.suspendedFrom) {
      ctx.addIssue({ code: 'custom', path: ['suspendedUntil'], message: 'before suspendedFrom' });
    }
  });
export type OfficerInput = z.infer<typeof officerInputSchema>;

export interface OfficerCertificate {
  certificateNo?: string | null;
  validFrom?: string | null;
  validUntil?: string | null;
  suspendedFrom?: string | null;
  suspendedUntil?: string | null;
  active: boolean;
  retiredAt?: string | null;
}

/** Why an officer may not act on a day: the first of these that holds. */
export type CertificateProblem =
  | { kind: 'retired'; on: string }
  | { kind: 'inactive' }
  | { kind: 'no-certificate' }
  | { kind: 'not-yet-valid'; from: string }
  | { kind: 'expired'; on: string }
  | { kind: 'suspended'; from: string; until: string };

/**
 * Why an officer may not act on `day` (YYYY-MM-DD, Asia/Shanghai), or undefined when certified:
 * certificate on record, valid_from ≤ day ≤ valid_until, active, not retired, not suspended that day.
 */
export function certificateProblem(o: OfficerCertificate, day: string): CertificateProblem | undefined {
  if (o.retiredAt) return { kind: 'retired', on: o.retiredAt.slice(0, 10) };
  if (!o.active) return { kind: 'inactive' };
  if (!o.certificateNo && !o.validFrom && !o.validUntil) return { kind: 'no-certificate' };
  // YYYY-MM-DD strings compare in date order.
  if (o.validFrom && day < o.validFrom) return { kind: 'not-yet-valid', from: o.validFrom };
  if (o.validUntil && day > o.validUntil) return { kind: 'expired', on: o.validUntil };
  if (o.suspendedFrom && o.suspendedUntil && o.suspendedFrom <= day && day <= o.suspendedUntil) {
    return { kind: 'suspended', from: o.suspendedFrom, until: o.suspendedUntil };
  }
  return undefined;
}

/** certificateProblem in the API's words (the 422 of an assignment names it). */
export function certificateRefusal(o: OfficerCertificate, day: string): string | undefined {
  const p = certificateProblem(o, day);
  if (!p) return undefined;
  switch (p.kind) {
    case 'retired':
      return `officer retired on ${p.on}`;
    case 'inactive':
      return 'officer is not active';
    case 'no-certificate':
      return 'no enforcement certificate on record';
    case 'not-yet-valid':
      return `certificate not valid before ${p.from}`;
    case 'expired':
      return `certificate expired on ${p.on}`;
    case 'suspended':
      return `certificate suspended from ${p.from} until ${p.until}`;
  }
}

/* ---------- 执法对象名录库 ---------- */

export const CREDIT_CLASSES = ['A', 'B', 'C', 'D'] as const;

export const creditCodeSchema = z
  .string()
  .trim()
  .toUpperCase()
  .superRefine((c, ctx) => {
    const problem = creditCodeProblem(c);
    if (problem) ctx.addIssue({ code: 'custom', message: problem });
  });
export const idNumberSchema = z
  .string()
  .trim()
  .toUpperCase()
  .superRefine((c, ctx) => {
    const problem = idNumberProblem(c);
    if (problem) ctx.addIssue({ code: 'custom', message: problem });
  });

export const enforcementObjectInputSchema = z
  .object({
    id: code.regex(/^[A-Za-z0-9._-]+$/, 'letters, digits, dot, dash, underscore').optional(),
    kind: z.enum(['person', 'organization']),
    name: text(200),
    creditCode: creditCodeSchema.optional().describe('统一社会信用代码 (GB 32100-2015, check character verified); organizations'),
    idNumber: idNumberSchema.optional().describe('公民身份号码 (GB 11643, check digit verified); persons; masked on every read'),
    address: text(500),
    townshipCode: code,
    gridCode: code.optional(),
    industry: text(100).optional(),
    creditClass: z.enum(CREDIT_CLASSES).default('B').describe('信用风险分类 A (low risk) … D (high risk)'),
  })
  .strict()
  // Identifiers are checked when given, not required: a party captured without one (a street vendor) is
  // still an object of the roster, and its exported row must import again.
  .superRefine((o, ctx) => {
    if (o.kind === 'person' && o.creditCode) ctx.addIssue({ code: 'custom', path: ['creditCode'], message: 'a person has an ID number, not a credit code' });
  });
export type EnforcementObjectInput = z.infer<typeof enforcementObjectInputSchema>;

/* ---------- 执法事项目录清单 ---------- */

export const discretionBandSchema = z
  .object({
    label: text(100).describe('e.g. 轻微 / 一般 / 严重'),
    minFine: z.number().nonnegative(),
    maxFine: z.number().nonnegative(),
    circumstances: z.string().trim().max(1000).optional(),
  })
  .strict()
  .refine((b) => b.maxFine >= b.minFine, { path: ['maxFine'], message: 'below minFine' });

export const matterInputSchema = z
  .object({
    code: code.regex(/^[A-Za-z0-9._-]+$/, 'letters, digits, dot, dash, underscore'),
    name: text(300),
    category: z.enum(['penalty', 'inspection', 'compulsory', 'other']),
    level: z.enum(['township', 'county']),
    domain: code.describe('the enforcement domain; a county-level matter goes to that domain’s department'),
    legalBasis: text(2000),
    primaryResponsibility: text(500),
    cooperatingResponsibility: text(500).optional(),
    discretionBands: z.array(discretionBandSchema).max(20).default([]).describe('裁量基准: fine ranges where known'),
  })
  .strict();
export type MatterInput = z.infer<typeof matterInputSchema>;

/* ---------- 属地管理事项责任清单 ---------- */

/** Defined with the case (the workflow uses them and must not evaluate this module's schemas). */
export { TOWNSHIP_UNIT, type ResponsibilityRouting } from './case';

export const responsibilityItemInputSchema = z
  .object({
    id: code.regex(/^[A-Za-z0-9._-]+$/, 'letters, digits, dot, dash, underscore').optional(),
    itemName: text(300),
    matterCode: code.optional().describe('the catalog matter this item covers; routing at assignment follows it'),
    primaryUnit: code.describe('主体责任: a department code of the county, or "township"'),
    cooperatingUnits: z.array(code).max(20).default([]).describe('配合责任: department codes or "township"'),
    demo: z.boolean().default(false).describe('DEMO data, not an authority’s list'),
  })
  .strict();
export type ResponsibilityItemInput = z.infer<typeof responsibilityItemInputSchema>;


import { z } from 'zod';
import { CREDIT_CLASSES, type CreditClass } from '../../domain/credit-strata';
import type { InsufficientInspectors } from '../../domain/inspection-draw';
import { createPlanSchema, drawRequestSchema, inspectionPolicySchema, seedSourceSchema } from '../../domain/inspection-plan';
import type { CreatePlanInput, DrawRequestInput, DrawView, PlanView, Verification } from './api/client';
import type { FormValues } from './forms/schema-fields';

/**
 * The 双随机抽查 screen's pure parts: the plan form (the domain's schema, ratios in percent as officials
 * write them), the drawn objects as one list, and what a refusal or a verification says.
 */

const percent = z.number().min(0, '不能小于 0').max(100, '不能大于 100').optional();

/**
 * The plan form's schema: the API's body (createPlanSchema) with the draw ratio of each credit-risk
 * class in percent (5 for 5%) instead of a fraction, one field per class.
 */
export const planFormSchema = createPlanSchema.extend({
  ratios: z
    .object({ A: percent, B: percent, C: percent, D: percent }, { error: '至少填写一个信用风险等级的抽查比例' })
    .strict()
    .refine((r) => Object.values(r).some((v) => v !== undefined), '至少填写一个信用风险等级的抽查比例'),
});

/** The body of POST /v1/inspections/plans from the form's body: percentages become ratios (5 → 0.05). */
export function planBodyOf(formBody: Record<string, unknown>): CreatePlanInput {
  const form = planFormSchema.parse(formBody);
  const ratios: Partial<Record<CreditClass, number>> = {};
  for (const c of CREDIT_CLASSES) {
    const p = form.ratios[c];
    // rounded so that 7 % is 0.07, not 0.07000000000000001
    if (p !== undefined) ratios[c] = Math.round(p * 100) / 10_000;
  }
  return { ...form, ratios };
}

/** YYYY-MM-DD plus `days` calendar days. */
export function addDays(day: string, days: number): string {
  const [y, m, d] = day.split('-').map(Number) as [number, number, number];
  return new Date(Date.UTC(y, m - 1, d + days)).toISOString().slice(0, 10);
}

/**
 * A new plan's starting values: the ratios registries.md gives as its example (A 5%, B 20%, C 60%, D 100%),
 * a month from today, inspectors on site a week from today at 09:00 (Asia/Shanghai) so the seed's values
 * can be published before, and the policy's defaults.
 */
export function planFormDefaults(today: string): FormValues {
  const policy = inspectionPolicySchema.parse({});
  return {
    'ratios.A': 5,
    'ratios.B': 20,
    'ratios.C': 60,
    'ratios.D': 100,
    'period.from': addDays(today, 7),
    'period.to': addDays(today, 37),
    inspectionAt: `${addDays(today, 7)}T09:00:00.000+08:00`,
    ...Object.fromEntries(Object.entries(policy).map(([k, v]) => [`policy.${k}`, v])),
  };
}

/** The published values as typed: "3 8 1", "3,8,1", "3、8、1" or "3.8.1" (a value never holds a dot: letters, digits or -). */
export function seedValuesOf(text: string): string[] {
  return text.split(/[\s,，、.。;；]+/).filter(Boolean);
}

/**
 * The draw form's schema: the API's body (drawRequestSchema) with the published values typed in one line
 * as they are published, checked value by value with the API's own rule.
 */
export const drawFormSchema = drawRequestSchema.extend({
  seed: seedSourceSchema.extend({
    values: z
      .string()
      .min(1)
      .max(500)
      .refine((text) => seedSourceSchema.shape.values.safeParse(seedValuesOf(text)).success, '1–20 个数值，每个只含字母、数字或 -，以空格分隔'),
  }),
});

/** The body of POST …/draws from the draw form's body. */
export function drawBodyOf(formBody: Record<string, unknown>): DrawRequestInput {
  const form = drawFormSchema.parse(formBody);
  return { ...form, seed: { ...form.seed, values: seedValuesOf(form.seed.values) } };
}

type RegistryObject = DrawView['objects'][number];

/**
 * One drawn object: its class, its rank within the class (1 = smallest digest), its inspectors (best rank
 * first), and the object as the registry holds it (absent when it is no longer there).
 */
export interface DrawnObject {
  creditClass: CreditClass;
  rank: number;
  objectId: string;
  officerIds: string[];
  object?: RegistryObject;
}

/** The drawn objects of a draw, stratum by stratum in rank order, each with its inspectors (none for a refused draw). */
export function drawnObjects(draw: Pick<DrawView, 'strata' | 'assignments' | 'objects'>): DrawnObject[] {
  const inspectors = new Map(draw.assignments.map((a) => [a.objectId, a.officerIds]));
  const registry = new Map(draw.objects.map((o) => [o.id, o]));
  return draw.strata.flatMap((s) =>
    s.objectIds.map((objectId, i) => {
      const object = registry.get(objectId);
      return { creditClass: s.creditClass, rank: i + 1, objectId, officerIds: inspectors.get(objectId) ?? [], ...(object ? { object } : {}) };
    }),
  );
}

/** An object by its registry name, with its ID (inspectors look it up by either); the ID alone when the registry no longer has it. */
export function objectLabel(objectId: string, object: RegistryObject | undefined): string {
  if (!object) return objectId;
  return `${object.name}（${objectId}${object.retired ? '，已停用' : ''}）`;
}

/** The draw in force: the latest accepted attempt (the one the campaign carries out at inspectionAt). */
export function drawInForce(plan: Pick<PlanView, 'draws'>): PlanView['draws'][number] | undefined {
  return [...plan.draws].reverse().find((d) => d.status === 'accepted');
}

/** Why a draw was refused, naming the object (by name when the registry has it) and how many inspectors are missing. */
export function refusalText(r: Pick<InsufficientInspectors, 'objectId' | 'eligible' | 'needed'>, object?: RegistryObject): string {
  return (
    `对象 ${objectLabel(r.objectId, object)} 只有 ${r.eligible} 名符合条件的检查人员，需要 ${r.needed} 名（缺 ${r.needed - r.eligible} 名）。` +
    '符合条件：在岗、检查日证件有效、执法领域包含检查事项、属于检查人员来源单位、无回避。' +
    '请在登记簿补充或更正执法人员，或调整来源单位后重抽（须填写重抽理由）。'
  );
}

/** What 校验 found, in one sentence. */
export function verificationText(v: Verification): string {
  if (v.agrees) return '一致：按记录的冻结名单、种子和当日人员名册重新计算，结果与记录完全相同。';
  return `不一致（${v.differences.length} 处）：${v.differences.join('；')}`;
}

/** A plan the person planned or opened in this browser session (there is no list of plans in the API). */
/** A plan ID as typed or pasted (spaces around it, a whole URL with ?plan=…). */
export function planIdOf(text: string): string {
  const trimmed = text.trim();
  const fromUrl = /[?&]plan=([^&#\s]+)/.exec(trimmed)?.[1];
  return fromUrl ? decodeURIComponent(fromUrl) : trimmed;
}

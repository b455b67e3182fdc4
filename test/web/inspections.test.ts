import { describe, expect, it } from 'vitest';
import type { DrawView, Verification } from '../../api/read-model/inspections';
import { createPlanSchema } from '../../domain/inspection-plan';
import { checkBody, fieldsOf, relabel } from '../../web/src/forms/schema-fields';
import {
  addDays,
  drawBodyOf,
  drawFormSchema,
  drawInForce,
  drawnObjects,
  objectLabel,
  planBodyOf,
  planFormDefaults,
  planFormSchema,
  planIdOf,
  refusalText,
  seedValuesOf,
  verificationText,
} from '../../web/src/inspections';
import { PLAN_FIELD_LABELS } from '../../web/src/labels';

/** The 双随机抽查 screen's pure parts (web/src/inspections.ts): the plan form and body, the drawn objects, what refusals and 校验 say. */

const filled = {
  ...planFormDefaults('2026-11-24'),
  countyCode: '350722',
  name: '2026年12月食品小作坊双随机抽查',
  matterCodes: ['MS-I-001'],
  seedSource: '中国福利彩票3D 2026-11-30 开奖号码',
};

describe('the plan form', () => {
  it('is the API body with one percent field per credit-risk class, every field labelled', () => {
    const fields = relabel(fieldsOf(planFormSchema, filled), { fields: PLAN_FIELD_LABELS });
    const keys = fields.map((f) => f.key);
    expect(keys).toEqual(expect.arrayContaining(['ratios.A', 'ratios.B', 'ratios.C', 'ratios.D', 'period.from', 'inspectionAt', 'seedSource', 'policy.inspectorsPerObject']));
    expect(fields.filter((f) => f.label === f.key)).toEqual([]);
    expect(fields.find((f) => f.key === 'ratios.A')).toMatchObject({ kind: 'number', max: 100 });
    expect(fields.find((f) => f.key === 'matterCodes')).toMatchObject({ kind: 'list', required: true });
  });

  it('starts a week out with the example ratios and the policy defaults', () => {
    expect(planFormDefaults('2026-11-24')).toMatchObject({
      'ratios.A': 5,
      'ratios.D': 100,
      'period.from': '2026-12-01',
      'period.to': '2026-12-31',
      inspectionAt: '2026-12-01T09:00:00.000+08:00',
      'policy.inspectorsPerObject': 2,
      'policy.recuseOwnTownship': true,
    });
    expect(addDays('2026-12-31', 1)).toBe('2027-01-01');
    expect(addDays('2028-02-28', 1)).toBe('2028-02-29');
  });

  it('sends ratios as fractions the API accepts, leaving out a class left empty', () => {
    const checked = checkBody(planFormSchema, fieldsOf(planFormSchema, filled), { ...filled, 'ratios.B': 7, 'ratios.C': undefined });
    expect(checked.ok).toBe(true);
    const body = planBodyOf(checked.body);
    expect(body.ratios).toEqual({ A: 0.05, B: 0.07, D: 1 });
    expect(body.period).toEqual({ from: '2026-12-01', to: '2026-12-31' });
    expect(createPlanSchema.safeParse(body).success).toBe(true);
  });

  it('refuses a percentage above 100 and a plan without any ratio, on the form', () => {
    const fields = fieldsOf(planFormSchema, filled);
    expect(checkBody(planFormSchema, fields, { ...filled, 'ratios.A': 150 }).byField['ratios.A']).toBe('不能大于 100');
    const none = checkBody(planFormSchema, fields, { ...filled, 'ratios.A': undefined, 'ratios.B': undefined, 'ratios.C': undefined, 'ratios.D': undefined });
    expect(none.ok).toBe(false);
    expect(none.unplaced).toEqual(['至少填写一个信用风险等级的抽查比例']);
  });
});

const draw = (over: Partial<DrawView> = {}): DrawView => ({
  id: 'IP-1-D1',
  attempt: 1,
  status: 'accepted',
  seed: '2026-11-30/3.8.1',
  seedSource: { source: '中国福利彩票3D 第2026318期', publishedOn: '2026-11-30', values: ['3', '8', '1'] },
  poolHash: 'ab'.repeat(32),
  redrawReason: null,
  drawnBy: 'pc-supervisor',
  drawnAt: '2026-11-30T21:00:00+08:00',
  planId: 'IP-1',
  inspectionDate: '2026-12-01',
  strata: [
    { creditClass: 'A', ratio: 0.05, size: 10, drawn: 1, objectIds: ['EO-0007'] },
    { creditClass: 'D', ratio: 1, size: 2, drawn: 2, objectIds: ['EO-0003', 'EO-0001'] },
  ],
  assignments: [
    { objectId: 'EO-0003', officerIds: ['OF-1', 'OF-2'] },
    { objectId: 'EO-0007', officerIds: ['OF-3', 'OF-1'] },
    { objectId: 'EO-0001', officerIds: ['OF-2', 'OF-4'] },
  ],
  objects: [
    { id: 'EO-0001', kind: 'organization', name: '浦城县第1号小餐饮店', creditCode: '913507220000000001', address: '浦城县某路1号', townshipCode: '350722100', retired: false },
    { id: 'EO-0003', kind: 'person', name: '张3号摊主', creditCode: null, address: '浦城县某路3号', townshipCode: '350722100', retired: true },
  ],
  ...over,
});

describe('a draw on the screen', () => {
  it('lists the drawn objects stratum by stratum in rank order, each with its inspectors and its registry entry', () => {
    const d = draw();
    expect(drawnObjects(d)).toEqual([
      { creditClass: 'A', rank: 1, objectId: 'EO-0007', officerIds: ['OF-3', 'OF-1'] },
      { creditClass: 'D', rank: 1, objectId: 'EO-0003', officerIds: ['OF-1', 'OF-2'], object: d.objects[1] },
      { creditClass: 'D', rank: 2, objectId: 'EO-0001', officerIds: ['OF-2', 'OF-4'], object: d.objects[0] },
    ]);
    // named by the registry, the ID beside it; an object the registry no longer has by its ID alone
    expect(drawnObjects(d).map((o) => objectLabel(o.objectId, o.object))).toEqual(['EO-0007', '张3号摊主（EO-0003，已停用）', '浦城县第1号小餐饮店（EO-0001）']);
    // a refused draw has objects but no inspectors
    expect(drawnObjects(draw({ status: 'refused', assignments: [] })).every((o) => o.officerIds.length === 0)).toBe(true);
  });

  it('the draw in force is the latest accepted attempt, not a later refused one', () => {
    const d = (attempt: number, status: DrawView['status']) => ({ ...draw({ id: `IP-1-D${attempt}`, attempt, status }) });
    expect(drawInForce({ draws: [d(1, 'superseded'), d(2, 'accepted'), d(3, 'refused')] })?.id).toBe('IP-1-D2');
    expect(drawInForce({ draws: [d(1, 'refused')] })).toBeUndefined();
  });

  it('a refusal names the object and how many inspectors are missing', () => {
    expect(refusalText({ objectId: 'EO-0001', eligible: 0, needed: 2 }, draw().objects[0])).toContain('对象 浦城县第1号小餐饮店（EO-0001） 只有 0 名');
    const text = refusalText({ objectId: 'EO-0042', eligible: 1, needed: 2 });
    expect(text).toContain('EO-0042');
    expect(text).toContain('只有 1 名');
    expect(text).toContain('需要 2 名');
    expect(text).toContain('缺 1 名');
  });

  it('校验 says whether the recomputation agrees, and lists each difference when not', () => {
    const v: Verification = { drawId: 'IP-1-D1', agrees: true, poolHash: { recorded: 'a', recomputed: 'a' }, differences: [] };
    expect(verificationText(v)).toMatch(/^一致/);
    expect(verificationText({ ...v, agrees: false, differences: ['stratum A differs', 'pool hash differs'] })).toBe('不一致（2 处）：stratum A differs；pool hash differs');
  });
});

describe('the draw form', () => {
  it('takes the published values in one line as published, and sends them as the list the API takes', () => {
    expect(seedValuesOf(' 3 8 1 ')).toEqual(['3', '8', '1']);
    expect(seedValuesOf('3,8，1、0')).toEqual(['3', '8', '1', '0']);
    expect(seedValuesOf('3.8.1')).toEqual(['3', '8', '1']);
    const values = { 'seed.source': '中国福利彩票3D 第2026318期', 'seed.publishedOn': '2026-11-30', 'seed.values': '3 8 1' };
    const checked = checkBody(drawFormSchema, fieldsOf(drawFormSchema, values), values);
    expect(checked.ok).toBe(true);
    expect(drawBodyOf(checked.body)).toEqual({ seed: { source: '中国福利彩票3D 第2026318期', publishedOn: '2026-11-30', values: ['3', '8', '1'] } });
  });

  it('refuses a value the API would refuse, on the field', () => {
    const values = { 'seed.source': '福彩3D', 'seed.publishedOn': '2026-11-30', 'seed.values': '3 8 1/2' };
    expect(checkBody(drawFormSchema, fieldsOf(drawFormSchema, values), values).byField['seed.values']).toContain('字母、数字或 -');
  });
});

describe('opening a plan', () => {
  it('opens a plan by an ID typed, or pasted with spaces or as a link', () => {
    expect(planIdOf('  IP-0123456789ab ')).toBe('IP-0123456789ab');
    expect(planIdOf('http://127.0.0.1:3000/inspections?plan=IP-0123456789ab&x=1')).toBe('IP-0123456789ab');
  });
});

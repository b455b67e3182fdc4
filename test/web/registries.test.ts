import { describe, expect, it } from 'vitest';
import type { RegistryRows } from '../../api/read-model/registry-definitions';
import { matterInputSchema } from '../../domain/registries';
import { fieldsOf, relabel } from '../../web/src/forms/schema-fields';
import { REGISTRY_FIELD_LABELS, REGISTRY_OPTION_LABELS } from '../../web/src/labels';
import { shanghaiDay } from '../../web/src/format';
import { changedFields, formValuesOf, importErrorText, importFileType, officerStanding, searchRows, updateBody, type CodeNames } from '../../web/src/registries';

/** The 登记簿 screen's pure parts (web/src/registries.ts): what the table says, what an edit sends, what a change shows. */

const names: CodeNames = { unit: (c) => ({ '350722101': '莲塘镇', '350722102': '石陂镇' })[c ?? ''] ?? c ?? '—', matter: (c) => c ?? '—' };
const officer = (over: Partial<RegistryRows['officers']> = {}): RegistryRows['officers'] => ({
  id: 'OF-350722101-01',
  name: '王建华',
  townshipCode: '350722101',
  countyCode: '350722',
  certificateNo: '闽执350722101001',
  validFrom: '2024-01-01',
  validUntil: '2029-12-31',
  domains: ['urban_management'],
  active: true,
  version: 3,
  ...over,
});
const matter: RegistryRows['matters'] = {
  code: 'UM-P-001',
  name: '对占道经营的处罚',
  category: 'penalty',
  level: 'township',
  domain: 'urban_management',
  legalBasis: '《城市市容和环境卫生管理条例》',
  primaryResponsibility: '乡镇综合执法队',
  discretionBands: [{ label: '轻微', minFine: 0, maxFine: 200 }],
  version: 1,
};

describe('登记簿 screen', () => {
  it('an edit sends only what the body takes, and keeps the fields the form does not show (a matter’s discretion bands)', () => {
    expect(formValuesOf('officers', officer({ retiredAt: undefined }))).not.toHaveProperty('countyCode');
    expect(formValuesOf('officers', officer())).not.toHaveProperty('version');
    const shown = fieldsOf(matterInputSchema, formValuesOf('matters', matter)).map((f) => f.key);
    expect(shown).not.toContain('discretionBands');
    const body = updateBody('matters', matter, { code: matter.code, name: '新名称', category: 'penalty', level: 'county', domain: 'ecology', legalBasis: 'x', primaryResponsibility: 'y' });
    expect(body).toMatchObject({ name: '新名称', level: 'county', discretionBands: matter.discretionBands });
    expect(matterInputSchema.safeParse(body).success).toBe(true);
    // a field the form shows and the person cleared stays cleared
    expect(updateBody('officers', officer(), { id: 'OF-350722101-01', name: '王建华', townshipCode: '350722101', domains: [], active: true })).not.toHaveProperty('certificateNo');
  });

  it('searches the table’s words and the key, every word must match', () => {
    const rows = [officer(), officer({ id: 'OF-350722102-01', name: '李志强', townshipCode: '350722102' })];
    expect(searchRows('officers', rows, '石陂', names).map((r) => r.id)).toEqual(['OF-350722102-01']);
    expect(searchRows('officers', rows, 'of-350722101 王', names).map((r) => r.id)).toEqual(['OF-350722101-01']);
    expect(searchRows('officers', rows, '  ', names)).toHaveLength(2);
    expect(searchRows('officers', rows, '莲塘 李', names)).toEqual([]);
  });

  it('tells whether an officer may act today, by the domain rule', () => {
    expect(officerStanding(officer(), '2026-03-01')).toEqual({ canAct: true, text: '可执法' });
    // why not, in Chinese with the API's term (the API's own words are English: 'certificate expired on 2025-06-30')
    expect(officerStanding(officer({ validUntil: '2025-06-30' }), '2026-03-01')).toEqual({ canAct: false, text: '不可执法', reason: '执法证已于 2025-06-30 过期 (expired)' });
    expect(officerStanding(officer({ active: false }), '2026-03-01').reason).toBe('不在岗 (not active)');
    expect(officerStanding(officer({ suspendedFrom: '2026-02-20', suspendedUntil: '2026-03-20' }), '2026-03-01').reason).toBe('执法证暂扣 2026-02-20 至 2026-03-20 (suspended)');
    expect(officerStanding(officer({ validFrom: '2026-04-01' }), '2026-03-01').reason).toBe('执法证 2026-04-01 起有效 (not yet valid)');
    expect(officerStanding(officer({ certificateNo: undefined, validFrom: undefined, validUntil: undefined }), '2026-03-01').reason).toBe('无执法证记录 (no certificate)');
    expect(officerStanding(officer({ retiredAt: '2026-01-02T00:00:00Z', active: false }), '2026-03-01')).toEqual({ canAct: false, text: '已停用' });
    expect(shanghaiDay(new Date('2026-03-01T17:00:00Z'))).toBe('2026-03-02');
  });

  it('an import report in Chinese: the column by its label, a rule worded by zod in zod’s Chinese, our own words as written', () => {
    expect(importErrorText('officers', { line: 3, column: 'validUntil', message: 'Invalid ISO date', issue: { code: 'invalid_format', origin: 'string', format: 'date' } })).toEqual({
      column: '证件有效期至 (YYYY-MM-DD) validUntil',
      message: '无效ISO日期 (Invalid ISO date)',
    });
    // a custom rule's message is ours: as the API wrote it
    expect(importErrorText('officers', { line: 5, column: 'validUntil', message: 'before validFrom', issue: { code: 'custom' } }).message).toBe('before validFrom');
    // zod's wording but not the one it would give now (say, made from the cell's value, which the report leaves out): as written
    expect(importErrorText('officers', { line: 4, column: 'name', message: 'Invalid input: expected string, received number', issue: { code: 'invalid_type', expected: 'string' } }).message).toBe(
      'Invalid input: expected string, received number',
    );
    expect(importErrorText('officers', { line: 3, column: 'townshipCode', message: 'unknown township 999999999' })).toEqual({ column: '所属执法队（乡镇） townshipCode', message: 'unknown township 999999999' });
    expect(importErrorText('officers', { line: 2, column: '(row)', message: 'x' }).column).toBe('(row)');
  });

  it('a change shows each field that differs, before and after, without the version', () => {
    expect(changedFields(officer(), officer({ name: '王建国', domains: ['urban_management', 'ecology'], version: 4 }))).toEqual([
      { field: 'name', before: '王建华', after: '王建国' },
      { field: 'domains', before: 'urban_management', after: 'urban_management、ecology' },
    ]);
    const created = changedFields(null, { id: 'X', active: true, version: 1 });
    expect(created).toEqual([
      { field: 'id', before: '—', after: 'X' },
      { field: 'active', before: '—', after: '是' },
    ]);
  });

  it('takes .csv and .xlsx files only', () => {
    expect(importFileType('花名册.CSV')).toBe('csv');
    expect(importFileType('roster.xlsx')).toBe('xlsx');
    expect(importFileType('roster.xls')).toBeUndefined();
  });

  it('labels a registry form in its own words (an object’s kind, a matter’s level)', () => {
    const fields = relabel(fieldsOf(matterInputSchema), { fields: REGISTRY_FIELD_LABELS.matters, options: REGISTRY_OPTION_LABELS });
    const level = fields.find((f) => f.key === 'level')!;
    expect(level.label).toBe('办理层级');
    expect(level.options).toEqual([
      { value: 'township', label: '乡镇执法队办理' },
      { value: 'county', label: '县级部门办理' },
    ]);
    expect(fields.find((f) => f.key === 'category')?.options?.map((o) => o.label)).toEqual(['行政处罚', '行政检查', '行政强制', '其他']);
  });
});

describe('a masked ID number in an edit', () => {
  const person = { id: 'EO-1', kind: 'person', name: '张某', idNumber: '110105********002X', address: '莲塘镇', townshipCode: '350722101', countyCode: '350722', version: 2 } as unknown as RegistryRows['enforcement-objects'];
  it('starts the field empty; left empty, the mask goes back (the API keeps the registered number); a new number replaces it', () => {
    expect(formValuesOf('enforcement-objects', person)).not.toHaveProperty('idNumber');
    const form = { id: 'EO-1', kind: 'person', name: '张某', address: '莲塘镇新街2号', townshipCode: '350722101' };
    expect(updateBody('enforcement-objects', person, form)).toMatchObject({ idNumber: '110105********002X', address: '莲塘镇新街2号' });
    expect(updateBody('enforcement-objects', person, { ...form, idNumber: '' })).toMatchObject({ idNumber: '110105********002X' });
    expect(updateBody('enforcement-objects', person, { ...form, idNumber: '11010519491231002X' })).toMatchObject({ idNumber: '11010519491231002X' });
  });
});

import { z } from 'zod';
import {
  certificateProblem,
  enforcementObjectInputSchema,
  matterInputSchema,
  officerInputSchema,
  responsibilityItemInputSchema,
  TOWNSHIP_UNIT,
  type CertificateProblem,
  type RegistryName,
} from '../../domain/registries';
import type { ImportReport, RegistryRows } from './api/client';
import { shanghaiDay } from './format';
import { fieldsOf, type FormValues } from './forms/schema-fields';
import { DOMAIN_LABELS, REGISTRY_FIELD_LABELS, REGISTRY_OPTION_LABELS } from './labels';

/**
 * What the 登记簿 screen shows of each registry: its key, the schema its form is made from, the columns
 * of its table. Pure, so the table's words and the edit's body can be tested without a browser.
 */

export type RegistryRow = RegistryRows[RegistryName];

/** Names of codes, from the reference data (stores/reference.ts). */
export interface CodeNames {
  unit: (code: string | undefined | null) => string;
  matter: (code: string | undefined | null) => string;
}

export interface RegistryColumn<Row> {
  label: string;
  width: number;
  text: (row: Row, names: CodeNames) => string;
  /** A tag's colour instead of plain text (a status). */
  tag?: (row: Row) => 'success' | 'warning' | 'danger' | 'info';
  /** Small text after the tag: why (in the API's words). */
  note?: (row: Row) => string;
}

export interface RegistryScreen<Row = RegistryRow> {
  /** The field that names a row (`id`, a matter's `code`). */
  keyField: 'id' | 'code';
  /** The body of create and PUT (domain/registries.ts): the form is made from it and checks with it. */
  schema: z.ZodType;
  columns: RegistryColumn<Row>[];
}

const dash = (v: string | undefined | null) => (v ? v : '—');
const list = (values: string[], name: (v: string) => string = (v) => v) => (values.length ? values.map(name).join('、') : '—');
const option = (field: string, value: string | undefined) => (value ? (REGISTRY_OPTION_LABELS[field]?.[value] ?? value) : '—');
const unitOrTownship = (code: string, names: CodeNames) => (code === TOWNSHIP_UNIT ? '乡镇（街道）' : names.unit(code));


/** Why an officer may not act, in Chinese with the API's term (domain/registries.ts certificateProblem). */
export function certificateProblemText(p: CertificateProblem): string {
  switch (p.kind) {
    case 'retired':
      return `${p.on} 已停用 (retired)`;
    case 'inactive':
      return '不在岗 (not active)';
    case 'no-certificate':
      return '无执法证记录 (no certificate)';
    case 'not-yet-valid':
      return `执法证 ${p.from} 起有效 (not yet valid)`;
    case 'expired':
      return `执法证已于 ${p.on} 过期 (expired)`;
    case 'suspended':
      return `执法证暂扣 ${p.from} 至 ${p.until} (suspended)`;
  }
}

/** 可执法 or not, and why not. */
export function officerStanding(o: RegistryRows['officers'], day = shanghaiDay()): { canAct: boolean; text: string; reason?: string } {
  if (o.retiredAt) return { canAct: false, text: '已停用' };
  const problem = certificateProblem(o, day);
  return problem ? { canAct: false, text: '不可执法', reason: certificateProblemText(problem) } : { canAct: true, text: '可执法' };
}

const retired = <Row extends { retiredAt?: string }>(): RegistryColumn<Row> => ({
  label: '状态',
  width: 90,
  text: (r) => (r.retiredAt ? '已停用' : '在用'),
  tag: (r) => (r.retiredAt ? 'info' : 'success'),
});

const officers: RegistryScreen<RegistryRows['officers']> = {
  keyField: 'id',
  schema: officerInputSchema,
  columns: [
    { label: '人员编号 id', width: 140, text: (r) => r.id },
    { label: '姓名', width: 110, text: (r) => r.name },
    { label: '所属单位', width: 100, text: (r, n) => n.unit(r.townshipCode ?? r.departmentCode) },
    { label: '执法证号', width: 150, text: (r) => dash(r.certificateNo) },
    { label: '证件有效期', width: 180, text: (r) => (r.validFrom || r.validUntil ? `${dash(r.validFrom)} 至 ${dash(r.validUntil)}` : '—') },
    { label: '执法领域', width: 130, text: (r) => list(r.domains, (d) => DOMAIN_LABELS[d] ?? d) },
    { label: '暂扣', width: 130, text: (r) => (r.suspendedFrom ? `${r.suspendedFrom} 至 ${dash(r.suspendedUntil)}` : '—') },
    {
      label: '执法资格',
      width: 200,
      text: (r) => officerStanding(r).text,
      tag: (r) => (officerStanding(r).canAct ? 'success' : r.retiredAt ? 'info' : 'warning'),
      note: (r) => officerStanding(r).reason ?? '',
    },
  ],
};

const enforcementObjects: RegistryScreen<RegistryRows['enforcement-objects']> = {
  keyField: 'id',
  schema: enforcementObjectInputSchema,
  columns: [
    { label: '对象编号 id', width: 110, text: (r) => r.id },
    { label: '类型', width: 70, text: (r) => option('kind', r.kind) },
    { label: '名称或姓名', width: 220, text: (r) => r.name },
    { label: '统一社会信用代码 / 身份证号', width: 200, text: (r) => dash(r.creditCode ?? r.idNumber) },
    { label: '地址', width: 220, text: (r) => r.address },
    { label: '乡镇（街道）', width: 110, text: (r, n) => n.unit(r.townshipCode) },
    { label: '网格', width: 110, text: (r, n) => (r.gridCode ? n.unit(r.gridCode) : '—') },
    { label: '行业', width: 100, text: (r) => dash(r.industry) },
    { label: '信用风险分类', width: 110, text: (r) => option('creditClass', r.creditClass) },
    retired(),
  ],
};

const matters: RegistryScreen<RegistryRows['matters']> = {
  keyField: 'code',
  schema: matterInputSchema,
  columns: [
    { label: '事项编码 code', width: 110, text: (r) => r.code },
    { label: '事项名称', width: 260, text: (r) => r.name },
    { label: '类别', width: 90, text: (r) => option('category', r.category) },
    { label: '办理层级', width: 120, text: (r) => option('level', r.level) },
    { label: '执法领域', width: 100, text: (r) => DOMAIN_LABELS[r.domain] ?? r.domain },
    { label: '法律依据', width: 260, text: (r) => r.legalBasis },
    { label: '裁量基准', width: 90, text: (r) => (r.discretionBands?.length ? `${r.discretionBands.length} 档` : '—') },
    retired(),
  ],
};

const responsibilityLists: RegistryScreen<RegistryRows['responsibility-lists']> = {
  keyField: 'id',
  schema: responsibilityItemInputSchema,
  columns: [
    { label: '条目编号 id', width: 150, text: (r) => r.id },
    { label: '责任事项', width: 260, text: (r) => r.itemName },
    { label: '对应执法事项', width: 200, text: (r, n) => (r.matterCode ? `${n.matter(r.matterCode)} ${r.matterCode}` : '—') },
    { label: '主体责任单位', width: 150, text: (r, n) => unitOrTownship(r.primaryUnit, n) },
    { label: '配合责任单位', width: 200, text: (r, n) => list(r.cooperatingUnits, (u) => unitOrTownship(u, n)) },
    { label: '演示数据', width: 90, text: (r) => (r.demo ? 'DEMO' : '—') },
    retired(),
  ],
};

const SCREENS: { [R in RegistryName]: RegistryScreen<RegistryRows[R]> } = {
  officers,
  'enforcement-objects': enforcementObjects,
  matters,
  'responsibility-lists': responsibilityLists,
};

/** One registry's screen, for components that handle any registry's rows alike. */
export const screenOf = (name: RegistryName): RegistryScreen => SCREENS[name] as unknown as RegistryScreen;

export const keyOf = (name: RegistryName, row: RegistryRow): string => String((row as Record<string, unknown>)[screenOf(name).keyField]);

/** Rows whose table text or key holds every word of the search (a list of 145 items is searched in the browser: the list API has no filter). */
export function searchRows<Row extends RegistryRow>(name: RegistryName, rows: Row[], search: string, names: CodeNames): Row[] {
  const words = search.trim().toLowerCase().split(/\s+/).filter(Boolean);
  if (!words.length) return rows;
  const screen = screenOf(name);
  return rows.filter((row) => {
    const text = [keyOf(name, row), ...screen.columns.map((c) => c.text(row, names))].join(' ').toLowerCase();
    return words.every((w) => text.includes(w));
  });
}

function shapeOf(schema: z.ZodType): string[] {
  return Object.keys((schema as unknown as { shape: Record<string, unknown> }).shape);
}

/** Reads mask ID numbers (110105********002X): such a value is not one the form can check. */
const maskedIdNumberOf = (row: RegistryRow): string | undefined => {
  const idNumber = (row as { idNumber?: unknown }).idNumber;
  return typeof idNumber === 'string' && idNumber.includes('*') ? idNumber : undefined;
};

/**
 * A row as the edit form's values: only what the body takes (not the county, version or retirement the
 * read adds), and no masked ID number (the field starts empty: left empty, the registered number stays).
 */
export function formValuesOf(name: RegistryName, row: RegistryRow): FormValues {
  const r = row as Record<string, unknown>;
  const masked = maskedIdNumberOf(row) !== undefined;
  return Object.fromEntries(
    shapeOf(screenOf(name).schema)
      .filter((k) => r[k] !== undefined && !(masked && k === 'idNumber'))
      .map((k) => [k, r[k]]),
  );
}

/**
 * The body of a PUT, which replaces the whole row: the form's fields, plus the row's values of the
 * fields the form does not show (a matter's discretion bands), which would otherwise be erased.
 */
export function updateBody(name: RegistryName, row: RegistryRow, formBody: Record<string, unknown>): Record<string, unknown> {
  const schema = screenOf(name).schema;
  const values = formValuesOf(name, row);
  const shown = new Set(fieldsOf(schema, values).map((f) => f.key.split('.')[0]));
  const unshown = Object.fromEntries(Object.entries(values).filter(([k]) => !shown.has(k)));
  // An ID number left empty keeps the registered one: its mask sent back tells the API so.
  const masked = maskedIdNumberOf(row);
  const keepIdNumber = masked !== undefined && (formBody.idNumber === undefined || formBody.idNumber === '') ? { idNumber: masked } : {};
  return { ...unshown, ...formBody, ...keepIdNumber };
}

/** A value of the audit trail or the table as officials read it. */
export function displayValue(v: unknown): string {
  if (v === undefined || v === null || v === '') return '—';
  if (typeof v === 'boolean') return v ? '是' : '否';
  if (Array.isArray(v) && v.every((x) => typeof x !== 'object')) return v.length ? v.join('、') : '—';
  if (typeof v === 'object') return JSON.stringify(v);
  return String(v);
}

/** What one change did: each field whose value differs, before and after (the version, which every change bumps, left out). */
export function changedFields(before: Record<string, unknown> | null, after: Record<string, unknown>): { field: string; before: string; after: string }[] {
  const keys = [...new Set([...Object.keys(before ?? {}), ...Object.keys(after)])].filter((k) => k !== 'version');
  return keys
    .filter((k) => JSON.stringify(before?.[k]) !== JSON.stringify(after[k]))
    .map((k) => ({ field: k, before: displayValue(before?.[k]), after: displayValue(after[k]) }));
}

/** The import file's type by its name, or undefined for anything but .csv and .xlsx. */
export function importFileType(fileName: string): 'csv' | 'xlsx' | undefined {
  const ext = fileName.toLowerCase().split('.').pop();
  return ext === 'csv' || ext === 'xlsx' ? ext : undefined;
}

const zodZh = z.locales.zhCN();
const zodEn = z.locales.en();
type ZodIssue = Parameters<typeof zodEn.localeError>[0];
const wording = (said: ReturnType<typeof zodEn.localeError>) => (typeof said === 'string' ? said : said?.message);

/**
 * A bad cell of an import report in Chinese: the column by its label (with its field name), and a rule the
 * API worded in zod's English in zod's own Chinese, the English after it. A message of our own rules
 * (a custom check, a jurisdiction, a duplicate key) is shown as the API wrote it.
 */
export function importErrorText(name: RegistryName, e: ImportReport['errors'][number]): { column: string; message: string } {
  const label = REGISTRY_FIELD_LABELS[name][e.column];
  const column = label ? `${label} ${e.column}` : e.column;
  if (!e.issue) return { column, message: e.message };
  const issue = e.issue as unknown as ZodIssue;
  if (wording(zodEn.localeError(issue)) !== e.message) return { column, message: e.message };
  const chinese = wording(zodZh.localeError(issue));
  return { column, message: chinese ? `${chinese} (${e.message})` : e.message };
}

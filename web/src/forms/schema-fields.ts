import type { z } from 'zod';
import { FIELD_LABELS, OPTION_LABELS } from '../labels';

/**
 * A small form builder: the zod schema of an action body (domain/actions.ts) → the fields of an
 * Element Plus form, and the form's values → the body the API expects. The same schema then checks
 * the body before it is sent, and the server's refusals land on the field they name.
 * Hand-written because the form libraries that read zod (vee-validate, formkit) bring their own
 * widgets and state; this maps onto Element Plus components as they are (style.md "Front end").
 */

export type FieldKind = 'text' | 'textarea' | 'number' | 'boolean' | 'enum' | 'datetime' | 'list';

export interface FieldSpec {
  /** Dot path in the body: `party.name`. */
  key: string;
  kind: FieldKind;
  label: string;
  required: boolean;
  /** enum: the allowed values with their labels. */
  options?: { value: string; label: string }[];
  min?: number;
  max?: number;
  /** The discriminator of a union: changing it changes the other fields. */
  discriminator?: boolean;
}

export type FormValues = Record<string, unknown>;

type AnySchema = z.ZodType;
interface Def {
  type: string;
  [k: string]: unknown;
}
const defOf = (s: AnySchema): Def => (s as unknown as { def: Def }).def;

/** Strips optional/default/nullable wrappers; tells whether the value may be left out. */
function unwrap(schema: AnySchema): { inner: AnySchema; optional: boolean } {
  let inner = schema;
  let optional = false;
  for (;;) {
    const def = defOf(inner);
    if (def.type === 'optional' || def.type === 'default' || def.type === 'nullable') {
      optional = true;
      inner = def.innerType as AnySchema;
    } else return { inner, optional };
  }
}

/** Longer limits than an address (500) are prose: a textarea. */
const LONG_TEXT = 500;

function label(key: string): string {
  return FIELD_LABELS[key] ?? key;
}

function optionsOf(key: string, values: readonly string[]) {
  const names = OPTION_LABELS[key] ?? OPTION_LABELS[key.split('.').pop() ?? ''] ?? {};
  return values.map((value) => ({ value, label: names[value] ?? value }));
}

function leaf(key: string, schema: AnySchema, required: boolean): FieldSpec | undefined {
  const def = defOf(schema);
  const base = { key, label: label(key), required };
  switch (def.type) {
    case 'string': {
      if (def.format === 'datetime') return { ...base, kind: 'datetime' };
      const s = schema as unknown as { minLength: number | null; maxLength: number | null };
      const max = s.maxLength ?? undefined;
      return { ...base, kind: max !== undefined && max > LONG_TEXT ? 'textarea' : 'text', min: s.minLength ?? undefined, max };
    }
    case 'number': {
      const n = schema as unknown as { minValue: number | null; maxValue: number | null };
      return { ...base, kind: 'number', min: n.minValue ?? undefined, max: n.maxValue ?? undefined };
    }
    case 'boolean':
      return { ...base, kind: 'boolean' };
    case 'enum':
      return { ...base, kind: 'enum', options: optionsOf(key, (schema as unknown as { options: string[] }).options) };
    case 'literal':
      return { ...base, kind: 'enum', options: optionsOf(key, (def.values as unknown[]).map(String)) };
    case 'array': {
      const element = unwrap(def.element as AnySchema).inner;
      if (defOf(element).type !== 'string') return undefined;
      const checks = (def.checks ?? []) as { _zod: { def: { check: string; minimum?: number; maximum?: number } } }[];
      const min = checks.find((c) => c._zod.def.check === 'min_length')?._zod.def.minimum;
      const max = checks.find((c) => c._zod.def.check === 'max_length')?._zod.def.maximum;
      return { ...base, kind: 'list', min, max };
    }
    default:
      return undefined;
  }
}

function collect(schema: AnySchema, prefix: string, required: boolean, values: FormValues, out: FieldSpec[]): void {
  const { inner, optional } = unwrap(schema);
  const def = defOf(inner);
  const isRequired = required && !optional;
  if (def.type === 'object') {
    const shape = (inner as unknown as { shape: Record<string, AnySchema> }).shape;
    for (const [name, child] of Object.entries(shape)) collect(child, prefix ? `${prefix}.${name}` : name, isRequired, values, out);
    return;
  }
  if (def.type === 'union' && typeof def.discriminator === 'string') {
    const discriminator = def.discriminator;
    const key = prefix ? `${prefix}.${discriminator}` : discriminator;
    const variants = def.options as AnySchema[];
    const tagOf = (v: AnySchema) => {
      const tag = (v as unknown as { shape: Record<string, AnySchema> }).shape[discriminator]!;
      return String((defOf(tag).values as unknown[])[0]);
    };
    const tags = variants.map(tagOf);
    out.push({ key, kind: 'enum', label: label(key), required: isRequired, options: optionsOf(key, tags), discriminator: true });
    const chosen = variants.find((v) => tagOf(v) === values[key]);
    if (!chosen) return;
    const shape = (chosen as unknown as { shape: Record<string, AnySchema> }).shape;
    for (const [name, child] of Object.entries(shape)) {
      if (name !== discriminator) collect(child, prefix ? `${prefix}.${name}` : name, isRequired, values, out);
    }
    return;
  }
  const field = leaf(prefix, inner, isRequired);
  if (field) out.push(field);
  else if (isRequired) throw new Error(`the form builder cannot render required field ${prefix} (${def.type})`);
  // an optional field of a kind the console does not edit (free-form evidence lists) is left out
}

/** The fields of a schema, for the current values (a union shows the fields of the chosen variant). */
export function fieldsOf(schema: AnySchema, values: FormValues = {}): FieldSpec[] {
  const out: FieldSpec[] = [];
  collect(schema, '', true, values, out);
  return out;
}

/** Labels of one form that differ from the shared ones (a registry's `kind` or `level` is not a case action's). */
export interface FormLabels {
  fields?: Record<string, string>;
  options?: Record<string, Record<string, string>>;
}

export function relabel(fields: FieldSpec[], labels: FormLabels): FieldSpec[] {
  return fields.map((f) => {
    const names = labels.options?.[f.key];
    return {
      ...f,
      label: labels.fields?.[f.key] ?? f.label,
      ...(f.options && names ? { options: f.options.map((o) => ({ ...o, label: names[o.value] ?? o.value })) } : {}),
    };
  });
}

function isEmpty(v: unknown): boolean {
  return v === undefined || v === null || v === '' || (Array.isArray(v) && v.length === 0);
}

/** The body the API expects: empty optional fields left out, numbers as numbers, nested paths as objects. */
export function bodyOf(fields: FieldSpec[], values: FormValues): Record<string, unknown> {
  const body: Record<string, unknown> = {};
  for (const f of fields) {
    let v = values[f.key];
    if (isEmpty(v)) continue;
    if (f.kind === 'number' && typeof v === 'string') v = Number(v);
    if (f.kind === 'datetime' && v instanceof Date) v = v.toISOString();
    if ((f.kind === 'text' || f.kind === 'textarea') && typeof v === 'string') v = v.trim();
    if (isEmpty(v)) continue;
    const parts = f.key.split('.');
    let target = body;
    for (const p of parts.slice(0, -1)) target = (target[p] ??= {}) as Record<string, unknown>;
    target[parts[parts.length - 1]!] = v;
  }
  return body;
}

/** Messages per field key, from zod issues (client check) or the API's error details (`body.officerIds`). */
export function errorsByField(
  fields: FieldSpec[],
  problems: { path: string | readonly PropertyKey[]; message: string }[],
): { byField: Record<string, string>; unplaced: string[] } {
  const keys = new Set(fields.map((f) => f.key));
  const byField: Record<string, string> = {};
  const unplaced: string[] = [];
  for (const p of problems) {
    const parts = (typeof p.path === 'string' ? p.path.split('.') : p.path.map(String)).filter((s) => s !== '');
    if (parts[0] === 'body') parts.shift();
    let placed = false;
    // the longest prefix that is a field: `officerIds.1` → `officerIds`
    for (let n = parts.length; n > 0 && !placed; n--) {
      const key = parts.slice(0, n).join('.');
      if (keys.has(key)) {
        byField[key] = byField[key] ? `${byField[key]}；${p.message}` : p.message;
        placed = true;
      }
    }
    if (!placed) unplaced.push(p.message);
  }
  return { byField, unplaced };
}

/** Checks the body with the schema the API uses; the problems are placed on their fields. */
export function checkBody(schema: AnySchema, fields: FieldSpec[], values: FormValues) {
  const body = bodyOf(fields, values);
  const missing = fields.filter((f) => f.required && isEmpty(values[f.key])).map((f) => ({ path: f.key, message: '必填 (required)' }));
  const result = schema.safeParse(body);
  const issues = result.success ? [] : result.error.issues.map((i) => ({ path: i.path, message: i.message }));
  const { byField, unplaced } = errorsByField(fields, [...missing, ...issues.filter((i) => !missing.some((m) => m.path === i.path.join('.')))]);
  return { ok: result.success && missing.length === 0, body, byField, unplaced };
}

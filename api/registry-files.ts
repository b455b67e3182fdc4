import { parse } from 'csv-parse/sync';
import ExcelJS from 'exceljs';
import { HttpError } from './errors';
import type { FileFieldKind, RegistryDefinition } from './read-model/registry-definitions';
import type { ImportRow } from './read-model/registries';

/**
 * A registry as a spreadsheet: one header row of the API object's field names, one row per object.
 * Lists are `;`-separated, booleans true/false, nested values (discretion bands) JSON. Export writes
 * exactly what import reads, so a file round-trips.
 */

export const XLSX_TYPE = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';
export const CSV_TYPE = 'text/csv';

function cellValue(kind: FileFieldKind, raw: string, column: string, problems: ImportRow['problems']): unknown {
  const text = raw.trim();
  if (text === '') return kind === 'list' ? [] : undefined;
  switch (kind) {
    case 'text':
      return text;
    case 'list':
      return text.split(/[;；]/).map((s) => s.trim()).filter((s) => s.length > 0);
    case 'boolean':
      if (/^(true|是|1|yes)$/i.test(text)) return true;
      if (/^(false|否|0|no)$/i.test(text)) return false;
      problems.push({ column, message: `expected true or false, got "${text}"` });
      return undefined;
    case 'json':
      try {
        return JSON.parse(text) as unknown;
      } catch {
        problems.push({ column, message: 'not valid JSON' });
        return undefined;
      }
  }
}

function toRows(def: RegistryDefinition, header: string[], records: { line: number; cells: string[] }[]): ImportRow[] {
  const known = new Map(def.fileFields.map((f) => [f.name, f.kind]));
  const names = header.map((h) => h.trim());
  const unknown = names.filter((n) => n !== '' && !known.has(n));
  if (unknown.length) {
    throw new HttpError(400, 'invalid_request', `unknown column(s) ${unknown.join(', ')}; the columns are ${def.fileFields.map((f) => f.name).join(', ')}`, [
      { path: 'body', message: `line 1: unknown column ${unknown.join(', ')}` },
    ]);
  }
  return records
    .filter((r) => r.cells.some((c) => c.trim() !== ''))
    .map(({ line, cells }) => {
      const problems: ImportRow['problems'] = [];
      const values: Record<string, unknown> = {};
      names.forEach((name, i) => {
        const kind = known.get(name);
        if (!kind) return;
        const v = cellValue(kind, cells[i] ?? '', name, problems);
        if (v !== undefined) values[name] = v;
      });
      return { line, values, problems };
    });
}

export function parseCsv(def: RegistryDefinition, body: Buffer): ImportRow[] {
  let records: { record: string[]; info: { lines: number } }[];
  try {
    records = parse(body, { bom: true, info: true, relax_column_count: true, skip_empty_lines: true }) as unknown as typeof records;
  } catch (err) {
    throw new HttpError(400, 'invalid_request', `not a readable CSV file: ${(err as Error).message}`, [{ path: 'body', message: 'unreadable CSV' }]);
  }
  const [header, ...rest] = records;
  if (!header) throw new HttpError(400, 'invalid_request', 'the file is empty: it needs a header row', [{ path: 'body', message: 'empty' }]);
  return toRows(def, header.record, rest.map((r) => ({ line: r.info.lines, cells: r.record })));
}

function cellText(cell: ExcelJS.Cell): string {
  const v = cell.value;
  if (v === null || v === undefined) return '';
  if (v instanceof Date) return v.toISOString().slice(0, 10);
  if (typeof v === 'object' && 'richText' in v) return v.richText.map((t) => t.text).join('');
  if (typeof v === 'object' && 'result' in v) return String(v.result ?? '');
  if (typeof v === 'object' && 'text' in v) return String(v.text);
  return String(v);
}

export async function parseXlsx(def: RegistryDefinition, body: Buffer): Promise<ImportRow[]> {
  const workbook = new ExcelJS.Workbook();
  try {
    await workbook.xlsx.load(body as unknown as ArrayBuffer);
  } catch (err) {
    throw new HttpError(400, 'invalid_request', `not a readable .xlsx workbook: ${(err as Error).message}`, [{ path: 'body', message: 'unreadable workbook' }]);
  }
  const sheet = workbook.worksheets[0];
  if (!sheet || sheet.rowCount === 0) throw new HttpError(400, 'invalid_request', 'the workbook is empty: its first sheet needs a header row', [{ path: 'body', message: 'empty' }]);
  const width = sheet.getRow(1).cellCount;
  const cellsOf = (row: ExcelJS.Row) => Array.from({ length: Math.max(width, row.cellCount) }, (_, i) => cellText(row.getCell(i + 1)));
  const header = cellsOf(sheet.getRow(1));
  const records: { line: number; cells: string[] }[] = [];
  sheet.eachRow((row, n) => {
    if (n > 1) records.push({ line: n, cells: cellsOf(row) });
  });
  return toRows(def, header, records);
}

function fileCell(kind: FileFieldKind, value: unknown): string {
  if (value === undefined || value === null) return '';
  if (kind === 'list') return (value as string[]).join(';');
  if (kind === 'json') return (value as unknown[]).length === 0 ? '' : JSON.stringify(value);
  return String(value);
}

function table(def: RegistryDefinition, objects: Record<string, unknown>[]): string[][] {
  return [def.fileFields.map((f) => f.name), ...objects.map((o) => def.fileFields.map((f) => fileCell(f.kind, o[f.name])))];
}

export async function writeXlsx(def: RegistryDefinition, objects: Record<string, unknown>[]): Promise<Buffer> {
  const workbook = new ExcelJS.Workbook();
  const sheet = workbook.addWorksheet(def.name);
  for (const row of table(def, objects)) sheet.addRow(row);
  sheet.getRow(1).font = { bold: true };
  return Buffer.from(await workbook.xlsx.writeBuffer());
}

export async function writeCsv(def: RegistryDefinition, objects: Record<string, unknown>[]): Promise<Buffer> {
  const workbook = new ExcelJS.Workbook();
  const sheet = workbook.addWorksheet(def.name);
  for (const row of table(def, objects)) sheet.addRow(row);
  const csv = Buffer.from(await workbook.csv.writeBuffer());
  // A BOM so that Excel opens the UTF-8 (Chinese) text correctly; import skips it.
  return Buffer.concat([Buffer.from('\ufeff', 'utf8'), csv]);
}

import ExcelJS from 'exceljs';
import { INDICATORS } from './labels';
import type { EfficiencyStats } from '../../api/read-model/stats';

/**
 * 量化考核 workbook: one sheet per unit kind (township brigades, county departments) with the
 * indicators of GET /v1/stats/efficiency as numbers (percent format, two decimals) and their
 * numerators and denominators, and a sheet of definitions. Built client-side from the same answers
 * the board shows, so the file and the screen cannot disagree.
 */

export { INDICATORS };

export const SHEET_NAMES = { township: '乡镇执法队', department: '县级部门', county: '县（市）', officer: '执法人员', definitions: '指标说明' } as const;

export const ASSESSMENT_HEADER = [
  '单位编码',
  '单位名称',
  '案件数',
  ...INDICATORS.flatMap((i) => [i.label, `${i.label}分子`, `${i.label}分母`]),
  '每百件升级次数',
  '督办次数',
];

export async function assessmentWorkbook(stats: EfficiencyStats[]): Promise<ExcelJS.Workbook> {
  const wb = new ExcelJS.Workbook();
  wb.creator = '一支队伍管执法 工作台';
  wb.created = new Date();
  for (const s of stats) {
    const ws = wb.addWorksheet(SHEET_NAMES[s.groupBy]);
    ws.addRow([`统计期间 ${s.from} 至 ${s.to}`]);
    const header = ws.addRow(ASSESSMENT_HEADER);
    header.font = { bold: true };
    for (const u of s.items) {
      const row = ws.addRow([
        u.code,
        u.name ?? u.code,
        u.cases,
        ...INDICATORS.flatMap((i) => [u[i.key].rate, u[i.key].numerator, u[i.key].denominator]),
        u.escalationsPer100.value,
        u.supervisionOrders,
      ]);
      INDICATORS.forEach((_, n) => {
        row.getCell(4 + n * 3).numFmt = '0.00%';
      });
    }
    ws.columns.forEach((c, i) => {
      c.width = i === 1 ? 18 : 12;
    });
    ws.views = [{ state: 'frozen', ySplit: 2 }];
  }
  const defs = wb.addWorksheet(SHEET_NAMES.definitions);
  defs.addRow(['指标', '定义 (GET /v1/stats/efficiency definitions)']).font = { bold: true };
  for (const [key, text] of Object.entries(stats[0]?.definitions ?? {})) defs.addRow([key, text]);
  defs.getColumn(1).width = 22;
  defs.getColumn(2).width = 120;
  return wb;
}

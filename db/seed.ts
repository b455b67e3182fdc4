import { hash } from '@node-rs/argon2';
import type { Pool } from 'pg';
import { DEFAULT_SLA_POLICY } from '../domain/sla';
import { seedOpen311Catalog } from '../open311/catalog';
import { withTransaction } from './pool';
import { creditCodeCheckCharacter, idNumberCheckCharacter } from '../domain/identifiers';
import { demoResponsibilityList } from './seed-responsibility-lists';

/*
 * Demo data for development and tests, modelled on Nanping city (南平市), Fujian: Pucheng county
 * (浦城县, 350722) and Shaowu city (邵武市, 350781). The township and street names are real places,
 * but the codes below the county, the grids, departments' codes, officers, certificates, enforcement
 * objects and the matter catalog are INVENTED for demonstration. This is NOT any authority's real
 * matter list (执法事项目录清单), personnel roster or responsibility list; legal-basis texts cite the
 * laws commonly given for such matters, as a plausible example only.
 *
 * Every statement is an upsert, so the seed is safe to run on every start.
 */

const CITY = '南平市';

/** Certificate validity of the demo roster (执法证). */
const CERT_VALID_FROM = '2023-01-01';
const CERT_VALID_UNTIL = '2030-12-31';
const CERT_EXPIRED_FROM = '2020-07-01';
const CERT_EXPIRED_UNTIL = '2025-06-30';

interface CountyRow { code: string; name: string; city: string }
interface TownshipRow { code: string; county_code: string; name: string; kind: 'township' | 'street' }
interface GridRow { code: string; township_code: string; name: string }
interface DepartmentRow { code: string; county_code: string; name: string; domain: string }
interface MatterRow {
  code: string;
  name: string;
  category: 'penalty' | 'inspection' | 'compulsory' | 'other';
  domain: string;
  level: 'township' | 'county';
  legal_basis: string;
  primary_responsibility: string;
  cooperating_responsibility: string | null;
}
interface OfficerRow {
  id: string;
  name: string;
  township_code: string | null;
  department_code: string | null;
  certificate_no: string | null;
  certificate_valid_from: string | null;
  certificate_valid_until: string | null;
  active: boolean;
}
interface EnforcementObjectRow {
  id: string;
  kind: 'person' | 'organization';
  name: string;
  credit_code: string | null;
  id_number: string | null;
  address: string;
  risk_level: 'low' | 'medium' | 'high';
  township_code: string;
}

const COUNTIES: CountyRow[] = [
  { code: '350722', name: '浦城县', city: CITY },
  { code: '350781', name: '邵武市', city: CITY },
];

/** Townships/streets with the villages or communities that give their grids (网格) a name. */
const TOWNSHIP_SPECS: { code: string; county: string; name: string; kind: 'township' | 'street'; grids: string[] }[] = [
  { code: '350722001', county: '350722', name: '南浦街道', kind: 'street', grids: ['城北社区', '梦笔社区', '西门社区'] },
  { code: '350722002', county: '350722', name: '河滨街道', kind: 'street', grids: ['河滨社区', '越王社区'] },
  { code: '350722101', county: '350722', name: '莲塘镇', kind: 'township', grids: ['莲塘村', '上洋村', '山下村'] },
  { code: '350722102', county: '350722', name: '石陂镇', kind: 'township', grids: ['石陂村', '溪口村'] },
  { code: '350722103', county: '350722', name: '临江镇', kind: 'township', grids: ['临江村', '水东村', '渔梁村'] },
  { code: '350722104', county: '350722', name: '仙阳镇', kind: 'township', grids: ['仙阳村', '柘洋村'] },
  { code: '350722105', county: '350722', name: '水北街镇', kind: 'township', grids: ['水北街村', '观前村'] },
  { code: '350722106', county: '350722', name: '富岭镇', kind: 'township', grids: ['富岭村', '双同村'] },
  { code: '350781001', county: '350781', name: '昭阳街道', kind: 'street', grids: ['东门社区', '西门社区', '南门社区'] },
  { code: '350781101', county: '350781', name: '拿口镇', kind: 'township', grids: ['拿口村', '朱坊村'] },
  { code: '350781102', county: '350781', name: '和平镇', kind: 'township', grids: ['和平村', '坎头村'] },
];

const TOWNSHIPS: TownshipRow[] = TOWNSHIP_SPECS.map((t) => ({
  code: t.code,
  county_code: t.county,
  name: t.name,
  kind: t.kind,
}));

const gridCode = (township: string, n: number): string => `${township}-G${String(n).padStart(2, '0')}`;
const GRIDS: GridRow[] = TOWNSHIP_SPECS.flatMap((t) =>
  t.grids.map((g, i) => ({ code: gridCode(t.code, i + 1), township_code: t.code, name: `${t.name}${g}网格` })),
);

/** Enforcement domains (执法领域) and the county department that leads each one. */
export const DOMAINS = {
  urban_management: '城市管理',
  transport: '交通运输',
  ecology: '生态环境',
  agriculture: '农业农村',
  market_supervision: '市场监管',
  culture_tourism: '文化旅游',
  natural_resources: '自然资源',
  forestry: '林业',
} as const;
type Domain = keyof typeof DOMAINS;

const DEPARTMENT_SPECS: { abbr: string; domain: Domain; name: (county: string) => string }[] = [
  { abbr: 'cgj', domain: 'urban_management', name: (c) => `${c}城市管理局` },
  { abbr: 'jtj', domain: 'transport', name: (c) => `${c}交通运输局` },
  { abbr: 'sthj', domain: 'ecology', name: (c) => `南平市${c.replace(/[县市]$/, '')}生态环境局` },
  { abbr: 'nyj', domain: 'agriculture', name: (c) => `${c}农业农村局` },
  { abbr: 'scjg', domain: 'market_supervision', name: (c) => `${c}市场监督管理局` },
  { abbr: 'wtlj', domain: 'culture_tourism', name: (c) => `${c}文体旅游局` },
  { abbr: 'zrzy', domain: 'natural_resources', name: (c) => `${c}自然资源局` },
  { abbr: 'lyj', domain: 'forestry', name: (c) => `${c}林业局` },
];
const deptCode = (county: string, abbr: string): string => `${county}.${abbr}`;

/** Pucheng has all eight; Shaowu only the six core domains (so a Shaowu case cannot route a forestry matter). */
const DEPARTMENTS: DepartmentRow[] = [
  ...DEPARTMENT_SPECS.map((d) => ({ code: deptCode('350722', d.abbr), county_code: '350722', name: d.name('浦城县'), domain: d.domain })),
  ...DEPARTMENT_SPECS.slice(0, 6).map((d) => ({
    code: deptCode('350781', d.abbr),
    county_code: '350781',
    name: d.name('邵武市'),
    domain: d.domain,
  })),
];

const BRIGADE = '乡镇人民政府（街道办事处）综合执法大队';
const countyDept = (domain: Domain): string => `县级${DOMAINS[domain]}部门`;
const townshipMatter = (domain: Domain): Pick<MatterRow, 'level' | 'primary_responsibility' | 'cooperating_responsibility'> => ({
  level: 'township',
  primary_responsibility: BRIGADE,
  cooperating_responsibility: `${countyDept(domain)}：业务指导、技术支持和监督`,
});
const countyMatter = (domain: Domain): Pick<MatterRow, 'level' | 'primary_responsibility' | 'cooperating_responsibility'> => ({
  level: 'county',
  primary_responsibility: countyDept(domain),
  cooperating_responsibility: '乡镇人民政府（街道办事处）：巡查发现、及时报告、配合调查',
});

/** Demo 执法事项目录清单 (invented; see the note at the top). */
const MATTERS: MatterRow[] = [
  // 城市管理 urban management
  { code: 'UM-P-001', name: '对在城市道路两侧和公共场地擅自摆摊设点、占道经营的处罚', category: 'penalty', domain: 'urban_management', ...townshipMatter('urban_management'), legal_basis: '《城市市容和环境卫生管理条例》第十四条、第三十六条' },
  { code: 'UM-P-002', name: '对未经批准擅自设置户外广告、招牌影响市容的处罚', category: 'penalty', domain: 'urban_management', ...townshipMatter('urban_management'), legal_basis: '《城市市容和环境卫生管理条例》第十一条、第三十六条' },
  { code: 'UM-P-003', name: '对随意倾倒、抛撒、堆放或者焚烧生活垃圾的处罚', category: 'penalty', domain: 'urban_management', ...townshipMatter('urban_management'), legal_basis: '《中华人民共和国固体废物污染环境防治法》第四十九条、第一百一十一条' },
  { code: 'UM-P-004', name: '对未取得建设工程规划许可证或者未按照许可证规定进行建设的处罚', category: 'penalty', domain: 'urban_management', ...countyMatter('urban_management'), legal_basis: '《中华人民共和国城乡规划法》第四十条、第六十四条' },
  { code: 'UM-I-001', name: '对占用、挖掘城市道路的监督检查', category: 'inspection', domain: 'urban_management', ...townshipMatter('urban_management'), legal_basis: '《城市道路管理条例》第二十九条、第三十条' },
  { code: 'UM-C-001', name: '对占道经营的物品、工具予以暂扣', category: 'compulsory', domain: 'urban_management', ...townshipMatter('urban_management'), legal_basis: '《中华人民共和国行政强制法》第九条；《福建省城市市容和环境卫生管理办法》' },
  { code: 'UM-C-002', name: '对违法建设责令停止建设后继续施工的查封施工现场', category: 'compulsory', domain: 'urban_management', ...countyMatter('urban_management'), legal_basis: '《中华人民共和国城乡规划法》第六十八条' },
  { code: 'UM-O-001', name: '对擅自砍伐、迁移城市树木的制止与报告', category: 'other', domain: 'urban_management', ...townshipMatter('urban_management'), legal_basis: '《城市绿化条例》第二十条、第二十六条' },
  // 交通运输 transport
  { code: 'TR-P-001', name: '对在公路用地范围内擅自设置非公路标志的处罚', category: 'penalty', domain: 'transport', ...townshipMatter('transport'), legal_basis: '《中华人民共和国公路法》第五十四条、第七十九条' },
  { code: 'TR-P-002', name: '对车辆违法超限运输的处罚', category: 'penalty', domain: 'transport', ...countyMatter('transport'), legal_basis: '《公路安全保护条例》第三十条、第六十四条' },
  { code: 'TR-I-001', name: '对公路建筑控制区内违法建设的监督检查', category: 'inspection', domain: 'transport', ...townshipMatter('transport'), legal_basis: '《中华人民共和国公路法》第五十六条、第七十一条' },
  // 生态环境 ecology
  { code: 'EC-P-001', name: '对在人口集中地区露天焚烧秸秆、落叶等产生烟尘污染物质的处罚', category: 'penalty', domain: 'ecology', ...townshipMatter('ecology'), legal_basis: '《中华人民共和国大气污染防治法》第七十七条、第一百一十九条' },
  { code: 'EC-P-002', name: '对餐饮服务业经营者未安装油烟净化设施或者未正常使用的处罚', category: 'penalty', domain: 'ecology', ...townshipMatter('ecology'), legal_basis: '《中华人民共和国大气污染防治法》第八十一条、第一百一十八条' },
  { code: 'EC-P-003', name: '对违反规定设置排污口的处罚', category: 'penalty', domain: 'ecology', ...countyMatter('ecology'), legal_basis: '《中华人民共和国水污染防治法》第二十二条、第八十四条' },
  { code: 'EC-C-001', name: '对造成或者可能造成严重污染的设施、设备予以查封、扣押', category: 'compulsory', domain: 'ecology', ...countyMatter('ecology'), legal_basis: '《中华人民共和国环境保护法》第二十五条' },
  { code: 'EC-O-001', name: '突发环境事件的先期处置与信息报告', category: 'other', domain: 'ecology', ...townshipMatter('ecology'), legal_basis: '《中华人民共和国突发事件应对法》；《中华人民共和国环境保护法》第四十七条' },
  // 农业农村 agriculture
  { code: 'AG-P-001', name: '对在禁渔区、禁渔期进行捕捞的处罚', category: 'penalty', domain: 'agriculture', ...townshipMatter('agriculture'), legal_basis: '《中华人民共和国渔业法》第三十条、第三十八条' },
  { code: 'AG-P-002', name: '对农村村民未经批准或者采取欺骗手段骗取批准非法占用土地建住宅的处罚', category: 'penalty', domain: 'agriculture', ...townshipMatter('agriculture'), legal_basis: '《中华人民共和国土地管理法》第六十二条、第七十八条' },
  { code: 'AG-P-003', name: '对经营假农药、劣质农药的处罚', category: 'penalty', domain: 'agriculture', ...countyMatter('agriculture'), legal_basis: '《农药管理条例》第四十四条、第五十五条' },
  { code: 'AG-I-001', name: '对农村宅基地使用情况的监督检查', category: 'inspection', domain: 'agriculture', ...townshipMatter('agriculture'), legal_basis: '《中华人民共和国土地管理法》第六十七条' },
  { code: 'AG-O-001', name: '农作物病虫害疫情的监测报告与先期处置', category: 'other', domain: 'agriculture', ...townshipMatter('agriculture'), legal_basis: '《农作物病虫害防治条例》第十二条、第二十一条' },
  // 市场监管 market supervision
  { code: 'MS-P-001', name: '对从事无照经营的处罚', category: 'penalty', domain: 'market_supervision', ...townshipMatter('market_supervision'), legal_basis: '《无证无照经营查处办法》第六条、第十三条' },
  { code: 'MS-P-002', name: '对经营超过保质期的食品的处罚', category: 'penalty', domain: 'market_supervision', ...countyMatter('market_supervision'), legal_basis: '《中华人民共和国食品安全法》第三十四条、第一百二十四条' },
  { code: 'MS-I-001', name: '对食品小作坊、小餐饮和食品摊贩的监督检查', category: 'inspection', domain: 'market_supervision', ...townshipMatter('market_supervision'), legal_basis: '《福建省食品小作坊小餐饮及摊贩管理条例》' },
  { code: 'MS-C-001', name: '对涉嫌违法的食品及相关物品予以查封、扣押', category: 'compulsory', domain: 'market_supervision', ...countyMatter('market_supervision'), legal_basis: '《中华人民共和国食品安全法》第一百一十条' },
  { code: 'MS-O-001', name: '对举报市场监管领域重大违法行为的奖励', category: 'other', domain: 'market_supervision', ...countyMatter('market_supervision'), legal_basis: '《市场监管领域重大违法行为举报奖励暂行办法》' },
  // 文化旅游 culture and tourism
  { code: 'CT-P-001', name: '对娱乐场所未按照规定悬挂警示标志、未成年人禁入标志的处罚', category: 'penalty', domain: 'culture_tourism', ...townshipMatter('culture_tourism'), legal_basis: '《娱乐场所管理条例》第三十条、第五十条' },
  { code: 'CT-P-002', name: '对擅自从事互联网上网服务经营活动的处罚', category: 'penalty', domain: 'culture_tourism', ...countyMatter('culture_tourism'), legal_basis: '《互联网上网服务营业场所管理条例》第七条、第二十七条' },
  { code: 'CT-I-001', name: '对文物保护单位保护范围内建设活动的巡查检查', category: 'inspection', domain: 'culture_tourism', ...townshipMatter('culture_tourism'), legal_basis: '《中华人民共和国文物保护法》第十七条' },
  // 自然资源 / 林业: only Pucheng has these departments in the demo.
  { code: 'NR-P-001', name: '对未取得采矿许可证擅自采矿的处罚', category: 'penalty', domain: 'natural_resources', ...countyMatter('natural_resources'), legal_basis: '《中华人民共和国矿产资源法》第三条、第三十九条' },
  { code: 'FO-P-001', name: '对滥伐林木的处罚', category: 'penalty', domain: 'forestry', ...countyMatter('forestry'), legal_basis: '《中华人民共和国森林法》第五十六条、第七十六条' },
  { code: 'FO-I-001', name: '对森林防火区野外用火的巡查检查', category: 'inspection', domain: 'forestry', ...townshipMatter('forestry'), legal_basis: '《森林防火条例》第二十五条' },
];

/* ---------- 执法人员名录库: officers ---------- */

const SURNAMES = ['王', '李', '张', '刘', '陈', '杨', '黄', '吴', '林', '郑', '徐', '周', '叶', '谢', '余', '邱', '翁', '詹', '练', '范'];
const GIVEN = ['建华', '志强', '丽萍', '文斌', '海燕', '明辉', '秀英', '国良', '晓东', '美玲', '永福', '振宇', '雪梅', '伟杰', '春生', '金水', '玉兰', '荣华', '家豪', '思远', '俊峰', '冬梅', '桂芳'];
let nameIndex = 0;
function nextName(): string {
  const i = nameIndex++;
  return `${SURNAMES[i % SURNAMES.length]}${GIVEN[(i * 7) % GIVEN.length]}`;
}

const officerId = (unit: string, n: number): string => `OF-${unit}-${String(n).padStart(2, '0')}`;
function officer(
  unit: { township?: string; department?: string },
  n: number,
  certificate: 'valid' | 'expired',
  active = true,
): OfficerRow {
  const unitCode = unit.township ?? unit.department ?? '';
  const valid = certificate === 'valid';
  return {
    id: officerId(unitCode, n),
    name: nextName(),
    township_code: unit.township ?? null,
    department_code: unit.department ?? null,
    certificate_no: `闽执${unitCode.replace('.', '').toUpperCase()}${String(n).padStart(3, '0')}`,
    certificate_valid_from: valid ? CERT_VALID_FROM : CERT_EXPIRED_FROM,
    certificate_valid_until: valid ? CERT_VALID_UNTIL : CERT_EXPIRED_UNTIL,
    active,
  };
}

/** Every brigade: 01–03 certified, 04 expired. The demo township also has 05: certified but inactive (调离). */
const OFFICERS: OfficerRow[] = [
  ...TOWNSHIPS.flatMap((t) => [
    officer({ township: t.code }, 1, 'valid'),
    officer({ township: t.code }, 2, 'valid'),
    officer({ township: t.code }, 3, 'valid'),
    officer({ township: t.code }, 4, 'expired'),
    ...(t.code === '350722101' ? [officer({ township: t.code }, 5, 'valid', false)] : []),
  ]),
  // Every department: 01–02 certified, 03 expired.
  ...DEPARTMENTS.flatMap((d) => [
    officer({ department: d.code }, 1, 'valid'),
    officer({ department: d.code }, 2, 'valid'),
    officer({ department: d.code }, 3, 'expired'),
  ]),
];

/* ---------- 执法对象名录库: enforcement objects (invented; credit codes and ID numbers are not real) ---------- */

/** Invented codes that pass their check digits (GB 32100-2015, GB 11643), so exports of the demo roster import again. */
const creditCode = (first17: string): string => `${first17}${creditCodeCheckCharacter(first17)}`;
const idNumber = (first17: string): string => `${first17}${idNumberCheckCharacter(first17)}`;

const ENFORCEMENT_OBJECTS: EnforcementObjectRow[] = [
  { id: 'EO-0001', kind: 'organization', name: '浦城县莲塘镇顺丰农资经营部', credit_code: creditCode('92350722MA2Y00001'), id_number: null, address: '浦城县莲塘镇莲塘村街上路18号', risk_level: 'medium', township_code: '350722101' },
  { id: 'EO-0002', kind: 'organization', name: '浦城县南浦街道好味来小吃店', credit_code: creditCode('92350722MA2Y00002'), id_number: null, address: '浦城县南浦街道梦笔路66号', risk_level: 'high', township_code: '350722001' },
  { id: 'EO-0003', kind: 'person', name: '周某某', credit_code: null, id_number: idNumber('35072219800101003'), address: '浦城县石陂镇溪口村', risk_level: 'low', township_code: '350722102' },
  { id: 'EO-0004', kind: 'organization', name: '浦城县临江镇渔梁砂石场', credit_code: creditCode('91350722MA2Y00004'), id_number: null, address: '浦城县临江镇渔梁村溪边', risk_level: 'high', township_code: '350722103' },
  { id: 'EO-0005', kind: 'organization', name: '邵武市拿口镇鑫源竹木制品厂', credit_code: creditCode('91350781MA2Y00005'), id_number: null, address: '邵武市拿口镇朱坊村工业区3号', risk_level: 'medium', township_code: '350781101' },
  { id: 'EO-0006', kind: 'organization', name: '邵武市昭阳街道星空网吧', credit_code: creditCode('92350781MA2Y00006'), id_number: null, address: '邵武市昭阳街道东门社区中山路12号', risk_level: 'medium', township_code: '350781001' },
];

/* ---------- identifiers tests and demos rely on ---------- */

/** Tuples, so `DEMO.officers.certified[0]` is a string under noUncheckedIndexedAccess. */
const trio = (unit: string) => [officerId(unit, 1), officerId(unit, 2), officerId(unit, 3)] as const;
const pair = (unit: string) => [officerId(unit, 1), officerId(unit, 2)] as const;

export const DEMO = {
  city: CITY,
  county: '350722',
  countyName: '浦城县',
  /** 莲塘镇: the township most tests act in. */
  township: '350722101',
  townshipGrid: gridCode('350722101', 1),
  /** 石陂镇: another township of the same county. */
  otherTownship: '350722102',
  /** 南浦街道: a street (街道) of the county. */
  street: '350722001',
  otherCounty: '350781',
  otherCountyName: '邵武市',
  /** 拿口镇, Shaowu. */
  otherCountyTownship: '350781101',
  departments: {
    urbanManagement: deptCode('350722', 'cgj'),
    transport: deptCode('350722', 'jtj'),
    ecology: deptCode('350722', 'sthj'),
    agriculture: deptCode('350722', 'nyj'),
    marketSupervision: deptCode('350722', 'scjg'),
    cultureTourism: deptCode('350722', 'wtlj'),
    naturalResources: deptCode('350722', 'zrzy'),
    forestry: deptCode('350722', 'lyj'),
  },
  otherCountyDepartments: {
    urbanManagement: deptCode('350781', 'cgj'),
    ecology: deptCode('350781', 'sthj'),
    marketSupervision: deptCode('350781', 'scjg'),
  },
  officers: {
    /** Certified members of DEMO.township's brigade. */
    certified: trio('350722101'),
    /** Member of DEMO.township's brigade whose certificate expired on 2025-06-30. */
    expired: officerId('350722101', 4),
    /** Member of DEMO.township's brigade with a valid certificate but no longer active. */
    inactive: officerId('350722101', 5),
    otherTownshipCertified: trio('350722102'),
    otherTownshipExpired: officerId('350722102', 4),
    otherCountyTownshipCertified: trio('350781101'),
  },
  departmentOfficers: {
    urbanManagement: { certified: pair(deptCode('350722', 'cgj')), expired: officerId(deptCode('350722', 'cgj'), 3) },
    ecology: { certified: pair(deptCode('350722', 'sthj')), expired: officerId(deptCode('350722', 'sthj'), 3) },
    marketSupervision: { certified: pair(deptCode('350722', 'scjg')), expired: officerId(deptCode('350722', 'scjg'), 3) },
    otherCountyUrbanManagement: {
      certified: pair(deptCode('350781', 'cgj')),
      expired: officerId(deptCode('350781', 'cgj'), 3),
    },
  },
  matters: {
    /** 占道经营 penalty handled by the township brigade. */
    townshipPenalty: 'UM-P-001',
    townshipPenalty2: 'EC-P-001',
    townshipInspection: 'MS-I-001',
    townshipCompulsory: 'UM-C-001',
    townshipOther: 'UM-O-001',
    /** 违法建设 penalty handled by the county urban-management department. */
    countyPenalty: 'UM-P-004',
    /** 排污口 penalty handled by the county ecology department. */
    countyPenaltyEcology: 'EC-P-003',
    countyCompulsory: 'EC-C-001',
    countyOther: 'MS-O-001',
    /** County-level forestry matter: Pucheng has a forestry department, Shaowu (demo) does not. */
    countyForestry: 'FO-P-001',
  },
  enforcementObjects: { township: 'EO-0001', otherCounty: 'EO-0005' },
  certificates: { validUntil: CERT_VALID_UNTIL, expiredOn: CERT_EXPIRED_UNTIL },
} as const;

/** How many DEMO responsibility-list items each county gets (the seed's pilot lists: 145 and 98). */
const DEMO_RESPONSIBILITY_ITEMS: Record<string, number> = { '350722': 145, '350781': 98 };

/** Sizes of the seeded registries, for tests that check coverage. */
export const DEMO_COUNTS = {
  counties: COUNTIES.length,
  townships: TOWNSHIPS.length,
  grids: GRIDS.length,
  departments: DEPARTMENTS.length,
  matters: MATTERS.length,
  officers: OFFICERS.length,
  enforcementObjects: ENFORCEMENT_OBJECTS.length,
  responsibilityItems: DEMO_RESPONSIBILITY_ITEMS,
} as const;

/**
 * Demo accounts of the workbench, one per role (and a second township for the jurisdiction demo), all
 * with DEMO_PASSWORD. Printed by `npm start`. Created once; a later seed never resets a changed password.
 */
export const DEMO_PASSWORD = 'demo-2026';
export const DEMO_ACCOUNTS = [
  { username: 'liantang', displayName: '莲塘镇综合执法队', role: 'township', countyCode: '350722', townshipCode: '350722101' },
  { username: 'shipi', displayName: '石陂镇综合执法队', role: 'township', countyCode: '350722', townshipCode: '350722102' },
  { username: 'pc-cgj', displayName: '浦城县城市管理局', role: 'county', countyCode: '350722', departmentCode: deptCode('350722', 'cgj') },
  { username: 'pc-supervisor', displayName: '浦城县执法监督', role: 'supervisor', countyCode: '350722' },
  { username: 'admin', displayName: '系统管理员', role: 'admin' },
] as const satisfies readonly {
  username: string;
  displayName: string;
  role: 'township' | 'county' | 'supervisor' | 'admin';
  countyCode?: string;
  townshipCode?: string;
  departmentCode?: string;
}[];

async function seedDemoAccounts(pool: Pool): Promise<void> {
  const { rows } = await pool.query<{ username: string }>('SELECT username FROM accounts WHERE username = ANY($1::text[])', [
    DEMO_ACCOUNTS.map((a) => a.username),
  ]);
  const missing = DEMO_ACCOUNTS.filter((a) => !rows.some((r) => r.username === a.username));
  if (missing.length === 0) return; // argon2 is slow on purpose: hash only what is missing
  const passwordHash = await hash(DEMO_PASSWORD);
  for (const a of missing) {
    const unit = a as { countyCode?: string; townshipCode?: string; departmentCode?: string };
    await pool.query(
      `INSERT INTO accounts (username, display_name, password_hash, role, county_code, township_code, department_code)
       VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (username) DO NOTHING`,
      [a.username, a.displayName, passwordHash, a.role, unit.countyCode ?? null, unit.townshipCode ?? null, unit.departmentCode ?? null],
    );
  }
}

/** Upserts `rows` into `table` in one statement, keyed by `key`. */
async function upsert(
  client: { query: Pool['query'] },
  table: string,
  columns: Record<string, string>,
  key: string,
  rows: readonly object[],
): Promise<void> {
  const names = Object.keys(columns);
  const recordType = names.map((n) => `${n} ${columns[n]}`).join(', ');
  const updates = names.filter((n) => n !== key).map((n) => `${n} = EXCLUDED.${n}`).join(', ');
  await client.query(
    `INSERT INTO ${table} (${names.join(', ')})
     SELECT ${names.join(', ')} FROM jsonb_to_recordset($1::jsonb) AS r(${recordType})
     ON CONFLICT (${key}) DO UPDATE SET ${updates}`,
    [JSON.stringify(rows)],
  );
}

/** Writes the demo registries and SLA policy version 1. Idempotent. */
export async function seedDemoData(pool: Pool): Promise<void> {
  await withTransaction(pool, async (client) => {
    await upsert(client, 'counties', { code: 'text', name: 'text', city: 'text' }, 'code', COUNTIES);
    await upsert(client, 'townships', { code: 'text', county_code: 'text', name: 'text', kind: 'text' }, 'code', TOWNSHIPS);
    await upsert(client, 'grids', { code: 'text', township_code: 'text', name: 'text' }, 'code', GRIDS);
    await upsert(client, 'departments', { code: 'text', county_code: 'text', name: 'text', domain: 'text' }, 'code', DEPARTMENTS);
    await upsert(
      client,
      'matters',
      {
        code: 'text',
        name: 'text',
        category: 'text',
        domain: 'text',
        level: 'text',
        legal_basis: 'text',
        primary_responsibility: 'text',
        cooperating_responsibility: 'text',
      },
      'code',
      MATTERS,
    );
    await upsert(
      client,
      'officers',
      {
        id: 'text',
        name: 'text',
        township_code: 'text',
        department_code: 'text',
        certificate_no: 'text',
        certificate_valid_from: 'date',
        certificate_valid_until: 'date',
        active: 'boolean',
      },
      'id',
      OFFICERS,
    );
    // The domains each demo officer may enforce (执法领域): a department's officers its own domain, a township
    // brigade's (综合执法) every domain. Only rows still without domains, so an admin's edit survives a re-seed.
    await client.query(
      `UPDATE officers o SET domains = ARRAY[d.domain] FROM departments d
        WHERE o.department_code = d.code AND o.domains = '{}' AND o.id = ANY($1::text[])`,
      [OFFICERS.map((o) => o.id)],
    );
    await client.query(
      `UPDATE officers SET domains = $2::text[] WHERE township_code IS NOT NULL AND domains = '{}' AND id = ANY($1::text[])`,
      [OFFICERS.map((o) => o.id), Object.keys(DOMAINS)],
    );
    await upsert(
      client,
      'enforcement_objects',
      {
        id: 'text',
        kind: 'text',
        name: 'text',
        credit_code: 'text',
        id_number: 'text',
        address: 'text',
        risk_level: 'text',
        township_code: 'text',
      },
      'id',
      ENFORCEMENT_OBJECTS,
    );
    // A published policy version is immutable: never overwrite it.
    await client.query(
      `INSERT INTO sla_policies (version, slas, urgent, published_by) VALUES (1, $1::jsonb, $2::jsonb, 'seed')
       ON CONFLICT (version) DO NOTHING`,
      [JSON.stringify(DEFAULT_SLA_POLICY.slas), JSON.stringify(DEFAULT_SLA_POLICY.urgent)],
    );
    await seedOpen311Catalog(client);
    // DEMO responsibility lists (not an authority's list): about 145 items for Pucheng, 98 for Shaowu.
    await upsert(
      client,
      'responsibility_items',
      { id: 'text', county_code: 'text', item_name: 'text', matter_code: 'text', primary_unit: 'text', cooperating_units: 'text[]', demo: 'boolean' },
      'id',
      COUNTIES.flatMap((c) =>
        demoResponsibilityList(c.code, DEPARTMENTS.filter((d) => d.county_code === c.code), MATTERS, DEMO_RESPONSIBILITY_ITEMS[c.code] ?? 0),
      ),
    );
  });
  await seedDemoAccounts(pool);
}

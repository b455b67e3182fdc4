/*
 * DEMO responsibility lists (属地管理事项责任清单) for the two demo counties: about 145 items for
 * Pucheng (浦城县, 350722) and 98 for Shaowu (邵武市, 350781), generated from a plausible list of
 * item names. They are DEMO DATA, marked `demo = true`: NOT an authority's list. Each item names the
 * county department of its domain as primary unit (主体责任) and the township or street as
 * cooperating unit (配合责任). The first items are the demo catalog's matters of the county's domains,
 * linked by matter code, so demo cases are routed by the list (a county-level matter: its department
 * primary, the township cooperating; a township-level matter: the township primary, its department
 * cooperating for guidance); the rest are generated names without a matter code.
 */

/** Subjects of supervision per enforcement domain (the department abbreviation of db/seed.ts). */
const SUBJECTS: Record<string, string[]> = {
  cgj: ['占道经营', '乱搭乱建', '户外广告设置', '渣土运输抛洒', '建筑垃圾倾倒', '餐厨垃圾处置', '城市绿地毁损', '违法建设', '夜市摊点', '乱贴乱画', '沿街晾晒', '共享单车乱停放'],
  jtj: ['公路用地占用', '非公路标志设置', '超限运输车辆', '公路建筑控制区建设', '农村客运站点', '道路货运经营', '公路桥梁安全保护区采砂', '马路市场'],
  sthj: ['露天焚烧秸秆', '餐饮油烟排放', '入河排污口', '畜禽养殖污染', '工业固体废物', '噪声扰民', '扬尘污染', '危险废物贮存'],
  nyj: ['禁渔期捕捞', '农村宅基地建房', '农药经营', '种子经营', '动物防疫', '生猪屠宰', '农机安全', '耕地占用'],
  scjg: ['无照经营', '食品小作坊', '小餐饮', '食品摊贩', '过期食品销售', '计量器具使用', '特种设备使用', '价格标示', '农贸市场秩序'],
  wtlj: ['娱乐场所', '网吧经营', '文物保护范围建设', '旅游市场秩序', '出版物销售', '演出活动'],
  zrzy: ['非法采矿', '非法占用土地', '地质灾害隐患点', '矿山生态修复', '土地复垦'],
  lyj: ['滥伐林木', '野外用火', '野生动物保护', '林地占用', '木材经营加工', '松材线虫病疫木'],
};
const DUTIES = ['日常巡查与发现报告', '违法行为制止与先期处置', '联合执法与调查取证配合'];

export interface DemoResponsibilityItem {
  id: string;
  county_code: string;
  item_name: string;
  matter_code: string | null;
  primary_unit: string;
  cooperating_units: string[];
  demo: true;
}

/**
 * `count` items for a county, cycling through the domains the county has departments for, so every
 * department holds items. Department codes are `<county>.<abbr>` as in db/seed.ts.
 */
export function demoResponsibilityList(
  countyCode: string,
  departments: { code: string; domain: string }[],
  matters: { code: string; name: string; domain: string; level: 'township' | 'county' }[],
  count: number,
): DemoResponsibilityItem[] {
  const departmentOf = new Map(departments.map((d) => [d.domain, d.code]));
  const linked = matters.flatMap((m) => {
    const department = departmentOf.get(m.domain);
    if (!department) return [];
    return [{ name: m.name, matterCode: m.code, primary: m.level === 'county' ? department : 'township', cooperating: m.level === 'county' ? ['township'] : [department] }];
  });
  const abbrs = departments.map((d) => d.code.slice(countyCode.length + 1)).filter((a) => SUBJECTS[a]);
  const names: { abbr: string; name: string }[] = [];
  for (const duty of DUTIES) {
    for (let i = 0; ; i++) {
      const row = abbrs.filter((a) => i < (SUBJECTS[a]?.length ?? 0));
      if (row.length === 0) break;
      for (const abbr of row) names.push({ abbr, name: `${SUBJECTS[abbr]![i]}${duty}` });
    }
  }
  const items = [
    ...linked.map((l) => ({ name: l.name, matter_code: l.matterCode as string | null, primary_unit: l.primary, cooperating_units: l.cooperating })),
    ...names.map(({ abbr, name }) => ({
      name,
      matter_code: null,
      primary_unit: `${countyCode}.${abbr}`,
      // the market and ecology items also ask the urban-management department to help on the street
      cooperating_units: abbr === 'scjg' || abbr === 'sthj' ? ['township', `${countyCode}.cgj`] : ['township'],
    })),
  ];
  return items.slice(0, count).map(({ name, matter_code, primary_unit, cooperating_units }, i) => ({
    id: `RL-${countyCode}-${String(i + 1).padStart(3, '0')}`,
    county_code: countyCode,
    item_name: `${name}（DEMO）`,
    matter_code,
    primary_unit,
    cooperating_units,
    demo: true,
  }));
}

import type { ActionName, CaseSource, Resolution } from '../../domain/stages';
import type { RegistryName } from '../../domain/registries';
import type { CreditClass } from '../../domain/credit-strata';
import type { InspectionOutcome } from '../../domain/inspection-plan';
import type { DrawView, PlanView } from './api/client';
import type { WebhookEventType } from '../../delivery/events';
import type { DeliveryStatus } from '../../delivery/subscriptions';
export { STAGE_LABELS } from '../../domain/stages';

/** What officials read: Chinese first, the API's term where an engineer needs it. */

export const ACTION_LABELS: Record<ActionName, string> = {
  'patrol-report': '网格员巡查报告',
  confirm: '源头核实',
  capture: '信息采集',
  assign: '任务分派',
  handle: '问题处理',
  file: '立案',
  'notify-rights': '告知权利',
  'hearing-request': '当事人申请听证',
  'hearing-held': '听证已举行',
  decide: '作出决定',
  serve: '送达',
  'record-payment': '登记缴款',
  verify: '核查反馈',
  return: '退回工单',
  'preserve-evidence': '先行登记保存',
  'decide-preserved-evidence': '保存物品处理决定',
  'hearing-notice': '听证通知',
  'appeal-filed': '当事人申请复议或起诉',
  'appeal-decided': '复议或诉讼结果',
};

export const SOURCE_LABELS: Record<CaseSource, string> = {
  patrol: '网格巡查',
  hotline: '12345热线',
  complaint: '群众投诉',
  inspection: '双随机抽查',
  referral: '移送转办',
};

export const RESOLUTION_LABELS: Record<Resolution, string> = {
  resolved: '已解决',
  unfounded: '不属实',
  transferred_judicial: '已移送司法机关',
  penalty_paid: '罚款已缴纳',
  enforced: '已强制执行',
  enforcement_refused: '法院不予执行',
  no_penalty: '不予处罚',
  returned_to_dispatcher: '已退回派单部门',
  penalty_revoked: '处罚已撤销',
};

export const DEADLINE_LABELS: Record<string, string> = {
  patrol: '巡查时限',
  discovery: '核实时限',
  capture: '采集时限',
  assignment: '分派时限',
  'county-response': '县级部门响应时限 (乡呼县应)',
  callback: '回访时限',
  'complaint-acceptance': '投诉受理时限',
  'evidence-preservation': '先行登记保存处理时限',
  supervision: '督办时限',
  handling: '处理时限',
  verification: '核查时限',
  filing: '立案期限',
  decision: '决定期限',
  'hearing-request': '听证申请期',
  service: '送达期限',
  payment: '缴款期限',
  'head-approval': '负责人审批',
  handover: '移交期限',
  'police-decision': '公安立案决定',
  'reconsideration-request': '复议申请期',
  'reconsideration-answer': '复议答复期',
  'reconsideration-window': '复议期',
  'litigation-window': '诉讼期',
  reminder: '催告期',
  'court-application': '申请法院执行期限',
  'court-acceptance': '法院受理期限',
  'court-ruling': '法院裁定期限',
  'disclosure-publication': '公示期限',
  'credit-feed': '信用信息公示期限',
  'disclosure-visibility': '公示期',
  'disclosure-withdrawal': '撤下公示期限',
  summons: '吹哨报到时限',
};

export const DEADLINE_STATUS_LABELS: Record<string, string> = {
  running: '计时中',
  met: '按期完成',
  lapsed: '已届满',
  cancelled: '已取消',
};

export const HANDLER_LABELS: Record<string, string> = {
  township: '乡镇综合执法队',
  county: '县级部门',
  judicial: '司法机关',
  court: '人民法院',
};

export const ROLE_LABELS: Record<string, string> = {
  township: '乡镇执法队',
  county: '县级部门',
  supervisor: '督查',
  admin: '管理员',
  upstream: '上游系统',
  system: '系统',
  police: '公安机关',
  court: '人民法院',
};

export const TIMELINE_LABELS: Record<string, string> = {
  case_opened: '立件',
  patrol_reported: '巡查上报',
  source_confirmed: '核实属实',
  found_unfounded: '核实不属实',
  information_captured: '信息采集',
  assigned_to_brigade: '分派至执法队',
  transferred_to_county: '移送县级部门',
  transfer_accepted: '县级部门接收',
  transfer_returned: '县级部门退回',
  joint_enforcement_agreed: '联合执法',
  corrected_on_site: '当场改正',
  no_violation_found: '检查未发现违法',
  inspection_started: '双随机抽查到场检查',
  formal_case_required: '转立案查处',
  suspected_crime: '涉嫌犯罪',
  obstruction_reported: '阻碍执法报警',
  case_filed: '立案',
  rights_notified: '告知权利',
  hearing_requested: '申请听证',
  hearing_held: '举行听证',
  decided: '作出决定',
  decision_served: '送达',
  payment_recorded: '缴款',
  judicial_transfer_opened: '移送司法',
  judicial_transfer_completed: '司法移送结束',
  court_enforcement_opened: '申请法院强制执行',
  court_enforcement_completed: '法院执行结束',
  verified: '核查通过',
  verification_failed: '核查未通过（返工）',
  deadline_breached: '超期',
  escalated: '升级督办',
  case_closed: '结案',
  extension_requested: '申请延期',
  extension_decided: '延期审批',
  supervision_ordered: '督办',
  satisfaction_recorded: '回访',
  case_reopened: '不满意重办',
  department_summoned: '街道吹哨',
  summons_reported: '部门报到',
  summons_declined: '部门不参加',
  bounce_limit_reached: '推诿次数达上限',
  disclosure_prepared: '公示内容已生成',
  disclosure_published: '已公示',
  disclosure_not_published: '不予公示',
  disclosure_withdrawal_due: '决定变更，待撤下公示',
  disclosure_withdrawn: '撤下公示',
  disclosure_expired: '公示期满',
  disclosure_cancelled: '公示取消',
  decision_changed: '处罚决定变更',
};

export const EXTENSION_STATUS_LABELS: Record<string, string> = { pending: '待审批', approved: '已批准', refused: '已驳回' };
export const RATING_LABELS: Record<string, string> = { satisfied: '满意', basically_satisfied: '基本满意', unsatisfied: '不满意' };

/** 吹哨报到: a summoned department's answer (domain/summons.ts SummonsStatus). */
export const SUMMONS_STATUS_LABELS: Record<string, string> = { pending: '待报到', reported: '已报到', declined: '不参加', silent: '逾期未答复' };
/** 公示: a disclosure's status (domain/disclosure.ts DISCLOSURE_STATUSES). */
export const DISCLOSURE_STATUS_LABELS: Record<string, string> = {
  pending: '待公示',
  published: '已公示',
  expired: '公示期满',
  withdrawn: '已撤下',
  not_published: '不予公示',
  cancelled: '已取消',
};

/** Labels of form fields, by their path in the action body. */
export const FIELD_LABELS: Record<string, string> = {
  gridMemberId: '网格员编号 gridMemberId',
  items: '登记保存物品',
  preservedAt: '保存时间',
  approvedBy: '批准负责人',
  hearingAt: '听证时间',
  noticeServedAt: '听证通知送达时间',
  place: '听证地点',
  body: '复议机关或人民法院',
  upheld: '维持原处罚决定',
  decidedAt: '决定时间',
  observedAt: '巡查时间',
  findings: '巡查情况',
  photos: '照片链接',
  confirmed: '是否属实',
  reason: '理由',
  matterCode: '执法事项',
  'party.kind': '当事人类型',
  'party.name': '当事人名称',
  'party.idNumber': '身份证号',
  'party.creditCode': '统一社会信用代码',
  'party.minor': '未成年人 (不予公示)',
  urgent: '紧急',
  'violation.occurredOn': '违法行为发生日',
  'violation.endedOn': '连续或继续状态终了日',
  'violation.harm': '危害后果 (追责时效五年)',
  level: '分派层级',
  officerIds: '执法人员 (≥2名持证)',
  departmentCode: '县级部门',
  outcome: '处理结果',
  notes: '备注',
  filedAt: '立案时间',
  proposedFine: '拟罚款金额 (元)',
  kind: '决定类型',
  fine: '罚款金额 (元)',
  summary: '简易程序',
  servedAt: '送达时间',
  amount: '缴款金额 (元)',
  paidAt: '缴款时间',
  passed: '核查是否通过',
  decision: '答复',
  source: '案件来源',
  externalRef: '来源工单号 externalRef',
  countyCode: '县（市）',
  townshipCode: '乡镇（街道）',
  gridCode: '网格',
  'location.address': '地址',
  'location.lat': '纬度',
  'location.lng': '经度',
  description: '问题描述',
  'reporter.name': '反映人',
  'reporter.phone': '反映人电话',
  username: '用户名',
  displayName: '名称',
  password: '密码',
  role: '角色',
  deadlineKind: '延期的时限（默认本环节时限）',
  workingDays: '延长工作日数',
  newDueAt: '或：新的到期时间',
  note: '说明',
  dueAt: '要求办结时间',
  rating: '满意度',
  reopen: '不满意，重新办理',
  approved: '是否批准',
  departmentCodes: '吹哨部门 (县级部门，可多选)',
  answer: '报到答复',
};

/** Labels of enumeration values in forms. */
export const OPTION_LABELS: Record<string, Record<string, string>> = {
  'party.kind': { person: '自然人', organization: '单位' },
  'violation.harm': { life_health_safety: '涉及公民生命健康安全', financial_safety: '涉及金融安全' },
  level: { township: '本镇执法队办理', county: '移送县级部门 (乡呼县应)' },
  outcome: { corrected: '当场改正', no_violation: '未发现违法 (检查合格)', case_required: '需立案查处', suspected_crime: '涉嫌犯罪移送', obstruction: '暴力阻碍执法' },
  kind: { penalty: '给予处罚', no_penalty: '不予处罚', reconsideration: '申请行政复议', lawsuit: '提起行政诉讼' },
  decision: { accept: '接收', return: '退回', joint: '联合执法', release: '解除保存', 'retain-as-evidence': '作为证据留存', confiscate: '没收', 'seal-or-seize': '查封扣押', 'test-or-appraise': '检验鉴定' },
  answer: { report: '报到 (参加联合执法)', decline: '不参加 (须说明理由)' },
  source: SOURCE_LABELS,
  rating: RATING_LABELS,
  role: { township: '乡镇执法队', county: '县级部门', supervisor: '督查', admin: '管理员' },
};

/** The rate indicators of GET /v1/stats/efficiency, in the order officials read them (board and 量化考核). */
export const INDICATORS = [
  { key: 'closureRate', label: '结案率' },
  { key: 'onTimeClosureRate', label: '按期结案率' },
  { key: 'reworkRate', label: '返工率' },
  { key: 'overdueRate', label: '超期率' },
  { key: 'extensionRate', label: '延期率' },
  { key: 'satisfactionRate', label: '满意率' },
] as const;

/* ---------- 登记簿 (registries.md): the four registries an admin maintains ---------- */

export const REGISTRY_TITLES: Record<RegistryName, string> = {
  officers: '执法人员',
  'enforcement-objects': '执法对象',
  matters: '事项目录',
  'responsibility-lists': '责任清单',
};

/** 执法领域 (a matter's domain; the domains an officer may enforce). */
export const DOMAIN_LABELS: Record<string, string> = {
  urban_management: '城市管理',
  ecology: '生态环境',
  transport: '交通运输',
  agriculture: '农业农村',
  market_supervision: '市场监管',
  culture_tourism: '文化旅游',
  natural_resources: '自然资源',
  forestry: '林业',
};

export const CHANGE_ACTION_LABELS: Record<string, string> = { create: '新建', update: '修改', retire: '停用', import: '导入' };

/**
 * Labels of the registries' fields (their names in the API object), per registry because the same
 * name means different things (an object's `kind` is not a decision's).
 */
export const REGISTRY_FIELD_LABELS: Record<RegistryName, Record<string, string>> = {
  officers: {
    id: '人员编号 id',
    name: '姓名',
    townshipCode: '所属执法队（乡镇）',
    departmentCode: '或所属县级部门',
    countyCode: '县（市）',
    certificateNo: '执法证号',
    validFrom: '证件有效期自 (YYYY-MM-DD)',
    validUntil: '证件有效期至 (YYYY-MM-DD)',
    domains: '执法领域 domains',
    suspendedFrom: '暂扣自 (YYYY-MM-DD)',
    suspendedUntil: '暂扣至 (YYYY-MM-DD)',
    active: '在岗 active',
  },
  'enforcement-objects': {
    id: '对象编号 id',
    kind: '类型',
    name: '名称或姓名',
    creditCode: '统一社会信用代码',
    idNumber: '公民身份号码',
    address: '地址',
    townshipCode: '乡镇（街道）',
    countyCode: '县（市）',
    gridCode: '网格',
    industry: '行业',
    creditClass: '信用风险分类',
  },
  matters: {
    code: '事项编码 code',
    name: '事项名称',
    category: '类别',
    level: '办理层级',
    domain: '执法领域 domain',
    legalBasis: '法律依据',
    primaryResponsibility: '主体责任',
    cooperatingResponsibility: '配合责任',
    discretionBands: '裁量基准',
  },
  'responsibility-lists': {
    id: '条目编号 id',
    countyCode: '县（市）',
    itemName: '责任事项',
    matterCode: '对应执法事项 matterCode',
    primaryUnit: '主体责任单位',
    cooperatingUnits: '配合责任单位',
    demo: '演示数据 (DEMO)',
  },
};

export const REGISTRY_OPTION_LABELS: Record<string, Record<string, string>> = {
  kind: { person: '自然人', organization: '单位' },
  creditClass: { A: 'A 低风险', B: 'B 一般风险', C: 'C 较高风险', D: 'D 高风险' },
  category: { penalty: '行政处罚', inspection: '行政检查', compulsory: '行政强制', other: '其他' },
  level: { township: '乡镇执法队办理', county: '县级部门办理' },
  domain: DOMAIN_LABELS,
  domains: DOMAIN_LABELS,
};

/* ---------- 双随机一公开 inspection campaigns (registries.md) ---------- */

export const CREDIT_CLASS_LABELS: Record<CreditClass, string> = { A: 'A 低风险', B: 'B 一般风险', C: 'C 较高风险', D: 'D 高风险' };

export const PLAN_STATUS_LABELS: Record<PlanView['status'], string> = {
  planned: '已计划（名单冻结中）',
  pool_frozen: '名单已冻结，待抽取',
  drawn: '已抽取，待现场检查',
  inspecting: '检查中',
  published: '结果已公示',
};

export const DRAW_STATUS_LABELS: Record<DrawView['status'], string> = {
  accepted: '有效 accepted',
  refused: '未通过 refused',
  superseded: '已被重抽取代 superseded',
};

export const INSPECTION_OUTCOME_LABELS: Record<InspectionOutcome, string> = {
  compliant: '未发现问题',
  issues_corrected: '发现问题，已责令整改',
  case_filed: '发现问题，已立案查处',
  not_found: '查无此对象',
};

/** The plan form (domain/inspection-plan.ts createPlanSchema; ratios in percent on the form). */
export const PLAN_FIELD_LABELS: Record<string, string> = {
  countyCode: '县（市）',
  name: '抽查计划名称',
  matterCodes: '检查事项 matterCodes（事项目录中「行政检查」类）',
  'ratios.A': 'A 类（低风险）抽查比例 %',
  'ratios.B': 'B 类（一般风险）抽查比例 %',
  'ratios.C': 'C 类（较高风险）抽查比例 %',
  'ratios.D': 'D 类（高风险）抽查比例 %',
  units: '检查人员来源单位 units（留空：全县各执法队、部门）',
  industry: '只抽该行业的对象 industry（可空）',
  townshipCodes: '只抽这些乡镇（街道）的对象（留空：全县）',
  'period.from': '检查期间自 (YYYY-MM-DD)',
  'period.to': '检查期间至 (YYYY-MM-DD)',
  inspectionAt: '现场检查时间 inspectionAt（结果须在其后 20 个工作日内公示）',
  seedSource: '随机种子来源 seedSource（抽取前声明的公开数值，如「中国福利彩票3D 2026-11-30 开奖号码」）',
  'policy.recuseOwnTownship': '回避：不抽派对象所在乡镇的执法队员',
  'policy.inspectorsPerObject': '每个对象的检查人员数（至少 2 名）',
  'policy.window': '同时在办的检查案件上限 window',
  'policy.continueAfter': '每轮最多启动的检查案件数 continueAfter',
  'policy.weightComplaints': '近一年投诉多的对象加权 weightComplaints',
};

/** The draw form (domain/inspection-plan.ts drawRequestSchema). */
export const DRAW_FIELD_LABELS: Record<string, string> = {
  'seed.source': '公开数值的来源（如「中国福利彩票3D 第2026318期」）',
  'seed.publishedOn': '公布日期 (YYYY-MM-DD)',
  'seed.values': '公布的数值 values，按公布顺序，以空格分隔（如 3 8 1）',
  reason: '重抽理由（重抽必填，将随抽取记录公开）',
};

/** The result form (domain/inspection-plan.ts inspectionResultSchema). */
export const RESULT_FIELD_LABELS: Record<string, string> = {
  objectId: '检查对象',
  outcome: '检查结果',
  foundIssues: '发现的问题（逐条输入后回车）',
  inspectedAt: '检查时间（留空：现在）',
};
export const RESULT_OPTION_LABELS: Record<string, Record<string, string>> = { outcome: INSPECTION_OUTCOME_LABELS };

/** 消息推送: the webhook event types (delivery/events.ts), every one named. */
export const WEBHOOK_EVENT_LABELS: Record<WebhookEventType, string> = {
  'case.opened': '立案',
  'case.stage_changed': '环节变更',
  'case.deadline_breached': '超期预警',
  'case.transferred': '移交县级部门',
  'case.police_notified': '通报公安',
  'case.closed': '办结（含回访）',
  'case.extension_decided': '延期审批',
  'case.supervision_ordered': '督办',
  'case.disclosure_published': '公示发布',
  'case.disclosure_withdrawn': '公示撤回',
};

/** 消息推送: a delivery's state. */
export const DELIVERY_STATUS_LABELS: Record<DeliveryStatus, string> = {
  pending: '待投递 / 重试中',
  delivered: '已送达',
  dead: '投递失败（死信）',
  cancelled: '已取消',
};

import type { ActionName, CaseSource, Resolution } from '../../domain/stages';
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
};

export const DEADLINE_LABELS: Record<string, string> = {
  patrol: '巡查时限',
  discovery: '核实时限',
  capture: '采集时限',
  assignment: '分派时限',
  'county-response': '县级部门响应时限 (乡呼县应)',
  callback: '回访时限',
  'complaint-acceptance': '投诉受理时限',
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
};

export const EXTENSION_STATUS_LABELS: Record<string, string> = { pending: '待审批', approved: '已批准', refused: '已驳回' };
export const RATING_LABELS: Record<string, string> = { satisfied: '满意', basically_satisfied: '基本满意', unsatisfied: '不满意' };

/** Labels of form fields, by their path in the action body. */
export const FIELD_LABELS: Record<string, string> = {
  gridMemberId: '网格员编号 gridMemberId',
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
};

/** Labels of enumeration values in forms. */
export const OPTION_LABELS: Record<string, Record<string, string>> = {
  'party.kind': { person: '自然人', organization: '单位' },
  'violation.harm': { life_health_safety: '涉及公民生命健康安全', financial_safety: '涉及金融安全' },
  level: { township: '本镇执法队办理', county: '移送县级部门 (乡呼县应)' },
  outcome: { corrected: '当场改正', case_required: '需立案查处', suspected_crime: '涉嫌犯罪移送', obstruction: '暴力阻碍执法' },
  kind: { penalty: '给予处罚', no_penalty: '不予处罚' },
  decision: { accept: '接收', return: '退回', joint: '联合执法' },
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

import type { Party } from './case';
import type { Period } from './periods';

/**
 * 执法信息公示 (disclosure.md): what is published, by when, and for how long. Pure rules; the durable
 * process is workflows/disclosure.ts, the masking domain/masking.ts.
 */

/** The deadlines a disclosure runs (its own, owned by the disclosure workflow). */
export type DisclosureDeadlineKind = 'disclosure-publication' | 'credit-feed' | 'disclosure-visibility' | 'disclosure-withdrawal';

/**
 * Local policy values. The 7 working days of 国办发〔2018〕118号 are as reported in secondary sources, and
 * 较低数额罚款 is set by each province, so both are policy, not constants of the law.
 */
export interface DisclosurePolicy {
  /** Publish the decision on the disclosure platform within this period after the decision. */
  publishWithin: Period;
  /** Feed the enterprise credit publicity system within this period after the decision. */
  creditFeedWithin: Period;
  /** Withdraw within this period after the decision changed (行政处罚法 Art 48). */
  withdrawWithin: Period;
  /** A fine of at most this many yuan is a low fine (较低数额罚款): the short visibility applies. */
  lowFineAtMost: number;
  /** Visibility of a warning or a low fine, and of everything else (natural days, Asia/Shanghai). */
  shortVisibility: Period;
  longVisibility: Period;
}

export const DEFAULT_DISCLOSURE_POLICY: DisclosurePolicy = {
  publishWithin: { workingDays: 7 },
  creditFeedWithin: { workingDays: 20 },
  withdrawWithin: { workingDays: 3 },
  lowFineAtMost: 3000,
  shortVisibility: { months: 3 },
  longVisibility: { months: 36 },
};

export const DISCLOSURE_SOURCES = {
  publication: '国办发〔2018〕118号 (as reported; policy value)',
  creditFeed: '企业信息公示暂行条例 Art 6; 市场监督管理行政处罚信息公示规定 Art 9',
  withdrawal: '行政处罚法 Arts 48, 85; 市场监督管理行政处罚信息公示规定 Art 11',
  visibility: '市场监督管理行政处罚信息公示规定 Art 13',
} as const;

/** The decision as the disclosure needs it. */
export interface DecisionToDisclose {
  decidedAt: string;
  /** Yuan; absent or 0 for a warning. */
  fine?: number | undefined;
  summary?: boolean | undefined;
}

/**
 * Whether a penalty decision is published at all: a warning alone under the summary procedure is not
 * (市场监督管理行政处罚信息公示规定 Art 2). Minors are decided later, on the party (domain/masking.ts).
 */
export function isPublishable(decision: DecisionToDisclose): boolean {
  const warning = !(decision.fine !== undefined && decision.fine > 0);
  return !(decision.summary === true && warning);
}

/** How long a published decision stays visible: 3 months for a warning or a low fine, else 3 years. */
export function visibilityOf(decision: DecisionToDisclose, policy: DisclosurePolicy): { period: Period; short: boolean } {
  const fine = decision.fine ?? 0;
  const short = fine <= policy.lowFineAtMost;
  return { period: short ? policy.shortVisibility : policy.longVisibility, short };
}

/** Where a disclosure stands. `not_published`: never to be published (a minor); `cancelled`: the decision changed before publication. */
export const DISCLOSURE_STATUSES = ['pending', 'published', 'expired', 'withdrawn', 'not_published', 'cancelled'] as const;
export type DisclosureStatus = (typeof DISCLOSURE_STATUSES)[number];

/** The published entry: masked, with nothing of disclosure.md's "never published" list. */
export interface DisclosureEntry {
  caseId: string;
  /** 决定书文号: the case id stands for it until decisions carry numbers of their own. */
  decisionNo: string;
  countyCode: string;
  countyName: string | null;
  townshipCode: string;
  /** The authority: the township's comprehensive enforcement brigade. */
  townshipName: string | null;
  matterCode: string | null;
  /** The violation type. */
  matterName: string | null;
  legalBasis: string | null;
  /** The facts in short, masked. */
  facts: string;
  party: { kind: 'person' | 'organization'; name: string; creditCode?: string };
  penalty: 'warning' | 'fine';
  fine: number | null;
  decidedAt: string;
}

/** What the case hands its disclosure process. */
export interface DisclosureInput {
  caseId: string;
  parentWorkflowId: string;
  attempt: number;
  countyCode: string;
  townshipCode: string;
  matterCode?: string | undefined;
  party: Party;
  /** The case's description and the officers' notes: free text, masked before publication. */
  facts: string;
  /** Natural persons named in the case besides the party (the reporter): masked in the facts. */
  otherNames: string[];
  decision: DecisionToDisclose;
  policy: DisclosurePolicy;
}

/**
 * What the credit publicity system is told when a published entry is withdrawn: by the disclosure process
 * (workflows/disclosure.ts) and for an entry carried over from before it (api/read-model/disclosures.ts).
 */
export function creditWithdrawalNotice(w: { caseId: string; disclosureId: string; countyCode: string; withdrawnAt: string; reason: string }) {
  return {
    channel: 'credit-publicity' as const,
    recipient: `credit-publicity:${w.countyCode}`,
    subject: `行政处罚信息撤下 case ${w.caseId} withdrawn from publication: ${w.reason}`,
    payload: { event: 'disclosure_withdrawn', caseId: w.caseId, disclosureId: w.disclosureId, withdrawnAt: w.withdrawnAt, reason: w.reason },
  };
}

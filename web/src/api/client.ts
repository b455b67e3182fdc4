import type { z } from 'zod';
import type { Account, NewAccount, accountChangeSchema } from '../../../api/account-schemas';
import type { ErrorBody, ErrorDetail } from '../../../api/errors';
import type { caseListQuerySchema, CaseSummary } from '../../../api/read-model/cases';
import type { Disclosure } from '../../../api/read-model/disclosures';
import type {
  DrawView,
  InspectionResultView,
  planListQuerySchema,
  PlanSummary,
  PlanView,
  PublicInspectionResult,
  publicResultsQuerySchema,
  Verification,
} from '../../../api/read-model/inspections';
import type { ImportReport, ListQuery as RegistryListQuery, RegistryChange } from '../../../api/read-model/registries';
import type { RegistryRows } from '../../../api/read-model/registry-definitions';
import type { Jurisdictions, Matter, Officer, officersQuerySchema } from '../../../api/read-model/reference';
import type { SlaPolicyResponse } from '../../../api/read-model/sla-policy';
import type { YearScheduleAnswer, YearScheduleBody } from '../../../domain/holiday-calendar';
import type { WebhookDelivery, WebhookEndpoint, WebhookEndpointInput } from '../../../api/read-model/webhooks';
import type { EfficiencyStats, statsQuerySchema } from '../../../api/read-model/stats';
import type { MeResponse, SessionResponse } from '../../../api/session-schemas';
import type {
  ActionBody,
  CountyResponse,
  ExtensionDecisionBody,
  ExtensionRequestBody,
  SatisfactionBody,
  SupervisionOrderBody,
} from '../../../domain/actions';
import type { CaseView, OpenCaseBody } from '../../../domain/case';
import type { SlaPolicyChange } from '../../../domain/sla';
import type { SummonsAnswerBody, SummonsBody } from '../../../domain/summons';
import type { createPlanSchema, drawRequestSchema, inspectionResultSchema } from '../../../domain/inspection-plan';
import type { Deadline } from '../../../domain/deadlines';
import type { DisclosureStatus } from '../../../domain/disclosure';
import type { ActionName } from '../../../domain/stages';
import type {
  enforcementObjectInputSchema,
  matterInputSchema,
  officerInputSchema,
  RegistryName,
  responsibilityItemInputSchema,
} from '../../../domain/registries';

/**
 * The console's one way to the API. Every shape is the API's own type (imported from api/ and
 * domain/, never copied); components never call fetch themselves. In the browser the session cookie
 * rides along (same origin); scripts and tests pass a bearer token in `headers`.
 */

export type { Account, CaseSummary, CaseView, Disclosure, EfficiencyStats, Jurisdictions, Matter, Officer, SlaPolicyResponse, WebhookDelivery, WebhookEndpoint, WebhookEndpointInput, YearScheduleAnswer, YearScheduleBody };
export type CaseListQuery = z.input<typeof caseListQuerySchema>;
export type CaseList = { items: CaseSummary[]; nextCursor?: string };
export type StatsQuery = z.input<typeof statsQuerySchema>;
export type OfficersQuery = z.input<typeof officersQuerySchema>;
export type AccountChange = z.input<typeof accountChangeSchema>;

export type { ImportReport, RegistryChange, RegistryName, RegistryRows };

export type { DrawView, InspectionResultView, PlanSummary, PlanView, PublicInspectionResult, Verification };
export type PlanListQuery = z.input<typeof planListQuerySchema>;
/** What planning a 双随机 campaign, a draw and a result take (domain/inspection-plan.ts). */
export type CreatePlanInput = z.input<typeof createPlanSchema>;
export type DrawRequestInput = z.input<typeof drawRequestSchema>;
export type InspectionResultInput = z.input<typeof inspectionResultSchema>;
export type PublicInspectionResultsQuery = z.input<typeof publicResultsQuerySchema>;
/** What a create or a PUT of each registry takes (domain/registries.ts); a PUT sends the whole row. */
export interface RegistryInputs {
  officers: z.input<typeof officerInputSchema>;
  'enforcement-objects': z.input<typeof enforcementObjectInputSchema>;
  matters: z.input<typeof matterInputSchema>;
  'responsibility-lists': z.input<typeof responsibilityItemInputSchema>;
}
/** Which registry: the responsibility lists live under their county (`/v1/admin/responsibility-lists/{countyCode}`). */
export type RegistryRef<R extends RegistryName = RegistryName> = R extends 'responsibility-lists' ? { name: R; countyCode: string } : { name: R };
export type RegistryFileType = 'csv' | 'xlsx';
/** The media types import takes (api/registry-files.ts CSV_TYPE, XLSX_TYPE). */
const FILE_TYPES: Record<RegistryFileType, string> = {
  csv: 'text/csv',
  xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
};
/** The ETag of a row's version (api/read-model/registries.ts etagOf): what If-Match sends back. */
export const etagOfVersion = (version: number): string => `"${version}"`;
/** The answer of the work-order routes (api/routes/work-orders.ts requestAnswerSchema): what the request did and the case after it. */
export interface WorkOrderAnswer {
  caseId: string;
  seq: number;
  stage: string;
  status: string;
  /** the extension request or supervision order id */
  requestId?: string;
  case: CaseView;
}

/** The answer of the summons routes (api/routes/summons.ts): the same shape as a work-order answer, `requestId` the summons id. */
export type SummonsAnswer = WorkOrderAnswer;

/** One disclosure of a case as the township reviews it (api/routes/disclosure.ts caseDisclosureSchema). */
export interface CaseDisclosure {
  disclosureId: string;
  status: DisclosureStatus;
  /** the masked entry as it is (or will be) published; null when nothing may be */
  entry: Record<string, unknown> | null;
  notPublishedReason: string | null;
  decidedAt: string;
  publishDueAt: string | null;
  publishedAt: string | null;
  visibleUntil: string | null;
  decisionChangedAt: string | null;
  withdrawnAt: string | null;
  withdrawalReason: string | null;
  escalations: number;
  deadlines: Deadline[];
  /** its steps: prepared, breaches, published, decision changed, withdrawn, expired */
  history: { at: string; type: string; actor?: { sub?: string; role?: string }; data?: Record<string, unknown> }[];
}
/** What publish / withdraw answer (api/routes/disclosure.ts disclosureAnswerSchema). */
export interface DisclosureActAnswer {
  caseId: string;
  disclosureId: string;
  status: string;
  publishDueAt?: string;
  publishedAt?: string;
  visibleUntil?: string;
  decisionChangedAt?: string;
  withdrawnAt?: string;
  withdrawalReason?: string;
  escalations: number;
}

/**
 * A fresh Idempotency-Key for one submission of a form: a retry of the same submission (a double click,
 * a lost answer) sends the same key and the API answers it once. Random hex from getRandomValues, which
 * (unlike randomUUID) also exists on a plain-http intranet origin.
 */
export function newIdempotencyKey(): string {
  const bytes = new Uint8Array(16);
  globalThis.crypto.getRandomValues(bytes);
  return `console-${Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('')}`;
}

/** A refusal of the API, in api.md's error shape. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details: ErrorDetail[] = [],
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

export interface ApiClientOptions {
  /** '' in the browser (same origin); `http://127.0.0.1:3000` for scripts and tests. */
  baseUrl?: string;
  headers?: Record<string, string>;
  fetch?: typeof fetch;
  /** Called on a 401 (the session ended): the console sends the person to sign in. */
  onUnauthorized?: (err: ApiError) => void;
}

type Query = Record<string, string | number | boolean | undefined>;

interface CallInit {
  body?: unknown;
  query?: Query;
  signedOutIsAnswer?: boolean;
  idempotencyKey?: string;
  /** If-Match and the like. */
  headers?: Record<string, string>;
  /** A file sent as it is (an import), instead of a JSON body. */
  file?: { bytes: Blob; type: string };
  /** The answer is a file (an export), not JSON. */
  blob?: boolean;
}

function queryString(query?: Query): string {
  if (!query) return '';
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(query)) if (v !== undefined && v !== '') params.set(k, String(v));
  const s = params.toString();
  return s ? `?${s}` : '';
}

export function createApiClient(options: ApiClientOptions = {}) {
  const baseUrl = options.baseUrl ?? '';
  const doFetch = options.fetch ?? ((input: string, init?: RequestInit) => fetch(input, init));

  async function call<T>(method: string, path: string, init: CallInit = {}): Promise<T> {
    const headers: Record<string, string> = { accept: init.blob ? '*/*' : 'application/json', ...options.headers, ...init.headers };
    if (init.idempotencyKey) headers['idempotency-key'] = init.idempotencyKey;
    if (init.body !== undefined) headers['content-type'] = 'application/json';
    if (init.file) headers['content-type'] = init.file.type;
    const body = init.file ? init.file.bytes : init.body !== undefined ? JSON.stringify(init.body) : undefined;
    let res: Response;
    try {
      res = await doFetch(`${baseUrl}${path}${queryString(init.query)}`, {
        method,
        headers,
        credentials: 'same-origin',
        ...(body !== undefined ? { body } : {}),
      });
    } catch (err) {
      throw new ApiError(0, 'network', `网络不可用 (network error): ${(err as Error).message}`);
    }
    if (res.status === 204) return undefined as T;
    if (res.ok && init.blob) return (await res.blob()) as T;
    const text = await res.text();
    let parsed: unknown;
    try {
      parsed = text ? JSON.parse(text) : undefined;
    } catch {
      parsed = undefined;
    }
    if (!res.ok) {
      const e = (parsed as Partial<ErrorBody> | undefined)?.error;
      const err = new ApiError(res.status, e?.code ?? 'http_error', e?.message ?? `HTTP ${res.status}`, e?.details ?? []);
      if (res.status === 401 && !init.signedOutIsAnswer) options.onUnauthorized?.(err);
      throw err;
    }
    return parsed as T;
  }

  const enc = encodeURIComponent;
  const registryPath = (ref: RegistryRef): string =>
    ref.name === 'responsibility-lists' ? `/v1/admin/responsibility-lists/${enc(ref.countyCode)}` : `/v1/admin/${ref.name}`;
  return {
    session: {
      signIn: (username: string, password: string) => call<SessionResponse>('POST', '/v1/session', { body: { username, password } }),
      signOut: () => call<void>('DELETE', '/v1/session'),
      /** 401 when nobody is signed in: an answer here, not a session that ended. */
      me: () => call<MeResponse>('GET', '/v1/me', { signedOutIsAnswer: true }),
    },
    cases: {
      list: (query: CaseListQuery = {}) => call<CaseList>('GET', '/v1/cases', { query: query as Query }),
      get: (caseId: string) => call<CaseView>('GET', `/v1/cases/${enc(caseId)}`),
      open: (body: OpenCaseBody) => call<CaseView>('POST', '/v1/cases', { body }),
      act: <A extends ActionName>(caseId: string, action: A, body: ActionBody<A>) =>
        call<CaseView>('POST', `/v1/cases/${enc(caseId)}/actions/${action}`, { body }),
      countyResponse: (caseId: string, body: CountyResponse) =>
        call<{ accepted: true; caseId: string }>('POST', `/v1/cases/${enc(caseId)}/county-response`, { body }),
      /** 延期申请: the handler asks for more time on a running deadline. */
      requestExtension: (caseId: string, body: ExtensionRequestBody) =>
        call<WorkOrderAnswer>('POST', `/v1/cases/${enc(caseId)}/extension-requests`, { body }),
      /** 延期审批: a supervisor approves or refuses (a refusal says why). */
      decideExtension: (caseId: string, requestId: string, body: ExtensionDecisionBody) =>
        call<WorkOrderAnswer>('POST', `/v1/cases/${enc(caseId)}/extension-requests/${enc(requestId)}/decision`, { body }),
      /** 督办: a supervisor urges the handler. */
      supervise: (caseId: string, body: SupervisionOrderBody) => call<WorkOrderAnswer>('POST', `/v1/cases/${enc(caseId)}/supervision-orders`, { body }),
      /** 回访 after close, within the callback window. */
      recordSatisfaction: (caseId: string, body: SatisfactionBody) => call<WorkOrderAnswer>('POST', `/v1/cases/${enc(caseId)}/satisfaction`, { body }),
      /** 吹哨: the township summons several county departments at once. */
      summon: (caseId: string, body: SummonsBody, idempotencyKey = newIdempotencyKey()) =>
        call<SummonsAnswer>('POST', `/v1/cases/${enc(caseId)}/summons`, { body, idempotencyKey }),
      /** 报到 / 不参加: a summoned county department answers for itself. */
      answerSummons: (caseId: string, departmentCode: string, body: SummonsAnswerBody, idempotencyKey = newIdempotencyKey()) =>
        call<SummonsAnswer>('POST', `/v1/cases/${enc(caseId)}/summons/${enc(departmentCode)}/answer`, { body, idempotencyKey }),
      /** 公示: the case's disclosures, newest decision first (empty when it has none). */
      disclosures: (caseId: string) => call<{ items: CaseDisclosure[] }>('GET', `/v1/cases/${enc(caseId)}/disclosure`),
      publishDisclosure: (caseId: string, idempotencyKey = newIdempotencyKey()) =>
        call<DisclosureActAnswer>('POST', `/v1/cases/${enc(caseId)}/disclosure/publish`, { body: {}, idempotencyKey }),
      withdrawDisclosure: (caseId: string, reason: string, idempotencyKey = newIdempotencyKey()) =>
        call<DisclosureActAnswer>('POST', `/v1/cases/${enc(caseId)}/disclosure/withdraw`, { body: { reason }, idempotencyKey }),
    },
    stats: {
      efficiency: (query: StatsQuery = {}) => call<EfficiencyStats>('GET', '/v1/stats/efficiency', { query: query as Query }),
    },
    reference: {
      jurisdictions: () => call<Jurisdictions>('GET', '/v1/jurisdictions'),
      matters: () => call<{ items: Matter[] }>('GET', '/v1/matters'),
      officers: (query: OfficersQuery = {}) => call<{ items: Officer[]; nextCursor?: string }>('GET', '/v1/officers', { query: query as Query }),
    },
    admin: {
      slaPolicy: () => call<SlaPolicyResponse>('GET', '/v1/admin/sla-policy'),
      publishSlaPolicy: (change: SlaPolicyChange) => call<SlaPolicyResponse>('PUT', '/v1/admin/sla-policy', { body: change }),
      /** 节假日: a year of the holiday calendar in force (published here, else the package's, else none). */
      calendar: (year: number) => call<YearScheduleAnswer>('GET', `/v1/admin/calendar/${year}`),
      publishCalendar: (year: number, body: YearScheduleBody) => call<YearScheduleAnswer>('PUT', `/v1/admin/calendar/${year}`, { body }),
      accounts: () => call<{ items: Account[] }>('GET', '/v1/admin/accounts'),
      createAccount: (account: NewAccount) => call<Account>('POST', '/v1/admin/accounts', { body: account }),
      changeAccount: (username: string, change: AccountChange) => call<Account>('PATCH', `/v1/admin/accounts/${enc(username)}`, { body: change }),
      resetPassword: (username: string, password: string) =>
        call<void>('PUT', `/v1/admin/accounts/${enc(username)}/password`, { body: { password } }),
    },
    /** 消息推送: webhook subscriptions and their delivery log (api/routes/webhooks.ts). */
    webhooks: {
      endpoints: () => call<{ items: WebhookEndpoint[] }>('GET', '/v1/webhooks/endpoints'),
      /** The answer carries the signing secret: the only time it is shown. */
      subscribe: (body: WebhookEndpointInput, idempotencyKey = newIdempotencyKey()) =>
        call<WebhookEndpoint & { secret: string }>('POST', '/v1/webhooks/endpoints', { body, idempotencyKey }),
      unsubscribe: (id: string) => call<void>('DELETE', `/v1/webhooks/endpoints/${enc(id)}`),
      rotateSecret: (id: string, idempotencyKey = newIdempotencyKey()) =>
        call<{ id: string; secret: string; previousSecretValidUntil: string }>('POST', `/v1/webhooks/endpoints/${enc(id)}/rotate-secret`, { idempotencyKey }),
      deliveries: (query: { endpointId?: string; status?: WebhookDelivery['status']; limit?: number }) =>
        call<{ items: WebhookDelivery[]; nextCursor?: string }>('GET', '/v1/webhooks/messages', { query }),
      replay: (deliveryId: string, idempotencyKey = newIdempotencyKey()) =>
        call<{ id: string; status: 'pending' }>('POST', `/v1/webhooks/messages/${enc(deliveryId)}/replay`, { idempotencyKey }),
    },
    /** 登记簿: the four registries an admin maintains (api/routes/registries.ts). */
    registries: {
      /** One page, ordered by key; `after` is the previous page's nextCursor; `q` searches on the server. */
      list: <R extends RegistryName>(ref: RegistryRef<R>, query: Partial<RegistryListQuery> = {}) =>
        call<{ items: RegistryRows[R][]; nextCursor?: string }>('GET', registryPath(ref), { query }),
      get: <R extends RegistryName>(ref: RegistryRef<R>, key: string) => call<RegistryRows[R]>('GET', `${registryPath(ref)}/${enc(key)}`),
      create: <R extends RegistryName>(ref: RegistryRef<R>, body: RegistryInputs[R], idempotencyKey = newIdempotencyKey()) =>
        call<RegistryRows[R]>('POST', registryPath(ref), { body, idempotencyKey }),
      /** Replaces the whole row if it is still at `version` (412 when someone changed it since; 409 when retired). */
      update: <R extends RegistryName>(ref: RegistryRef<R>, key: string, body: RegistryInputs[R], version: number) =>
        call<RegistryRows[R]>('PUT', `${registryPath(ref)}/${enc(key)}`, { body, headers: { 'if-match': etagOfVersion(version) } }),
      /** 停用: the row is kept for history and leaves the lists. */
      retire: <R extends RegistryName>(ref: RegistryRef<R>, key: string, version: number) =>
        call<RegistryRows[R]>('DELETE', `${registryPath(ref)}/${enc(key)}`, { headers: { 'if-match': etagOfVersion(version) } }),
      /** 修改记录: every version of the row, oldest first. */
      history: (ref: RegistryRef, key: string) => call<{ items: RegistryChange[] }>('GET', `${registryPath(ref)}/${enc(key)}/history`),
      /** A dry run reports every bad row and changes nothing; a real import with a bad row is refused (422) and changes nothing. */
      import: (ref: RegistryRef, file: Blob, type: RegistryFileType, dryRun: boolean, idempotencyKey = newIdempotencyKey()) =>
        call<ImportReport>('POST', `${registryPath(ref)}/import`, { file: { bytes: file, type: FILE_TYPES[type] }, query: { dryRun }, idempotencyKey }),
      /** The current rows as a file import reads back. */
      export: (ref: RegistryRef, type: RegistryFileType) => call<Blob>('GET', `${registryPath(ref)}/export.${type}`, { blob: true }),
    },
    /** 双随机一公开 campaigns (api/routes/inspections.ts): county (own county), supervisor, admin. */
    inspections: {
      /** 201 a new plan; 200 the same plan for a retry with the same key. Its pool is frozen moments later (GET it again). */
      createPlan: (body: CreatePlanInput, idempotencyKey = newIdempotencyKey()) =>
        call<PlanView>('POST', '/v1/inspections/plans', { body, idempotencyKey }),
      /** The campaigns the caller may see (a county user: its county), newest first. */
      plans: (query: PlanListQuery = {}) => call<{ items: PlanSummary[]; nextCursor?: string }>('GET', '/v1/inspections/plans', { query: query as Query }),
      plan: (planId: string) => call<PlanView>('GET', `/v1/inspections/plans/${enc(planId)}`),
      /** 422 insufficient_inspectors when an object has too few eligible inspectors (the attempt is still recorded); 400 a redraw without a reason. */
      draw: (planId: string, body: DrawRequestInput, idempotencyKey = newIdempotencyKey()) =>
        call<DrawView>('POST', `/v1/inspections/plans/${enc(planId)}/draws`, { body, idempotencyKey }),
      drawDetail: (drawId: string) => call<DrawView>('GET', `/v1/inspections/draws/${enc(drawId)}`),
      /** 校验: recomputed from the recorded inputs. */
      verify: (drawId: string) => call<Verification>('GET', `/v1/inspections/draws/${enc(drawId)}/verify`),
      results: (planId: string) => call<{ items: InspectionResultView[] }>('GET', `/v1/inspections/plans/${enc(planId)}/results`),
      recordResult: (planId: string, body: InspectionResultInput) =>
        call<{ accepted: true }>('POST', `/v1/inspections/plans/${enc(planId)}/results`, { body }),
    },
    public: {
      /** 双随机抽查结果公示, newest publication first (no sign-in). */
      inspectionResults: (query: PublicInspectionResultsQuery = {}) =>
        call<{ items: PublicInspectionResult[]; nextCursor?: string }>('GET', '/v1/public/inspection-results', { query: query as Query }),
      disclosures: (query: { limit?: number; cursor?: string } = {}) =>
        call<{ items: Disclosure[]; nextCursor?: string }>('GET', '/v1/public/disclosures', { query }),
    },
  };
}
export type ApiClient = ReturnType<typeof createApiClient>;

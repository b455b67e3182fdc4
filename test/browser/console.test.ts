import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import ExcelJS from 'exceljs';
import readline from 'node:readline';
import pino from 'pino';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Claims } from '../../api/claims';
import type { CaseSummary } from '../../api/read-model/cases';
import type { DrawView, PlanView } from '../../api/read-model/inspections';
import type { Officer } from '../../api/read-model/reference';
import type { EfficiencyStats } from '../../api/read-model/stats';
import { createEmptyDatabase, DEFAULT_ADMIN_URL, type ScratchDatabase } from '../../db/scratch-database';
import { DEMO, DEMO_PASSWORD } from '../../db/seed';
import type { CaseView } from '../../domain/case';
import { packageSchedules } from '../../domain/holiday-calendar';
import { signDevToken } from '../../runtime/dev-token';
import { freePort } from '../../runtime/ports';
import { ensureWebBuilt } from '../../runtime/web-build';
import { SHEET_NAMES } from '../../web/src/assessment';
import { formatRate } from '../../web/src/format';

/**
 * The workbench in a real browser (Debian's chromium through playwright-core) against the real service:
 * a Temporal dev server (TEMPORAL_CLI_PATH), a fresh PostgreSQL database, the worker and the API serving
 * the built console. Each role signs in with its demo account and does its work through the screens.
 * Screenshots of every main screen go to test-artifacts/ (not committed).
 */

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const ARTIFACTS = path.resolve(__dirname, '../../test-artifacts');
const SCREEN = { width: 1366, height: 768 };
const PHONE = { width: 390, height: 844 };

const ROOT = path.resolve(__dirname, '../..');
const JWT_SECRET = 'browser-test-secret-of-32-characters';

let db: ScratchDatabase;
/** `npm start` (runtime/start.ts) in a child process, on the test's database and a fresh Temporal dev server. */
let service: { urls: { api: string }; jwtSecret: string; child: ChildProcess; output: string[] };
let browser: Browser;
let dataDir: string;
const contexts: BrowserContext[] = [];

const HOTLINE: Claims = { sub: 'hotline-12345', role: 'upstream', countyCode: DEMO.county };
const TOWNSHIP: Claims = { sub: 'api-liantang', role: 'township', countyCode: DEMO.county, townshipCode: DEMO.township };
const ADMIN: Claims = { sub: 'api-admin', role: 'admin' };
const SUPERVISOR: Claims = { sub: 'api-supervisor', role: 'supervisor', countyCode: DEMO.county };

/** The API as a machine client (bearer token), to set the scene and to read the numbers the screens must show. */
async function http<T>(caller: Claims, method: string, url: string, body?: unknown): Promise<T> {
  const res = await fetch(`${service.urls.api}${url}`, {
    method,
    headers: {
      authorization: `Bearer ${signDevToken(caller, service.jwtSecret)}`,
      ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
    },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
  const text = await res.text();
  if (!res.ok) throw new Error(`${method} ${url} → ${res.status} ${text}`);
  return (text ? JSON.parse(text) : undefined) as T;
}

let caseCounter = 0;
async function openHotlineCase(townshipCode: string = DEMO.township, description = '商户长期占道经营，影响通行'): Promise<CaseView> {
  caseCounter += 1;
  return http<CaseView>(HOTLINE, 'POST', '/v1/cases', {
    source: 'hotline',
    externalRef: `12345-browser-${process.pid}-${caseCounter}`,
    countyCode: DEMO.county,
    townshipCode,
    location: { address: '浦城县莲塘镇街上路18号' },
    description,
    reporter: { name: '王女士', phone: '13800000000' },
  });
}

async function until<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

async function newPage(viewport = SCREEN): Promise<Page> {
  const context = await browser.newContext({ viewport, locale: 'zh-CN', timezoneId: 'Asia/Shanghai', acceptDownloads: true });
  contexts.push(context);
  const page = await context.newPage();
  page.setDefaultTimeout(20_000);
  return page;
}

async function shot(page: Page, name: string): Promise<void> {
  await page.screenshot({ path: path.join(ARTIFACTS, `${name}.png`), fullPage: true });
}

async function signIn(page: Page, username: string): Promise<void> {
  await page.goto(`${service.urls.api}/login`);
  await page.getByTestId('username').fill(username);
  await page.getByTestId('password').fill(DEMO_PASSWORD);
  await page.getByTestId('sign-in').click();
  await page.getByTestId('who').waitFor();
}

const form = (page: Page, name: string) => page.locator(`[data-form="${name}"]`);
const field = (page: Page, formName: string, key: string) => form(page, formName).locator(`[data-field="${key}"]`);

async function choose(page: Page, formName: string, key: string, label: string): Promise<void> {
  await field(page, formName, key).locator('.el-radio').filter({ has: page.getByText(label, { exact: true }) }).click();
}
/** An Element Plus select: open it, type to filter, Enter takes the first match. */
async function pick(page: Page, formName: string, key: string, text: string): Promise<void> {
  await field(page, formName, key).locator('.el-select__wrapper').click();
  await page.keyboard.type(text);
  await page.locator('.el-select-dropdown__item:visible').filter({ hasText: text }).first().waitFor();
  await page.keyboard.press('Enter');
  await page.keyboard.press('Escape');
}
/** An Element Plus select without filtering (an enum of more than four options): open it, click the option. */
async function select(page: Page, formName: string, key: string, label: string): Promise<void> {
  await field(page, formName, key).locator('.el-select__wrapper').click();
  await page.locator('.el-select-dropdown__item:visible').filter({ hasText: label }).first().click();
}
async function submit(page: Page, formName: string): Promise<void> {
  await form(page, formName).getByTestId('submit').click();
}

beforeAll(async () => {
  if (!fs.existsSync(CHROMIUM)) {
    throw new Error(`no chromium at ${CHROMIUM}: apt-get install chromium fonts-noto-cjk (as .ci/run does), or set CHROMIUM_PATH`);
  }
  fs.mkdirSync(ARTIFACTS, { recursive: true });
  const logger = pino({ level: 'warn' });
  await ensureWebBuilt(logger);
  db = await createEmptyDatabase(process.env.DATABASE_URL || DEFAULT_ADMIN_URL, 'enforcement_browser');
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'enforcement-browser-'));
  const port = await freePort();
  const env: NodeJS.ProcessEnv = { ...process.env, DATABASE_URL: db.url, DATA_DIR: dataDir, PORT: String(port), HOST: '127.0.0.1', LOG_LEVEL: 'warn', JWT_SECRET };
  for (const key of ['TEMPORAL_ADDRESS', 'TEMPORAL_NAMESPACE', 'TEMPORAL_TASK_QUEUE', 'NODE_OPTIONS']) delete env[key];
  const child = spawn(process.execPath, ['--import', 'tsx', 'runtime/start.ts'], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
  const output: string[] = [];
  readline.createInterface({ input: child.stderr! }).on('line', (line) => output.push(`[stderr] ${line}`));
  const api = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`npm start not ready within 180 s:\n${output.join('\n')}`)), 180_000);
    readline.createInterface({ input: child.stdout! }).on('line', (line) => {
      output.push(line);
      if (!line.startsWith('{')) return;
      try {
        const parsed = JSON.parse(line) as { event?: string; urls?: { api: string } };
        if (parsed.event === 'ready' && parsed.urls) {
          clearTimeout(timer);
          resolve(parsed.urls.api);
        }
      } catch {
        /* not the ready line */
      }
    });
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`npm start exited early (${code ?? signal}):\n${output.join('\n')}`));
    });
  });
  service = { urls: { api }, jwtSecret: JWT_SECRET, child, output };
  browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ['--no-sandbox'] });
}, 240_000);

afterAll(async () => {
  for (const c of contexts) await c.close().catch(() => undefined);
  await browser?.close();
  if (service?.child.exitCode === null) {
    const exited = new Promise((resolve) => service.child.once('exit', resolve));
    service.child.kill('SIGINT');
    await exited;
  }
  await db?.drop();
  if (dataDir) fs.rmSync(dataDir, { recursive: true, force: true });
}, 60_000);

describe('workbench in a browser', () => {
  it('a township officer signs in, sees the hotline case in 待办, walks it to close through the forms, and sees it closed', async () => {
    const opened = await openHotlineCase();
    const page = await newPage();
    await page.goto(`${service.urls.api}/`);
    await page.waitForURL(/\/login/);
    await shot(page, '01-login');
    await signIn(page, 'liantang');
    await page.waitForURL(/\/todo$/);
    const row = page.getByTestId('todo-table').locator('tr', { hasText: opened.caseId });
    await row.waitFor();
    await expect(row.getByTestId('countdown').innerText()).resolves.toMatch(/剩余|超期/);
    await shot(page, '02-township-todo');

    await row.getByRole('link', { name: opened.caseId }).click();
    await page.waitForURL(new RegExp(`/cases/${opened.caseId}$`));

    // 网格巡查: the grid member's report (observedAt defaults to now)
    await field(page, 'patrol-report', 'gridMemberId').locator('input').fill('grid-member-7');
    await field(page, 'patrol-report', 'findings').locator('textarea').fill('占道经营属实');
    await shot(page, '03-case-patrol');
    await submit(page, 'patrol-report');
    // 源头发现
    await choose(page, 'confirm', 'confirmed', '是');
    await submit(page, 'confirm');
    // 信息采集
    await pick(page, 'capture', 'matterCode', DEMO.matters.townshipPenalty);
    await choose(page, 'capture', 'party.kind', '自然人');
    await field(page, 'capture', 'party.name').locator('input').fill('李某');
    await submit(page, 'capture');
    // 任务分派: an expired certificate in the pair → the 422 reason next to the officers field
    await choose(page, 'assign', 'level', '本镇执法队办理');
    await pick(page, 'assign', 'officerIds', DEMO.officers.certified[0]);
    await pick(page, 'assign', 'officerIds', DEMO.officers.expired);
    await submit(page, 'assign');
    const officersError = field(page, 'assign', 'officerIds').locator('.el-form-item__error');
    await officersError.waitFor();
    await expect(officersError.innerText()).resolves.toContain(DEMO.officers.expired);
    await shot(page, '04-case-assign-refused');
    // replace the expired officer with a certified one
    await field(page, 'assign', 'officerIds').locator('.el-tag', { hasText: DEMO.officers.expired }).locator('.el-tag__close').click();
    await pick(page, 'assign', 'officerIds', DEMO.officers.certified[1]);
    await submit(page, 'assign');
    // 问题处理 → 核查反馈
    await select(page, 'handle', 'outcome', '当场改正');
    await field(page, 'handle', 'notes').locator('textarea').fill('当场责令改正');
    await submit(page, 'handle');
    await choose(page, 'verify', 'passed', '是');
    await submit(page, 'verify');

    const status = page.getByTestId('case-status');
    await expect.poll(() => status.innerText(), { timeout: 20_000 }).toContain('已结案');
    await page.getByTestId('review').waitFor();
    const live = await http<CaseView>(TOWNSHIP, 'GET', `/v1/cases/${opened.caseId}`);
    expect(live.status).toBe('closed');
    expect(live.resolution).toBe('resolved');
    expect(live.handler.officerIds).toEqual([DEMO.officers.certified[0], DEMO.officers.certified[1]]);
    await shot(page, '05-case-closed');
    // 回访 while the callback window of a hotline case runs
    await choose(page, 'satisfaction', 'rating', '基本满意');
    await submit(page, 'satisfaction');
    await page.getByTestId('satisfaction').locator('tr', { hasText: '基本满意' }).waitFor();
    await expect(form(page, 'satisfaction').count()).resolves.toBe(0);
    const called = await http<CaseView>(TOWNSHIP, 'GET', `/v1/cases/${opened.caseId}`);
    expect(called.satisfaction).toMatchObject([{ rating: 'basically_satisfied', reopened: false, by: { sub: 'liantang' } }]);

    await page.goto(`${service.urls.api}/cases/${opened.caseId}/file`);
    await page.getByText('行政执法案卷').waitFor();
    await shot(page, '06-case-file');
  });

  it("a township officer opens a case with 新建案件; typing another township's case URL shows a refusal, never the case", async () => {
    const secret = '石陂镇的案件描述-不应显示';
    const other = await openHotlineCase(DEMO.otherTownship, secret);
    const page = await newPage();
    await signIn(page, 'liantang');
    // 新建案件: the officer opens a complaint in the own township (county and township are the officer's own)
    await page.getByRole('menuitem', { name: '新建案件' }).click();
    await expect(form(page, 'open-case').locator('[data-field="townshipCode"]').count()).resolves.toBe(0);
    await expect(form(page, 'open-case').locator('[data-field="patrol.findings"]').count()).resolves.toBe(0);
    await field(page, 'open-case', 'location.address').locator('input').fill('浦城县莲塘镇莲塘街8号');
    await field(page, 'open-case', 'description').locator('textarea').fill('店外占道摆放货物');
    await field(page, 'open-case', 'reporter.phone').locator('input').fill('13900000000');
    await shot(page, '07a-new-case');
    await submit(page, 'open-case');
    await page.waitForURL(/\/cases\/C[0-9a-f]+$/);
    await expect(page.getByTestId('case-status').innerText()).resolves.toContain('网格巡查');
    const newId = page.url().split('/').pop()!;
    const created = await http<CaseView>(TOWNSHIP, 'GET', `/v1/cases/${newId}`);
    expect(created).toMatchObject({ source: 'complaint', townshipCode: DEMO.township, description: '店外占道摆放货物', createdBy: { sub: 'liantang' } });

    await page.goto(`${service.urls.api}/cases/${other.caseId}`);
    const refusal = page.getByTestId('refusal');
    await refusal.waitFor();
    await expect(refusal.innerText()).resolves.toContain('无权查看');
    expect(await page.content()).not.toContain(secret);
    await page.goto(`${service.urls.api}/cases/${other.caseId}/file`);
    await page.getByTestId('refusal').waitFor();
    expect(await page.content()).not.toContain(secret);
    await shot(page, '07-refusal');
  });

  it('a county department sees the transfer awaiting its answer, accepts it and handles the case', async () => {
    const opened = await openHotlineCase();
    const id = opened.caseId;
    await http(TOWNSHIP, 'POST', `/v1/cases/${id}/actions/patrol-report`, { gridMemberId: 'grid-member-7', observedAt: new Date().toISOString(), findings: '疑似违法建设' });
    await http(TOWNSHIP, 'POST', `/v1/cases/${id}/actions/confirm`, { confirmed: true });
    await http(TOWNSHIP, 'POST', `/v1/cases/${id}/actions/capture`, { matterCode: DEMO.matters.countyPenalty, party: { kind: 'person', name: '张某' } });
    await http(TOWNSHIP, 'POST', `/v1/cases/${id}/actions/assign`, { level: 'county', departmentCode: DEMO.departments.urbanManagement });

    const page = await newPage();
    await signIn(page, 'pc-cgj');
    await page.waitForURL(/\/todo$/);
    const row = page.getByTestId('awaiting-answer').locator('tr', { hasText: id });
    await row.waitFor();
    await shot(page, '08-county-todo');
    await row.getByRole('link', { name: id }).click();
    await choose(page, 'county-response', 'decision', '接收');
    await shot(page, '09-county-response');
    await submit(page, 'county-response');
    // accepted: the department now holds the case and handles it
    await form(page, 'handle').waitFor({ timeout: 20_000 });
    await select(page, 'handle', 'outcome', '当场改正');
    await submit(page, 'handle');
    await expect.poll(() => page.getByTestId('case-status').innerText(), { timeout: 20_000 }).toContain('核查反馈');
    const live = await http<CaseView>(TOWNSHIP, 'GET', `/v1/cases/${id}`);
    expect(live.stage).toBe('verification');
    expect(live.handler).toMatchObject({ level: 'county', departmentCode: DEMO.departments.urbanManagement });
    expect(live.timeline.map((e) => e.type)).toContain('transfer_accepted');
    await shot(page, '10-county-case');
  });

  it('the supervisor board lists a case made overdue by a short SLA, charts the numbers of /v1/stats/efficiency, and the Excel export holds them', async () => {
    // a patrol SLA of 2 seconds for new cases: level 1 at 2 s, level 2 at 4 s
    const previous = await http<{ slas: { patrol: unknown } }>(ADMIN, 'GET', '/v1/admin/sla-policy');
    await http(ADMIN, 'PUT', '/v1/admin/sla-policy', { slas: { patrol: { duration: 'PT2S' } } });
    let late: CaseView;
    try {
      late = await openHotlineCase(DEMO.township, '短时限：巡查超期');
    } finally {
      await http(ADMIN, 'PUT', '/v1/admin/sla-policy', { slas: { patrol: previous.slas.patrol } });
    }
    await until('level 2 escalation', async () => {
      const c = await http<CaseView>(SUPERVISOR, 'GET', `/v1/cases/${late.caseId}`);
      return c.deadlines.some((d) => d.kind === 'patrol' && d.escalationLevel === 2) ? true : undefined;
    });
    const overdue = await http<{ items: CaseSummary[] }>(SUPERVISOR, 'GET', '/v1/cases?overdue=true');
    expect(overdue.items.map((c) => c.caseId)).toContain(late.caseId);

    const page = await newPage();
    await signIn(page, 'pc-supervisor');
    await page.waitForURL(/\/board$/);
    const lateRow = page.getByTestId('overdue-table').locator('tr', { hasText: late.caseId });
    await lateRow.waitFor();
    await expect(lateRow.getAttribute('class')).resolves.toContain('row-level-2');
    await expect(lateRow.innerText()).resolves.toContain('二级督办');

    // the numbers on screen are those of the API
    const [township, department] = await Promise.all([
      http<EfficiencyStats>(SUPERVISOR, 'GET', '/v1/stats/efficiency?groupBy=township'),
      http<EfficiencyStats>(SUPERVISOR, 'GET', '/v1/stats/efficiency?groupBy=department'),
    ]);
    const own = township.items.find((u) => u.code === DEMO.township);
    expect(own?.cases).toBeGreaterThanOrEqual(2);
    const keys = ['closureRate', 'onTimeClosureRate', 'reworkRate', 'overdueRate'] as const;
    for (const [testId, stats] of [['chart-township', township], ['chart-department', department]] as const) {
      const card = page.getByTestId(testId);
      await card.locator('svg').first().waitFor();
      const svgText = (await card.locator('svg text').allTextContents()).join(' ');
      for (const unit of stats.items) {
        for (const key of keys) {
          const shown = card.locator(`[data-rate="${unit.code}:${key}"]`);
          await expect(shown.innerText()).resolves.toBe(formatRate(unit[key].rate));
          if (unit[key].rate !== null) expect(svgText).toContain(formatRate(unit[key].rate));
        }
        // the table's 12345 columns: 满意率 (two decimals as the others)
        await expect(card.locator(`[data-rate="${unit.code}:satisfactionRate"]`).innerText()).resolves.toBe(formatRate(unit.satisfactionRate.rate));
      }
    }
    await shot(page, '11-supervisor-board');

    // 量化考核 export: the workbook holds the same numbers
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('export').click()]);
    const file = path.join(ARTIFACTS, 'assessment.xlsx');
    await download.saveAs(file);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.readFile(file);
    const sheet = wb.getWorksheet(SHEET_NAMES.township);
    expect(sheet).toBeDefined();
    const rows = new Map<string, ExcelJS.CellValue[]>();
    sheet!.eachRow((r) => {
      const values = (r.values as ExcelJS.CellValue[]).slice(1);
      if (typeof values[0] === 'string') rows.set(values[0], values);
    });
    for (const unit of township.items) {
      const r = rows.get(unit.code);
      expect(r, unit.code).toBeDefined();
      expect(r![2]).toBe(unit.cases);
      expect(r![3] ?? null).toBe(unit.closureRate.rate);
      expect(r![4]).toBe(unit.closureRate.numerator);
      expect(r![5]).toBe(unit.closureRate.denominator);
      expect(r![6] ?? null).toBe(unit.onTimeClosureRate.rate);
      expect(r![9] ?? null).toBe(unit.reworkRate.rate);
      expect(r![12] ?? null).toBe(unit.overdueRate.rate);
    }
    expect(wb.getWorksheet(SHEET_NAMES.department)).toBeDefined();
    expect(wb.getWorksheet(SHEET_NAMES.officer)).toBeDefined();
    expect(wb.getWorksheet(SHEET_NAMES.definitions)?.rowCount).toBeGreaterThan(3);
  });

  it('the admin screens, the public 公示 page without sign-in, and the township inbox on a phone', async () => {
    const admin = await newPage();
    await signIn(admin, 'admin');
    // the admin's home is the 登记簿 (last test); accounts are in the same menu group, 系统管理
    await admin.waitForURL(/\/admin\/registries$/);
    await admin.getByRole('menuitem', { name: '系统管理' }).click();
    await admin.getByRole('menuitem', { name: '账号', exact: true }).click();
    await admin.waitForURL(/\/admin\/accounts$/);
    await admin.getByTestId('accounts').locator('tr', { hasText: 'pc-supervisor' }).waitFor();
    await shot(admin, '12-admin-accounts');
    // a new supervisor account, made on the screen, signs in
    await admin.getByTestId('new-account').click();
    await field(admin, 'new-account', 'username').locator('input').fill('sw-supervisor');
    await field(admin, 'new-account', 'displayName').locator('input').fill('邵武市执法监督');
    await field(admin, 'new-account', 'password').locator('input').fill('a-long-password');
    await choose(admin, 'new-account', 'role', '督查');
    await pick(admin, 'new-account', 'countyCode', DEMO.otherCounty);
    await submit(admin, 'new-account');
    await admin.getByTestId('accounts').locator('tr', { hasText: 'sw-supervisor' }).waitFor();
    const created = await fetch(`${service.urls.api}/v1/session`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: 'sw-supervisor', password: 'a-long-password' }),
    });
    expect(created.status).toBe(200);
    expect(((await created.json()) as { claims: Claims }).claims).toEqual({ sub: 'sw-supervisor', role: 'supervisor', countyCode: DEMO.otherCounty });
    await admin.goto(`${service.urls.api}/admin/sla-policy`);
    await admin.getByTestId('publish').waitFor();
    await shot(admin, '13-admin-sla-policy');

    // 节假日: the latest year the package carries; 元旦 taken off the schedule is refused naming it, put back it publishes
    const year = packageSchedules().at(-1)!.year;
    await admin.getByRole('menuitem', { name: '系统管理' }).click();
    await admin.getByRole('menuitem', { name: '节假日' }).click();
    await admin.waitForURL(/\/admin\/calendar$/);
    const yearInput = admin.getByTestId('calendar-year').locator('input');
    await yearInput.fill(String(year));
    await yearInput.press('Enter');
    const source = admin.getByTestId('calendar-source');
    await expect.poll(() => source.innerText()).toContain('chinese-days');
    const newYear = admin.locator(`[data-day="${year}-01-01"]`).first();
    await expect(newYear.getAttribute('data-kind')).resolves.toBe('off');
    await newYear.click();
    await expect(newYear.getAttribute('data-kind')).resolves.not.toBe('off');
    await admin.getByTestId('calendar-document').fill(`国务院办公厅关于${year}年部分节假日安排的通知（演练 drill）`);
    await admin.getByTestId('calendar-document-date').fill(`${year - 1}-11-12`);
    await admin.getByTestId('publish-calendar').click();
    await expect.poll(() => admin.getByTestId('calendar-error').first().innerText()).toContain(`元旦 on ${year}-01-01 is missing`);
    while ((await newYear.getAttribute('data-kind')) !== 'off') await newYear.click();
    await admin.getByTestId('publish-calendar').click();
    await expect.poll(() => source.getAttribute('data-source')).toBe('admin');
    await expect(source.innerText()).resolves.toContain('第 1 版');
    await shot(admin, '13a-admin-holiday-calendar');

    // 消息推送: a loopback URL is refused naming the field; a subscription shows its secret once, rotates, and is withdrawn
    await admin.goto(`${service.urls.api}/admin/webhooks`);
    await admin.getByTestId('new-webhook').click();
    await admin.getByTestId('webhook-url').fill('http://127.0.0.1:9/hooks');
    await admin.getByTestId('webhook-subscribe').click();
    await expect.poll(() => admin.getByTestId('webhook-form-error').innerText()).toContain('body.url');
    const hook = 'https://1.1.1.1/hooks/enforcement';
    await admin.getByTestId('webhook-url').fill(hook);
    await admin.getByTestId('webhook-description').fill('市 12345 平台（演练）');
    await admin.getByTestId('webhook-events').click();
    await admin.getByRole('option', { name: /公示撤回/ }).click();
    await admin.keyboard.press('Escape');
    await admin.getByTestId('webhook-subscribe').click();
    const firstSecret = await admin.getByTestId('webhook-secret-value').innerText();
    expect(firstSecret).toMatch(/^whsec_/);
    const hookRow = admin.getByTestId('webhooks').locator('tr', { hasText: hook });
    await expect(hookRow.innerText()).resolves.toContain('公示撤回');
    await hookRow.getByTestId('webhook-log').click();
    await admin.getByTestId('webhook-deliveries').waitFor();
    await hookRow.getByTestId('webhook-rotate').click();
    await admin.locator('.el-message-box__btns .el-button--primary').click();
    await expect.poll(() => admin.getByTestId('webhook-secret-value').innerText()).not.toBe(firstSecret);
    await admin.locator('.el-message-box').waitFor({ state: 'hidden' });
    await shot(admin, '13b-admin-webhooks');
    await hookRow.getByTestId('webhook-delete').click();
    await admin.locator('.el-message-box__btns .el-button--primary').click();
    await expect.poll(() => admin.getByTestId('webhooks').locator('tr', { hasText: hook }).count()).toBe(0);

    const visitor = await newPage();
    await visitor.goto(`${service.urls.api}/public`);
    await visitor.getByTestId('disclosures').waitFor();
    expect(visitor.url()).toMatch(/\/public$/);
    await shot(visitor, '14-public-disclosures');

    // a fuller inbox for the README: an urgent case and a fresh one beside the overdue one
    await http(HOTLINE, 'POST', '/v1/cases', {
      source: 'complaint', countyCode: DEMO.county, townshipCode: DEMO.township, urgent: true,
      location: { address: '浦城县莲塘镇莲塘街42号' }, description: '夜间施工噪音扰民',
    });
    await openHotlineCase(DEMO.township, '占用人行道堆放建材');
    const desk = await newPage();
    await signIn(desk, 'liantang');
    await expect.poll(() => desk.getByTestId('todo-table').locator('tbody tr').count()).toBeGreaterThanOrEqual(3);
    await shot(desk, '16-township-todo');

    const phone = await newPage(PHONE);
    await signIn(phone, 'liantang');
    await expect.poll(() => phone.getByTestId('todo-cards').locator('a').count()).toBeGreaterThanOrEqual(3);
    await expect(phone.getByTestId('todo-cards').innerText()).resolves.toMatch(/剩余|超期/);
    await shot(phone, '15-township-todo-phone');
  });

  it('a supervisor sends a 督办 on the case page and sees it listed; a township asks for an extension and the supervisor approves it there', async () => {
    const opened = await openHotlineCase(DEMO.township, '12345工单：督办与延期');
    const id = opened.caseId;
    const supervisor = await newPage();
    await signIn(supervisor, 'pc-supervisor');
    await supervisor.goto(`${service.urls.api}/cases/${id}`);
    // the supervisor has no procedure step here, only the supervision order
    await form(supervisor, 'supervision-order').waitFor();
    expect(await supervisor.getByTestId('actions').count()).toBe(0);
    await field(supervisor, 'supervision-order', 'note').locator('textarea').fill('请于本周内处理并反馈');
    await submit(supervisor, 'supervision-order');
    await supervisor.getByTestId('supervision-orders').locator('tr', { hasText: '请于本周内处理并反馈' }).waitFor();

    const township = await newPage();
    await signIn(township, 'liantang');
    await township.goto(`${service.urls.api}/cases/${id}`);
    await township.getByTestId('supervision-orders').locator('tr', { hasText: '请于本周内处理并反馈' }).waitFor();
    expect(await township.getByTestId('supervise').count()).toBe(0);
    // neither working days nor a new due instant: the schema's refusal next to the field it names
    await field(township, 'extension-request', 'reason').locator('textarea').fill('当事人外出，需延期核实');
    await submit(township, 'extension-request');
    await expect(field(township, 'extension-request', 'workingDays').locator('.el-form-item__error').innerText()).resolves.toContain('workingDays');
    await field(township, 'extension-request', 'workingDays').locator('input').fill('3');
    await submit(township, 'extension-request');
    const pending = township.getByTestId('extension-requests').locator('[data-status="pending"]');
    await pending.waitFor();
    await expect(pending.innerText()).resolves.toContain('待审批');
    expect(await township.getByTestId('approve-extension').count()).toBe(0);
    await shot(township, '17-extension-requested');

    const before = await http<CaseView>(SUPERVISOR, 'GET', `/v1/cases/${id}`);
    const asked = before.extensionRequests?.[0];
    expect(asked).toMatchObject({ status: 'pending', workingDays: 3, deadlineKind: 'patrol' });
    await supervisor.reload();
    await supervisor.getByTestId('approve-extension').click();
    await supervisor.getByTestId('extension-requests').locator('[data-status="approved"]').waitFor();
    await supervisor.getByTestId('deadlines').getByTestId('extended').waitFor();
    await expect(supervisor.getByTestId('extension-requests').innerText()).resolves.toContain('新到期');
    await shot(supervisor, '18-extension-approved');
    const after = await http<CaseView>(SUPERVISOR, 'GET', `/v1/cases/${id}`);
    expect(after.extensionRequests?.[0]).toMatchObject({ status: 'approved', decidedBy: { sub: 'pc-supervisor' } });
    const patrol = after.deadlines.find((d) => d.id === asked!.deadlineId)!;
    expect(patrol.extensions).toBe(1);
    expect(Date.parse(patrol.dueAt)).toBeGreaterThan(Date.parse(before.deadlines.find((d) => d.id === asked!.deadlineId)!.dueAt));
    expect(after.supervisionOrders?.map((o) => o.note)).toEqual(['请于本周内处理并反馈']);
  });

  it('吹哨报到: the township summons two departments on the case page; the summoned department reports there; the table shows both answers', async () => {
    const opened = await openHotlineCase(DEMO.township, '占道经营，需城管与交通联合执法');
    const id = opened.caseId;
    await http(TOWNSHIP, 'POST', `/v1/cases/${id}/actions/patrol-report`, { gridMemberId: 'grid-member-7', observedAt: new Date().toISOString(), findings: '占道经营属实' });
    await http(TOWNSHIP, 'POST', `/v1/cases/${id}/actions/confirm`, { confirmed: true });
    await http(TOWNSHIP, 'POST', `/v1/cases/${id}/actions/capture`, { matterCode: DEMO.matters.townshipPenalty, party: { kind: 'person', name: '李某' } });
    await http(TOWNSHIP, 'POST', `/v1/cases/${id}/actions/assign`, { level: 'township', officerIds: [...DEMO.officers.certified.slice(0, 2)] });

    const township = await newPage();
    await signIn(township, 'liantang');
    await township.goto(`${service.urls.api}/cases/${id}`);
    await form(township, 'summons').waitFor();
    await pick(township, 'summons', 'departmentCodes', DEMO.departments.urbanManagement);
    await pick(township, 'summons', 'departmentCodes', DEMO.departments.transport);
    await field(township, 'summons', 'reason').locator('textarea').fill('占道经营涉及城管与交通，请部门报到联合执法');
    await submit(township, 'summons');
    const table = township.getByTestId('summons');
    await table.locator('[data-status="pending"]').nth(1).waitFor();
    await expect(table.innerText()).resolves.toContain('待报到');
    await shot(township, '19-summons-sent');

    const county = await newPage();
    await signIn(county, 'pc-cgj');
    await county.goto(`${service.urls.api}/cases/${id}`);
    await choose(county, 'summons-answer', 'answer', '报到 (参加联合执法)');
    await submit(county, 'summons-answer');
    await county.getByTestId('summons').locator('[data-status="reported"]').waitFor();
    expect(await county.getByTestId('summons-answer').count()).toBe(0);
    await shot(county, '20-summons-reported');

    await township.reload();
    await township.getByTestId('summons').locator('[data-status="reported"]').waitFor();
    const live = await http<CaseView>(TOWNSHIP, 'GET', `/v1/cases/${id}`);
    expect(live.summons?.map((s) => [s.departmentCode, s.status]).sort()).toEqual(
      [
        [DEMO.departments.transport, 'pending'],
        [DEMO.departments.urbanManagement, 'reported'],
      ].sort(),
    );
  });

  it('公示: a summary fine prepares a disclosure; the township reviews the masked entry on the case page, publishes it, then withdraws it with a reason', async () => {
    const opened = await openHotlineCase(DEMO.township, '占道经营，当场处罚');
    const id = opened.caseId;
    await http(TOWNSHIP, 'POST', `/v1/cases/${id}/actions/patrol-report`, { gridMemberId: 'grid-member-7', observedAt: new Date().toISOString(), findings: '占道经营属实' });
    await http(TOWNSHIP, 'POST', `/v1/cases/${id}/actions/confirm`, { confirmed: true });
    await http(TOWNSHIP, 'POST', `/v1/cases/${id}/actions/capture`, { matterCode: DEMO.matters.townshipPenalty, party: { kind: 'person', name: '李小明' } });
    await http(TOWNSHIP, 'POST', `/v1/cases/${id}/actions/assign`, { level: 'township', officerIds: [...DEMO.officers.certified.slice(0, 2)] });
    await http(TOWNSHIP, 'POST', `/v1/cases/${id}/actions/handle`, { outcome: 'case_required' });
    await http(TOWNSHIP, 'POST', `/v1/cases/${id}/actions/decide`, { kind: 'penalty', fine: 50, summary: true });
    await until('the disclosure prepared', async () => {
      const { items } = await http<{ items: { status: string }[] }>(TOWNSHIP, 'GET', `/v1/cases/${id}/disclosure`);
      return items[0]?.status === 'pending' ? true : undefined;
    });

    const township = await newPage();
    await signIn(township, 'liantang');
    await township.goto(`${service.urls.api}/cases/${id}`);
    const card = township.getByTestId('disclosure');
    await card.locator('[data-status="pending"]').waitFor();
    // the masked entry: the party's name masked, never in full
    const entry = await card.getByTestId('disclosure-entry').innerText();
    expect(entry).toContain('李');
    expect(entry).not.toContain('李小明');
    await shot(township, '21-disclosure-review');
    await township.getByTestId('publish-disclosure').click();
    await card.locator('[data-status="published"]').waitFor();
    await township.getByTestId('withdraw-disclosure').click();
    await township.locator('.el-message-box textarea').fill('处罚决定已变更');
    await township.locator('.el-message-box').getByRole('button', { name: '撤下' }).click();
    await card.locator('[data-status="withdrawn"]').waitFor();
    await expect(card.innerText()).resolves.toContain('处罚决定已变更');
    await shot(township, '22-disclosure-withdrawn');
  });

  it('登记簿: the admin lands on the officers, renames one (the change and its history entry survive a reload), and checks a roster whose bad row is named by line and column, changing nothing', async () => {
    const officerId = DEMO.officers.otherTownshipCertified[2];
    const before = await http<{ name: string; version: number; domains: string[] }>(ADMIN, 'GET', `/v1/admin/officers/${officerId}`);
    expect(before.domains.length).toBeGreaterThan(1);
    const admin = await newPage();
    await signIn(admin, 'admin');
    await admin.waitForURL(/\/admin\/registries$/);
    const table = admin.getByTestId('registry-table');
    const search = admin.getByTestId('registry-search');
    await expect.poll(() => table.locator('tbody tr').count()).toBeGreaterThan(10);
    await search.fill(DEMO.township);
    await table.locator('tr', { hasText: DEMO.officers.certified[0] }).waitFor();
    await expect.poll(() => admin.locator('.el-loading-mask').count()).toBe(0);
    await shot(admin, '23-admin-registries');

    // 修改: the form sends the version it read (If-Match); a change by someone else meanwhile (412) is
    // said plainly and the form shows the latest version to redo the edit on
    await search.fill(officerId);
    const row = table.locator('tr', { hasText: officerId });
    await row.getByTestId('edit').click();
    const nameField = field(admin, 'registry-row', 'name').locator('input');
    await nameField.waitFor();
    const { id: _id, countyCode: _county, version, ...input } = before as unknown as Record<string, unknown>;
    const meanwhile = await fetch(`${service.urls.api}/v1/admin/officers/${officerId}`, {
      method: 'PUT',
      headers: { authorization: `Bearer ${signDevToken(ADMIN, service.jwtSecret)}`, 'content-type': 'application/json', 'if-match': `"${String(version)}"` },
      body: JSON.stringify({ ...input, domains: ['urban_management'] }),
    });
    expect(meanwhile.status).toBe(200);
    const renamed = `${before.name}（更名）`;
    await nameField.fill(renamed);
    await submit(admin, 'registry-row');
    await expect(admin.getByTestId('row-notice').innerText()).resolves.toContain('他人已修改');
    await expect(nameField.inputValue()).resolves.toBe(before.name);
    await nameField.fill(renamed);
    await submit(admin, 'registry-row');
    await row.filter({ hasText: renamed }).waitFor();
    await admin.reload();
    await search.fill(officerId);
    await row.filter({ hasText: renamed }).waitFor();
    const after = await http<{ name: string; version: number; domains: string[] }>(ADMIN, 'GET', `/v1/admin/officers/${officerId}`);
    expect(after).toMatchObject({ name: renamed, domains: ['urban_management'], version: before.version + 2 });

    // 修改记录: who, what, before and after
    await row.getByTestId('history').click();
    const entry = admin.getByTestId('history-entry').first();
    await entry.waitFor();
    await expect.poll(() => admin.locator('.el-drawer-fade-enter-active').count()).toBe(0);
    const entryText = await entry.innerText();
    for (const text of ['修改', 'admin', before.name, renamed]) expect(entryText).toContain(text);
    await shot(admin, '24-registry-history');
    await admin.keyboard.press('Escape');
    await entry.waitFor({ state: 'hidden' });

    // 导入: the dry run names the bad row (line 3: an impossible date) and offers no import
    const newId = `OF-${DEMO.township}-21`;
    const roster = [
      'id,name,townshipCode,departmentCode,certificateNo,validFrom,validUntil,domains,suspendedFrom,suspendedUntil,active',
      `${newId},陈立新,${DEMO.township},,闽执350722101021,2026-01-01,2031-12-31,urban_management,,,true`,
      `OF-${DEMO.township}-22,黄海燕,${DEMO.township},,闽执350722101022,2026-01-01,2031-13-45,urban_management,,,true`,
    ].join('\n');
    await admin.getByTestId('import').click();
    await admin.locator('.el-dialog input[type=file]').setInputFiles({ name: 'roster.csv', mimeType: 'text/csv', buffer: Buffer.from(roster) });
    await admin.getByTestId('dry-run').click();
    const bad = admin.getByTestId('import-errors').locator('tbody tr');
    await bad.first().waitFor();
    await expect(bad.count()).resolves.toBe(1);
    const [line, column, message] = await bad.first().locator('td').allInnerTexts();
    // the column by its label, zod's rule in Chinese with the API's English after it
    expect([line, column, message]).toEqual(['3', '证件有效期至 (YYYY-MM-DD) validUntil', '无效ISO日期 (Invalid ISO date)']);
    await expect(admin.getByTestId('import-report').innerText()).resolves.toContain('整批不会导入');
    expect(await admin.getByTestId('confirm-import').count()).toBe(0);
    const unchanged = await fetch(`${service.urls.api}/v1/admin/officers/${newId}`, { headers: { authorization: `Bearer ${signDevToken(ADMIN, service.jwtSecret)}` } });
    expect(unchanged.status).toBe(404);
    await shot(admin, '25-registry-import-dry-run');

    // on a phone the table scrolls sideways within the screen's width
    const phone = await newPage(PHONE);
    await signIn(phone, 'admin');
    const phoneTable = phone.getByTestId('registry-table');
    await phoneTable.locator('tbody tr').first().waitFor();
    const box = (await phoneTable.boundingBox())!;
    expect(box.x + box.width).toBeLessThanOrEqual(PHONE.width);
    const scroller = phoneTable.locator('.el-table__body-wrapper .el-scrollbar__wrap');
    await expect(scroller.evaluate((el) => el.scrollWidth > el.clientWidth)).resolves.toBe(true);
    // the page itself does not: the admin's seven menu entries fit the header (the ones that do not fit fold into its … menu)
    await expect(phone.locator('html').evaluate((html) => html.scrollWidth)).resolves.toBeLessThanOrEqual(PHONE.width);
    const nav = (await phone.locator('.nav').boundingBox())!;
    expect(nav.x + nav.width).toBeLessThanOrEqual(PHONE.width);
    await shot(phone, '26-admin-registries-phone');
  });

  it('双随机抽查: a supervisor plans a campaign on demo data, sees the frozen pool and its hash, draws with public values, redraws with a reason, 校验 the draw, and sees the drawn objects with their inspectors', async () => {
    const page = await newPage();
    await signIn(page, 'pc-supervisor');
    await page.getByRole('menuitem', { name: '双随机抽查', exact: true }).click();
    await page.waitForURL(/\/inspections$/);

    // 新建抽查计划: the ratios (A 5% … D 100%), period and inspection a week out are prefilled
    await page.getByTestId('new-plan').click();
    await field(page, 'inspection-plan', 'name').locator('input').fill('2026年12月食品小作坊双随机抽查');
    await pick(page, 'inspection-plan', 'matterCodes', DEMO.matters.townshipInspection);
    await field(page, 'inspection-plan', 'seedSource').locator('input').fill('中国福利彩票3D 2026-11-30 开奖号码');
    await shot(page, '27-inspection-plan-form');
    await submit(page, 'inspection-plan');
    await page.waitForURL(/\/inspections\?plan=IP-/);
    const planId = new URL(page.url()).searchParams.get('plan')!;
    // the pool is frozen moments after planning; the screen shows its size and SHA-256 as the API has them
    await page.getByTestId('pool-size').waitFor();
    const plan = await http<PlanView>(SUPERVISOR, 'GET', `/v1/inspections/plans/${planId}`);
    expect(plan).toMatchObject({ countyCode: DEMO.county, matterCodes: [DEMO.matters.townshipInspection], ratios: { A: 0.05, B: 0.2, C: 0.6, D: 1 } });
    await expect(page.getByTestId('pool-size').innerText()).resolves.toBe(String(plan.pool!.size));
    await expect(page.getByTestId('pool-hash').innerText()).resolves.toBe(plan.pool!.hash);
    expect(plan.pool!.size).toBeGreaterThan(0);

    // 抽取: the seed's public source, its date and values in published order
    const typeValues = (values: string) => field(page, 'inspection-draw', 'seed.values').locator('input').fill(values);
    await field(page, 'inspection-draw', 'seed.source').locator('input').fill('中国福利彩票3D 第2026318期');
    await field(page, 'inspection-draw', 'seed.publishedOn').locator('input').fill('2026-11-30');
    await typeValues('3 8 1');
    expect(await field(page, 'inspection-draw', 'reason').count()).toBe(0);
    await submit(page, 'inspection-draw');
    const draws = page.getByTestId('draws');
    await draws.locator('[data-status="accepted"]').waitFor();
    await expect(page.getByTestId('draw-seed').innerText()).resolves.toBe('2026-11-30/3.8.1');

    // 重抽: asks for the reason; the first attempt stays listed, superseded
    await field(page, 'inspection-draw', 'seed.source').locator('input').fill('中国福利彩票3D 第2026318期');
    await field(page, 'inspection-draw', 'seed.publishedOn').locator('input').fill('2026-11-30');
    await typeValues('3 8 2');
    await submit(page, 'inspection-draw');
    await expect(field(page, 'inspection-draw', 'reason').locator('.el-form-item__error').innerText()).resolves.toContain('reason');
    await field(page, 'inspection-draw', 'reason').locator('textarea').fill('误用试机号');
    await submit(page, 'inspection-draw');
    await draws.locator('[data-status="superseded"]').waitFor();
    await expect.poll(() => draws.locator('tbody tr').count()).toBe(2);
    await expect(page.getByTestId('draw-seed').innerText()).resolves.toBe('2026-11-30/3.8.2');
    await expect(draws.innerText()).resolves.toContain('误用试机号');

    // the drawn objects of the draw in force, each with its inspectors by name, as the API recorded them
    const drawn = await http<DrawView>(SUPERVISOR, 'GET', `/v1/inspections/draws/${planId}-D2`);
    expect(drawn.status).toBe('accepted');
    expect(drawn.assignments.length).toBeGreaterThan(0);
    const objects = page.getByTestId('drawn-objects');
    await expect.poll(() => objects.locator('tbody tr').count()).toBe(drawn.assignments.length);
    const { items: officers } = await http<{ items: Officer[] }>(SUPERVISOR, 'GET', `/v1/officers?countyCode=${DEMO.county}&limit=1000`);
    const first = drawn.assignments[0]!;
    const row = objects.locator('tr', { hasText: first.objectId });
    const inspectors = await row.getByTestId('inspectors').innerText();
    for (const id of first.officerIds) expect(inspectors).toContain(officers.find((o) => o.id === id)!.name);
    // the object by its registry name, not only its ID
    await expect(row.getByTestId('object-name').innerText()).resolves.toBe(drawn.objects.find((o) => o.id === first.objectId)!.name);
    await shot(page, '28-inspection-draw');

    // 校验: recomputed from the record, it agrees
    await draws.locator('tr', { hasText: '第 2 次' }).getByTestId('verify-draw').click();
    await expect(page.getByTestId('verification').getAttribute('data-agrees')).resolves.toBe('true');
    await expect(page.getByTestId('verification').innerText()).resolves.toContain('一致');
    await shot(page, '29-inspection-verified');

    // a new sign-in finds the campaign in the list of the county's plans and opens it from there
    const again = await newPage();
    await signIn(again, 'pc-supervisor');
    await again.goto(`${service.urls.api}/inspections`);
    await again.getByTestId('plans').click();
    await again.getByRole('option', { name: new RegExp(planId) }).click();
    await again.waitForURL(new RegExp(`plan=${planId}`));
    await expect(again.getByTestId('pool-hash').innerText()).resolves.toBe(plan.pool!.hash);

    // on a phone the drawn objects scroll sideways within the screen's width
    const phone = await newPage(PHONE);
    await signIn(phone, 'pc-supervisor');
    await phone.goto(`${service.urls.api}/inspections?plan=${planId}`);
    const phoneObjects = phone.getByTestId('drawn-objects');
    await phoneObjects.locator('tbody tr').first().waitFor();
    const box = (await phoneObjects.boundingBox())!;
    expect(box.x + box.width).toBeLessThanOrEqual(PHONE.width);
    await shot(phone, '30-inspection-phone');
  });
});

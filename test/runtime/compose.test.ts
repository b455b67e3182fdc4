import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { CONFIG_VARIABLES } from '../../runtime/config';

/**
 * docker-compose.yml and the Dockerfile, checked statically (no Docker engine here): the file parses,
 * the application services set only variables the code reads and every one it needs, dependencies
 * exist and wait on the right conditions, and every command names an npm script.
 */
const root = path.resolve(__dirname, '../..');
const compose = parse(fs.readFileSync(path.join(root, 'docker-compose.yml'), 'utf8'), { merge: true }) as {
  services: Record<string, Service>;
  volumes?: Record<string, unknown>;
};
const dockerfile = fs.readFileSync(path.join(root, 'Dockerfile'), 'utf8');
const scripts = (JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')) as { scripts: Record<string, string> })
  .scripts;

interface Service {
  image?: string;
  build?: unknown;
  command?: string[] | string;
  environment?: Record<string, string | number | boolean | null> | string[];
  depends_on?: Record<string, { condition: string }> | string[];
  healthcheck?: { test: string[] | string };
  volumes?: string[];
  ports?: string[];
}

const APP_SERVICES = ['migrate', 'worker', 'api'] as const;
/** What the worker and the API cannot run without (no default in runtime/config.ts, checked at startup). */
const REQUIRED = ['DATABASE_URL', 'TEMPORAL_ADDRESS', 'JWT_SECRET'];

function environment(service: Service): Record<string, string> {
  const env = service.environment ?? {};
  if (Array.isArray(env)) {
    return Object.fromEntries(env.map((entry) => {
      const at = entry.indexOf('=');
      return at < 0 ? [entry, ''] : [entry.slice(0, at), entry.slice(at + 1)];
    }));
  }
  return Object.fromEntries(Object.entries(env).map(([k, v]) => [k, v === null ? '' : String(v)]));
}

function service(name: string): Service {
  const s = compose.services[name];
  if (!s) throw new Error(`docker-compose.yml has no service ${name}`);
  return s;
}

/** `npm run <script>` → the script name. */
function npmScript(command: string[]): string | undefined {
  return command[0] === 'npm' && command[1] === 'run' ? command[2] : command[0] === 'npm' && command[1] === 'start' ? 'start' : undefined;
}

describe('docker-compose.yml', () => {
  it('has the operator services', () => {
    for (const name of ['postgres', 'temporal', 'temporal-ui', ...APP_SERVICES]) expect(compose.services, name).toHaveProperty(name);
  });

  it('sets for the application services only variables the code reads', () => {
    for (const name of APP_SERVICES) {
      const unknown = Object.keys(environment(service(name))).filter((k) => !(CONFIG_VARIABLES as string[]).includes(k));
      expect(unknown, `${name} sets variables runtime/config.ts does not read`).toEqual([]);
    }
  });

  it('sets every required variable for worker and api, and DATABASE_URL for migrate', () => {
    for (const name of ['worker', 'api']) {
      const env = environment(service(name));
      for (const key of REQUIRED) expect(env[key], `${name}: ${key}`).toBeTruthy();
    }
    expect(environment(service('migrate')).DATABASE_URL).toBeTruthy();
  });

  it('gives worker, api and migrate the same database and Temporal', () => {
    const [migrate, worker, api] = APP_SERVICES.map((n) => environment(service(n)));
    expect(worker!.DATABASE_URL).toBe(migrate!.DATABASE_URL);
    expect(api!.DATABASE_URL).toBe(migrate!.DATABASE_URL);
    expect(api!.TEMPORAL_ADDRESS).toBe(worker!.TEMPORAL_ADDRESS);
    expect(api!.TEMPORAL_NAMESPACE ?? 'default').toBe(worker!.TEMPORAL_NAMESPACE ?? 'default');
    expect(api!.TEMPORAL_TASK_QUEUE ?? 'enforcement-cases').toBe(worker!.TEMPORAL_TASK_QUEUE ?? 'enforcement-cases');
    // The database host and the Temporal host are services of this file.
    expect(Object.keys(compose.services)).toContain(new URL(api!.DATABASE_URL!).hostname);
    expect(Object.keys(compose.services)).toContain(api!.TEMPORAL_ADDRESS!.split(':')[0]);
  });

  it('listens on all interfaces in the api container, on the published port', () => {
    const api = service('api');
    const env = environment(api);
    expect(env.HOST).toBe('0.0.0.0');
    expect((api.ports ?? []).some((p) => String(p).endsWith(`:${env.PORT ?? '3000'}`))).toBe(true);
  });

  it('depends only on services that exist, with conditions that make sense', () => {
    for (const [name, s] of Object.entries(compose.services)) {
      const deps = s.depends_on ?? {};
      const entries = Array.isArray(deps) ? deps.map((d) => [d, { condition: 'service_started' }] as const) : Object.entries(deps);
      for (const [dep, { condition }] of entries) {
        expect(compose.services, `${name} depends on ${dep}`).toHaveProperty(dep);
        expect(['service_started', 'service_healthy', 'service_completed_successfully']).toContain(condition);
        if (condition === 'service_healthy') expect(service(dep).healthcheck, `${dep} needs a healthcheck`).toBeDefined();
      }
    }
    const deps = (name: string) => service(name).depends_on as Record<string, { condition: string }>;
    expect(deps('migrate').postgres?.condition).toBe('service_healthy');
    expect(deps('temporal').postgres?.condition).toBe('service_healthy');
    for (const name of ['worker', 'api']) {
      expect(deps(name).migrate?.condition).toBe('service_completed_successfully');
      expect(deps(name).temporal?.condition).toBe('service_healthy');
    }
  });

  it('has health checks for postgres, temporal and the api, and a volume for postgres', () => {
    for (const name of ['postgres', 'temporal', 'api']) expect(service(name).healthcheck?.test, name).toBeDefined();
    const volume = (service('postgres').volumes ?? []).find((v) => v.endsWith(':/var/lib/postgresql/data'));
    expect(volume).toBeDefined();
    expect(compose.volumes ?? {}).toHaveProperty(volume!.split(':')[0]!);
  });

  it('runs npm scripts that exist, from the Dockerfile image', () => {
    for (const name of APP_SERVICES) {
      const s = service(name);
      expect(s.build, `${name} builds the Dockerfile`).toBeDefined();
      const command = s.command;
      expect(Array.isArray(command), `${name}: exec-form command`).toBe(true);
      const script = npmScript(command as string[]);
      expect(script, `${name}: npm run <script>`).toBeDefined();
      expect(scripts, `${name}: package.json script ${script}`).toHaveProperty(script!);
    }
    expect(npmScript(service('migrate').command as string[])).toBe('migrate');
    expect(npmScript(service('worker').command as string[])).toBe('worker');
  });
});

describe('Dockerfile', () => {
  const instructions = dockerfile
    .replace(/\\\n/g, ' ')
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith('#'));

  it('builds on Node 20 with npm ci', () => {
    expect(instructions.find((l) => l.startsWith('FROM '))).toMatch(/^FROM node:20\b/);
    expect(instructions.some((l) => /^RUN .*npm ci\b/.test(l))).toBe(true);
  });

  it('has CMDs that run package.json scripts', () => {
    const cmds = instructions.filter((l) => l.startsWith('CMD '));
    expect(cmds.length).toBeGreaterThan(0);
    for (const cmd of cmds) {
      const args = JSON.parse(cmd.slice(4)) as string[];
      const script = npmScript(args);
      expect(script, cmd).toBeDefined();
      expect(scripts, cmd).toHaveProperty(script!);
    }
  });

  it('keeps local state out of the build context', () => {
    const ignore = fs.readFileSync(path.join(root, '.dockerignore'), 'utf8').split('\n').map((l) => l.trim());
    for (const entry of ['node_modules', '.data', '.git']) expect(ignore).toContain(entry);
  });
});

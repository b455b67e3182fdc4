import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../api/app';
import { TEST_JWT_SECRET } from '../helpers/api';
import { useTestPool } from '../helpers/db';
import { FakeTemporal } from '../helpers/fake-temporal';

/** The console is served at `/` (files, and index.html for the console's own URLs); API 404s stay JSON. */
const pool = useTestPool();
let app: FastifyInstance;
let root: string;

beforeAll(async () => {
  root = fs.mkdtempSync(path.join(os.tmpdir(), 'web-console-'));
  fs.mkdirSync(path.join(root, 'assets'));
  fs.writeFileSync(path.join(root, 'index.html'), '<!doctype html><title>工作台</title><div id="app"></div>');
  fs.writeFileSync(path.join(root, 'assets', 'main-abc123.js'), 'console.log(1)');
  app = await buildApp({ pool, temporal: { client: new FakeTemporal(pool).client, taskQueue: 'unused' }, jwtSecret: TEST_JWT_SECRET, webRoot: root });
});
afterAll(async () => {
  await app?.close();
  fs.rmSync(root, { recursive: true, force: true });
});

describe('web console at /', () => {
  it('serves index.html at / and at the console routes, uncached', async () => {
    for (const url of ['/', '/cases/abc', '/board?x=1', '/login']) {
      const res = await app.inject({ method: 'GET', url });
      expect(res.statusCode, url).toBe(200);
      expect(res.headers['content-type']).toContain('text/html');
      expect(res.body).toContain('工作台');
      expect(res.headers['cache-control']).toBe('no-cache');
    }
  });

  it('serves hashed assets with a long cache', async () => {
    const res = await app.inject({ method: 'GET', url: '/assets/main-abc123.js' });
    expect(res.statusCode).toBe(200);
    expect(res.headers['cache-control']).toContain('immutable');
  });

  it('unknown API paths stay JSON 404s in the api.md shape', async () => {
    for (const url of ['/v1/nothing', '/v1/cases/x/y/z', '/docs/nothing', '/healthz/x']) {
      const res = await app.inject({ method: 'GET', url });
      expect(res.statusCode, url).toBe(404);
      expect(res.json().error.code).toBe('not_found');
    }
    const post = await app.inject({ method: 'POST', url: '/cases/abc', payload: {} });
    expect(post.statusCode).toBe(404);
    expect(post.json().error.code).toBe('not_found');
  });
});

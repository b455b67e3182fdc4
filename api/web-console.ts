import fs from 'node:fs';
import path from 'node:path';
import fastifyStatic from '@fastify/static';
import type { FastifyPluginAsync } from 'fastify';
import { errorBody } from './errors';

/** Where `vite build` (web/vite.config.ts) writes the console. */
export const WEB_DIST = path.resolve(__dirname, '../dist/web');

/** Paths of the API itself: an unknown one stays a JSON 404, never the console's page. */
const API_PATHS = /^\/(v1|docs|open311|healthz|readyz|metrics)(\/|$)/;

/**
 * The workbench (web/) served at `/`: the built files, and index.html for every other GET that is not
 * an API path (the console's router owns those URLs: /cases/…, /board, …).
 */
const webConsole: FastifyPluginAsync<{ root: string }> = async (app, { root }) => {
  const index = path.join(root, 'index.html');
  await app.register(fastifyStatic, {
    root,
    wildcard: false,
    index: false,
    // Hashed asset names never change content: cache them; index.html must always be fresh.
    setHeaders: (reply, file) => {
      reply.header('cache-control', file.includes(`${path.sep}assets${path.sep}`) ? 'public, max-age=31536000, immutable' : 'no-cache');
    },
  });
  app.get('/*', { schema: { hide: true } }, async (request, reply) => {
    const url = request.url.split('?')[0] ?? '/';
    if (API_PATHS.test(url) || !fs.existsSync(index)) {
      return reply.code(404).send(errorBody('not_found', `no route ${request.method} ${url}`));
    }
    reply.header('cache-control', 'no-cache');
    return reply.type('text/html; charset=utf-8').send(fs.createReadStream(index));
  });
};

export default webConsole;

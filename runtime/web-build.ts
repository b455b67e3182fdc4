import fs from 'node:fs';
import path from 'node:path';
import type { Logger } from 'pino';
import { WEB_DIST } from '../api/web-console';

export const WEB_CONFIG = path.resolve(__dirname, '../web/vite.config.mts');

/** Builds the web console (web/ → dist/web) with Vite. */
export async function buildWeb(logger?: Pick<Logger, 'info'>): Promise<void> {
  const started = Date.now();
  // Vite is ESM-only: a dynamic import from this CommonJS module.
  const { build } = await import('vite');
  await build({ configFile: WEB_CONFIG, logLevel: 'warn' });
  logger?.info({ outDir: WEB_DIST, ms: Date.now() - started }, 'web console built');
}

/** `npm start`: builds the console once, when dist/web has no index.html yet. */
export async function ensureWebBuilt(logger: Pick<Logger, 'info'>): Promise<void> {
  if (fs.existsSync(path.join(WEB_DIST, 'index.html'))) return;
  logger.info('building the web console (first start)');
  await buildWeb(logger);
}

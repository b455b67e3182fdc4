import { fileURLToPath } from 'node:url';
import vue from '@vitejs/plugin-vue';
import { defineConfig } from 'vite';

/**
 * The workbench console: web/ → dist/web, served by the API at `/` (api/web-console.ts).
 * `npx vite --config web/vite.config.mts` runs the dev server against an API on API_URL (default :3000).
 */
const web = fileURLToPath(new URL('.', import.meta.url));
const repo = fileURLToPath(new URL('..', import.meta.url));

export default defineConfig({
  root: web,
  base: '/',
  plugins: [vue()],
  build: {
    outDir: `${repo}dist/web`,
    emptyOutDir: true,
    chunkSizeWarningLimit: 2000,
  },
  server: {
    // domain/ and api/ types and schemas live beside web/
    fs: { allow: [repo] },
    proxy: { '/v1': process.env.API_URL ?? 'http://127.0.0.1:3000' },
  },
});

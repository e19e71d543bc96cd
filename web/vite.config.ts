import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';
import solid from 'vite-plugin-solid';

/** Dashboard build: `vite build web` → dist/web (served by the API); `vite web` proxies the API on :8080. */
const api = process.env.MOONMIND_API_URL ?? 'http://127.0.0.1:8080';

export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  plugins: [solid()],
  build: {
    outDir: fileURLToPath(new URL('../dist/web', import.meta.url)),
    emptyOutDir: true,
  },
  server: {
    fs: { allow: [fileURLToPath(new URL('..', import.meta.url))] },
    proxy: {
      // ws: the live session's socket (docs/live-sessions.md).
      '/api': { target: api, changeOrigin: false, ws: true },
      '/healthz': api,
      '/readyz': api,
    },
  },
});

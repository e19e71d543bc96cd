import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import path from 'node:path';
import type { Middleware } from 'koa';
import type { ApiState } from '../context.ts';

const types: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.map': 'application/json',
  '.txt': 'text/plain; charset=utf-8',
};

/**
 * The built dashboard at `/`: files from `dir`, and `index.html` for any other non-API GET so deep links
 * (`/tasks/queue/<id>`) survive a reload. Hashed assets are cached for a year, index.html never.
 */
export function dashboard(dir: string): Middleware<ApiState> {
  const root = path.resolve(dir);
  const send = async (ctx: Parameters<Middleware<ApiState>>[0], file: string) => {
    const info = await stat(file).catch(() => null);
    if (!info?.isFile()) return false;
    ctx.type = types[path.extname(file)] ?? 'application/octet-stream';
    ctx.length = info.size;
    ctx.set(
      'Cache-Control',
      file.includes(`${path.sep}assets${path.sep}`) ? 'public, max-age=31536000, immutable' : 'no-cache',
    );
    ctx.body = createReadStream(file);
    return true;
  };
  return async (ctx, next) => {
    if (
      (ctx.method !== 'GET' && ctx.method !== 'HEAD') ||
      ctx.path.startsWith('/api') ||
      // Spec 08's own prefix for the orchestrator routes (api/routes/orchestrator.ts): API paths, not pages.
      /^\/orchestrator(\/|$)/.test(ctx.path) ||
      ctx.path === '/healthz' ||
      ctx.path === '/readyz'
    ) {
      return next();
    }
    let decoded: string;
    try {
      decoded = decodeURIComponent(ctx.path);
    } catch {
      return next();
    }
    const file = path.resolve(root, `.${decoded}`);
    if (file.startsWith(root + path.sep) && (await send(ctx, file))) return;
    if (!(await send(ctx, path.join(root, 'index.html')))) await next();
  };
}

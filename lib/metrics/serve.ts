import { createHash, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { collectDefaultMetrics, type Registry } from 'prom-client';

/** What one process's /metrics answers: its registry, plus the Temporal SDK's exporter when it runs one. */
export interface MetricsSource {
  registry: Registry;
  /** The Temporal Runtime's own Prometheus exporter (loopback), merged into the same answer. */
  temporalUrl?: string;
}

const started = new WeakSet<Registry>();
/** Node's process metrics (CPU, memory, event loop lag, GC) in this registry: only once metrics are served. */
export function withProcessMetrics(registry: Registry): Registry {
  if (!started.has(registry)) {
    started.add(registry);
    collectDefaultMetrics({ register: registry });
  }
  return registry;
}

/** The text exposition: our metrics, then Temporal's (its names all start with `temporal_`, so none clash). */
export async function metricsText(source: MetricsSource): Promise<string> {
  const [own, temporal] = await Promise.all([
    source.registry.metrics(),
    source.temporalUrl
      ? fetch(source.temporalUrl, { signal: AbortSignal.timeout(2_000) })
          .then((r) => (r.ok ? r.text() : ''))
          // Our own figures still answer when the SDK's exporter does not.
          .catch(() => '')
      : '',
  ]);
  return temporal ? `${own.trimEnd()}\n${temporal.trimEnd()}\n` : own;
}

const digest = (s: string) => createHash('sha256').update(s).digest();
/** `Authorization: Bearer <token>` matches, compared in constant time; any request passes when no token is set. */
export function metricsAuthorized(header: string | undefined, token: string | undefined): boolean {
  if (!token) return true;
  const presented = /^Bearer\s+(\S+)\s*$/i.exec(header ?? '')?.[1];
  return presented !== undefined && timingSafeEqual(digest(presented), digest(token));
}

export const METRICS_CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';

/**
 * A small HTTP server that answers `GET /metrics` only (the worker's MOONMIND_WORKER_METRICS_PORT, the API's
 * MOONMIND_METRICS_LISTEN): away from the product's routes, auth and rate limits.
 */
export async function startMetricsServer(opts: {
  host: string;
  port: number;
  token?: string;
  source: MetricsSource;
}): Promise<{ url: string; close(): Promise<void> }> {
  withProcessMetrics(opts.source.registry);
  const answer = (req: IncomingMessage, res: ServerResponse) => {
    const path = (req.url ?? '').split('?')[0];
    if (path !== '/metrics') return res.writeHead(404, { 'content-type': 'text/plain' }).end('not found\n');
    if (req.method !== 'GET' && req.method !== 'HEAD')
      return res.writeHead(405, { allow: 'GET, HEAD', 'content-type': 'text/plain' }).end('GET only\n');
    if (!metricsAuthorized(req.headers.authorization, opts.token))
      return res
        .writeHead(401, { 'www-authenticate': 'Bearer', 'content-type': 'text/plain' })
        .end('a metrics token is required (Authorization: Bearer <MOONMIND_METRICS_TOKEN>)\n');
    metricsText(opts.source).then(
      (text) =>
        res.writeHead(200, { 'content-type': METRICS_CONTENT_TYPE }).end(req.method === 'HEAD' ? '' : text),
      (err: Error) =>
        res.writeHead(500, { 'content-type': 'text/plain' }).end(`metrics failed: ${err.message}\n`),
    );
  };
  const server = createServer(answer);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port, opts.host, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const host = opts.host === '0.0.0.0' || opts.host === '::' ? '127.0.0.1' : opts.host;
  return {
    url: `http://${host.includes(':') ? `[${host}]` : host}:${port}/metrics`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

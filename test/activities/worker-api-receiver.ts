import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * Stands in for the API's worker routes (`/api/worker/...`) in activity tests: stores events deduplicated
 * per (producer, seq) like the API does, stores artifacts, records registrations and pings. `unavailable(n)` makes
 * the next n requests answer 503, as an API restart would.
 */
export interface ReceivedEvent {
  producer: string;
  seq: number;
  level: string;
  type: string;
  message: string;
  payload: Record<string, unknown>;
  createdAt?: string;
}
export interface WorkerApiReceiver {
  url: string;
  events: (jobId: string) => ReceivedEvent[];
  artifacts: Map<string, { contentType: string; body: string }>;
  registrations: unknown[];
  pings: { hostId: string; attempts: { jobId: string; attempt: number }[] }[];
  requests: { method: string; path: string; authorization: string | null }[];
  unavailable(count: number): void;
  close(): Promise<void>;
}

export async function startWorkerApiReceiver(): Promise<WorkerApiReceiver> {
  const byJob = new Map<string, Map<string, ReceivedEvent>>();
  const artifacts = new Map<string, { contentType: string; body: string }>();
  const registrations: unknown[] = [];
  const pings: WorkerApiReceiver['pings'] = [];
  const requests: WorkerApiReceiver['requests'] = [];
  let failing = 0;
  const server = createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const body = Buffer.concat(chunks).toString('utf8');
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    requests.push({ method: req.method ?? '', path, authorization: req.headers.authorization ?? null });
    if (failing > 0) {
      failing -= 1;
      res.writeHead(503).end('{"error":{"code":"unavailable"}}');
      return;
    }
    const events = /^\/api\/worker\/jobs\/([^/]+)\/events$/.exec(path);
    const artifact = /^\/api\/worker\/jobs\/([^/]+)\/artifacts\/(.+)$/.exec(path);
    if (req.method === 'POST' && events) {
      const batch = JSON.parse(body) as { producer: string; events: Omit<ReceivedEvent, 'producer'>[] };
      const store = byJob.get(events[1]) ?? new Map();
      byJob.set(events[1], store);
      for (const e of batch.events)
        store.set(`${batch.producer}#${e.seq}`, { producer: batch.producer, ...e });
      res.writeHead(202).end('{}');
    } else if (req.method === 'PUT' && artifact) {
      const name = artifact[2].split('/').map(decodeURIComponent).join('/');
      artifacts.set(`${artifact[1]}/${name}`, { contentType: String(req.headers['content-type']), body });
      res.writeHead(201).end('{}');
    } else if (req.method === 'POST' && path === '/api/worker/register') {
      registrations.push(JSON.parse(body));
      res.writeHead(200).end('{"ok":true}');
    } else if (req.method === 'POST' && path === '/api/worker/ping') {
      pings.push(JSON.parse(body));
      res.writeHead(200).end('{"ok":true}');
    } else res.writeHead(404).end('{}');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    events: (jobId) => [...(byJob.get(jobId)?.values() ?? [])],
    artifacts,
    registrations,
    pings,
    requests,
    unavailable(count) {
      failing = count;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

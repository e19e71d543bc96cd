import { once } from 'node:events';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { ApiClient } from '../../cli/http.ts';
import { followEvents } from '../../cli/sse.ts';

/**
 * A double of a proxy in front of the API that black-holes a connection (answers, then goes silent without
 * closing it): the real API cannot be made to do this. Each request is answered by the next handler.
 */
async function proxyDouble(handlers: ((req: IncomingMessage, res: ServerResponse) => void)[]) {
  const seen: (string | undefined)[] = [];
  const server = createServer((req, res) => {
    seen.push(req.headers['last-event-id'] as string | undefined);
    const handler = handlers.shift();
    if (handler) handler(req, res);
    else res.destroy();
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return { server, seen, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}
const frame = (id: number) =>
  `id: ${id}\nevent: job_event\ndata: ${JSON.stringify({ id, jobId: 'j', createdAt: '', level: 'info', type: 'log', message: `line ${id}`, payload: {} })}\n\n`;
const stream = (res: ServerResponse) => res.writeHead(200, { 'content-type': 'text/event-stream' });

let server: Server | undefined;
afterEach(() => {
  server?.closeAllConnections();
  server?.close();
});

describe('following a stream through a connection that goes silent', () => {
  it('takes a silent connection for dead, resumes after the last event it printed, and ends with the run', async () => {
    const proxy = await proxyDouble([
      (_req, res) => {
        stream(res);
        res.write(`: connected\n\n${frame(1)}`); // then nothing, and the socket stays open
      },
      (_req, res) => res.writeHead(503).end('{"error":{"message":"starting"}}'),
      (_req, res) => {
        stream(res);
        res.end(`${frame(2)}${frame(3)}event: end\ndata: {"status":"succeeded"}\n\n`);
      },
    ]);
    server = proxy.server;
    const ids: number[] = [];
    const reasons: string[] = [];
    const api = new ApiClient({ url: proxy.url, token: 'a-token-for-the-double' });
    const status = await followEvents(api, '00000000-0000-4000-8000-000000000001', {
      idleMs: 400,
      onEvent: (e) => ids.push(e.id),
      onReconnect: (_ms, reason) => reasons.push(reason),
    });
    expect(status).toBe('succeeded');
    expect(ids).toEqual([1, 2, 3]);
    expect(reasons[0]).toContain('nothing heard for 0.4 s');
    expect(reasons[1]).toContain('HTTP 503');
    expect(proxy.seen).toEqual(['0', '1', '1']);
  });

  it('does not retry an answer that will not change: a missing job', async () => {
    const proxy = await proxyDouble([
      (_req, res) => res.writeHead(404).end('{"error":{"message":"job not found"}}'),
    ]);
    server = proxy.server;
    const api = new ApiClient({ url: proxy.url, token: 'a-token-for-the-double' });
    await expect(
      followEvents(api, '00000000-0000-4000-8000-000000000002', { onEvent: () => {} }),
    ).rejects.toMatchObject({ code: 5, message: 'job not found (HTTP 404)' });
    expect(proxy.seen).toHaveLength(1);
  });
});

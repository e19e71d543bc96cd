import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface RecordedRequest {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  body: Record<string, unknown>;
}

/**
 * A stand-in for a model API (Responses, Messages or Gemini's) for `doctor` tests: it records each request
 * and answers as told: `ok` with a one-event SSE stream, `status` with that status and body, `hang` never.
 */
export type Answer = { kind: 'ok' } | { kind: 'status'; status: number; body: string } | { kind: 'hang' };

export interface ModelEndpointDouble {
  url: string;
  requests: RecordedRequest[];
  close(): Promise<void>;
}

export async function startModelEndpointDouble(answer: Answer): Promise<ModelEndpointDouble> {
  const requests: RecordedRequest[] = [];
  const server: Server = createServer((req, res) => {
    let raw = '';
    req.on('data', (chunk) => {
      raw += chunk;
    });
    req.on('end', () => {
      requests.push({
        method: req.method ?? '',
        url: req.url ?? '',
        headers: req.headers,
        body: JSON.parse(raw || '{}'),
      });
      if (answer.kind === 'hang') return;
      if (answer.kind === 'status') {
        res.writeHead(answer.status, { 'content-type': 'application/json' }).end(answer.body);
        return;
      }
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.end('data: {"text":"OK"}\n\n');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    requests,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * Test double of HashiCorp Vault's KV version 2 HTTP API (the one read the worker makes):
 * `GET /v1/<mount>/data/<path>` with `X-Vault-Token` → `{ data: { data: {…}, metadata: {…} } }`; 403 for a
 * wrong token, 404 for an unknown secret. Vault itself cannot run offline here; this speaks its wire format.
 */
export interface FakeVault {
  url: string;
  token: string;
  /** Secrets by `<mount>/<path>`. */
  secrets: Map<string, Record<string, string>>;
  requests: { path: string; token: string | null }[];
  close(): Promise<void>;
}

export async function startFakeVault(token: string): Promise<FakeVault> {
  const secrets = new Map<string, Record<string, string>>();
  const requests: FakeVault['requests'] = [];
  const server = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://vault').pathname;
    const given = (req.headers['x-vault-token'] as string | undefined) ?? null;
    requests.push({ path, token: given });
    const send = (status: number, body: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body));
    };
    if (given !== token) return send(403, { errors: ['permission denied'] });
    const m = /^\/v1\/([^/]+)\/data\/(.+)$/.exec(path);
    const data = m ? secrets.get(`${decodeURIComponent(m[1])}/${decodeURIComponent(m[2])}`) : undefined;
    if (req.method !== 'GET' || !data) return send(404, { errors: [] });
    send(200, {
      request_id: 'fake',
      lease_id: '',
      renewable: false,
      lease_duration: 0,
      data: { data, metadata: { created_time: new Date().toISOString(), version: 1, destroyed: false } },
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    token,
    secrets,
    requests,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

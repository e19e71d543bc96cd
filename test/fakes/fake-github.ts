import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A minimal GitHub REST API for tests: the pulls endpoints the worker uses (list open PRs by head,
 * create). Every request is recorded for assertions; `failNext` makes the next requests answer an error.
 */
export interface FakePull {
  number: number;
  owner: string;
  repo: string;
  head: string;
  base: string;
  title: string;
  body: string;
  state: 'open';
  html_url: string;
}
export interface RecordedRequest {
  method: string;
  path: string;
  query: Record<string, string>;
  authorization: string | null;
  body: unknown;
}
export interface FakeGitHub {
  url: string;
  requests: RecordedRequest[];
  pulls: FakePull[];
  /** The next `count` requests answer `status` (default 502). */
  failNext(count: number, status?: number): void;
  /** The next pull request is created but its response is lost (answers 502): the client must not create another. */
  loseNextCreateResponse(): void;
  close(): Promise<void>;
}

async function readJson(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  const text = Buffer.concat(chunks).toString('utf8');
  return text ? JSON.parse(text) : null;
}

export async function startFakeGitHub(): Promise<FakeGitHub> {
  const requests: RecordedRequest[] = [];
  const pulls: FakePull[] = [];
  let failures: { count: number; status: number } = { count: 0, status: 502 };
  let loseCreateResponse = false;
  const server = createServer(async (req, res) => {
    const url = new URL(req.url ?? '/', 'http://fake');
    const body = await readJson(req);
    requests.push({
      method: req.method ?? '',
      path: url.pathname,
      query: Object.fromEntries(url.searchParams),
      authorization: req.headers.authorization ?? null,
      body,
    });
    const send = (status: number, value: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(value));
    };
    if (failures.count > 0) {
      failures.count -= 1;
      return send(failures.status, { message: 'injected failure' });
    }
    const m = /^\/repos\/([^/]+)\/([^/]+)\/pulls$/.exec(url.pathname);
    if (!m) return send(404, { message: 'Not Found' });
    const [, owner, repo] = m;
    if (req.method === 'GET') {
      const head = url.searchParams.get('head');
      const state = url.searchParams.get('state') ?? 'open';
      return send(
        200,
        pulls.filter(
          (p) =>
            p.owner === owner &&
            p.repo === repo &&
            (!head || `${owner}:${p.head}` === head) &&
            p.state === state,
        ),
      );
    }
    if (req.method === 'POST') {
      const b = body as Partial<FakePull>;
      if (!b?.head || !b.base || !b.title) return send(422, { message: 'Validation Failed' });
      if (
        pulls.some((p) => p.owner === owner && p.repo === repo && p.head === b.head && p.state === 'open')
      ) {
        return send(422, { message: `A pull request already exists for ${owner}:${b.head}.` });
      }
      const number = pulls.length + 1;
      const pr: FakePull = {
        number,
        owner,
        repo,
        head: b.head,
        base: b.base,
        title: b.title,
        body: b.body ?? '',
        state: 'open',
        html_url: `https://github.example/${owner}/${repo}/pull/${number}`,
      };
      pulls.push(pr);
      if (loseCreateResponse) {
        loseCreateResponse = false;
        return send(502, { message: 'injected failure after the pull request was created' });
      }
      return send(201, { number, html_url: pr.html_url, state: 'open' });
    }
    return send(405, { message: 'Method Not Allowed' });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    pulls,
    failNext(count, status = 502) {
      failures = { count, status };
    },
    loseNextCreateResponse() {
      loseCreateResponse = true;
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

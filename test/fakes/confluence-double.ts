import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A test double for Confluence's REST API (the documented `GET /wiki/rest/api/content` listing and
 * `/wiki/rest/api/content/search` for CQL, both paging with `limit`/`start` and `_links.next` relative to
 * `_links.base`). It answers 401 unless the request carries the expected Authorization header.
 */
export interface ConfluencePage {
  id: string;
  title: string;
  html: string;
  version: number;
}
export interface ConfluenceDouble {
  url: string;
  /** The space's pages, editable between runs. */
  pages: Map<string, ConfluencePage>;
  /** Path and query of each request, and whether it was authorized. */
  requests: { path: string; query: URLSearchParams; authorized: boolean }[];
  close(): Promise<void>;
}

export async function startConfluenceDouble(opts: {
  spaceKey: string;
  authorization: string;
  pages: ConfluencePage[];
}): Promise<ConfluenceDouble> {
  const pages = new Map(opts.pages.map((p) => [p.id, p]));
  const requests: ConfluenceDouble['requests'] = [];
  let base = '';
  const server: Server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', base);
    const authorized = req.headers.authorization === opts.authorization;
    requests.push({ path: url.pathname, query: url.searchParams, authorized });
    const json = (status: number, body: unknown) =>
      res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
    if (!authorized) return json(401, { statusCode: 401, message: 'Unauthorized' });
    const search = url.pathname === '/wiki/rest/api/content/search';
    if (url.pathname !== '/wiki/rest/api/content' && !search) return json(404, { statusCode: 404 });
    const inSpace = search
      ? (url.searchParams.get('cql') ?? '').includes(`space = "${opts.spaceKey}"`)
      : url.searchParams.get('spaceKey') === opts.spaceKey;
    const all = inSpace ? [...pages.values()] : [];
    const limit = Number(url.searchParams.get('limit') ?? 25);
    const start = Number(url.searchParams.get('start') ?? 0);
    const slice = all.slice(start, start + limit);
    const next = new URLSearchParams(url.searchParams);
    next.set('start', String(start + limit));
    json(200, {
      results: slice.map((p) => ({
        id: p.id,
        type: 'page',
        title: p.title,
        version: { number: p.version },
        body: { storage: { value: p.html, representation: 'storage' } },
        _links: { webui: `/spaces/${opts.spaceKey}/pages/${p.id}` },
      })),
      start,
      limit,
      size: slice.length,
      _links: {
        base: `${base}/wiki`,
        ...(start + limit < all.length ? { next: `${url.pathname.replace(/^\/wiki/, '')}?${next}` } : {}),
      },
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url: base,
    pages,
    requests,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

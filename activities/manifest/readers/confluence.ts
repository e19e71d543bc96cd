import type { Reader, ReaderContext, SourceDocument } from '../interfaces.ts';
import { ReaderError, sourceDocument } from './document.ts';
import { getJson } from './http.ts';
import type { ConfluenceParams } from './params.ts';

interface ContentPage {
  results: {
    id: string;
    title: string;
    body?: { storage?: { value?: string } };
    version?: { number?: number };
    _links?: { webui?: string };
  }[];
  _links?: { next?: string; base?: string };
}

/**
 * A Confluence space's pages (REST `content`, or `content/search` with `cql`), paging through `_links.next`.
 * Cloud: basic auth with `email` and the API token; Data Center: the token as a bearer (PAT).
 */
export class ConfluenceReader implements Reader {
  constructor(
    private readonly params: ConfluenceParams,
    private readonly ctx: ReaderContext,
  ) {}

  async *documents(signal: AbortSignal): AsyncIterable<SourceDocument> {
    const token = await this.ctx.secret('token');
    if (!token) throw new ReaderError('ConfluenceReader: auth.token resolved to nothing', false);
    const email = (await this.ctx.secret('email')) ?? this.params.email;
    const authorization = email
      ? `Basic ${Buffer.from(`${email}:${token}`).toString('base64')}`
      : `Bearer ${token}`;
    const headers = { authorization, accept: 'application/json' };
    const root = new URL(this.params.baseUrl);
    const wiki = `${root.origin}${root.pathname.replace(/\/+$/, '')}/wiki`;
    let url: URL | null = this.firstPage(wiki);
    while (url) {
      const page: ContentPage = await getJson<ContentPage>(root.origin, url, headers, signal);
      for (const c of page.results) {
        yield sourceDocument(c.id, c.body?.storage?.value ?? '', 'text/html', {
          title: c.title,
          version: c.version?.number ?? 0,
          url: c._links?.webui ? `${page._links?.base ?? wiki}${c._links.webui}` : `${wiki}/pages/${c.id}`,
          spaceKey: this.params.spaceKey,
        });
      }
      const next = page._links?.next;
      // `next` is relative to `_links.base` (the wiki root) on Cloud and Data Center alike.
      url = next ? new URL(/^https?:/.test(next) ? next : `${page._links?.base ?? wiki}${next}`) : null;
    }
  }

  private firstPage(wiki: string): URL {
    const search = this.params.cql !== undefined;
    const url = new URL(`${wiki}/rest/api/content${search ? '/search' : ''}`);
    if (search) url.searchParams.set('cql', `space = "${this.params.spaceKey}" AND (${this.params.cql})`);
    else {
      url.searchParams.set('spaceKey', this.params.spaceKey);
      url.searchParams.set('type', 'page');
    }
    url.searchParams.set('expand', 'body.storage,version');
    url.searchParams.set('limit', String(this.params.pageSize));
    url.searchParams.set('start', '0');
    return url;
  }

  cursor(): string | null {
    return null;
  }
}

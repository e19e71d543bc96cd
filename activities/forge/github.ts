import { SpanKind } from '@opentelemetry/api';
import { redact } from '../../contracts/secrets.ts';
import { traced } from '../../lib/tracing.ts';

/** Pull requests through the GitHub REST API (or any server speaking its pulls endpoints). */
export interface PullRequest {
  number: number;
  url: string;
  reused: boolean;
}

export class ForgeError extends Error {
  constructor(
    message: string,
    readonly status: number | null,
  ) {
    super(message);
  }
  /** Answers the forge will give again (redirects, bad credentials, invalid request); outages are worth retrying. */
  get permanent() {
    return this.status !== null && this.status >= 300 && this.status < 500 && this.status !== 429;
  }
}

/** `owner/repo` for the pulls API: the last two segments of the repository's path. */
export function ownerRepoOf(path: string): { owner: string; repo: string } {
  const parts = path.split('/').filter(Boolean);
  if (parts.length < 2) throw new ForgeError(`cannot tell owner/repo from repository path ${path}`, null);
  return { owner: parts[parts.length - 2], repo: parts[parts.length - 1] };
}

export class GitHubClient {
  constructor(
    private readonly apiUrl: string,
    private readonly token: string | null,
  ) {}

  /** Traced as `forge <METHOD> <path without its query>`: owner and repository, never the token. */
  private call(method: string, path: string, body?: unknown): Promise<unknown> {
    const route = path.replace(/\?.*$/, '');
    return traced(
      `forge ${method} ${route}`,
      { 'http.request.method': method, 'url.path': route },
      () => this.send(method, path, body),
      SpanKind.CLIENT,
    );
  }

  private async send(method: string, path: string, body?: unknown): Promise<unknown> {
    const headers: Record<string, string> = {
      accept: 'application/vnd.github+json',
      'x-github-api-version': '2022-11-28',
      'user-agent': 'moonmind-worker',
    };
    if (this.token) headers.authorization = `Bearer ${this.token}`;
    if (body !== undefined) headers['content-type'] = 'application/json';
    let res: Response;
    try {
      res = await fetch(`${this.apiUrl.replace(/\/+$/, '')}${path}`, {
        method,
        headers,
        body: body === undefined ? undefined : JSON.stringify(body),
        // A redirect could lead the token to another host: it is an error, never followed.
        redirect: 'manual',
        signal: AbortSignal.timeout(30_000),
      });
    } catch (err) {
      throw new ForgeError(`${method} ${path}: ${(err as Error).message}`, null);
    }
    const text = await res.text();
    if (res.status >= 300 && res.status < 400)
      throw new ForgeError(
        `${method} ${path}: redirected (HTTP ${res.status}) to ${res.headers.get('location') ?? 'elsewhere'}; not followed with credentials`,
        res.status,
      );
    if (!res.ok)
      throw new ForgeError(`${method} ${path}: HTTP ${res.status} ${redact(text.slice(0, 500))}`, res.status);
    return text ? JSON.parse(text) : null;
  }

  async findOpenPull(owner: string, repo: string, head: string): Promise<PullRequest | null> {
    const q = new URLSearchParams({ head: `${owner}:${head}`, state: 'open' });
    const list = (await this.call('GET', `/repos/${owner}/${repo}/pulls?${q}`)) as {
      number: number;
      html_url: string;
    }[];
    const pr = Array.isArray(list) ? list[0] : undefined;
    return pr ? { number: pr.number, url: pr.html_url, reused: true } : null;
  }

  /** Reuses the open PR for this head when there is one, so a retried publish opens no second PR. */
  async ensurePull(
    owner: string,
    repo: string,
    pr: { head: string; base: string; title: string; body: string },
  ): Promise<PullRequest> {
    const existing = await this.findOpenPull(owner, repo, pr.head);
    if (existing) return existing;
    const created = (await this.call('POST', `/repos/${owner}/${repo}/pulls`, pr)) as {
      number: number;
      html_url: string;
    };
    return { number: created.number, url: created.html_url, reused: false };
  }
}

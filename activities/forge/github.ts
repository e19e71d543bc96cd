import { redact } from '../../contracts/secrets.ts';

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
  /** Answers the forge will give again (bad credentials, invalid request); outages are worth retrying. */
  get permanent() {
    return this.status !== null && this.status >= 400 && this.status < 500 && this.status !== 429;
  }
}

/** `owner/repo` of a repository as the payload names it (`owner/repo`, an https URL or `git@host:path`). */
export function ownerRepoOf(repository: string): { owner: string; repo: string } {
  const path = repository.startsWith('git@')
    ? repository.slice(repository.indexOf(':') + 1)
    : /^[a-z][a-z0-9+.-]*:\/\//i.test(repository)
      ? new URL(repository).pathname
      : repository;
  const parts = path
    .replace(/\.git$/, '')
    .split('/')
    .filter(Boolean);
  if (parts.length < 2) throw new ForgeError(`cannot tell owner/repo from repository ${repository}`, null);
  return { owner: parts[parts.length - 2], repo: parts[parts.length - 1] };
}

export class GitHubClient {
  constructor(
    private readonly apiUrl: string,
    private readonly token: string | null,
  ) {}

  private async call(method: string, path: string, body?: unknown): Promise<unknown> {
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
        signal: AbortSignal.timeout(30_000),
      });
    } catch (err) {
      throw new ForgeError(`${method} ${path}: ${(err as Error).message}`, null);
    }
    const text = await res.text();
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

/** The forge token this worker may use: its own environment only, never the payload. */
export const forgeToken = (env: NodeJS.ProcessEnv): string | null =>
  env.MOONMIND_GIT_TOKEN || env.GITHUB_TOKEN || env.GH_TOKEN || null;

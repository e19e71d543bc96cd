import type { FieldIssue } from '../contracts/task.ts';
import { CliError, exitCodes } from './exit-codes.ts';
import type { Settings } from './settings.ts';

/** The API's one error shape, as the CLI reports it: the message, then each field's problem. */
export class ApiError extends CliError {
  constructor(
    readonly status: number,
    message: string,
    readonly issues: FieldIssue[] = [],
  ) {
    super(
      [message, ...issues.map((i) => `  ${i.path}: ${i.message}`)].join('\n'),
      status === 400 ? exitCodes.usage : status === 409 ? exitCodes.conflict : exitCodes.api,
    );
  }
}

export interface RequestOptions {
  method?: 'GET' | 'POST' | 'PUT';
  json?: unknown;
  query?: Record<string, string | number | undefined>;
  headers?: Record<string, string>;
  signal?: AbortSignal;
}

/** A JSON answer with its status (controls tell "taken" 200 from "sent, not answered yet" 202). */
export interface Answer<T> {
  status: number;
  body: T;
}

/** The public REST API with the user's token. */
export class ApiClient {
  constructor(private readonly settings: Settings) {}

  url(pathname: string, query: RequestOptions['query'] = {}): string {
    const url = new URL(pathname, `${this.settings.url}/`);
    for (const [k, v] of Object.entries(query)) if (v !== undefined) url.searchParams.set(k, String(v));
    return url.toString();
  }

  /** The raw response of a successful request (streams: downloads, events); an error answer throws. */
  async fetch(pathname: string, opts: RequestOptions = {}): Promise<Response> {
    if (!this.settings.token) {
      throw new CliError(
        'no API token: set MOONMIND_TOKEN or put {"url": …, "token": …} in the config file (docs/cli.md)',
        exitCodes.api,
      );
    }
    const headers: Record<string, string> = {
      authorization: `Bearer ${this.settings.token}`,
      ...opts.headers,
    };
    if (opts.json !== undefined) headers['content-type'] = 'application/json';
    let res: Response;
    try {
      res = await fetch(this.url(pathname, opts.query), {
        method: opts.method ?? 'GET',
        headers,
        body: opts.json === undefined ? undefined : JSON.stringify(opts.json),
        signal: opts.signal,
      });
    } catch (err) {
      throw new ApiUnreachable(this.settings.url, err as Error);
    }
    if (!res.ok) throw await errorOf(res);
    return res;
  }

  async request<T>(pathname: string, opts: RequestOptions = {}): Promise<Answer<T>> {
    const res = await this.fetch(pathname, opts);
    return { status: res.status, body: (await res.json()) as T };
  }

  async get<T>(pathname: string, query?: RequestOptions['query']): Promise<T> {
    return (await this.request<T>(pathname, { query })).body;
  }
}

/** The API did not answer (down, restarting, wrong URL): callers that can wait retry on this one. */
export class ApiUnreachable extends CliError {
  constructor(url: string, cause: Error) {
    const why = (cause.cause as Error | undefined)?.message ?? cause.message;
    super(`cannot reach the API at ${url}: ${why}`, exitCodes.api);
  }
}

async function errorOf(res: Response): Promise<ApiError> {
  const text = await res.text();
  try {
    const { error } = JSON.parse(text) as { error: { message: string; issues?: FieldIssue[] } };
    return new ApiError(res.status, `${error.message} (HTTP ${res.status})`, error.issues);
  } catch {
    return new ApiError(res.status, `the API answered HTTP ${res.status}`);
  }
}

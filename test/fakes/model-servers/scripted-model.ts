import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * Shared core of the scripted model servers (test doubles of the OpenAI Responses, Anthropic Messages and
 * Gemini APIs that the real agent CLIs talk to): the conversation a test scripts, the request log, the
 * conversation cursor and the SSE writer. Each API's file only says how its wire looks.
 */

/** One model turn: a tool call the CLI must carry out, or the final answer. */
export type Turn =
  | { read: string }
  | { write: { path: string; content: string } }
  | { shell: string }
  | { answer: string };
export type Conversation = Turn[];

export interface ModelServerOptions {
  /** Wait this long before each turn's answer (a cancel test stops the CLI meanwhile). */
  delayMs?: number;
  /** Answer every model request with this status and the API's JSON error (a dead endpoint). */
  fail?: 500 | 503;
}

export interface RecordedModelRequest {
  method: string;
  /** Path and query as sent, e.g. `/v1/messages?beta=true`. */
  url: string;
  /** Headers without credentials (authorization, x-api-key, x-goog-api-key). */
  headers: Record<string, string>;
  /** The JSON body (null when empty; the raw text when it is not JSON). */
  body: unknown;
  /** The model the request names, when it names one. */
  model: string | null;
  /** The tool results the request carries, in order (what the CLI's tools answered). */
  toolResults: string[];
  /** Index of the conversation turn this request was answered with; null for side requests. */
  turn: number | null;
  /** The client went away before the answer was sent (a cancelled CLI during `delayMs`). */
  abandoned: boolean;
}

export interface ModelServer {
  /** Base URL, no trailing slash: `http://127.0.0.1:PORT`. */
  url: string;
  requests: RecordedModelRequest[];
  close(): Promise<void>;
}

export interface SseEvent {
  event?: string;
  data: unknown;
}

/** What an API double decides for one request. */
export type Reply =
  | {
      turnRequest: true;
      model: string | null;
      toolResults: string[];
      events: (turn: Turn, index: number) => SseEvent[];
    }
  | { turnRequest: false; model?: string | null; status: number; json?: unknown; events?: SseEvent[] };

export interface ApiDialect {
  route(method: string, url: URL, body: unknown): Reply;
  /** The API's JSON error body for `fail`. */
  error(status: number, message: string): unknown;
}

const secretHeaders = new Set(['authorization', 'x-api-key', 'x-goog-api-key', 'api-key', 'cookie']);

/** Whether any string inside `value` contains `text` (a prompt may be split into parts or escaped in JSON). */
export function containsText(value: unknown, text: string): boolean {
  if (typeof value === 'string') return value.includes(text);
  if (Array.isArray(value)) return value.some((v) => containsText(v, text));
  if (value && typeof value === 'object') return Object.values(value).some((v) => containsText(v, text));
  return false;
}

/** The turn a request gets: one turn per tool result already answered; past the end, a closing answer. */
function turnFor(conversation: Conversation, toolResults: number): { turn: Turn; index: number } {
  const index = Math.min(toolResults, conversation.length);
  return { turn: conversation[index] ?? { answer: 'The scripted conversation is over.' }, index };
}

function writeSse(res: ServerResponse, events: SseEvent[]): void {
  res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
  for (const e of events)
    res.write(`${e.event ? `event: ${e.event}\n` : ''}data: ${JSON.stringify(e.data)}\n\n`);
  res.end();
}

async function readBody(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  const text = Buffer.concat(chunks).toString('utf8');
  if (!text) return null;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

function publicHeaders(req: IncomingMessage): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(req.headers))
    if (!secretHeaders.has(k) && v !== undefined) out[k] = Array.isArray(v) ? v.join(', ') : v;
  return out;
}

/** Resolves after `ms`, or early when the client goes away (a cancelled CLI). */
function delay(ms: number, res: ServerResponse): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, ms);
    res.once('close', () => {
      clearTimeout(timer);
      resolve();
    });
  });
}

export async function startModelServer(
  dialect: ApiDialect,
  conversation: Conversation,
  options: ModelServerOptions = {},
): Promise<ModelServer> {
  const requests: RecordedModelRequest[] = [];
  const server = createServer(async (req, res) => {
    const url = new URL(req.url ?? '/', 'http://double');
    const body = await readBody(req);
    const method = req.method ?? 'GET';
    const reply = dialect.route(method, url, body);
    const record: RecordedModelRequest = {
      method,
      url: req.url ?? '/',
      headers: publicHeaders(req),
      body,
      model: reply.model ?? null,
      toolResults: reply.turnRequest ? reply.toolResults : [],
      turn: null,
      abandoned: false,
    };
    requests.push(record);
    if (options.fail && method === 'POST') {
      res.writeHead(options.fail, { 'content-type': 'application/json' });
      res.end(JSON.stringify(dialect.error(options.fail, `scripted failure ${options.fail}`)));
      return;
    }
    if (!reply.turnRequest) {
      if (reply.events) return writeSse(res, reply.events);
      res.writeHead(reply.status, { 'content-type': 'application/json' });
      res.end(reply.json === undefined || method === 'HEAD' ? undefined : JSON.stringify(reply.json));
      return;
    }
    const { turn, index } = turnFor(conversation, reply.toolResults.length);
    record.turn = index;
    if (options.delayMs) await delay(options.delayMs, res);
    if (res.destroyed || res.writableEnded) {
      record.abandoned = true;
      return;
    }
    writeSse(res, reply.events(turn, index));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

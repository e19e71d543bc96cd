import path from 'node:path';
import {
  type ApiDialect,
  type Conversation,
  type ModelServer,
  type ModelServerOptions,
  type SseEvent,
  startModelServer,
  type Turn,
} from './scripted-model.ts';

/**
 * Test double of the Anthropic Messages API as Claude Code 2.1 uses it: `POST /v1/messages?beta=true`
 * (streamed SSE) with its Read / Write / Bash tools, plus its side requests: `HEAD /` (a reachability
 * probe), `count_tokens`, and a tool-less request that asks for a session title.
 */

type Block = { type?: string; text?: string; content?: unknown };
interface MessagesBody {
  model?: string;
  system?: string | Block[];
  messages?: { role?: string; content?: string | Block[] }[];
  tools?: unknown[];
  stream?: boolean;
}

const textOf = (content: unknown): string =>
  typeof content === 'string'
    ? content
    : Array.isArray(content)
      ? content.map((b: Block) => b.text ?? '').join('')
      : '';

/** Claude's file tools want absolute paths: resolve against the working directory its system prompt names. */
function workingDirectory(body: MessagesBody): string {
  const system = typeof body.system === 'string' ? body.system : textOf(body.system);
  return /Primary working directory: (.+)/.exec(system)?.[1]?.trim() ?? '/';
}

function toolUse(turn: Exclude<Turn, { answer: string }>, cwd: string): { name: string; input: unknown } {
  if ('read' in turn) return { name: 'Read', input: { file_path: path.resolve(cwd, turn.read) } };
  if ('write' in turn)
    return {
      name: 'Write',
      input: { file_path: path.resolve(cwd, turn.write.path), content: turn.write.content },
    };
  return { name: 'Bash', input: { command: turn.shell, description: 'scripted command' } };
}

function message(model: string, index: number, block: SseEvent[], stopReason: string): SseEvent[] {
  const usage = {
    input_tokens: 10,
    output_tokens: 1,
    cache_creation_input_tokens: 0,
    cache_read_input_tokens: 0,
  };
  return [
    {
      event: 'message_start',
      data: {
        type: 'message_start',
        message: {
          id: `msg_${index}`,
          type: 'message',
          role: 'assistant',
          model,
          content: [],
          stop_reason: null,
          stop_sequence: null,
          usage,
        },
      },
    },
    ...block,
    { event: 'content_block_stop', data: { type: 'content_block_stop', index: 0 } },
    {
      event: 'message_delta',
      data: {
        type: 'message_delta',
        delta: { stop_reason: stopReason, stop_sequence: null },
        usage: { output_tokens: 5 },
      },
    },
    { event: 'message_stop', data: { type: 'message_stop' } },
  ];
}

function textMessage(model: string, index: number, text: string): SseEvent[] {
  return message(
    model,
    index,
    [
      {
        event: 'content_block_start',
        data: { type: 'content_block_start', index: 0, content_block: { type: 'text', text: '' } },
      },
      {
        event: 'content_block_delta',
        data: { type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text } },
      },
    ],
    'end_turn',
  );
}

function events(turn: Turn, index: number, body: MessagesBody): SseEvent[] {
  const model = body.model ?? 'claude';
  if ('answer' in turn) return textMessage(model, index, turn.answer);
  const { name, input } = toolUse(turn, workingDirectory(body));
  return message(
    model,
    index,
    [
      {
        event: 'content_block_start',
        data: {
          type: 'content_block_start',
          index: 0,
          content_block: { type: 'tool_use', id: `toolu_${index}`, name, input: {} },
        },
      },
      {
        event: 'content_block_delta',
        data: {
          type: 'content_block_delta',
          index: 0,
          delta: { type: 'input_json_delta', partial_json: JSON.stringify(input) },
        },
      },
    ],
    'tool_use',
  );
}

const TITLE = 'Scripted session';

const messages: ApiDialect = {
  route(method, url, raw) {
    const body = (raw ?? {}) as MessagesBody;
    const model = body.model ?? null;
    if (method === 'HEAD' && url.pathname === '/') return { turnRequest: false, status: 200 };
    if (method === 'POST' && url.pathname === '/v1/messages/count_tokens')
      return { turnRequest: false, model, status: 200, json: { input_tokens: 10 } };
    if (method !== 'POST' || url.pathname !== '/v1/messages')
      return { turnRequest: false, status: 404, json: messages.error(404, `no route ${url.pathname}`) };
    if (!body.tools?.length) {
      // The session-title side request: it offers no tools and is not part of the conversation.
      if (body.stream)
        return { turnRequest: false, model, status: 200, events: textMessage(model ?? 'claude', 0, TITLE) };
      return {
        turnRequest: false,
        model,
        status: 200,
        json: {
          id: 'msg_title',
          type: 'message',
          role: 'assistant',
          model,
          content: [{ type: 'text', text: TITLE }],
          stop_reason: 'end_turn',
          stop_sequence: null,
          usage: { input_tokens: 10, output_tokens: 5 },
        },
      };
    }
    const toolResults = (body.messages ?? [])
      .filter((m) => m.role === 'user' && Array.isArray(m.content))
      .flatMap((m) => (m.content as Block[]).filter((b) => b.type === 'tool_result'))
      .map((b) => textOf(b.content));
    return { turnRequest: true, model, toolResults, events: (turn, index) => events(turn, index, body) };
  },
  error: (status, message) => ({
    type: 'error',
    error: { type: status === 503 ? 'overloaded_error' : 'api_error', message },
  }),
};

/** ANTHROPIC_BASE_URL is `url`. */
export function startMessagesServer(
  conversation: Conversation,
  options?: ModelServerOptions,
): Promise<ModelServer> {
  return startModelServer(messages, conversation, options);
}

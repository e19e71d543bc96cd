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
 * Test double of the OpenAI Responses API as codex 0.171 uses it (`POST /v1/responses`, streamed SSE).
 * Codex offers `exec_command` (a shell) and, for models it knows, the freeform `apply_patch` tool; a write
 * turn uses apply_patch when offered (what a real model does) and a shell command otherwise.
 */

interface ResponsesBody {
  model?: string;
  input?: { type?: string; output?: unknown }[];
  tools?: { type?: string; name?: string }[];
}

const quote = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;

function addFilePatch(file: string, content: string): string {
  const lines = content.endsWith('\n') ? content.slice(0, -1).split('\n') : content.split('\n');
  return `*** Begin Patch\n*** Add File: ${file}\n${lines.map((l) => `+${l}\n`).join('')}*** End Patch\n`;
}

function outputText(output: unknown): string {
  if (typeof output === 'string') return output;
  // Newer codex sends structured outputs as content items.
  if (Array.isArray(output)) return output.map((o) => (o as { text?: string }).text ?? '').join('');
  return JSON.stringify(output);
}

function item(turn: Turn, index: number, body: ResponsesBody): Record<string, unknown> {
  const call = { id: `fc_${index}`, call_id: `call_${index}` };
  const exec = (cmd: string) => ({
    type: 'function_call',
    ...call,
    name: 'exec_command',
    arguments: JSON.stringify({ cmd }),
  });
  if ('read' in turn) return exec(`cat ${quote(turn.read)}`);
  if ('shell' in turn) return exec(turn.shell);
  if ('write' in turn) {
    const { path, content } = turn.write;
    if (body.tools?.some((t) => t.name === 'apply_patch'))
      return { type: 'custom_tool_call', ...call, name: 'apply_patch', input: addFilePatch(path, content) };
    return exec(`printf '%s' ${quote(content)} > ${quote(path)}`);
  }
  return {
    type: 'message',
    role: 'assistant',
    id: `msg_${index}`,
    content: [{ type: 'output_text', text: turn.answer, annotations: [] }],
  };
}

function events(turn: Turn, index: number, body: ResponsesBody): SseEvent[] {
  const id = `resp_${index}`;
  const done = item(turn, index, body);
  const usage = {
    input_tokens: 10,
    input_tokens_details: { cached_tokens: 0 },
    output_tokens: 5,
    output_tokens_details: { reasoning_tokens: 0 },
    total_tokens: 15,
  };
  const added = done.type === 'message' ? { ...done, content: [] } : done;
  const text = 'answer' in turn ? turn.answer : null;
  return [
    { event: 'response.created', data: { type: 'response.created', response: { id } } },
    {
      event: 'response.output_item.added',
      data: { type: 'response.output_item.added', output_index: 0, item: added },
    },
    ...(text === null
      ? []
      : [
          {
            event: 'response.output_text.delta',
            data: {
              type: 'response.output_text.delta',
              output_index: 0,
              content_index: 0,
              item_id: done.id,
              delta: text,
            },
          },
        ]),
    {
      event: 'response.output_item.done',
      data: { type: 'response.output_item.done', output_index: 0, item: done },
    },
    { event: 'response.completed', data: { type: 'response.completed', response: { id, usage } } },
  ];
}

const responses: ApiDialect = {
  route(method, url, raw) {
    if (method !== 'POST' || !url.pathname.endsWith('/responses'))
      return { turnRequest: false, status: 404, json: responses.error(404, `no route ${url.pathname}`) };
    const body = (raw ?? {}) as ResponsesBody;
    const toolResults = (body.input ?? [])
      .filter((i) => i.type === 'function_call_output' || i.type === 'custom_tool_call_output')
      .map((i) => outputText(i.output));
    return {
      turnRequest: true,
      model: body.model ?? null,
      toolResults,
      events: (turn, index) => events(turn, index, body),
    };
  },
  error: (status, message) => ({
    error: { message, type: status === 503 ? 'service_unavailable' : 'server_error', code: null },
  }),
};

/** Codex's base_url is `${url}/v1` (it POSTs `{base_url}/responses`). */
export function startResponsesServer(
  conversation: Conversation,
  options?: ModelServerOptions,
): Promise<ModelServer> {
  return startModelServer(responses, conversation, options);
}

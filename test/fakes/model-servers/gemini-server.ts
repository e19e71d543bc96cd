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
 * Test double of the Gemini API as Gemini CLI 0.61 uses it:
 * `POST /v1beta/models/<model>:streamGenerateContent?alt=sse` with its read_file / write_file /
 * run_shell_command tools (function calls), one SSE chunk per answer.
 */

type Part = { text?: string; functionResponse?: { response?: unknown } };
interface GeminiBody {
  contents?: { role?: string; parts?: Part[] }[];
  tools?: unknown[];
}

function part(turn: Turn): Record<string, unknown> {
  if ('answer' in turn) return { text: turn.answer };
  if ('read' in turn) return { functionCall: { name: 'read_file', args: { file_path: turn.read } } };
  if ('write' in turn)
    return {
      functionCall: { name: 'write_file', args: { file_path: turn.write.path, content: turn.write.content } },
    };
  return {
    functionCall: { name: 'run_shell_command', args: { command: turn.shell, description: 'scripted' } },
  };
}

function events(turn: Turn, index: number, model: string): SseEvent[] {
  return [
    {
      data: {
        candidates: [{ content: { role: 'model', parts: [part(turn)] }, finishReason: 'STOP', index: 0 }],
        usageMetadata: { promptTokenCount: 10, candidatesTokenCount: 5, totalTokenCount: 15 },
        modelVersion: model,
        responseId: `resp_${index}`,
      },
    },
  ];
}

const responseText = (response: unknown): string => {
  const r = response as { output?: unknown; error?: unknown } | undefined;
  const value = r?.output ?? r?.error ?? r;
  return typeof value === 'string' ? value : JSON.stringify(value);
};

const gemini: ApiDialect = {
  route(method, url, raw) {
    const match = /^\/v1beta\/models\/([^/:]+):streamGenerateContent$/.exec(url.pathname);
    if (method !== 'POST' || !match)
      return { turnRequest: false, status: 404, json: gemini.error(404, `no route ${url.pathname}`) };
    const model = decodeURIComponent(match[1]);
    const body = (raw ?? {}) as GeminiBody;
    const toolResults = (body.contents ?? [])
      .flatMap((c) => c.parts ?? [])
      .filter((p) => p.functionResponse)
      .map((p) => responseText(p.functionResponse?.response));
    return { turnRequest: true, model, toolResults, events: (turn, index) => events(turn, index, model) };
  },
  error: (status, message) => ({
    error: { code: status, message, status: status === 503 ? 'UNAVAILABLE' : 'INTERNAL' },
  }),
};

/** GOOGLE_GEMINI_BASE_URL is `url`. */
export function startGeminiServer(
  conversation: Conversation,
  options?: ModelServerOptions,
): Promise<ModelServer> {
  return startModelServer(gemini, conversation, options);
}

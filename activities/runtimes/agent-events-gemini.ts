import {
  type AgentLine,
  firstLine,
  isObject,
  type JsonObject,
  str,
  tokens,
  toolArgument,
  usageOf,
} from './agent-line.ts';

/**
 * `gemini -o stream-json` events (packages/core/src/output/types.ts): init, message (the user's prompt,
 * then the assistant's reply streamed as `delta` chunks), tool_use, tool_result, error, result.
 */
export function readGeminiEvent(event: JsonObject): AgentLine | null {
  switch (event.type) {
    case 'init': {
      const model = str(event.model);
      return { kind: 'status', text: model ? `session started · ${model}` : 'session started' };
    }
    case 'message': {
      const content = str(event.content) ?? '';
      if (event.role !== 'assistant')
        return { kind: 'status', text: `prompt sent (${content.length} characters)` };
      return { kind: 'message', text: content, said: { text: content, delta: event.delta === true } };
    }
    case 'tool_use': {
      const name = str(event.tool_name) ?? 'tool';
      const arg = toolArgument(event.parameters);
      if (name === 'run_shell_command') return { kind: 'command', text: `$ ${arg}` };
      const kind = fileTools.has(name) ? 'file_change' : 'tool';
      return { kind, text: arg ? `${name} ${arg}` : name };
    }
    case 'tool_result': {
      if (event.status === 'error') {
        const error = isObject(event.error) ? str(event.error.message) : null;
        return { kind: 'tool_result', text: `→ error: ${firstLine(error ?? '')}` };
      }
      return { kind: 'tool_result', text: `→ ${firstLine(str(event.output) ?? '')}` };
    }
    case 'error':
      return {
        kind: 'error',
        text: `${event.severity === 'warning' ? 'warning: ' : ''}${str(event.message) ?? 'error'}`,
      };
    case 'result':
      return readResult(event);
    default:
      return null;
  }
}

const fileTools = new Set(['write_file', 'replace']);

function readResult(event: JsonObject): AgentLine {
  if (event.status === 'error') {
    const error = isObject(event.error) ? str(event.error.message) : null;
    return { kind: 'error', text: `failed: ${error ?? 'unknown error'}`, failed: true };
  }
  const stats = isObject(event.stats) ? event.stats : {};
  const usage = usageOf(stats.input_tokens, stats.output_tokens);
  const facts = [
    typeof stats.tool_calls === 'number' ? `${stats.tool_calls} tool calls` : null,
    tokens(usage),
    typeof stats.duration_ms === 'number' ? `${(stats.duration_ms / 1000).toFixed(1)} s` : null,
  ].filter(Boolean);
  const text = ['finished', ...facts].join(' · ');
  return usage ? { kind: 'status', text, usage } : { kind: 'status', text };
}

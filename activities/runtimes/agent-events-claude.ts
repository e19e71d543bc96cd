import {
  type AgentLine,
  type DisplayKind,
  firstLine,
  isObject,
  type JsonObject,
  str,
  tokens,
  toolArgument,
  usageOf,
} from './agent-line.ts';

/**
 * `claude -p --output-format stream-json --verbose` events: system (init and notices), assistant (a
 * message whose content blocks are text, thinking or tool_use), user (tool_result blocks), result.
 */
export function readClaudeEvent(event: JsonObject): AgentLine | null {
  switch (event.type) {
    case 'system': {
      if (event.subtype !== 'init')
        return { kind: 'status', text: `system: ${str(event.subtype) ?? 'notice'}` };
      const model = str(event.model);
      return { kind: 'status', text: model ? `session started · ${model}` : 'session started' };
    }
    case 'assistant':
      return readBlocks(event.message, readAssistantBlock);
    case 'user':
      return readBlocks(event.message, readUserBlock);
    case 'result':
      return readResult(event);
    default:
      return null;
  }
}

type Part = { kind: DisplayKind; text: string; said?: string };

/** A message's content blocks as one line: the first block decides the kind, the texts are joined. */
function readBlocks(message: unknown, read: (block: JsonObject) => Part | null): AgentLine | null {
  if (!isObject(message)) return null;
  const content =
    typeof message.content === 'string' ? [{ type: 'text', text: message.content }] : message.content;
  if (!Array.isArray(content)) return null;
  const parts = content.filter(isObject).flatMap((b) => read(b) ?? []);
  if (parts.length === 0) return null;
  const said = parts.flatMap((p) => p.said ?? []).join('\n');
  return {
    kind: parts[0].kind,
    text: parts.map((p) => p.text).join(' · '),
    ...(said ? { said: { text: said } } : {}),
  };
}

const fileTools = new Set(['Edit', 'MultiEdit', 'Write', 'NotebookEdit']);

function readAssistantBlock(block: JsonObject): Part | null {
  if (block.type === 'text') {
    const text = str(block.text) ?? '';
    return { kind: 'message', text, said: text };
  }
  if (block.type === 'thinking') return { kind: 'reasoning', text: str(block.thinking) ?? '' };
  if (block.type !== 'tool_use') return null;
  const name = str(block.name) ?? 'tool';
  const arg = toolArgument(block.input);
  if (name === 'Bash') return { kind: 'command', text: `$ ${arg}` };
  return { kind: fileTools.has(name) ? 'file_change' : 'tool', text: arg ? `${name} ${arg}` : name };
}

function readUserBlock(block: JsonObject): Part | null {
  if (block.type !== 'tool_result') return null;
  const content = Array.isArray(block.content)
    ? block.content
        .filter(isObject)
        .map((c) => str(c.text) ?? '')
        .join('\n')
    : (str(block.content) ?? '');
  return { kind: 'tool_result', text: `→ ${block.is_error === true ? 'error: ' : ''}${firstLine(content)}` };
}

function readResult(event: JsonObject): AgentLine {
  const result = str(event.result);
  const reported = isObject(event.usage) ? event.usage : {};
  const usage = usageOf(reported.input_tokens, reported.output_tokens);
  if (event.subtype === 'success' && event.is_error !== true) {
    const facts = [
      typeof event.num_turns === 'number' ? `${event.num_turns} turns` : null,
      tokens(usage),
      typeof event.duration_ms === 'number' ? `${(event.duration_ms / 1000).toFixed(1)} s` : null,
      typeof event.total_cost_usd === 'number' ? `$${event.total_cost_usd.toFixed(4)}` : null,
    ].filter(Boolean);
    return {
      kind: 'status',
      text: ['finished', ...facts].join(' · '),
      ...(result ? { said: { text: result } } : {}),
      ...(usage ? { usage } : {}),
    };
  }
  const errors = Array.isArray(event.errors) ? event.errors.filter((e) => typeof e === 'string') : [];
  const why = errors.join('; ') || result || 'no details';
  // `is_error` decides, whatever the subtype says (an API error comes as subtype "success").
  const label = event.subtype && event.subtype !== 'success' ? str(event.subtype) : 'error';
  return { kind: 'error', text: `${label}: ${why}`, failed: true, ...(usage ? { usage } : {}) };
}

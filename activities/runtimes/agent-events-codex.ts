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
 * `codex exec --json` events (codex-rs/exec/src/exec_events.rs, mirrored by the TypeScript SDK):
 * thread.started, turn.started|completed|failed, item.started|updated|completed with one item
 * (agent_message, reasoning, command_execution, file_change, mcp_tool_call, web_search, todo_list, plan,
 * error), and top-level error.
 */
export function readCodexEvent(event: JsonObject): AgentLine | null {
  switch (event.type) {
    case 'thread.started':
      return { kind: 'status', text: 'session started' };
    case 'turn.started':
      return { kind: 'status', text: 'turn started' };
    case 'turn.completed': {
      const usage = isObject(event.usage) ? event.usage : {};
      const used = usageOf(usage.input_tokens, usage.output_tokens);
      const text = used ? `turn completed · ${tokens(used)}` : 'turn completed';
      return used ? { kind: 'status', text, usage: used } : { kind: 'status', text };
    }
    case 'turn.failed': {
      const error = isObject(event.error) ? str(event.error.message) : null;
      return { kind: 'error', text: `turn failed: ${error ?? 'unknown error'}`, failed: true };
    }
    case 'error':
      return { kind: 'error', text: str(event.message) ?? 'error' };
    case 'item.started':
    case 'item.updated':
    case 'item.completed':
      return isObject(event.item) ? readItem(event.item, event.type === 'item.completed') : null;
    default:
      return null;
  }
}

function readItem(item: JsonObject, completed: boolean): AgentLine | null {
  const status = str(item.status);
  switch (item.type) {
    case 'agent_message': {
      const text = str(item.text) ?? '';
      return { kind: 'message', text, said: { text } };
    }
    case 'reasoning':
      return { kind: 'reasoning', text: str(item.text) ?? '' };
    case 'plan':
      return { kind: 'message', text: `plan: ${str(item.text) ?? ''}` };
    case 'command_execution': {
      const command = `$ ${str(item.command) ?? ''}`;
      if (!completed || status === 'in_progress') return { kind: 'command', text: command };
      const exit = typeof item.exit_code === 'number' ? `exit ${item.exit_code}` : (status ?? 'done');
      const output = str(item.aggregated_output);
      return {
        kind: 'command',
        text: `${command} → ${exit}${output?.trim() ? `: ${firstLine(output)}` : ''}`,
      };
    }
    case 'file_change': {
      const changes = Array.isArray(item.changes) ? item.changes.filter(isObject) : [];
      const list = changes.map((c) => `${str(c.kind) ?? 'update'} ${str(c.path) ?? '?'}`).join(', ');
      return {
        kind: 'file_change',
        text: status === 'failed' ? `patch failed: ${list}` : list || 'file change',
      };
    }
    case 'mcp_tool_call': {
      const call = `${str(item.server) ?? '?'}.${str(item.tool) ?? '?'}(${toolArgument(item.arguments)})`;
      if (status === 'failed') {
        const error = isObject(item.error) ? str(item.error.message) : null;
        return { kind: 'tool', text: `${call} failed: ${error ?? 'unknown error'}` };
      }
      return { kind: 'tool', text: status === 'completed' ? `${call} → done` : call };
    }
    case 'web_search':
      return { kind: 'tool', text: `web search: ${str(item.query) ?? ''}` };
    case 'todo_list': {
      const items = Array.isArray(item.items) ? item.items.filter(isObject) : [];
      const done = items.filter((i) => i.completed === true).length;
      const next = items.find((i) => i.completed !== true);
      const text = `to-do ${done}/${items.length} done${next ? ` · next: ${str(next.text) ?? ''}` : ''}`;
      return { kind: 'status', text };
    }
    case 'error':
      return { kind: 'error', text: str(item.message) ?? 'error' };
    default:
      return null;
  }
}

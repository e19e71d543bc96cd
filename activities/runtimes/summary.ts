/**
 * The human-readable text of one output line, for a step's summary: the agent's message inside the CLIs'
 * JSON event lines (codex `--json`, claude/gemini `stream-json`), plain lines as they are; null for JSON
 * events that carry no agent text (tool calls, usage, session metadata).
 */
export function agentText(line: string): string | null {
  const trimmed = line.trim();
  if (!trimmed) return null;
  if (!trimmed.startsWith('{')) return trimmed;
  let event: Record<string, unknown>;
  try {
    event = JSON.parse(trimmed) as Record<string, unknown>;
  } catch {
    return trimmed;
  }
  const item = event.item as { type?: string; text?: unknown } | undefined;
  if (item?.type === 'agent_message' && typeof item.text === 'string') return item.text; // codex
  if (event.type === 'result' && typeof event.result === 'string') return event.result; // claude
  if (event.type === 'message' && event.role === 'assistant' && typeof event.content === 'string') {
    return event.content; // gemini
  }
  return null;
}

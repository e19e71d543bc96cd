import type { Runtime } from '../../contracts/task.ts';
import { readClaudeEvent } from './agent-events-claude.ts';
import { readCodexEvent } from './agent-events-codex.ts';
import { readGeminiEvent } from './agent-events-gemini.ts';
import { type AgentLine, isObject, oneLine } from './agent-line.ts';

/**
 * Reads one stdout line of a runtime CLI run with JSON output (codex `--json`, claude and gemini
 * `stream-json`): null when the line is not a JSON event of that CLI's known shapes (plain text, a
 * future event type), so it is shown as it came.
 */
export function readAgentLine(runtime: Runtime, line: string): AgentLine | null {
  const trimmed = line.trim();
  // The scripted demo agent prints plain lines.
  if (runtime === 'demo' || !trimmed.startsWith('{')) return null;
  let event: unknown;
  try {
    event = JSON.parse(trimmed);
  } catch {
    return null;
  }
  if (!isObject(event) || typeof event.type !== 'string') return null;
  const read =
    runtime === 'codex' ? readCodexEvent : runtime === 'claude' ? readClaudeEvent : readGeminiEvent;
  const out = read(event);
  return out && { ...out, text: oneLine(out.text) };
}

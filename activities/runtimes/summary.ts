import type { Runtime } from '../../contracts/task.ts';
import { readAgentLine } from './agent-events.ts';
import type { AgentLine, TokenUsage } from './agent-line.ts';

/**
 * A step's stdout, read line by line: each JSON event of the runtime CLI rendered for the output panel
 * (null for a line shown as it came), and the agent's last message kept for the step's summary. Plain
 * lines count as the agent's words; gemini's streamed chunks are joined back into one message.
 */
export function createStepOutput(runtime: Runtime) {
  let last = '';
  let streaming = false;
  let lastError: string | null = null;
  let lastStderr: string | null = null;
  let failed = false;
  let usage: TokenUsage | null = null;
  return {
    /** A stderr line: the CLI's own words when it fails without an error event. */
    readStderr(line: string) {
      if (line.trim()) lastStderr = line.trim();
    },
    read(line: string): AgentLine | null {
      const shown = readAgentLine(runtime, line);
      if (shown?.kind === 'error') lastError = shown.text;
      if (shown?.failed) failed = true;
      if (shown?.usage)
        usage = {
          inputTokens: (usage?.inputTokens ?? 0) + shown.usage.inputTokens,
          outputTokens: (usage?.outputTokens ?? 0) + shown.usage.outputTokens,
        };
      if (shown?.said) {
        last = shown.said.delta && streaming ? last + shown.said.text : shown.said.text;
        streaming = shown.said.delta === true;
        return shown;
      }
      streaming = false;
      // A JSON line of an unknown shape is no prose; any other line is (plain-text CLIs, fakes).
      const plain = line.trim();
      if (!shown && plain && !plain.startsWith('{')) last = plain;
      return shown;
    },
    /** The CLI's own last error (its error event, else its last stderr line), 500 characters at most. */
    lastError(): string | null {
      const text = lastError ?? lastStderr;
      return text ? text.slice(0, 500) : null;
    },
    /** The CLI reported a failed run (codex turn.failed, a claude is_error result, a gemini error result). */
    failed(): boolean {
      return failed;
    },
    /** Tokens the CLI reported using over the step (its turns' or its run's counts), null if none. */
    usage(): TokenUsage | null {
      return usage;
    },
    /** The agent's last message, trimmed to 500 characters; null when it said nothing. */
    summary(): string | null {
      const text = last.trim();
      return text ? text.slice(0, 500) : null;
    },
  };
}

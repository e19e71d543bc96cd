/** Shared shapes and helpers of the runtime CLIs' event readers (agent-events*.ts). */

/** What a line of agent output is, for the output panel's marker and the warnings filter. */
export type DisplayKind =
  | 'message'
  | 'reasoning'
  | 'command'
  | 'file_change'
  | 'tool'
  | 'tool_result'
  | 'error'
  | 'status';

/** One JSON event line of a runtime CLI, read for people. */
export interface AgentLine {
  kind: DisplayKind;
  /** One line (newlines shown as ⏎), at most DISPLAY_MAX characters. */
  text: string;
  /** The agent's own words in this event, for the step summary; `delta` when it continues the last one. */
  said?: { text: string; delta?: boolean };
  /** The CLI reports that its run failed (even if it exits 0): the step fails with this line's text. */
  failed?: true;
  /** Tokens this event reports as used (a turn's or the run's): summed into the step's usage. */
  usage?: TokenUsage;
}

export interface TokenUsage {
  inputTokens: number;
  outputTokens: number;
}

export type JsonObject = Record<string, unknown>;

const DISPLAY_MAX = 2_000;

export const isObject = (v: unknown): v is JsonObject =>
  typeof v === 'object' && v !== null && !Array.isArray(v);
export const str = (v: unknown): string | null => (typeof v === 'string' ? v : null);

/** Newlines as ⏎ (each output row is one line high), capped. */
export function oneLine(text: string, max = DISPLAY_MAX): string {
  const flat = text.trim().replace(/\s*\r?\n\s*/g, ' ⏎ ');
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
}

/** A tool's output in brief: its first non-empty line and how many more there are. */
export function firstLine(output: string): string {
  const lines = output.split('\n').filter((l) => l.trim());
  if (lines.length === 0) return '(no output)';
  const more = lines.length - 1;
  return more > 0 ? `${lines[0].trim()} (+${more} lines)` : lines[0].trim();
}

/** The argument people recognise a tool call by (a command, a path, a pattern…), else the JSON. */
export function toolArgument(input: unknown): string {
  if (!isObject(input)) return '';
  for (const key of [
    'command',
    'file_path',
    'absolute_path',
    'pattern',
    'path',
    'url',
    'query',
    'description',
  ]) {
    const v = str(input[key]);
    if (v) return v;
  }
  const json = JSON.stringify(input);
  return json === '{}' ? '' : json;
}

/** Token counts from whichever usage fields the CLI reports, when it reports both. */
export function usageOf(input: unknown, output: unknown): TokenUsage | undefined {
  return typeof input === 'number' && typeof output === 'number'
    ? { inputTokens: input, outputTokens: output }
    : undefined;
}

/** Token counts in brief. */
export function tokens(usage: TokenUsage | undefined): string | null {
  return usage
    ? `${usage.inputTokens.toLocaleString('en')} in / ${usage.outputTokens.toLocaleString('en')} out tokens`
    : null;
}

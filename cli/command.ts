import type { ParseArgsConfig } from 'node:util';
import { type ExitCode, usageError } from './exit-codes.ts';
import type { ApiClient } from './http.ts';

export type Values = Record<string, string | boolean | string[] | undefined>;

export interface CommandInput {
  positionals: string[];
  values: Values;
  /** The API client, made on first use (a usage mistake is reported without reading any settings). */
  api(): ApiClient;
}

/** One user command: its usage line(s), its flags and what it does; it returns the exit code (0 if none). */
export interface Command {
  usage: string;
  options: NonNullable<ParseArgsConfig['options']>;
  run(input: CommandInput): Promise<ExitCode> | Promise<void>;
}

const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** The JOB_ID (or RUN_ID) positional, checked here so a typo is a usage error rather than the API's 400. */
export function jobIdArg(positionals: string[], usage: string, what = 'job'): string {
  const id = positionals[0];
  if (!id) throw usageError(`give the ${what} id\nusage: ${usage}`);
  if (!uuid.test(id)) throw usageError(`${id} is not a ${what} id (a UUID, as submit and list print it)`);
  return id.toLowerCase();
}

export const str = (v: Values[string]) => (typeof v === 'string' ? v : undefined);

/** A whole-number flag, named in the error when it is not one. */
export function intFlag(v: Values[string], name: string): number | undefined {
  if (typeof v !== 'string') return undefined;
  if (!/^-?\d+$/.test(v.trim())) throw usageError(`--${name} must be a whole number`);
  return Number(v);
}

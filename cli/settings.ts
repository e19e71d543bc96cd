import { readFileSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { z } from 'zod';
import { type CliConfig, cliConfigSchema, parseEnv } from '../contracts/config.ts';
import { CliError, exitCodes } from './exit-codes.ts';

export const DEFAULT_URL = 'http://127.0.0.1:8080';

const fileSchema = z.object({
  url: cliConfigSchema.shape.MOONMIND_URL,
  token: cliConfigSchema.shape.MOONMIND_TOKEN,
});

export interface Settings {
  url: string;
  token: string | null;
}

export const configPath = (env: NodeJS.ProcessEnv) =>
  env.MOONMIND_CONFIG ||
  path.join(env.XDG_CONFIG_HOME || path.join(os.homedir(), '.config'), 'moonmind', 'config.json');

const configError = (message: string) => new CliError(message, exitCodes.usage);

/**
 * The config file's url and token, or nothing when there is none. A file holding a token that others may
 * read is refused, as ssh refuses such a key: the token would be as good as shared.
 */
function readConfigFile(file: string, named: boolean): z.infer<typeof fileSchema> {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT' && !named) return {};
    throw configError(`cannot read the config file ${file}: ${(err as Error).message}`);
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    throw configError(`the config file ${file} is not JSON (expected {"url": "…", "token": "…"})`);
  }
  const parsed = fileSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw configError(`the config file ${file}: ${issue.path.join('.') || 'its content'} ${issue.message}`);
  }
  const mode = statSync(file).mode & 0o777;
  if (parsed.data.token && mode & 0o077) {
    throw configError(
      `the config file ${file} holds a token but others may read it (mode ${mode.toString(8).padStart(4, '0')}); ` +
        `run: chmod 600 ${file}`,
    );
  }
  return parsed.data;
}

/** Where the API is and the token to send: the environment first, then the config file. */
export function loadSettings(env: NodeJS.ProcessEnv = process.env): Settings {
  let vars: CliConfig;
  try {
    vars = parseEnv(cliConfigSchema, env);
  } catch (err) {
    throw configError((err as Error).message);
  }
  const file = readConfigFile(configPath(env), Boolean(vars.MOONMIND_CONFIG));
  return {
    url: (vars.MOONMIND_URL ?? file.url ?? DEFAULT_URL).replace(/\/+$/, ''),
    token: vars.MOONMIND_TOKEN ?? file.token ?? null,
  };
}

import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Runtime } from '../../contracts/task.ts';
import type { ModelEndpoint } from './endpoint.ts';

type Settings = Record<string, unknown>;

const section = (settings: Settings, name: string): Settings => {
  const value = settings[name];
  const object = value && typeof value === 'object' && !Array.isArray(value) ? (value as Settings) : {};
  settings[name] = object;
  return object;
};

/**
 * The per-run settings a CLI takes only from a file, written into the workspace home (never the operator's).
 * Only Gemini needs one: codex gets `-c` overrides and Claude Code environment variables (adapters.ts).
 * Gemini's settings.json copied from the operator's home is kept, with these keys set over it: bounded
 * attempts (its default retries a dead endpoint for minutes), no usage statistics, telemetry or updates,
 * and API-key auth when an endpoint or key is configured (else headless Gemini exits asking for a login).
 * No key is ever written: it travels in GEMINI_API_KEY.
 */
export async function writeRunConfig(
  runtime: Runtime,
  workspaceHome: string,
  options: { retries: number; endpoint: ModelEndpoint },
): Promise<void> {
  if (runtime !== 'gemini') return;
  const file = join(workspaceHome, '.gemini', 'settings.json');
  let settings: Settings = {};
  try {
    const parsed: unknown = JSON.parse(await readFile(file, 'utf8'));
    if (parsed && typeof parsed === 'object' && !Array.isArray(parsed)) settings = parsed as Settings;
  } catch (err) {
    // A missing file is the usual case; an unreadable one is replaced rather than failing the run.
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT' && !(err instanceof SyntaxError)) throw err;
  }
  Object.assign(section(settings, 'general'), {
    maxAttempts: options.retries + 1,
    retryFetchErrors: false,
    enableAutoUpdate: false,
    enableAutoUpdateNotification: false,
  });
  section(settings, 'privacy').usageStatisticsEnabled = false;
  section(settings, 'telemetry').enabled = false;
  if (options.endpoint.baseUrl !== undefined || options.endpoint.keyRef !== undefined)
    section(section(settings, 'security'), 'auth').selectedType = 'gemini-api-key';
  await writeFile(file, `${JSON.stringify(settings, null, 2)}\n`);
}

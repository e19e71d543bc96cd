import { copyFile, mkdir, readdir } from 'node:fs/promises';
import { basename, join } from 'node:path';
import type { ModelRuntime, Runtime } from '../../contracts/task.ts';

/** Each CLI's config directory inside the workspace home (adapters.ts points codex and claude there). */
const configDirs: Record<ModelRuntime, string> = { codex: '.codex', claude: '.claude', gemini: '.gemini' };

/**
 * The operator's files each CLI needs for its login and settings: top-level files only, so sessions,
 * transcripts and history stay behind.
 */
async function sourcesOf(runtime: ModelRuntime, env: NodeJS.ProcessEnv): Promise<string[]> {
  const home = env.HOME;
  const pick = (dir: string | undefined, names: string[]) => (dir ? names.map((n) => join(dir, n)) : []);
  switch (runtime) {
    case 'codex':
      return pick(env.CODEX_HOME ?? (home && join(home, '.codex')), [
        'auth.json',
        'config.toml',
        'AGENTS.md',
      ]);
    case 'claude':
      return [
        ...pick(env.CLAUDE_CONFIG_DIR ?? (home && join(home, '.claude')), [
          '.credentials.json',
          'settings.json',
          'CLAUDE.md',
        ]),
        // The global config sits in the config dir when CLAUDE_CONFIG_DIR is set, else in HOME.
        ...pick(env.CLAUDE_CONFIG_DIR ?? home, ['.claude.json']),
      ];
    case 'gemini': {
      if (!home) return [];
      const dir = join(home, '.gemini');
      const entries = await readdir(dir, { withFileTypes: true }).catch(() => []);
      return pick(
        dir,
        entries.filter((e) => e.isFile() && e.name.endsWith('.json')).map((e) => e.name),
      );
    }
  }
}

/** The files among those that hold the operator's login (OAuth tokens, API keys) rather than settings. */
const loginFiles = new Set(['auth.json', '.credentials.json', 'oauth_creds.json', 'google_accounts.json']);

/**
 * Copy the operator's login and settings of this run's runtime (and only that runtime: an agent never
 * sees another CLI's credentials) into the workspace home. The agent user cannot read the operator's
 * home, and a run must never write into it. Missing files are skipped. Without `login` (a configured
 * endpoint: endpoint.ts) the login files stay behind, so a proxy never receives the vendor credentials.
 */
export async function seedRuntimeHome(
  runtime: Runtime,
  env: NodeJS.ProcessEnv,
  workspaceHome: string,
  { login }: { login: boolean } = { login: true },
): Promise<void> {
  // The scripted demo agent has no login or settings.
  if (runtime === 'demo') return;
  const target = join(workspaceHome, configDirs[runtime]);
  // The directory exists even with nothing to copy: codex refuses a CODEX_HOME that does not.
  await mkdir(target, { recursive: true });
  for (const from of await sourcesOf(runtime, env)) {
    if (!login && loginFiles.has(basename(from))) continue;
    await copyFile(from, join(target, basename(from))).catch((err: NodeJS.ErrnoException) => {
      if (err.code !== 'ENOENT') throw err;
    });
  }
}

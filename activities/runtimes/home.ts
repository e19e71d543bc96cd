import { copyFile, mkdir, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { Runtime } from '../../contracts/task.ts';

/** One file of the operator's runtime login or settings, and where the agent's copy goes. */
interface Seed {
  from: string;
  to: string;
}

/**
 * Where each CLI keeps its login and settings for the operator, and which top-level files of it the agent
 * needs: sessions, transcripts and history stay behind. The copies go where adapters.ts points the CLI
 * (`CODEX_HOME`, `CLAUDE_CONFIG_DIR`, `$HOME/.gemini`).
 */
async function seedsOf(runtime: Runtime, env: NodeJS.ProcessEnv, home: string): Promise<Seed[]> {
  const realHome = env.HOME;
  const pick = (dir: string | undefined, names: string[], to: string) =>
    dir ? names.map((n) => ({ from: join(dir, n), to: join(home, to, n) })) : [];
  switch (runtime) {
    case 'codex':
      return pick(
        env.CODEX_HOME ?? (realHome && join(realHome, '.codex')),
        ['auth.json', 'config.toml', 'AGENTS.md'],
        '.codex',
      );
    case 'claude': {
      const dir = env.CLAUDE_CONFIG_DIR ?? (realHome && join(realHome, '.claude'));
      // The global config sits in the config dir when CLAUDE_CONFIG_DIR is set, else beside it in HOME.
      const global = env.CLAUDE_CONFIG_DIR ?? realHome;
      return [
        ...pick(dir, ['.credentials.json', 'settings.json', 'CLAUDE.md'], '.claude'),
        ...(global
          ? [{ from: join(global, '.claude.json'), to: join(home, '.claude', '.claude.json') }]
          : []),
      ];
    }
    case 'gemini': {
      if (!realHome) return [];
      const dir = join(realHome, '.gemini');
      const entries = await readdir(dir, { withFileTypes: true }).catch(() => []);
      const names = entries.filter((e) => e.isFile() && e.name.endsWith('.json')).map((e) => e.name);
      return pick(dir, names, '.gemini');
    }
  }
}

/**
 * Copy the operator's login and settings of this run's runtime (and only that runtime: an agent never
 * sees another CLI's credentials) into the workspace home. The agent user cannot read the operator's
 * home, and a run must never write into it. Missing files are skipped.
 */
export async function seedRuntimeHome(
  runtime: Runtime,
  env: NodeJS.ProcessEnv,
  workspaceHome: string,
): Promise<void> {
  for (const seed of await seedsOf(runtime, env, workspaceHome)) {
    await mkdir(join(seed.to, '..'), { recursive: true });
    await copyFile(seed.from, seed.to).catch((err: NodeJS.ErrnoException) => {
      if (err.code !== 'ENOENT') throw err;
    });
  }
}

import { copyFile, mkdir, readdir } from 'node:fs/promises';
import { join } from 'node:path';

/**
 * Gemini CLI reads its settings and login from `$HOME/.gemini`; the workspace HOME gets a copy of the
 * operator's top-level files there (codex and claude are pointed at theirs through CODEX_HOME and
 * CLAUDE_CONFIG_DIR instead, see adapters.ts).
 */
export async function seedRuntimeHome(realHome: string | undefined, workspaceHome: string): Promise<void> {
  if (!realHome) return;
  const from = join(realHome, '.gemini');
  const entries = await readdir(from, { withFileTypes: true }).catch(() => []);
  const files = entries.filter((e) => e.isFile() && e.name.endsWith('.json'));
  if (files.length === 0) return;
  await mkdir(join(workspaceHome, '.gemini'), { recursive: true });
  for (const f of files) await copyFile(join(from, f.name), join(workspaceHome, '.gemini', f.name));
}

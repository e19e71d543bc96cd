import { execFile } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** The pinned agent CLIs (npm specs): a version bump is one line here. */
export const AGENT_CLIS = {
  codex: '@openai/codex@0.171.0',
  claude: '@anthropic-ai/claude-code@2.1.197',
  gemini: '@google/gemini-cli@0.61.0',
} as const;
export type AgentCli = keyof typeof AGENT_CLIS;

/** Project-local install prefix (beside the Temporal CLI and schemathesis), independent of the cwd. */
export const AGENT_CLIS_DIR = fileURLToPath(new URL('../.tools/agent-clis', import.meta.url));

function split(spec: string): { name: string; version: string } {
  const at = spec.lastIndexOf('@');
  return { name: spec.slice(0, at), version: spec.slice(at + 1) };
}

function installedVersion(runtime: AgentCli, dir: string): string | null {
  const { name } = split(AGENT_CLIS[runtime]);
  try {
    const pkg = JSON.parse(readFileSync(path.join(dir, 'node_modules', name, 'package.json'), 'utf8'));
    return typeof pkg.version === 'string' ? pkg.version : null;
  } catch {
    return null;
  }
}

/** The project-local CLI executable when the pinned version is installed, else null (tests skip or fail on it). */
export function agentCliPath(runtime: AgentCli, dir = AGENT_CLIS_DIR): string | null {
  const bin = path.join(dir, 'node_modules', '.bin', runtime);
  return existsSync(bin) && installedVersion(runtime, dir) === split(AGENT_CLIS[runtime]).version
    ? bin
    : null;
}

/**
 * Install the pinned CLIs under .tools/agent-clis (or `dir`) with `npm install --prefix` (no global install);
 * nothing runs when all are there. All specs go in one install, saved to the prefix's package.json, so npm
 * never prunes one while adding another.
 */
export async function ensureAgentClis(
  log: (line: string) => void = console.log,
  dir = AGENT_CLIS_DIR,
): Promise<Record<AgentCli, string>> {
  const runtimes = Object.keys(AGENT_CLIS) as AgentCli[];
  if (runtimes.some((r) => agentCliPath(r, dir) === null)) {
    const specs = Object.values(AGENT_CLIS);
    log(`installing ${specs.join(' ')} into ${dir}`);
    await run(
      'npm',
      ['install', '--prefix', dir, '--no-audit', '--no-fund', '--save-exact', '--loglevel=error', ...specs],
      { timeout: 900_000, maxBuffer: 64 * 1024 * 1024 },
    );
  }
  const paths = {} as Record<AgentCli, string>;
  for (const r of runtimes) {
    const found = agentCliPath(r, dir);
    if (!found) throw new Error(`${AGENT_CLIS[r]} is not installed under ${dir}`);
    paths[r] = found;
  }
  return paths;
}

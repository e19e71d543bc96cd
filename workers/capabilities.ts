import { execFile } from 'node:child_process';
import { access, constants, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defaultForgeToken } from '../activities/forge/target.ts';
import { splitCommand } from '../activities/runtimes/command.ts';
import { runtimeCommand } from '../activities/runtimes/resolve.ts';
import type { AgentIdentity } from '../activities/runtimes/sandbox.ts';
import type { WorkerConfig } from '../contracts/config.ts';
import { embeddingProviders, readerCapabilities, vectorStoreTypes } from '../contracts/manifest.ts';
import { type Runtime, runtimes } from '../contracts/task.ts';
import { loadServiceProfiles } from '../lib/service-profiles.ts';

export interface CapabilityCheck {
  verified: string[];
  rejected: { capability: string; reason: string }[];
}

function runs(
  file: string,
  args: string[],
  env: NodeJS.ProcessEnv,
  as?: AgentIdentity,
): Promise<string | null> {
  return new Promise((resolve) => {
    execFile(file, args, { timeout: 20_000, env, ...as }, (err, _stdout, stderr) => {
      resolve(err ? String(stderr).trim().split('\n')[0] || err.message : null);
    });
  });
}

const executable = (file: string) =>
  access(file, constants.X_OK).then(
    () => true,
    () => false,
  );

/**
 * Runs `fn` with HOME and TMPDIR in a scratch directory removed after: a CLI may create files even for
 * `--version` (codex its `~/.codex/tmp/`), and a worker leaves nothing in the operator's home or /tmp.
 */
async function withScratchHome<T>(env: NodeJS.ProcessEnv, fn: (env: NodeJS.ProcessEnv) => Promise<T>) {
  const scratch = await mkdtemp(join(tmpdir(), 'mm-version-'));
  const { CODEX_HOME: _codex, CLAUDE_CONFIG_DIR: _claude, ...rest } = env;
  try {
    return await fn({ ...rest, HOME: scratch, TMPDIR: scratch });
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
}

/**
 * A worker advertises only what it can back:
 * - `demo`: only with MOONMIND_DEMO=on; then like the runtimes below (its command is the scripted agent);
 * - `codex` / `gemini` / `claude`: the configured command answers `--version`, or its executable (or the
 *   script it runs) exists and is executable; when agents run as the agent user (`agent`), it must answer
 *   `--version` as that user, since a CLI installed where only root can reach it would fail every step;
 * - `git`: `git --version` works;
 * - `gh`: pull requests go through the REST API at MOONMIND_GITHUB_API_URL, so a forge token must be in
 *   the environment (MOONMIND_GIT_TOKEN, GITHUB_TOKEN or GH_TOKEN); without one it is still accepted when
 *   the API URL is not github.com's (a self-hosted or local forge that may not need one), or when forge hosts
 *   are listed in MOONMIND_GIT_HOSTS (each with its own API and token reference);
 * - `docker`: `docker --version` works;
 * - `orchestrator`: the service profiles (MOONMIND_SERVICE_PROFILES) name at least one service;
 * - manifest runs (spec 07): `manifest`, `embeddings`, the embedding providers, vector stores and readers are
 *   built into the worker (HTTP clients, the embedded PGlite), so they are accepted as claimed; `github` (the
 *   repository reader clones) needs `git --version`;
 * - anything else names a tool: `<name> --version` must work.
 */
export async function verifyCapabilities(
  config: WorkerConfig,
  env: NodeJS.ProcessEnv,
  agent?: AgentIdentity,
): Promise<CapabilityCheck> {
  const result: CapabilityCheck = { verified: [], rejected: [] };
  const claimed = [...new Set(config.MOONMIND_WORKER_CAPABILITIES.map((c) => c.trim().toLowerCase()))];
  await Promise.all(
    claimed.map(async (capability) => {
      const reason = await check(capability, config, env, agent);
      if (reason) result.rejected.push({ capability, reason });
      else result.verified.push(capability);
    }),
  );
  result.verified.sort();
  return result;
}

/** What a manifest run may need that the worker itself provides (contracts/manifest.ts derivation). */
const manifestCapabilities = new Set<string>([
  'manifest',
  'embeddings',
  ...embeddingProviders,
  ...vectorStoreTypes,
  ...Object.values(readerCapabilities).filter((c) => c !== 'github'),
]);

async function check(
  capability: string,
  config: WorkerConfig,
  env: NodeJS.ProcessEnv,
  agent: AgentIdentity | undefined,
): Promise<string | null> {
  if (capability === 'demo' && !config.MOONMIND_DEMO) return 'the demo is off (MOONMIND_DEMO=on enables it)';
  if ((runtimes as readonly string[]).includes(capability)) {
    const command = runtimeCommand(capability as Runtime, config);
    const { file, args } = splitCommand(command);
    if (agent) {
      const failed = await runs(file, [...args, '--version'], { PATH: env.PATH }, agent);
      return failed ? `${command} --version failed as the agent user: ${failed}` : null;
    }
    const failed = await withScratchHome(env, (scratchEnv) => runs(file, [...args, '--version'], scratchEnv));
    if (!failed) return null;
    const target = args.length && !args[0].startsWith('-') ? args[0] : file;
    if (target.includes('/') && (await executable(target))) return null;
    return `${command} --version failed: ${failed}`;
  }
  if (capability === 'git') {
    const failed = await runs('git', ['--version'], env);
    return failed ? `git --version failed: ${failed}` : null;
  }
  if (capability === 'gh') {
    if (defaultForgeToken(env) || config.MOONMIND_GIT_HOSTS.length > 0) return null;
    const host = new URL(config.MOONMIND_GITHUB_API_URL).hostname;
    if (host !== 'api.github.com') return null;
    return 'no forge token (MOONMIND_GIT_TOKEN, GITHUB_TOKEN or GH_TOKEN) for api.github.com';
  }
  if (capability === 'orchestrator') {
    return loadServiceProfiles(config.MOONMIND_SERVICE_PROFILES).size > 0
      ? null
      : 'no service profiles (MOONMIND_SERVICE_PROFILES names none)';
  }
  if (manifestCapabilities.has(capability)) return null;
  if (capability === 'github') {
    const failed = await runs('git', ['--version'], env);
    return failed ? `the github reader clones with git: git --version failed: ${failed}` : null;
  }
  if (!/^[a-z0-9][a-z0-9._-]*$/.test(capability)) return 'not a valid capability name';
  const failed = await runs(capability, ['--version'], env);
  return failed ? `${capability} --version failed: ${failed}` : null;
}

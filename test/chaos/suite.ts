import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { fakeAgentPath } from '../support/fake-agent-path.ts';
import { createGitRemote, type GitRemote } from '../support/git.ts';
import { startLauncher } from './launcher.ts';
import type { ChaosContext, ScenarioResult } from './scenario.ts';
import { apiKill } from './scenarios/api-kill.ts';
import { fuzz } from './scenarios/fuzz-row.ts';
import { postgresOutage } from './scenarios/postgres-outage.ts';
import { temporalOutage } from './scenarios/temporal-outage.ts';
import { workerKill } from './scenarios/worker-kill.ts';

export const SCENARIOS = [workerKill, apiKill, temporalOutage, postgresOutage, fuzz];

/**
 * Run the scenarios in order, each against its own `npm start` (scripts/start.ts) on a data dir under
 * /tmp/chaos-*: embedded PostgreSQL and Temporal dev server, the API and one worker whose runtimes are the
 * fake agent and whose forge is a local git remote, as the e2e tests configure workers.
 */
export async function runChaos(opts: {
  short: boolean;
  only?: string[];
  progress?: (line: string) => void;
}): Promise<ScenarioResult[]> {
  const unknown = (opts.only ?? []).filter((id) => !SCENARIOS.some((s) => s.id === id));
  if (unknown.length)
    throw new Error(
      `unknown scenario ${unknown.join(', ')}; known: ${SCENARIOS.map((s) => s.id).join(', ')}`,
    );
  const workdir = await mkdtemp('/tmp/chaos-');
  // PostgreSQL's and the agent's users pass through it to their own directories.
  await chmod(workdir, 0o711);
  const agent = fakeAgentPath();
  const progress = opts.progress ?? ((line: string) => console.error(`[chaos] ${line}`));
  const remotes: GitRemote[] = [];
  const ctx: ChaosContext = {
    short: opts.short,
    workdir,
    progress,
    launch: (label: string, remote: GitRemote) =>
      startLauncher({
        workdir,
        label,
        env: {
          MOONMIND_CODEX_COMMAND: agent,
          MOONMIND_GEMINI_COMMAND: agent,
          MOONMIND_CLAUDE_COMMAND: agent,
          MOONMIND_WORKER_CAPABILITIES: 'codex,git',
          MOONMIND_GIT_BASE_URL: remote.baseUrl,
          // Runs name no runtime: the default must be codex (the fake agent), not the demo's.
          MOONMIND_DEMO: 'off',
        },
      }),
    async remote(repositories) {
      remotes.push(await createGitRemote(repositories));
      return remotes.at(-1)!;
    },
  };
  const results: ScenarioResult[] = [];
  try {
    for (const scenario of SCENARIOS) {
      if (opts.only?.length && !opts.only.includes(scenario.id)) continue;
      progress(`— ${scenario.id}`);
      const started = Date.now();
      results.push(await scenario.run(ctx));
      progress(
        `— ${scenario.id}: ${results.at(-1)!.passed} in ${Math.round((Date.now() - started) / 1000)} s`,
      );
    }
  } finally {
    for (const dir of [workdir, ...remotes.map((r) => r.root)])
      await rm(dir, { recursive: true, force: true });
  }
  return results;
}

import { readFileSync } from 'node:fs';
import { readFile, rm } from 'node:fs/promises';
import path from 'node:path';
import { createGitRemote } from '../test/support/git.ts';
import { type Stack, startStack } from '../test/support/stack.ts';
import { fmt, percentile, type startBenchServices } from './services.ts';

type Services = Awaited<ReturnType<typeof startBenchServices>>;
const RUNS = 12;

const state = (pid: number) => {
  try {
    return readFileSync(`/proc/${pid}/stat`, 'utf8').replace(/^.*\) /, '')[0];
  } catch {
    return null;
  }
};
async function until(check: () => boolean | Promise<boolean>, ms = 20_000) {
  const end = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 5));
  }
}

/**
 * How fast controls reach a running agent: from the API call to the agent's whole process group gone and the
 * job `cancelled` (the agent's child ignores SIGINT, so the kill grace is paid), and from the API call to the
 * group stopped (hard pause) or continued (resume). Targets: cancel p95 ≤ 2 s, pause and resume ≤ 1 s.
 */
export async function benchControls(services: Services): Promise<Record<string, string>> {
  const remote = await createGitRemote(['bench/controls']);
  const stack: Stack = await startStack({ services: services.servicesFor('bench') });
  const pidFile = path.join(stack.agentOut, 'bench-pids');
  await stack.startWorker({
    pool: 'controls',
    capabilities: ['codex', 'git'],
    repositories: ['bench/controls'],
    concurrency: 4,
    env: { MOONMIND_GIT_BASE_URL: remote.baseUrl, FAKE_AGENT_PIDS: pidFile },
  });
  const start = async (instructions: string) => {
    await rm(pidFile, { force: true });
    const res = await stack.api('/api/queue/jobs', {
      method: 'POST',
      json: {
        type: 'task',
        payload: { repository: 'bench/controls', task: { instructions, publish: { mode: 'none' } } },
      },
    });
    const { id } = (await res.json()) as { id: string };
    let pids: number[] = [];
    await until(async () => {
      pids = (await readFile(pidFile, 'utf8').catch(() => '')).split('\n').filter(Boolean).map(Number);
      return pids.length >= 2;
    });
    return { id, pids };
  };
  const status = async (id: string) =>
    ((await (await stack.api(`/api/queue/jobs/${id}`)).json()) as { status: string }).status;
  try {
    const cancel: number[] = [];
    const pause: number[] = [];
    const resume: number[] = [];
    for (let i = 0; i < RUNS; i++) {
      const run = await start('FAKE_SPAWN_CHILD FAKE_CHILD_IGNORES_SIGINT FAKE_SLEEP=120');
      const t0 = performance.now();
      await stack.api(`/api/queue/jobs/${run.id}/control`, {
        method: 'POST',
        json: { action: 'pause', mode: 'hard' },
      });
      await until(() => run.pids.every((p) => state(p) === 'T'));
      pause.push(performance.now() - t0);
      const t1 = performance.now();
      await stack.api(`/api/queue/jobs/${run.id}/control`, { method: 'POST', json: { action: 'resume' } });
      await until(() => run.pids.every((p) => !['T', null].includes(state(p))));
      resume.push(performance.now() - t1);
      const t2 = performance.now();
      await stack.api(`/api/queue/jobs/${run.id}/cancel`, { method: 'POST', json: {} });
      await until(() => run.pids.every((p) => ['Z', null].includes(state(p))));
      await until(async () => (await status(run.id)) === 'cancelled');
      cancel.push(performance.now() - t2);
    }
    const line = (xs: number[]) =>
      `p50 ${fmt(percentile(xs, 50))}, p95 ${fmt(percentile(xs, 95))}, max ${fmt(Math.max(...xs))}`;
    return {
      [`cancel → group gone + cancelled (${RUNS} runs, child ignores SIGINT)`]: line(cancel),
      [`hard pause → group stopped (${RUNS} runs)`]: line(pause),
      [`resume → group continued (${RUNS} runs)`]: line(resume),
    };
  } finally {
    await stack.stop();
  }
}

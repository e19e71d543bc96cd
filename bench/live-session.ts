import { readFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { createGitRemote } from '../test/support/git.ts';
import { listEvents, submitJob, waitForJob, waitForStatus } from '../test/support/jobs.ts';
import { openViewer, type Viewer } from '../test/support/live-viewer.ts';
import { type Stack, startStack } from '../test/support/stack.ts';
import { fmt, percentile, type startBenchServices } from './services.ts';

type Services = Awaited<ReturnType<typeof startBenchServices>>;
const KEYSTROKES = 60;
const VIEWERS = 20;
/** About 5 MB of terminal output: the fake agent's codex-style JSON lines are ~95 bytes each. */
const LINES = 55_000;

const rssMb = (pid: number) =>
  Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0) / 1024;

/**
 * Live sessions (issue 12), through the real worker → API → viewer socket path: keystroke to echo on a viewer
 * (target p95 ≤ 50 ms), and one session streaming ~5 MB to 20 viewers: the step's duration against the same
 * step with nobody watching (target: at most 5% slower) and the API's RSS growth (target ≤ 50 MB).
 */
export async function benchLiveSession(services: Services): Promise<Record<string, string>> {
  const remote = await createGitRemote(['bench/live']);
  const stack: Stack = await startStack({ services: services.servicesFor('bench') });
  await stack.startWorker({
    pool: 'live',
    capabilities: ['codex', 'git'],
    repositories: ['bench/live'],
    env: { MOONMIND_GIT_BASE_URL: remote.baseUrl, MOONMIND_LIVE_SESSIONS: 'on-demand' },
  });
  const run = async (instructions: string) => {
    const job = await submitJob(stack, {
      repository: 'bench/live',
      task: { instructions, publish: { mode: 'none' } },
    });
    await waitForJob(stack, job.id, (j) => j.stage === 'moonmind.task.execute');
    return job.id;
  };
  const post = (jobId: string, action: string, json: unknown = {}) =>
    stack.api(`/api/queue/jobs/${jobId}/live-session${action}`, { method: 'POST', json });
  try {
    // Keystroke → echo: the terminal's own echo of what the write holder typed, seen on the viewer.
    const typing = await run('FAKE_SILENT=120');
    await post(typing, '');
    const viewer = await openViewer(stack.apiUrl, typing, stack.adminToken);
    await viewer.until((v) => v.view()?.state === 'READY', 30_000, 'READY');
    await post(typing, '/grant-write', {});
    await viewer.until((v) => v.view()?.write !== null, 10_000, 'grant');
    const echo: number[] = [];
    for (let i = 0; i < KEYSTROKES; i++) {
      const key = `k${i}q`;
      const t0 = performance.now();
      viewer.send({ t: 'in', d: key });
      await viewer.until((v) => v.text().includes(key), 5_000, `echo of ${key}`);
      echo.push(performance.now() - t0);
    }
    viewer.close();
    await stack.api(`/api/queue/jobs/${typing}/cancel`, { method: 'POST', json: {} });

    // The same 5 MB step, once unwatched and once with a session and 20 viewers: the agent waits for a file
    // before printing, so the viewers are attached first; its time runs from the file to the step's end.
    const printed = async (watchers: number) => {
      const go = path.join(stack.agentOut, `go-${watchers}`);
      const jobId = await run(`FAKE_WAIT_FILE=${go} FAKE_LINES=${LINES}`);
      const viewers: Viewer[] = [];
      if (watchers) {
        await post(jobId, '');
        for (let i = 0; i < watchers; i++)
          viewers.push(await openViewer(stack.apiUrl, jobId, stack.adminToken));
        await viewers[0].until((v) => v.view()?.state === 'READY', 30_000, 'READY');
      }
      const t0 = Date.now();
      await writeFile(go, '');
      await waitForStatus(stack, jobId, 'succeeded', 300_000);
      const events = await listEvents(stack, jobId);
      const finished = Date.parse(events.find((e) => e.type === 'task.step.finished')!.createdAt);
      return { ms: finished - t0, viewers };
    };
    // The API's RSS growth over each run: ingesting the step's 55,000 log events costs memory with or without
    // viewers, so the relay's share is the difference between the two runs.
    const pid = stack.apiPid()!;
    const growth = async <T>(work: () => Promise<T>) => {
      const before = rssMb(pid);
      let peak = before;
      const sampler = setInterval(() => {
        peak = Math.max(peak, rssMb(pid));
      }, 50);
      const result = await work();
      clearInterval(sampler);
      return { result, mb: peak - before };
    };
    // A first run warms the API up: the first burst of events grows its heap whatever watches.
    await printed(0);
    const { result: first, mb: aloneMb } = await growth(() => printed(0));
    const alone = first.ms;
    const { result: second, mb: watchedMb } = await growth(() => printed(VIEWERS));
    const { ms: withViewers, viewers } = second;
    const received = viewers.map((v) => v.frames.filter((f) => f.t === 'out' || f.t === 'screen').length);
    for (const v of viewers) v.close();
    return {
      [`keystroke → echo on the viewer, p50 (${KEYSTROKES} keys)`]: fmt(percentile(echo, 50)),
      'keystroke → echo on the viewer, p95 (target ≤ 50 ms)': fmt(percentile(echo, 95)),
      '~5 MB step, nobody watching': fmt(alone),
      [`~5 MB step, ${VIEWERS} viewers`]: fmt(withViewers),
      'slowdown with 20 viewers (target ≤ 5%)': `${(((withViewers - alone) / alone) * 100).toFixed(1)} %`,
      'API RSS growth, the step nobody watches': `${aloneMb.toFixed(1)} MB`,
      'API RSS growth, the step 20 viewers watch': `${watchedMb.toFixed(1)} MB`,
      "API RSS growth, the relay's share (target ≤ 50 MB)": `${(watchedMb - aloneMb).toFixed(1)} MB`,
      'frames received per viewer (min)': String(Math.min(...received)),
    };
  } finally {
    await stack.stop();
  }
}

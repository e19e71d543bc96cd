import { readFile, rm } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { workflowIdFor } from '../contracts/job.ts';
import { type AgentCli, agentCliPath } from '../scripts/agent-clis.ts';
import { startGeminiServer } from '../test/fakes/model-servers/gemini-server.ts';
import { startMessagesServer } from '../test/fakes/model-servers/messages-server.ts';
import { startResponsesServer } from '../test/fakes/model-servers/responses-server.ts';
import type { Conversation, ModelServer } from '../test/fakes/model-servers/scripted-model.ts';
import { createGitRemote } from '../test/support/git.ts';
import { type Stack, startStack } from '../test/support/stack.ts';
import { fmt, percentile, type startBenchServices } from './services.ts';

type Services = Awaited<ReturnType<typeof startBenchServices>>;
const RUNS = 6;
const wrapper = fileURLToPath(new URL('./timed-cli.sh', import.meta.url));

const servers: Record<AgentCli, { start(c: Conversation): Promise<ModelServer>; base(url: string): string }> =
  {
    codex: { start: (c) => startResponsesServer(c), base: (u) => `${u}/v1` },
    claude: { start: (c) => startMessagesServer(c), base: (u) => u },
    gemini: { start: (c) => startGeminiServer(c), base: (u) => u },
  };

/**
 * Each real, pinned CLI through the whole product against its scripted model server (read, write, run a
 * command, answer; publish `branch`): the run's wall time from submission to the workflow's result, the
 * CLI process's own time (timed by a shell wrapper around it), and the difference — what the product adds
 * around the CLI (routing, clone, workspace, events, diff, push, workflow tasks).
 */
export async function benchRuntimes(services: Services): Promise<Record<string, string>> {
  const repos = (Object.keys(servers) as AgentCli[]).map((r) => `bench/${r}-runtime`);
  const remote = await createGitRemote(repos);
  const stack: Stack = await startStack({ services: services.servicesFor('bench') });
  const results: Record<string, string> = {};
  try {
    for (const runtime of Object.keys(servers) as AgentCli[]) {
      const cli = agentCliPath(runtime);
      if (!cli) {
        results[runtime] = 'not installed (npm run agent-clis)';
        continue;
      }
      const server = await servers[runtime].start([
        { read: 'README.md' },
        { write: { path: 'BENCH.md', content: 'bench\n' } },
        { shell: 'ls' },
        { answer: 'done' },
      ]);
      const times = path.join(stack.agentOut, `${runtime}-cli-times`);
      const upper = runtime.toUpperCase();
      const worker = await stack.startWorker({
        pool: `bench-${runtime}`,
        capabilities: [runtime, 'git'],
        repositories: [`bench/${runtime}-runtime`],
        env: {
          MOONMIND_GIT_BASE_URL: remote.baseUrl,
          [`MOONMIND_${upper}_COMMAND`]: `${wrapper} ${cli}`,
          [`MOONMIND_${upper}_BASE_URL`]: servers[runtime].base(server.url),
          [`MOONMIND_${upper}_API_KEY_REF`]: 'env://BENCH_MODEL_KEY',
          BENCH_MODEL_KEY: 'bench-model-key',
          BENCH_CLI_TIMES: times,
          MOONMIND_AGENT_ENV: 'BENCH_CLI_TIMES',
        },
      });
      try {
        await rm(times, { force: true }); // the worker's start-up `--version` check is not a run
        const wall: number[] = [];
        for (let i = 0; i <= RUNS; i++) {
          const t0 = performance.now();
          const res = await stack.api('/api/queue/jobs', {
            method: 'POST',
            json: {
              type: 'task',
              payload: {
                repository: `bench/${runtime}-runtime`,
                targetRuntime: runtime,
                task: { instructions: 'Read, write, list, answer.', publish: { mode: 'branch' } },
              },
            },
          });
          const { id } = (await res.json()) as { id: string };
          const result = (await stack.client.workflow.getHandle(workflowIdFor(id)).result()) as {
            status: string;
          };
          if (result.status !== 'succeeded') throw new Error(`${runtime} run ${id} ended ${result.status}`);
          // The first run warms the worker up (module loading, the CLI's first start): not counted.
          if (i > 0) wall.push(performance.now() - t0);
        }
        const cliMs = (await readFile(times, 'utf8'))
          .trim()
          .split('\n')
          .slice(1)
          .map((l) => {
            const [a, b] = l.split(' ').map(Number);
            return b - a;
          });
        const overhead = wall.map((w, i) => w - cliMs[i]);
        results[`${runtime}: scripted run, submit → result, p50 (${RUNS} runs)`] = fmt(percentile(wall, 50));
        results[`${runtime}: the CLI process, p50`] = fmt(percentile(cliMs, 50));
        results[`${runtime}: product overhead around it (run − CLI), p50`] = fmt(percentile(overhead, 50));
      } finally {
        await worker.stop();
        await server.close();
        await rm(times, { force: true });
      }
    }
    return results;
  } finally {
    await stack.stop();
  }
}

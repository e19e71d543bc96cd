import { randomBytes } from 'node:crypto';
import { chmod, mkdir, mkdtemp, readdir, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { JobEvent } from '../../contracts/events.ts';
import { type AgentCli, agentCliPath, ensureAgentClis } from '../../scripts/agent-clis.ts';
import type { Service } from '../../scripts/services.ts';
import { startGeminiServer } from '../fakes/model-servers/gemini-server.ts';
import { startMessagesServer } from '../fakes/model-servers/messages-server.ts';
import { startResponsesServer } from '../fakes/model-servers/responses-server.ts';
import {
  type Conversation,
  containsText,
  type ModelServer,
  type ModelServerOptions,
} from '../fakes/model-servers/scripted-model.ts';
import { readableByOthers } from '../support/fake-agent-path.ts';
import { createGitRemote, type GitRemote } from '../support/git.ts';
import { getJob, listEvents, submitJob, waitForJob, waitForStatus } from '../support/jobs.ts';
import { type Stack, startStack } from '../support/stack.ts';
import { bigPrompt, cliUnderTest } from './cli-harness.ts';

/**
 * The conformance suite (issue 11, point 7): each real, pinned agent CLI driven through the whole product —
 * API → Temporal → worker → CLI → git — against a scripted model server (a test double of its vendor's API),
 * pointed at by the runtime's own setting (MOONMIND_<RUNTIME>_BASE_URL, key by reference). A change in a
 * CLI's flags, wire or event shapes shows here.
 */
interface RuntimeCase {
  runtime: AgentCli;
  start(conversation: Conversation, options?: ModelServerOptions): Promise<ModelServer>;
  /** The setting's value for a server: codex takes an OpenAI-style base URL with its `/v1`. */
  baseUrl(url: string): string;
}

const cases: RuntimeCase[] = [
  { runtime: 'codex', start: startResponsesServer, baseUrl: (u) => `${u}/v1` },
  { runtime: 'claude', start: startMessagesServer, baseUrl: (u) => u },
  { runtime: 'gemini', start: startGeminiServer, baseUrl: (u) => u },
];

/** Everything under a directory, recursively, sorted. */
const listing = async (dir: string) => (await readdir(dir, { recursive: true })).sort();

const MODEL_KEY = `model-key-${randomBytes(8).toString('hex')}`;

let stack: Stack;
let remote: GitRemote;
const repos = cases.map((c) => `octo/${c.runtime}-conformance`);
/** Where the CLIs the workers run live: a copy readable by the agent user when the checkout is closed to it. */
let cliDir: string | null = null;

beforeAll(async () => {
  remote = await createGitRemote(repos);
  stack = await startStack();
  const installed = agentCliPath('codex');
  if (installed && process.getuid?.() === 0 && !(await readableByOthers(installed))) {
    cliDir = await mkdtemp(path.join(os.tmpdir(), 'mm-agent-clis-'));
    await chmod(cliDir, 0o755);
    await ensureAgentClis(() => {}, cliDir);
  }
}, 300_000);
afterAll(async () => {
  await stack?.stop();
  if (cliDir) await rm(cliDir, { recursive: true, force: true });
});

describe.each(cases)('$runtime through the stack', ({ runtime, start, baseUrl }) => {
  const cli = cliUnderTest(runtime);
  const repository = `octo/${runtime}-conformance`;
  const upper = runtime.toUpperCase();

  /** A worker of its own pool for this runtime, pointed at `server`; stopped by the caller. */
  const workerFor = (server: ModelServer, env: Record<string, string> = {}): Promise<Service> =>
    stack.startWorker({
      pool: `${runtime}-${randomBytes(2).toString('hex')}`,
      capabilities: [runtime, 'git'],
      repositories: [repository],
      env: {
        MOONMIND_GIT_BASE_URL: remote.baseUrl,
        [`MOONMIND_${upper}_COMMAND`]: cliDir ? agentCliPath(runtime, cliDir)! : cli!,
        [`MOONMIND_${upper}_BASE_URL`]: baseUrl(server.url),
        [`MOONMIND_${upper}_API_KEY_REF`]: 'env://CONFORMANCE_MODEL_KEY',
        CONFORMANCE_MODEL_KEY: MODEL_KEY,
        ...env,
      },
    });
  const submit = (instructions: string, publish: 'branch' | 'none' = 'branch') =>
    submitJob(stack, {
      repository,
      targetRuntime: runtime,
      task: { instructions, publish: { mode: publish } },
    });
  const displays = (events: JobEvent[], kind: string) =>
    events.filter((e) => e.payload.displayKind === kind).map((e) => String(e.payload.display));

  it.skipIf(!cli)(
    'reads, writes, runs a command and answers: the branch holds the file, the events say so; nothing is left outside the workspace',
    async () => {
      const server = await start([
        { read: 'README.md' },
        { write: { path: 'CONFORMANCE.md', content: `written by ${runtime}\n` } },
        { shell: 'ls' },
        { answer: `All done by ${runtime}.` },
      ]);
      // The operator's home and TMPDIR, as the worker sees them: no run may add to either.
      const operator = await mkdtemp(path.join(os.tmpdir(), 'mm-operator-'));
      const [home, tmp] = [path.join(operator, 'home'), path.join(operator, 'tmp')];
      await mkdir(home);
      await mkdir(tmp);
      const worker = await workerFor(server, { HOME: home, TMPDIR: tmp });
      const run = async () => {
        const job = await submit(
          'Read the README, write CONFORMANCE.md, list the files, then say you are done.',
        );
        const done = await waitForStatus(stack, job.id, ['succeeded', 'failed', 'dead_letter'], 120_000);
        return { done, events: await listEvents(stack, job.id) };
      };
      try {
        const { done, events } = await run();
        expect(done.error).toBeNull();
        expect(done.status).toBe('succeeded');
        expect((await remote.branchFile(repository, done.branch!, 'CONFORMANCE.md'))?.trimEnd()).toBe(
          `written by ${runtime}`,
        );
        // Readable lines: the command it ran, the file it changed, its final words.
        expect(displays(events, 'command').some((t) => t.includes('ls'))).toBe(true);
        // codex edits through apply_patch only when its model's tools offer it, else through a shell command.
        expect(
          ['file_change', 'tool', 'command']
            .flatMap((kind) => displays(events, kind))
            .some((t) => t.includes('CONFORMANCE.md')),
        ).toBe(true);
        expect(displays(events, 'message').some((t) => t.includes(`All done by ${runtime}.`))).toBe(true);
        const finished = events.find((e) => e.type === 'task.step.finished');
        const usage = finished?.payload.usage as { inputTokens: number; outputTokens: number } | undefined;
        expect(usage?.inputTokens).toBeGreaterThan(0);
        expect(usage?.outputTokens).toBeGreaterThan(0);
        // The key went to the model server, never into the run's events.
        expect(JSON.stringify(events)).not.toContain(MODEL_KEY);
        expect(server.requests.filter((r) => r.turn !== null).length).toBeGreaterThanOrEqual(4);

        // A second run (the first one warmed the worker's own caches up) adds nothing to home or TMPDIR.
        const before = { home: await listing(home), tmp: await listing(tmp) };
        expect(before.home).toEqual([]);
        const again = await run();
        expect(again.done.status).toBe('succeeded');
        expect({ home: await listing(home), tmp: await listing(tmp) }).toEqual(before);
      } finally {
        await worker.stop();
        await server.close();
        await rm(operator, { recursive: true, force: true });
      }
    },
  );

  it.skipIf(!cli)(
    'cancel while the model is answering stops the CLI at once; the run ends cancelled',
    async () => {
      const server = await start([{ answer: 'too late' }], { delayMs: 60_000 });
      const worker = await workerFor(server);
      try {
        const job = await submit('Wait for the model.', 'none');
        await waitForJob(stack, job.id, () => server.requests.some((r) => r.turn !== null), 60_000);
        const cancelAt = Date.now();
        const res = await stack.api(`/api/queue/jobs/${job.id}/cancel`, { method: 'POST', json: {} });
        expect(res.status).toBe(200);
        await waitForStatus(stack, job.id, 'cancelled', 30_000);
        const cancelled = Date.now() - cancelAt;
        // The CLI's connection to the model closed: its process is gone.
        await waitForJob(
          stack,
          job.id,
          () => server.requests.some((r) => r.turn !== null && r.abandoned),
          10_000,
        );
        console.log(`[conformance] ${runtime}: cancel → run cancelled in ${cancelled} ms`);
        expect(cancelled).toBeLessThan(5_000);
      } finally {
        await worker.stop();
        await server.close();
      }
    },
  );

  it.skipIf(!cli)('a dead endpoint fails the run in seconds, with the CLI’s own reason', async () => {
    const server = await start([{ answer: 'unused' }], { fail: 503 });
    const worker = await workerFor(server);
    try {
      const job = await submit('Say hello.', 'none');
      await waitForJob(stack, job.id, (j) => j.status === 'running', 60_000);
      const runningAt = Date.now();
      const done = await waitForStatus(stack, job.id, ['succeeded', 'failed', 'dead_letter'], 60_000);
      console.log(
        `[conformance] ${runtime}: dead endpoint → failed ${Date.now() - runningAt} ms after running`,
      );
      expect(done.status).toBe('failed');
      expect(done.error).toMatch(new RegExp(`^step \\S+ failed: ${runtime} `));
      expect(done.error).toMatch(/503|scripted failure|unavailable/i);
      expect(Date.now() - runningAt).toBeLessThan(30_000);
    } finally {
      await worker.stop();
      await server.close();
    }
  });

  it.skipIf(!cli)('a 100,000-character instruction reaches the model whole', async () => {
    const server = await start([{ answer: 'done' }]);
    const worker = await workerFor(server);
    try {
      const instructions = bigPrompt();
      const job = await submit(instructions, 'none');
      const done = await waitForStatus(stack, job.id, ['succeeded', 'failed', 'dead_letter'], 120_000);
      expect(done.status).toBe('succeeded');
      expect(server.requests.some((r) => containsText(r.body, instructions))).toBe(true);
      expect((await getJob(stack, job.id)).status).toBe('succeeded');
    } finally {
      await worker.stop();
      await server.close();
    }
  });
});

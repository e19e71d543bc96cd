import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { InMemorySpanExporter, type ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiLogger } from '../../api/main.ts';
import { startTracing } from '../../lib/tracing.ts';
import { type CapabilityWorker, startCapabilityWorker } from '../../workers/main.ts';
import { FAKE_AGENT, makeBareRepo } from '../activities/task-fixture.ts';
import { envelope, startTestApi, type TestApi, until } from '../api/harness.ts';
import { type FakeGitHub, startFakeGitHub } from '../fakes/fake-github.ts';
import { waitForStatus } from '../support/jobs.ts';
import { quietTemporalLogs } from '../workflows/harness.ts';

/**
 * One trace per run, on the real stack in this process (the API with its control worker, a capability
 * worker, the Temporal dev server, PostgreSQL, git, a fake GitHub API): the spans go to an in-memory
 * exporter, and the test follows their parent links from the HTTP request that submitted the job down to
 * the agent's process.
 */
const exporter = new InMemorySpanExporter();
const apiLines: Record<string, unknown>[] = [];
let t: TestApi;
let github: FakeGitHub;
let worker: CapabilityWorker;
let dir: string;

beforeAll(async () => {
  quietTemporalLogs();
  startTracing('moonmind-test', {}, exporter);
  github = await startFakeGitHub();
  dir = await mkdtemp(join(tmpdir(), 'mm-tracing-'));
  // As root, the agent user passes through to its workspace.
  await chmod(dir, 0o711);
  await makeBareRepo(join(dir, 'remotes'), 'acme/widgets');
  const logger = apiLogger('debug', { write: (line: string) => apiLines.push(JSON.parse(line)) });
  t = await startTestApi({}, { logger });
  const { TEMPORAL_ADDRESS, TEMPORAL_NAMESPACE } = t.api.deps.config;
  worker = await startCapabilityWorker({
    env: {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      TEMPORAL_ADDRESS,
      TEMPORAL_NAMESPACE,
      MOONMIND_API_URL: t.url,
      MOONMIND_WORKER_TOKEN: t.tokens.workerIn,
      MOONMIND_WORKER_POOL: 'traced',
      MOONMIND_WORKER_CAPABILITIES: 'codex,git,gh',
      MOONMIND_WORKER_REPOSITORIES: 'acme/*',
      MOONMIND_WORKSPACE_DIR: join(dir, 'workspaces'),
      MOONMIND_GIT_BASE_URL: `file://${join(dir, 'remotes')}`,
      MOONMIND_GITHUB_API_URL: github.url,
      MOONMIND_GIT_TOKEN: 'fake-forge-token-123',
      MOONMIND_CODEX_COMMAND: FAKE_AGENT,
    },
    logger: pino({ level: 'warn' }),
  });
});
afterAll(async () => {
  await worker?.shutdown();
  await t?.close();
  await github?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

const parentOf = (span: ReadableSpan) => span.parentSpanId ?? '';

describe('tracing', () => {
  it('links the submission, the workflow, its activities, the agent process, git, the forge and the worker uploads in one trace', async () => {
    const res = await t.call('/api/queue/jobs', {
      method: 'POST',
      as: 'operator',
      json: envelope('acme/widgets', {
        task: { instructions: 'Add a test for the parser', publish: { mode: 'pr' } },
      }),
    });
    expect(res.status).toBe(201);
    const job = (await res.json()) as { id: string };
    const user = { api: (p: string) => t.call(p, { as: 'operator' }), logs: [] };
    expect((await waitForStatus(user, job.id, 'succeeded')).status).toBe('succeeded');

    // The submission's server span, named by its route template.
    const spans = () => exporter.getFinishedSpans();
    const http = spans().find((s) => s.name === 'POST /api/queue/jobs');
    expect(
      http,
      spans()
        .map((s) => s.name)
        .join(', '),
    ).toBeDefined();
    const traceId = http!.spanContext().traceId;
    // The agent's span ends before its activity does; wait for the publish's spans too (the last ones).
    await until('the run span', async () =>
      spans().some((s) => s.name === 'RunWorkflow:taskRun' && s.spanContext().traceId === traceId),
    );
    const inTrace = spans().filter((s) => s.spanContext().traceId === traceId);
    const byId = new Map(inTrace.map((s) => [s.spanContext().spanId, s]));
    const chainUp = (span: ReadableSpan): string[] => {
      const names = [span.name];
      for (let p = byId.get(parentOf(span)); p; p = byId.get(parentOf(p))) names.push(p.name);
      return names;
    };

    const agent = inTrace.find((s) => s.name === 'agent process');
    expect(agent, inTrace.map((s) => s.name).join(', ')).toBeDefined();
    expect(chainUp(agent!).reverse()).toEqual([
      'POST /api/queue/jobs',
      'StartWorkflow:taskRun',
      'RunWorkflow:taskRun',
      'StartActivity:executeStep',
      'RunActivity:executeStep',
      'agent process',
    ]);
    expect(agent!.attributes).toMatchObject({ 'moonmind.runtime': 'codex', 'process.exit_code': 0 });
    expect(http!.parentSpanId).toBeUndefined();

    // git's clone (prepare) and push (publish), and the pull request, each under its activity.
    const under = (name: string) => inTrace.filter((s) => chainUp(s).includes(name)).map((s) => s.name);
    expect(under('RunActivity:prepare')).toContain('git clone');
    expect(under('RunActivity:publish')).toEqual(expect.arrayContaining(['git push']));
    expect(under('RunActivity:publish')).toContain('forge POST /repos/acme/widgets/pulls');
    // The worker's event batches and artifact uploads carry the trace to the API's handlers.
    const handlers = inTrace.filter((s) => s.name.startsWith('POST /api/worker/jobs/{jobId}/events'));
    expect(handlers.length).toBeGreaterThan(0);
    expect(chainUp(handlers[0])).toContain('RunWorkflow:taskRun');
    expect(inTrace.some((s) => s.name.startsWith('PUT /api/worker/jobs/{jobId}/artifacts'))).toBe(true);

    // No secret on any span: neither the forge token nor the worker token nor the prompt.
    const attributes = JSON.stringify(inTrace.map((s) => s.attributes));
    expect(attributes).not.toContain('fake-forge-token-123');
    expect(attributes).not.toContain(t.tokens.workerIn);
    expect(attributes).not.toContain('Add a test for the parser');

    // The API's access-log line of the submission carries its trace id.
    const line = apiLines.find(
      (l) => l.msg === 'request' && l.path === '/api/queue/jobs' && l.method === 'POST',
    );
    expect(line).toMatchObject({ trace_id: traceId, span_id: http!.spanContext().spanId });
  });
});

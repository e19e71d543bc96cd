import { generateKeyPairSync, randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { insertTemplate } from '../../api/presets/store.ts';
import { templateBodySchema } from '../../contracts/presets.ts';
import { credentialCorpus } from '../contracts/credential-corpus.ts';
import { startQueuedRun, startTestApi, type TestApi } from './harness.ts';

let t: TestApi;
beforeAll(async () => {
  // Every format in every field is one request each: the creation rate limit must not get in the way.
  t = await startTestApi({ MOONMIND_RATE_LIMIT_PER_MINUTE: '1000000' });
  // The submission checks that an applied template exists at its version.
  const fix = {
    slug: 'fix',
    version: '1.0.0',
    scope: 'global',
    title: 'Fix',
    steps: [{ instructions: 'Fix it' }],
  };
  await insertTemplate(t.db.sql, templateBodySchema.parse(fix), {
    ownerKey: '',
    ownerId: null,
    createdBy: null,
  });
});
afterAll(async () => {
  await t?.close();
});

/** A full task submission; `place` puts a value in one of its string fields. */
const fields: Record<string, (job: ReturnType<typeof fullJob>, value: string) => void> = {
  'payload.repository': (j, v) => (j.payload.repository = v),
  'payload.auth.repoAuthRef': (j, v) => (j.payload.auth.repoAuthRef = v),
  'payload.task.instructions': (j, v) => (j.payload.task.instructions = v),
  'payload.task.skill.id': (j, v) => (j.payload.task.skill.id = v),
  'payload.task.skill.args.target': (j, v) => (j.payload.task.skill.args.target = v),
  'payload.task.runtime.model': (j, v) => (j.payload.task.runtime.model = v),
  'payload.task.git.startingBranch': (j, v) => (j.payload.task.git.startingBranch = v),
  'payload.task.git.newBranch': (j, v) => (j.payload.task.git.newBranch = v),
  'payload.task.publish.prBaseBranch': (j, v) => (j.payload.task.publish.prBaseBranch = v),
  'payload.task.publish.commitMessage': (j, v) => (j.payload.task.publish.commitMessage = v),
  'payload.task.publish.prTitle': (j, v) => (j.payload.task.publish.prTitle = v),
  'payload.task.publish.prBody': (j, v) => (j.payload.task.publish.prBody = v),
  'payload.task.steps.0.title': (j, v) => (j.payload.task.steps[0].title = v),
  'payload.task.steps.0.instructions': (j, v) => (j.payload.task.steps[0].instructions = v),
  'payload.task.steps.0.skill.args.input': (j, v) => (j.payload.task.steps[0].skill.args.input = v),
  'payload.task.appliedStepTemplates.0.inputs.name': (j, v) =>
    (j.payload.task.appliedStepTemplates[0].inputs.name = v),
  affinityKey: (j, v) => (j.affinityKey = v),
  clientRequestId: (j, v) => (j.clientRequestId = v),
};
const fullJob = () => ({
  type: 'task',
  priority: 0,
  maxAttempts: 2,
  affinityKey: 'widgets',
  clientRequestId: `req-${randomUUID()}`,
  payload: {
    repository: 'acme/widgets',
    auth: { repoAuthRef: 'env://GIT_TOKEN', publishAuthRef: null },
    task: {
      instructions: 'Fix the flaky parser test',
      skill: { id: 'auto', args: { target: 'parser' } },
      runtime: { mode: 'codex', model: 'gpt-5', effort: 'high' },
      git: { startingBranch: 'main', newBranch: 'fix/parser' },
      publish: {
        mode: 'pr',
        prBaseBranch: 'main',
        commitMessage: 'Fix parser',
        prTitle: 'Fix the parser',
        prBody: 'Fixes the flaky test.',
      },
      steps: [
        { id: 's1', title: 'Reproduce', instructions: 'Run it', skill: { id: 'auto', args: { input: 'x' } } },
      ],
      appliedStepTemplates: [{ slug: 'fix', version: '1.0.0', inputs: { name: 'parser' } }],
    },
  },
});

describe('raw credentials in a submission', () => {
  test('the full payload without a credential is accepted', async () => {
    const res = await t.call('/api/queue/jobs', { method: 'POST', as: 'operator', json: fullJob() });
    expect(res.status).toBe(201);
  });

  test('every corpus format in every string field is a 400 naming the field, never echoing the value', async () => {
    const cases = credentialCorpus().flatMap((sample) =>
      Object.entries(fields).map(([path, place]) => ({ sample, path, place })),
    );
    const failures: string[] = [];
    for (let i = 0; i < cases.length; i += 16) {
      await Promise.all(
        cases.slice(i, i + 16).map(async ({ sample, path, place }) => {
          const job = fullJob();
          place(job, sample.text);
          const res = await t.call('/api/queue/jobs', { method: 'POST', as: 'operator', json: job });
          const text = await res.text();
          const issues = res.status === 400 ? (JSON.parse(text).error.issues ?? []) : [];
          const paths = issues.map((x: { path: string }) => x.path);
          if (res.status !== 400 || paths.join() !== path)
            failures.push(`${sample.format} in ${path}: ${res.status} ${paths}`);
          if (sample.secrets.some((s) => text.includes(s)))
            failures.push(`${sample.format} in ${path}: echoed`);
        }),
      );
    }
    console.log(`redaction corpus: ${cases.length} submissions refused (formats × fields)`);
    expect(failures).toEqual([]);
  });
});

describe('deeply nested submissions', () => {
  test('a credential 10,000 levels deep in skill args is a 400 naming the depth limit, never the value', async () => {
    const token = `ghp_${'0123456789abcdefghijklmnopqrstuvwxyz'}`;
    const args = `{"deep":${'['.repeat(10_000)}${JSON.stringify(token)}${']'.repeat(10_000)}}`;
    const job = JSON.stringify(fullJob()).replace('{"target":"parser"}', args);
    const res = await t.call('/api/queue/jobs', {
      method: 'POST',
      as: 'operator',
      headers: { 'content-type': 'application/json' },
      body: job,
    });
    const text = await res.text();
    expect(res.status).toBe(400);
    // The body parser refuses the depth before anything walks it (the secret scan itself is iterative too:
    // test/contracts/secrets.test.ts walks 10,000 levels).
    expect(JSON.parse(text).error.issues[0].message).toMatch(/nested deeper than 64 levels/);
    expect(text).not.toContain(token);
  });
});

describe('artifact ingest', () => {
  const newJob = () => startQueuedRun(t, 'acme/redaction');

  test('a private key in an uploaded text artifact is masked whole, even when its lines arrive apart', async () => {
    const jobId = await newJob();
    const pem = generateKeyPairSync('ec', { namedCurve: 'P-256' })
      .privateKey.export({ type: 'pkcs8', format: 'pem' })
      .toString();
    const lines = ['agent output', ...pem.trimEnd().split('\n'), 'after the key'];
    // One line per chunk, spaced out, so the server sees the key over several writes.
    const body = new ReadableStream({
      async start(controller) {
        for (const line of lines) {
          controller.enqueue(new TextEncoder().encode(`${line}\n`));
          await sleep(5);
        }
        controller.close();
      },
    });
    const put = await t.call(`/api/worker/jobs/${jobId}/artifacts/logs/execute.log`, {
      method: 'PUT',
      as: 'workerIn',
      headers: { 'content-type': 'text/plain' },
      body,
      duplex: 'half',
    } as RequestInit);
    expect(put.status).toBe(201);
    const meta = await put.json();
    const stored = await (
      await t.call(`/api/queue/jobs/${jobId}/artifacts/${meta.id}/download`, { as: 'viewer' })
    ).text();
    for (const line of pem.split('\n').filter((l) => l && !l.startsWith('-----')))
      expect(stored).not.toContain(line);
    expect(stored.startsWith('agent output\n')).toBe(true);
    expect(stored.endsWith('after the key\n')).toBe(true);
  });
});

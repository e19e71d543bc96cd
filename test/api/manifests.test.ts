import { writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { storeFor } from '../../activities/manifest/stores/index.ts';
import { parseManifest } from '../../contracts/manifest-parse.ts';
import { runCli } from '../cli/run-cli.ts';
import { doubleVector, type EmbeddingDouble, startEmbeddingDouble } from '../fakes/embedding-double.ts';
import { startTestApi, type TestApi } from './harness.ts';

/**
 * Manifest submission and the registry against the real API, Temporal and PostgreSQL (issue 15 points 1, 2
 * and 8's route). No worker runs manifests here: submitted jobs stay queued, which is what lists show.
 */
let t: TestApi;
let embeddings: EmbeddingDouble;
const DIMS = 16;

const yaml = (name: string, extra: { type?: string; path?: string; baseUrl?: string } = {}) => `version: v0
metadata:
  name: ${name}
  tags: [docs]
embeddings:
  provider: ollama
  model: nomic-embed-text
  dimensions: ${DIMS}
  baseUrl: ${extra.baseUrl ?? 'http://127.0.0.1:9'}
  apiKey: \${DOCS_EMBED_KEY}
vectorStore:
  type: pgvector
  indexName: ${name.replaceAll('-', '_')}
  allowCreateCollection: true
dataSources:
  - id: handbook
    type: ${extra.type ?? 'SimpleDirectoryReader'}
    params:
      path: ${extra.path ?? './docs'}
  - id: wiki
    type: ConfluenceReader
    params: { baseUrl: "https://wiki.example.test", spaceKey: ENG }
    auth: { token: "env://CONFLUENCE_TOKEN" }
`;
const job = (manifest: Record<string, unknown>) => ({ type: 'manifest', payload: { manifest } });
const inline = (name: string, content: string, more: Record<string, unknown> = {}) =>
  job({ name, source: { kind: 'inline', content }, ...more });
/** A token-shaped value built at runtime (never a literal in the file). */
const rawToken = () => ['ghp', 'Z'.repeat(10) + 'y'.repeat(10) + '0123456789abcdef'].join('_');

const submit = async (body: unknown) =>
  t.call('/api/queue/jobs', { method: 'POST', as: 'operator', json: body });
const issuesOf = async (res: Response) => {
  expect(res.status).toBe(400);
  return (await res.json()).error.issues as { path: string; message: string; line?: number }[];
};

beforeAll(async () => {
  process.env.DOCS_EMBED_KEY = 'k';
  embeddings = await startEmbeddingDouble({ dimensions: DIMS });
  t = await startTestApi();
});
afterAll(async () => {
  await t?.close();
  await embeddings?.close();
});

describe('submission validation', () => {
  test('a wrong reader type is a 400 naming dataSources[0].type and its line', async () => {
    const issues = await issuesOf(await submit(inline('docs', yaml('docs', { type: 'NoSuchReader' }))));
    expect(issues).toEqual([expect.objectContaining({ path: 'dataSources[0].type', line: 17, column: 11 })]);
  });

  test('payload.manifest.name must equal metadata.name', async () => {
    const issues = await issuesOf(await submit(inline('other', yaml('docs'))));
    expect(issues).toEqual([expect.objectContaining({ path: 'payload.manifest.name' })]);
  });

  test('options may not override embeddings (or anything but dryRun/forceFull/maxDocs)', async () => {
    const res = await submit(
      inline('docs', yaml('docs'), { options: { dryRun: true, embeddings: { model: 'other' } } }),
    );
    const issues = await issuesOf(res);
    expect(issues[0].path).toBe('payload.manifest.options');
    expect(issues[0].message).toContain('embeddings');
  });

  test('a raw credential in the YAML is a 400 naming its YAML path, never echoing it', async () => {
    const token = rawToken();
    const content = yaml('docs').replace('spaceKey: ENG', `spaceKey: ENG, password: "${token}"`);
    const res = await submit(inline('docs', content));
    const text = await res.clone().text();
    expect(text).not.toContain(token);
    const issues = await issuesOf(res);
    expect(issues).toEqual([expect.objectContaining({ path: 'dataSources[1].params.password', line: 22 })]);
  });

  test('path sources are refused unless MOONMIND_MANIFEST_PATH_SOURCES is on', async () => {
    const issues = await issuesOf(
      await submit(job({ name: 'docs', source: { kind: 'path', path: '/tmp/m.yaml' } })),
    );
    expect(issues).toEqual([expect.objectContaining({ path: 'payload.manifest.source.kind' })]);
  });

  test('a registry source names a stored manifest', async () => {
    const issues = await issuesOf(
      await submit(job({ name: 'nope', source: { kind: 'registry', name: 'nope' } })),
    );
    expect(issues).toEqual([expect.objectContaining({ path: 'payload.manifest.source.name' })]);
  });
});

describe('a stored manifest job', () => {
  test('keeps hash, version, capabilities and secret references; listed as a manifest job', async () => {
    const content = yaml('docs');
    const res = await submit(inline('docs', content, { action: 'plan', options: { maxDocs: 10 } }));
    expect(res.status).toBe(201);
    const view = await res.json();
    expect(view).toMatchObject({ type: 'manifest', status: 'queued', title: 'manifest docs (plan)' });
    const parsed = parseManifest(content);
    if (!parsed.ok) throw new Error('fixture invalid');
    const got = await (await t.call(`/api/queue/jobs/${view.id}`, { as: 'viewer' })).json();
    expect(got.payload.manifest).toMatchObject({
      name: 'docs',
      action: 'plan',
      manifestVersion: 'v0',
      manifestHash: expect.stringMatching(/^[0-9a-f]{64}$/),
      options: { maxDocs: 10 },
      requiredCapabilities: ['confluence', 'embeddings', 'local_fs', 'manifest', 'ollama', 'pgvector'],
      secretRefs: ['$'.concat('{DOCS_EMBED_KEY}'), 'env://CONFLUENCE_TOKEN'],
      source: { kind: 'inline' },
    });
    // The memo holds no manifest content (the workflow input does), and no secret values.
    expect(JSON.stringify(got)).not.toContain('nomic-embed-text');
    const described = await t.client.workflow.getHandle(`job-${view.id}`).describe();
    expect(described.type).toBe('manifestRun');
    const list = await (await t.call('/api/queue/jobs?type=manifest&limit=10', { as: 'viewer' })).json();
    expect(list.items.map((j: { id: string }) => j.id)).toContain(view.id);
  });
});

describe('controls', () => {
  test('a queued manifest job is cancelled through the queue route', async () => {
    const view = await (await submit(inline('docs', yaml('docs')))).json();
    const res = await t.call(`/api/queue/jobs/${view.id}/cancel`, {
      method: 'POST',
      as: 'operator',
      json: {},
    });
    expect(res.status).toBeLessThan(300);
    let status = '';
    for (let i = 0; i < 100 && status !== 'cancelled'; i++) {
      status = (await (await t.call(`/api/queue/jobs/${view.id}`, { as: 'viewer' })).json()).status;
      if (status !== 'cancelled') await new Promise((r) => setTimeout(r, 100));
    }
    expect(status).toBe('cancelled');
    const rerun = await t.call(`/api/queue/jobs/${view.id}/rerun`, { method: 'POST', as: 'operator' });
    expect(rerun.status).toBe(409);
  });
});

describe('registry', () => {
  test('PUT validates (YAML paths), stores, bumps the revision only on change; GET and list show it', async () => {
    const bad = await t.call('/api/manifests/handbook', {
      method: 'PUT',
      as: 'operator',
      json: { content: yaml('handbook', { type: 'Nope' }) },
    });
    expect((await issuesOf(bad))[0]).toMatchObject({ path: 'dataSources[0].type', line: 17 });
    const mismatch = await t.call('/api/manifests/handbook', {
      method: 'PUT',
      as: 'operator',
      json: { content: yaml('other') },
    });
    expect((await issuesOf(mismatch))[0].path).toBe('metadata.name');

    const put = (content: string) =>
      t.call('/api/manifests/handbook', { method: 'PUT', as: 'operator', json: { content } });
    const first = await put(yaml('handbook'));
    expect(first.status).toBe(201);
    expect(await first.json()).toMatchObject({ name: 'handbook', revision: 1, version: 'v0', lastRun: null });
    // Comments and formatting do not change the hash; a setting does.
    const same = await put(`# the handbook\n${yaml('handbook')}`);
    expect(same.status).toBe(200);
    expect((await same.json()).revision).toBe(1);
    const changed = await (await put(yaml('handbook', { path: './handbook' }))).json();
    expect(changed.revision).toBe(2);

    const got = await (await t.call('/api/manifests/handbook', { as: 'viewer' })).json();
    expect(got).toMatchObject({ name: 'handbook', revision: 2, hash: changed.hash, checkpoints: [] });
    expect(got.content).toContain('path: ./handbook');
    const list = await (await t.call('/api/manifests', { as: 'viewer' })).json();
    expect(list.items.map((m: { name: string }) => m.name)).toContain('handbook');
    expect((await t.call('/api/manifests/missing', { as: 'viewer' })).status).toBe(404);
  });

  test('validate answers issues with lines without storing', async () => {
    const res = await t.call('/api/manifest-validation', {
      method: 'POST',
      as: 'viewer',
      json: { content: yaml('scratch', { type: 'Nope' }) },
    });
    const body = await res.json();
    expect(body).toMatchObject({ valid: false, issues: [{ path: 'dataSources[0].type', line: 17 }] });
    expect((await t.call('/api/manifests/scratch', { as: 'viewer' })).status).toBe(404);
  });

  test('runs submits a registry-sourced job (201) whose hash is the registry record’s', async () => {
    await t.call('/api/manifests/runs-demo', {
      method: 'PUT',
      as: 'operator',
      json: { content: yaml('runs-demo') },
    });
    const record = await (await t.call('/api/manifests/runs-demo', { as: 'viewer' })).json();
    const res = await t.call('/api/manifests/runs-demo/runs', {
      method: 'POST',
      as: 'operator',
      json: { action: 'plan', options: { dryRun: true } },
    });
    expect(res.status).toBe(201);
    const view = await res.json();
    expect(view).toMatchObject({ type: 'manifest', title: 'manifest runs-demo (plan)' });
    expect(view.payload.manifest).toMatchObject({
      source: { kind: 'registry', name: 'runs-demo' },
      manifestHash: record.hash,
      options: { dryRun: true },
    });
    const refused = await t.call('/api/manifests/runs-demo/runs', {
      method: 'POST',
      as: 'operator',
      json: { options: { embeddings: {} } },
    });
    expect(refused.status).toBe(400);
    expect(
      (await t.call('/api/manifests/runs-demo/runs', { method: 'POST', as: 'viewer', json: {} })).status,
    ).toBe(403);
  });

  test('search embeds the query with the manifest settings and returns chunks with scores and source ids', async () => {
    const content = yaml('search-demo', { baseUrl: embeddings.url });
    await t.call('/api/manifests/search-demo', { method: 'PUT', as: 'operator', json: { content } });
    const parsed = parseManifest(content);
    if (!parsed.ok) throw new Error('fixture invalid');
    const store = await storeFor(parsed.manifest, {
      vectorDatabaseUrl: t.api.deps.config.MOONMIND_VECTOR_DATABASE_URL,
      dataDir: t.api.deps.config.MOONMIND_DATA_DIR,
    });
    try {
      await store.ensureCollection({ dimensions: DIMS, allowCreate: true });
      const texts = ['tomatoes grow in summer', 'deploy the api with docker', 'rotate the signing keys'];
      await store.upsert(
        texts.map((text, i) => ({
          id: `00000000-0000-4000-8000-00000000000${i}`,
          vector: doubleVector(text, DIMS),
          manifestName: 'search-demo',
          dataSourceId: 'handbook',
          sourceDocId: `doc-${i}.md`,
          docHash: 'h',
          chunkIndex: 0,
          text,
          metadata: {},
        })),
      );
    } finally {
      await store.close();
    }
    const res = await t.call('/api/manifests/search-demo/search', {
      method: 'POST',
      as: 'operator',
      json: { query: 'docker deploy', topK: 2 },
    });
    expect(res.status).toBe(200);
    const { items } = await res.json();
    expect(items).toHaveLength(2);
    expect(items[0]).toMatchObject({
      sourceDocId: 'doc-1.md',
      dataSourceId: 'handbook',
      score: expect.any(Number),
    });
    const tooMany = await t.call('/api/manifests/search-demo/search', {
      method: 'POST',
      as: 'operator',
      json: { query: 'x', topK: 101 },
    });
    expect((await issuesOf(tooMany))[0].path).toBe('topK');
  });
});

describe('CLI', () => {
  test('moonmind manifest put, list, show and run speak the registry', async () => {
    const env = { MOONMIND_URL: t.url, MOONMIND_TOKEN: t.tokens.operator };
    const file = path.join(os.tmpdir(), `cli-docs-${process.pid}.yaml`);
    await writeFile(file, yaml('cli-docs'));
    const put = await runCli(['manifest', 'put', 'cli-docs', file], { env });
    expect(put.stdout).toContain('created cli-docs revision 1');
    const list = await runCli(['manifest', 'list'], { env });
    expect(list.stdout).toMatch(/cli-docs\s+1/);
    const run = await runCli(['manifest', 'run', 'cli-docs', '--plan'], { env });
    expect(run.code).toBe(0);
    const jobId = run.stdout.trim();
    const show = await runCli(['manifest', 'show', 'cli-docs', '--json'], { env });
    expect(JSON.parse(show.stdout)).toMatchObject({ name: 'cli-docs', revision: 1 });
    const job = await (await t.call(`/api/queue/jobs/${jobId}`, { as: 'viewer' })).json();
    expect(job.title).toBe('manifest cli-docs (plan)');
  });
});

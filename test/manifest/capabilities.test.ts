import { describe, expect, it } from 'vitest';
import { loadWorkerConfig } from '../../contracts/config.ts';
import { manifestCapabilities, manifestV0Schema } from '../../contracts/manifest.ts';
import { verifyCapabilities } from '../../workers/capabilities.ts';

describe('a worker claiming manifest runs', () => {
  it('backs every capability a manifest can derive (github by git --version)', async () => {
    const claimed =
      'manifest,embeddings,openai,ollama,google,pgvector,qdrant,local_fs,github,confluence,gdrive';
    const check = await verifyCapabilities(
      loadWorkerConfig({ MOONMIND_WORKER_CAPABILITIES: claimed, MOONMIND_WORKER_JOB_TYPES: 'task,manifest' }),
      { PATH: process.env.PATH },
    );
    expect(check.rejected).toEqual([]);
    expect(check.verified).toEqual(claimed.split(',').sort());
    // What routing asks of the pool for a directory manifest is among them.
    const m = manifestV0Schema.parse({
      version: 'v0',
      metadata: { name: 'docs' },
      embeddings: { provider: 'openai', model: 'text-embedding-3-small' },
      vectorStore: { type: 'pgvector', indexName: 'docs' },
      dataSources: [{ id: 'd', type: 'SimpleDirectoryReader', params: { path: '/tmp' } }],
    });
    expect(manifestCapabilities(m).every((c) => check.verified.includes(c))).toBe(true);
  });

  it('refuses github without git', async () => {
    const check = await verifyCapabilities(
      loadWorkerConfig({ MOONMIND_WORKER_CAPABILITIES: 'manifest,github' }),
      {
        PATH: '/nonexistent',
      },
    );
    expect(check.verified).toEqual(['manifest']);
    expect(check.rejected[0]?.reason).toMatch(/git/);
  });
});

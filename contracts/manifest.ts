import { z } from 'zod';

/**
 * Manifest v0 (shared/spec/07-manifests.md): a declarative document-ingestion pipeline. One schema gives the
 * type, the server's validation (errors as YAML paths), the registry's checks and the editor's messages.
 * Secrets are references only (`${VAR}`, `env://NAME`, `vault://mount/path#field`): a raw credential is
 * refused wherever it appears (checked on the whole document at submission).
 */
export const manifestActions = ['plan', 'run', 'evaluate'] as const;
export const manifestSourceKinds = ['inline', 'registry', 'path'] as const;
export const readerTypes = [
  'SimpleDirectoryReader',
  'GithubRepositoryReader',
  'ConfluenceReader',
  'GoogleDriveReader',
] as const;
export type ReaderType = (typeof readerTypes)[number];
/** The capability each reader needs of the worker (spec 07, capability derivation). */
export const readerCapabilities: Record<ReaderType, string> = {
  SimpleDirectoryReader: 'local_fs',
  GithubRepositoryReader: 'github',
  ConfluenceReader: 'confluence',
  GoogleDriveReader: 'gdrive',
};
export const embeddingProviders = ['openai', 'ollama', 'google'] as const;
export const vectorStoreTypes = ['pgvector', 'qdrant'] as const;
export const distanceMetrics = ['cosine', 'l2'] as const;

/** A reference to a secret, never its value. */
export const secretReference = z
  .string()
  .regex(
    /^(\$\{[A-Za-z_][A-Za-z0-9_]*\}|env:\/\/[A-Za-z_][A-Za-z0-9_]*|vault:\/\/[^#\s]+#[^\s]+)$/,
    'must be a secret reference (env://NAME, vault://mount/path#field), never a value',
  );

const name = z
  .string()
  .min(1)
  .max(100)
  .regex(/^[a-z0-9][a-z0-9._-]*$/, 'lowercase letters, digits, ".", "_" and "-"');

export const dataSourceSchema = z.strictObject({
  id: z
    .string()
    .min(1)
    .max(100)
    .regex(/^[A-Za-z0-9._-]+$/, 'letters, digits, ".", "_" and "-"'),
  type: z.enum(readerTypes),
  /** Reader-specific; validated by the reader (activities/manifest/readers). */
  params: z.record(z.string(), z.unknown()).default({}),
  /** Name → secret reference, e.g. `{ token: "env://CONFLUENCE_TOKEN" }`. */
  auth: z.record(z.string(), secretReference).default({}),
});
export type DataSource = z.infer<typeof dataSourceSchema>;

export const manifestV0Schema = z.strictObject({
  version: z.literal('v0'),
  metadata: z.strictObject({
    name,
    description: z.string().max(2000).optional(),
    owner: z.string().max(200).optional(),
    tags: z.array(z.string().max(100)).max(50).default([]),
  }),
  embeddings: z.strictObject({
    provider: z.enum(embeddingProviders),
    model: z.string().min(1).max(200),
    dimensions: z.number().int().min(1).max(16_000).optional(),
    batchSize: z.number().int().min(1).max(2048).default(64),
    /** OpenAI-compatible servers (vLLM, LiteLLM, …) and Ollama; defaults to the vendor's. */
    baseUrl: z.url().optional(),
    apiKey: secretReference.optional(),
  }),
  vectorStore: z.strictObject({
    type: z.enum(vectorStoreTypes),
    indexName: z
      .string()
      .min(1)
      .max(60)
      .regex(/^[a-z_][a-z0-9_]*$/, 'lowercase letters, digits and "_", not starting with a digit'),
    /** pgvector: unset = MOONMIND_VECTOR_DATABASE_URL (embedded PGlite by default); qdrant: its URL. */
    connection: z
      .strictObject({ url: z.string().min(1).optional(), apiKey: secretReference.optional() })
      .default({}),
    allowCreateCollection: z.boolean().default(false),
    distance: z.enum(distanceMetrics).default('cosine'),
  }),
  dataSources: z.array(dataSourceSchema).min(1).max(50),
  transforms: z
    .strictObject({
      htmlToText: z.boolean().default(false),
      splitter: z
        .strictObject({
          type: z.literal('TokenTextSplitter'),
          chunkSize: z.number().int().min(16).max(8192).default(512),
          chunkOverlap: z.number().int().min(0).max(4096).default(64),
        })
        .refine((s) => s.chunkOverlap < s.chunkSize, {
          message: 'chunkOverlap must be smaller than chunkSize',
          path: ['chunkOverlap'],
        })
        .optional(),
      enrichMetadata: z.record(z.string(), z.string().max(1000)).optional(),
    })
    .default({ htmlToText: false }),
  indices: z.array(z.record(z.string(), z.unknown())).optional(),
  retrievers: z.array(z.record(z.string(), z.unknown())).optional(),
  postprocessors: z.array(z.record(z.string(), z.unknown())).optional(),
  evaluation: z.record(z.string(), z.unknown()).optional(),
  run: z
    .strictObject({
      concurrency: z.number().int().min(1).max(32).default(4),
      batchSize: z.number().int().min(1).max(10_000).default(100),
      errorPolicy: z.enum(['fail', 'skip']).default('fail'),
      dryRun: z.boolean().default(false),
    })
    .default({ concurrency: 4, batchSize: 100, errorPolicy: 'fail', dryRun: false }),
  observability: z.record(z.string(), z.unknown()).optional(),
  security: z
    .strictObject({
      /** Metadata keys a point may carry besides the engine's own. */
      allowlistMetadata: z.array(z.string().min(1).max(100)).default([]),
      piiRedaction: z.boolean().default(false),
    })
    .default({ allowlistMetadata: [], piiRedaction: false }),
  scheduling: z.record(z.string(), z.unknown()).optional(),
});
export type ManifestV0 = z.infer<typeof manifestV0Schema>;

/** Run-control overrides a submission may make; nothing else of the manifest. */
export const manifestOptionsSchema = z.strictObject({
  dryRun: z.boolean().optional(),
  forceFull: z.boolean().optional(),
  maxDocs: z.number().int().min(1).max(10_000_000).nullable().optional(),
});
export type ManifestOptions = z.infer<typeof manifestOptionsSchema>;

export const manifestSourceSchema = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('inline'), content: z.string().min(1).max(1_000_000) }),
  z.strictObject({ kind: z.literal('registry'), name }),
  /** A file on the worker: dev/test only (MOONMIND_MANIFEST_PATH_SOURCES=on). */
  z.strictObject({ kind: z.literal('path'), path: z.string().min(1).max(4000) }),
]);

/** `payload` of a `type: "manifest"` job. */
export const manifestPayloadSchema = z.strictObject({
  manifest: z.strictObject({
    name,
    action: z.enum(manifestActions).default('run'),
    source: manifestSourceSchema,
    options: manifestOptionsSchema.default({}),
  }),
});
export type ManifestPayload = z.infer<typeof manifestPayloadSchema>;

/** What the server stores with a manifest job after validating it (spec 07). */
export interface NormalizedManifestJob {
  name: string;
  action: (typeof manifestActions)[number];
  /** The manifest as validated (`${VAR}` left as references). */
  manifest: ManifestV0;
  /** The YAML as submitted (or read from the registry). */
  content: string;
  manifestHash: string;
  manifestVersion: 'v0';
  options: ManifestOptions;
  requiredCapabilities: string[];
  secretRefs: string[];
  source: z.infer<typeof manifestSourceSchema>;
}

/** Deterministic capability derivation (spec 07). */
export function manifestCapabilities(m: ManifestV0): string[] {
  const caps = new Set<string>(['manifest', 'embeddings', m.embeddings.provider, m.vectorStore.type]);
  for (const s of m.dataSources) caps.add(readerCapabilities[s.type]);
  return [...caps].sort();
}

/** The stages of a manifest run, in order (events `moonmind.manifest.<stage>.*`). */
export const manifestStages = ['validate', 'fetch', 'transform', 'embed', 'upsert'] as const;
export type ManifestStage = (typeof manifestStages)[number];

/** `run_summary.json`. */
export interface ManifestRunSummary {
  documents: number;
  changed: number;
  chunks: number;
  upserts: number;
  deletions: number;
  skips: number;
  errors: number;
  estimatedTokens: number;
  durationsMs: Partial<Record<ManifestStage, number>>;
}

/** The job envelope's fields every job has (contracts/task.ts jobEnvelopeSchema). */
export interface ManifestEnvelope {
  priority: number;
  maxAttempts: number;
  affinityKey: string | null;
}

/**
 * What a manifest job's memo and job view carry: the stored fields without the manifest's content (the
 * workflow input has it; memos stay small). `source` keeps its kind and name or path only.
 */
export interface ManifestJobRecord extends ManifestEnvelope {
  type: 'manifest';
  payload: {
    /** Lists and the job index read a job's repository; a manifest job has none. */
    repository: '';
    manifest: Omit<NormalizedManifestJob, 'manifest' | 'content' | 'source'> & {
      source: { kind: (typeof manifestSourceKinds)[number]; name?: string; path?: string };
      dataSources: number;
    };
  };
}

export function manifestJobRecord(job: NormalizedManifestJob, envelope: ManifestEnvelope): ManifestJobRecord {
  const { manifest, content: _content, source, ...rest } = job;
  const { kind } = source;
  return {
    type: 'manifest',
    ...envelope,
    payload: {
      repository: '',
      manifest: {
        ...rest,
        source:
          kind === 'registry'
            ? { kind, name: source.name }
            : kind === 'path'
              ? { kind, path: source.path }
              : { kind },
        dataSources: manifest.dataSources.length,
      },
    },
  };
}

/** A manifest job's title in lists: `manifest <name> (<action>)`. */
export const manifestJobTitle = (name: string, action: string) => `manifest ${name} (${action})`;

/** Workflow start input of `manifestRun` (workflows/manifest/), started by the queue routes. */
export interface ManifestRunInput {
  jobId: string;
  job: NormalizedManifestJob;
  /** Priority, attempts and affinity from the job envelope (routing, like tasks). */
  envelope: ManifestEnvelope;
  submittedBy: { id: string; name: string };
  submittedAt: string;
}

/** The workflow type of manifest runs (its own, listed with the other jobs). */
export const MANIFEST_RUN_WORKFLOW = 'manifestRun';

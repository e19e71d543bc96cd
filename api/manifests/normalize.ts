import { readFile } from 'node:fs/promises';
import {
  type ManifestEnvelope,
  manifestCapabilities,
  manifestPayloadSchema,
  type NormalizedManifestJob,
} from '../../contracts/manifest.ts';
import { parseManifest } from '../../contracts/manifest-parse.ts';
import { findSecretPaths } from '../../contracts/secrets.ts';
import { type FieldIssue, jobEnvelopeSchema } from '../../contracts/task.ts';
import { getManifest } from '../../db/manifests.ts';
import { manifestHash } from '../../lib/manifest-hash.ts';
import type { ApiDeps } from '../context.ts';
import { validationFailed } from '../errors.ts';

const joinPath = (path: readonly PropertyKey[]) => path.map(String).join('.');

/** A manifest job checked and normalized: what the workflow gets, and the envelope's routing fields. */
export interface CheckedManifestJob {
  job: NormalizedManifestJob;
  envelope: ManifestEnvelope;
}

/**
 * Validate a `type: "manifest"` submission (spec 07): the envelope, the payload (options may override only
 * dryRun/forceFull/maxDocs: the schema is strict), the source (inline, registry, or a path when the setting
 * allows it), then the manifest itself, whose issues are YAML paths with lines. Raw credentials are refused
 * by path, in the envelope and in the manifest; `${VAR}` stays a reference. Throws a 400 with every issue.
 */
export async function normalizeManifestJob(
  deps: Pick<ApiDeps, 'config' | 'sql'>,
  input: unknown,
): Promise<CheckedManifestJob> {
  const envelope = jobEnvelopeSchema.safeParse(input);
  if (!envelope.success)
    throw validationFailed(
      envelope.error.issues.map((i) => ({ path: joinPath(i.path), message: i.message })),
    );
  // The inline YAML is scanned by the manifest's own check, which names paths inside it.
  const payload = envelope.data.payload as { manifest?: { source?: { content?: unknown } } };
  const content = payload.manifest?.source?.content;
  const withoutContent =
    typeof content === 'string'
      ? {
          ...payload,
          manifest: { ...payload.manifest, source: { ...payload.manifest?.source, content: '' } },
        }
      : payload;
  const secretPaths = findSecretPaths(withoutContent);
  if (secretPaths.length)
    throw validationFailed(
      secretPaths.map((p) => ({
        path: joinPath(['payload', ...p]),
        message: 'looks like a raw credential; submit a secret reference instead',
      })),
    );
  const parsed = manifestPayloadSchema.safeParse(envelope.data.payload);
  if (!parsed.success)
    throw validationFailed(
      parsed.error.issues.map((i) => ({ path: joinPath(['payload', ...i.path]), message: i.message })),
    );
  const m = parsed.data.manifest;
  const yaml = await sourceContent(deps, m.source);
  const result = parseManifest(yaml);
  if (!result.ok) throw validationFailed(result.issues);
  if (result.manifest.metadata.name !== m.name)
    throw validationFailed([
      {
        path: 'payload.manifest.name',
        message: `must equal the manifest's metadata.name (${result.manifest.metadata.name})`,
      },
    ]);
  return {
    job: {
      name: m.name,
      action: m.action,
      manifest: result.manifest,
      content: yaml,
      manifestHash: manifestHash(result.manifest),
      manifestVersion: 'v0',
      options: m.options,
      requiredCapabilities: manifestCapabilities(result.manifest),
      secretRefs: result.secretRefs,
      source: m.source,
    },
    envelope: {
      priority: envelope.data.priority,
      maxAttempts: envelope.data.maxAttempts,
      affinityKey: envelope.data.affinityKey,
    },
  };
}

async function sourceContent(
  deps: Pick<ApiDeps, 'config' | 'sql'>,
  source: NormalizedManifestJob['source'],
): Promise<string> {
  const refuse = (issue: FieldIssue) => validationFailed([issue]);
  switch (source.kind) {
    case 'inline':
      return source.content;
    case 'registry': {
      const record = await getManifest(deps.sql, source.name);
      if (!record)
        throw refuse({
          path: 'payload.manifest.source.name',
          message: `no manifest ${source.name} in the registry`,
        });
      return record.content;
    }
    case 'path': {
      if (!deps.config.MOONMIND_MANIFEST_PATH_SOURCES)
        throw refuse({
          path: 'payload.manifest.source.kind',
          message: 'path sources are off on this server (MOONMIND_MANIFEST_PATH_SOURCES, dev only)',
        });
      try {
        return await readFile(source.path, 'utf8');
      } catch {
        throw refuse({ path: 'payload.manifest.source.path', message: 'cannot be read by the server' });
      }
    }
  }
}

import { isNode, LineCounter, parseDocument } from 'yaml';
import type { z } from 'zod';
import { validateReaderParams } from '../activities/manifest/readers/params.ts';
import { type ManifestV0, manifestV0Schema, secretReference } from './manifest.ts';
import { containsSecret } from './secrets.ts';

/**
 * Manifest YAML → validated manifest v0, with every problem named by its YAML path (`dataSources[0].type`) and,
 * where the document has the node, its line and column: the API answers 400 with these and the dashboard's
 * editor marks the lines. Pure (no node: APIs) so the browser runs the same checks.
 */
export interface ManifestIssue {
  path: string;
  message: string;
  line?: number;
  column?: number;
}
export type ManifestParseResult =
  | { ok: true; manifest: ManifestV0; secretRefs: string[] }
  | { ok: false; issues: ManifestIssue[] };

type Path = (string | number)[];
const RAW_CREDENTIAL = 'looks like a raw credential';

/** `["dataSources", 0, "type"]` → `dataSources[0].type`. */
export function yamlPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const p of path) out += typeof p === 'number' ? `[${p}]` : out ? `.${String(p)}` : String(p);
  return out;
}

/** `${VAR}` anywhere in a string, or a whole-string env:// / vault:// reference. */
const interpolation = /\$\{([A-Za-z_][A-Za-z0-9_]*)\}/g;
function referencesIn(s: string): string[] {
  const refs = [...s.matchAll(interpolation)].map((m) => m[0]);
  if (/^(env|vault):\/\//.test(s) && secretReference.safeParse(s).success) refs.push(s);
  return refs;
}

/** Walks every scalar string (and key): raw credentials become issues, references are collected. */
function scanStrings(value: unknown, path: Path, issues: Path[], refs: Set<string>) {
  if (typeof value === 'string') {
    for (const r of referencesIn(value)) refs.add(r);
    if (!secretReference.safeParse(value).success && containsSecret(value)) issues.push(path);
  } else if (Array.isArray(value)) {
    value.forEach((v, i) => {
      scanStrings(v, [...path, i], issues, refs);
    });
  } else if (value && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) {
      if (containsSecret(k)) issues.push([...path, k]);
      scanStrings(v, [...path, k], issues, refs);
    }
  }
}

export function parseManifest(content: string): ManifestParseResult {
  const lineCounter = new LineCounter();
  const doc = parseDocument(content, { lineCounter, prettyErrors: false, uniqueKeys: true });
  const at = (offset: number) => {
    const { line, col } = lineCounter.linePos(offset);
    return { line, column: col };
  };
  if (doc.errors.length) {
    return {
      ok: false,
      issues: doc.errors.map((e) => ({ path: '', message: e.message.split('\n')[0], ...at(e.pos[0]) })),
    };
  }
  /** The deepest node the document has on this path (a missing key points at its parent). */
  const locate = (path: Path) => {
    for (let n = path.length; n >= 0; n--) {
      const node = n === 0 ? doc.contents : doc.getIn(path.slice(0, n), true);
      if (isNode(node) && node.range) return at(node.range[0]);
    }
    return {};
  };
  const issue = (path: Path, message: string): ManifestIssue => ({
    path: yamlPath(path),
    message,
    ...locate(path),
  });
  const value: unknown = doc.toJS();
  const secretPaths: Path[] = [];
  const refs = new Set<string>();
  scanStrings(value, [], secretPaths, refs);
  if (secretPaths.length) {
    return {
      ok: false,
      issues: secretPaths.map((p) =>
        issue(
          p,
          `${RAW_CREDENTIAL}; use a secret reference (env://NAME, vault://mount/path#field or a $-brace VAR)`,
        ),
      ),
    };
  }
  const parsed = manifestV0Schema.safeParse(value ?? {});
  if (!parsed.success) return { ok: false, issues: zodIssues(parsed.error, issue) };
  // Each reader's own params (and the auth names it needs), named by YAML path like the rest.
  const readerIssues = parsed.data.dataSources.flatMap((s, i) => validateReaderParams(s, i));
  if (readerIssues.length)
    return { ok: false, issues: readerIssues.map((r) => issue(r.segments, r.message)) };
  return { ok: true, manifest: parsed.data, secretRefs: [...refs].sort() };
}

/** The raw credentials in a manifest's YAML, by YAML path and line (none when it is not YAML or has none). */
export function manifestSecretIssues(content: unknown): ManifestIssue[] {
  if (typeof content !== 'string') return [];
  const result = parseManifest(content);
  return result.ok ? [] : result.issues.filter((i) => i.message.startsWith(RAW_CREDENTIAL));
}

function zodIssues(error: z.ZodError, issue: (path: Path, message: string) => ManifestIssue) {
  return error.issues.map((i) => issue(i.path as Path, i.message));
}

/** Key-sorted JSON of a value: the canonical content a manifest's hash is taken over. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.entries(value)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

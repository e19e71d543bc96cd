import { z } from 'zod';
import type { DataSource, ReaderType } from '../../../contracts/manifest.ts';

/**
 * Each reader's `params` (and required `auth` names), validated at submission (the API calls
 * `validateReaderParams`) and again by the reader on the worker, so a bad manifest fails before any run with
 * errors naming `dataSources[i].params.<field>`.
 */
const globs = z
  .union([z.string().min(1), z.array(z.string().min(1)).max(200)])
  .transform((g) => (typeof g === 'string' ? [g] : g));
const maxFileBytes = z
  .number()
  .int()
  .min(1)
  .max(100 * 1024 * 1024)
  .default(10 * 1024 * 1024);

export const directoryParamsSchema = z.strictObject({
  path: z.string().min(1).max(4000),
  include: globs.default(['**']),
  exclude: globs.default([]),
  recursive: z.boolean().default(true),
  maxFileBytes,
});
export const githubParamsSchema = z.strictObject({
  /** `owner/repo` on the default forge or a URL on a forge listed in MOONMIND_GIT_HOSTS. */
  repository: z.string().min(1).max(500),
  /** A branch, tag or commit; unset = the repository's default branch. */
  ref: z
    .string()
    .min(1)
    .max(250)
    .regex(/^[^-\s][^\s]*$/, 'a branch, tag or commit (no spaces, not starting with "-")')
    .optional(),
  /** Globs over repository paths; unset = every file. */
  paths: globs.optional(),
  maxFileBytes,
});
export const confluenceParamsSchema = z.strictObject({
  baseUrl: z.url({ protocol: /^https?$/ }),
  spaceKey: z
    .string()
    .min(1)
    .max(255)
    .regex(/^~?[A-Za-z0-9_-]+$/, 'a space key (letters, digits; "~" for a personal space)'),
  /** Replaces the space listing with a CQL search (still scoped to the space). */
  cql: z.string().min(1).max(4000).optional(),
  /** The Cloud account's email for basic auth; unset = the token is a bearer (Data Center PAT). */
  email: z.string().min(3).max(320).optional(),
  pageSize: z.number().int().min(1).max(250).default(50),
});
export const googleDriveParamsSchema = z.strictObject({
  folderId: z
    .string()
    .min(1)
    .max(200)
    .regex(/^[A-Za-z0-9_-]+$/, 'a Drive folder id'),
  /** Only files of these MIME types (Google Docs count as `application/vnd.google-apps.document`). */
  mimeTypes: z.array(z.string().min(1).max(200)).max(100).optional(),
  apiBaseUrl: z.url({ protocol: /^https?$/ }).default('https://www.googleapis.com'),
  pageSize: z.number().int().min(1).max(1000).default(100),
  maxFileBytes,
});
export type DirectoryParams = z.infer<typeof directoryParamsSchema>;
export type GithubParams = z.infer<typeof githubParamsSchema>;
export type ConfluenceParams = z.infer<typeof confluenceParamsSchema>;
export type GoogleDriveParams = z.infer<typeof googleDriveParamsSchema>;

export const readerParamsSchemas = {
  SimpleDirectoryReader: directoryParamsSchema,
  GithubRepositoryReader: githubParamsSchema,
  ConfluenceReader: confluenceParamsSchema,
  GoogleDriveReader: googleDriveParamsSchema,
} satisfies Record<ReaderType, z.ZodType>;

/** The `auth` names a reader cannot work without. */
export const requiredAuth: Record<ReaderType, string[]> = {
  SimpleDirectoryReader: [],
  GithubRepositoryReader: [],
  ConfluenceReader: ['token'],
  GoogleDriveReader: ['token'],
};

export interface ReaderParamsIssue {
  /** A YAML path, e.g. `dataSources[2].params.baseUrl`. */
  path: string;
  /** The same path as segments (`["dataSources", 2, "params", "baseUrl"]`), to locate the YAML node. */
  segments: (string | number)[];
  message: string;
}

const yamlPath = (segments: readonly (string | number)[]) =>
  segments.map((s, i) => (typeof s === 'number' ? `[${s}]` : i ? `.${s}` : s)).join('');

/** Every problem with data source `index`'s params and auth names; empty when valid. */
export function validateReaderParams(source: DataSource, index: number): ReaderParamsIssue[] {
  const issues: ReaderParamsIssue[] = [];
  const add = (rest: (string | number)[], message: string) => {
    const segments = ['dataSources', index, ...rest];
    issues.push({ path: yamlPath(segments), segments, message });
  };
  const parsed = readerParamsSchemas[source.type].safeParse(source.params ?? {});
  if (!parsed.success)
    for (const issue of parsed.error.issues) {
      const at = ['params', ...issue.path.map((p) => (typeof p === 'number' ? p : String(p)))];
      // An unknown key is reported at the key itself.
      if (issue.code === 'unrecognized_keys') for (const key of issue.keys) add([...at, key], issue.message);
      else add(at, issue.message);
    }
  for (const name of requiredAuth[source.type])
    if (!source.auth?.[name]) add(['auth', name], `${source.type} needs a secret reference here`);
  return issues;
}

export class ReaderParamsError extends Error {
  constructor(readonly issues: ReaderParamsIssue[]) {
    super(issues.map((i) => `${i.path}: ${i.message}`).join('; '));
  }
}

/** The reader's parsed params (defaults applied); throws ReaderParamsError naming the fields. */
export function readerParams<T extends ReaderType>(
  source: DataSource & { type: T },
  index = 0,
): z.infer<(typeof readerParamsSchemas)[T]> {
  const issues = validateReaderParams(source, index);
  if (issues.length) throw new ReaderParamsError(issues);
  return readerParamsSchemas[source.type].parse(source.params ?? {}) as z.infer<
    (typeof readerParamsSchemas)[T]
  >;
}

import { readFile } from 'node:fs/promises';
import { parse as parseYaml } from 'yaml';
import type { z } from 'zod';
import { repositoryShapeError } from '../contracts/repository.ts';
import { findSecretPaths } from '../contracts/secrets.ts';
import { type FieldIssue, jobEnvelopeSchema, taskInputSchema } from '../contracts/task.ts';
import { CliError, exitCodes, usageError } from './exit-codes.ts';

/** The task flags of `submit`, as parseArgs gives them. */
export interface TaskFlags {
  repo?: string;
  instructions?: string;
  title?: string;
  runtime?: string;
  model?: string;
  effort?: string;
  publish?: string;
  'starting-branch'?: string;
  'new-branch'?: string;
  skill?: string;
  step?: string[];
}
export const taskFlagNames = [
  'repo',
  'instructions',
  'title',
  'runtime',
  'model',
  'effort',
  'publish',
  'starting-branch',
  'new-branch',
  'skill',
  'step',
] as const;

/** A task payload from flags; what is not given is left to the server's defaults. */
export function payloadFromFlags(f: TaskFlags): Record<string, unknown> {
  const task: Record<string, unknown> = { instructions: f.instructions };
  if (f.title) task.title = f.title;
  if (f.runtime || f.model || f.effort)
    task.runtime = { mode: f.runtime, model: f.model ?? null, effort: f.effort ?? null };
  if (f.publish) task.publish = { mode: f.publish };
  if (f['starting-branch'] || f['new-branch'])
    task.git = { startingBranch: f['starting-branch'] ?? null, newBranch: f['new-branch'] ?? null };
  if (f.skill) task.skill = { id: f.skill };
  if (f.step?.length) task.steps = f.step.map((instructions) => ({ instructions }));
  return { ...(f.repo ? { repository: f.repo } : {}), task };
}

/** A JSON or YAML document (YAML reads JSON too) from a file, or standard input for `-`. */
export async function readDocument(source: string): Promise<unknown> {
  let text: string;
  try {
    text = source === '-' ? await readStdin() : await readFile(source, 'utf8');
  } catch (err) {
    throw usageError(`cannot read ${source}: ${(err as Error).message}`);
  }
  try {
    return parseYaml(text);
  } catch (err) {
    throw usageError(
      `${source === '-' ? 'standard input' : source} is not JSON or YAML: ${(err as Error).message}`,
    );
  }
}

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

/** A document is a whole job envelope (`type` and `payload`) or just the task payload. */
export function envelopeOf(doc: unknown): Record<string, unknown> {
  if (!doc || typeof doc !== 'object' || Array.isArray(doc))
    throw usageError('the submission must be an object: a job ({type, payload}) or a task payload');
  const obj = doc as Record<string, unknown>;
  return 'payload' in obj && 'type' in obj ? { ...obj } : { type: 'task', payload: obj };
}

const issuesOf = (error: z.ZodError, prefix: string[] = []): FieldIssue[] =>
  error.issues.map((i) => ({ path: [...prefix, ...i.path.map(String)].join('.'), message: i.message }));

/**
 * The checks the server makes that need no deployment settings, with the same schemas: a mistake is named by
 * its field before anything is sent. Defaults (repository, runtime) and forge rules stay the server's.
 */
export function localIssues(envelope: unknown): FieldIssue[] {
  const secrets = findSecretPaths(envelope);
  if (secrets.length)
    return secrets.map((p) => ({
      path: p.map(String).join('.'),
      message: 'looks like a raw credential; submit a secret reference instead',
    }));
  const parsed = jobEnvelopeSchema.safeParse(envelope);
  if (!parsed.success) return issuesOf(parsed.error);
  const payload = taskInputSchema.safeParse(parsed.data.payload);
  if (!payload.success) return issuesOf(payload.error, ['payload']);
  const repo = payload.data.repository;
  const shape = repo ? repositoryShapeError(repo) : null;
  return shape ? [{ path: 'payload.repository', message: shape }] : [];
}

export function assertValid(envelope: unknown): void {
  const issues = localIssues(envelope);
  if (issues.length)
    throw new CliError(
      ['the submission is invalid:', ...issues.map((i) => `  ${i.path}: ${i.message}`)].join('\n'),
      exitCodes.usage,
    );
}

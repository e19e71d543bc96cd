import { constants } from 'node:fs';
import { lstat, open, readFile, rm, rmdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { z } from 'zod';
import { AGENT_PROPOSALS_FILE, agentProposalsFileSchema } from '../../contracts/proposals.ts';
import { redactDeep } from '../../contracts/secrets.ts';
import { git } from '../git/git.ts';
import { withRetry } from '../reporting/api-client.ts';
import type { AttemptContext } from './attempts.ts';
import type { TaskActivityDeps } from './deps.ts';
import type { TaskContext } from './prepare.ts';
import { artifactNames } from './workspace.ts';

/**
 * Follow-up work an agent proposes (spec 05): it writes `.moonmind/proposals.json` in the repository; the
 * worker takes the file out of the work tree when execute ends (so neither the patch nor publish's
 * `git add --all` carries it), and submits its items when the attempt is released, once the branch the run
 * pushed (if any) is known. Nothing here fails a run: problems are warning events.
 */

type AgentProposals = z.infer<typeof agentProposalsFileSchema>;
/** Largest proposals file read (10 items at their limits fit well below). */
const MAX_FILE_BYTES = 2 * 1024 * 1024;
const pendingFile = (ctx: Pick<AttemptContext, 'paths'>) => join(ctx.paths.root, 'proposals.pending.json');

/**
 * Read and remove the agent's proposals file; a copy the base commit tracks is restored instead of removed.
 * The file and its folder must not be symlinks: the worker, not the agent, reads it.
 */
export async function takeAgentProposals(ctx: AttemptContext, context: TaskContext): Promise<void> {
  const file = join(ctx.paths.repo, AGENT_PROPOSALS_FILE);
  const folder = await lstat(dirname(file)).catch(() => null);
  if (!folder) return;
  let text: string | null = null;
  let problem: string | null = null;
  if (!folder.isDirectory()) problem = `${dirname(AGENT_PROPOSALS_FILE)} is not a folder`;
  else {
    const handle = await open(file, constants.O_RDONLY | constants.O_NOFOLLOW).catch(
      (err: NodeJS.ErrnoException) => {
        if (err.code !== 'ENOENT') problem = `cannot be read (${err.code})`;
        return null;
      },
    );
    if (!handle) {
      if (!problem) return;
    } else {
      try {
        const stat = await handle.stat();
        if (!stat.isFile()) problem = 'is not a regular file';
        else if (stat.size > MAX_FILE_BYTES) problem = `is over ${MAX_FILE_BYTES} bytes`;
        else text = await handle.readFile('utf8');
      } finally {
        await handle.close();
      }
    }
  }
  await takeOut(ctx, context.baseCommit);
  const parsed = text === null ? null : parseProposals(text);
  if (parsed && 'items' in parsed) {
    if (parsed.items.length) await writeFile(pendingFile(ctx), JSON.stringify(parsed.items));
    return;
  }
  ctx.events.emit({
    level: 'warn',
    type: 'task.proposals.invalid',
    message: `${AGENT_PROPOSALS_FILE} ignored: ${problem ?? parsed?.error}`,
    payload: { file: AGENT_PROPOSALS_FILE, error: problem ?? parsed?.error ?? null },
  });
}

function parseProposals(text: string): { items: AgentProposals } | { error: string } {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    return { error: `not JSON (${(err as Error).message})` };
  }
  const result = agentProposalsFileSchema.safeParse(json);
  if (result.success) return { items: result.data };
  return {
    error: result.error.issues
      .slice(0, 5)
      .map((i) => `${i.path.join('.') || 'file'}: ${i.message}`)
      .join('; '),
  };
}

/** Remove the file from the work tree, or put back the base commit's copy when the repository tracks one. */
async function takeOut(ctx: AttemptContext, baseCommit: string): Promise<void> {
  const inRepo = { cwd: ctx.paths.root, gitDir: ctx.paths.gitDir, workTree: ctx.paths.repo };
  const tracked = await git(['cat-file', '-e', `${baseCommit}:${AGENT_PROPOSALS_FILE}`], inRepo).then(
    () => true,
    () => false,
  );
  if (tracked) await git(['checkout', baseCommit, '--', AGENT_PROPOSALS_FILE], inRepo);
  else {
    await rm(join(ctx.paths.repo, AGENT_PROPOSALS_FILE), { force: true, recursive: true });
    await rmdir(join(ctx.paths.repo, dirname(AGENT_PROPOSALS_FILE))).catch(() => {}); // only when empty
  }
}

/** The branch publish pushed, when it did. */
async function pushedBranch(ctx: AttemptContext): Promise<string | null> {
  const text = await readFile(join(ctx.paths.artifacts, artifactNames.publishResult), 'utf8').catch(
    () => null,
  );
  if (!text) return null;
  return (JSON.parse(text) as { branch?: string | null }).branch ?? null;
}

/**
 * Submit what `takeAgentProposals` kept, each as a proposal whose job starts from the run's repository and,
 * when the run pushed a branch, from that branch, with the run's runtime and publish mode. Transient failures are retried a few times; the ids go
 * into the run's events.
 */
export async function submitAgentProposals(deps: TaskActivityDeps, ctx: AttemptContext): Promise<void> {
  const text = await readFile(pendingFile(ctx), 'utf8').catch(() => null);
  if (!text) return;
  await rm(pendingFile(ctx), { force: true });
  const items = JSON.parse(text) as AgentProposals;
  const context = JSON.parse(
    await readFile(join(ctx.paths.artifacts, artifactNames.taskContext), 'utf8'),
  ) as TaskContext;
  const branch = await pushedBranch(ctx);
  const ids: string[] = [];
  const failures: string[] = [];
  for (const item of items) {
    const body = redactDeep({
      title: item.title,
      summary: item.summary,
      category: item.category,
      tags: item.tags,
      origin: { source: 'queue', id: ctx.jobId, metadata: { branch, attempt: ctx.attempt } },
      taskCreateRequest: {
        type: 'task',
        payload: {
          repository: item.repository ?? context.repository,
          // The follow-up runs and publishes like the run that proposed it.
          task: {
            instructions: item.instructions,
            runtime: { mode: context.runtime.mode },
            publish: { mode: context.publishMode },
            ...(branch ? { git: { startingBranch: branch } } : {}),
          },
        },
      },
    });
    try {
      ids.push((await withRetry(() => deps.api.createProposal(body), { attempts: 4, baseMs: 500 })).id);
    } catch (err) {
      failures.push(`${item.title.slice(0, 80)}: ${(err as Error).message}`);
    }
  }
  if (ids.length)
    ctx.events.emit({
      type: 'task.proposals.submitted',
      message: `${ids.length} follow-up proposal${ids.length === 1 ? '' : 's'} submitted`,
      payload: { ids, branch },
    });
  if (failures.length) {
    deps.log?.(
      'warn',
      `job ${ctx.jobId}: ${failures.length} proposals not submitted: ${failures.join(' | ')}`,
    );
    ctx.events.emit({
      level: 'warn',
      type: 'task.proposals.failed',
      message: `${failures.length} proposal${failures.length === 1 ? '' : 's'} could not be submitted`,
      payload: { errors: failures },
    });
  }
}

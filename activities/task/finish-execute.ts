import { createReadStream, createWriteStream } from 'node:fs';
import { access, mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import type { FinishExecuteInput, FinishExecuteResult } from '../../contracts/activities.ts';
import { git } from '../git/git.ts';
import type { Attempts } from './attempts.ts';
import type { TaskActivityDeps } from './deps.ts';
import type { TaskContext } from './prepare.ts';
import { takeAgentProposals } from './proposals.ts';
import { releaseAttempt } from './release-host.ts';
import { artifactNames } from './workspace.ts';

const EXECUTE = 'moonmind.task.execute';

export async function readTaskContext(artifactsDir: string): Promise<TaskContext> {
  return JSON.parse(await readFile(join(artifactsDir, artifactNames.taskContext), 'utf8')) as TaskContext;
}

/**
 * After the last step (or the first failing one): the patch of everything the steps changed against the
 * prepared commit, `logs/execute.log` (every step's output in order), and the execute stage's outcome.
 * With `releaseHost` (publish `none`: nothing else runs here) it then gives the run slot back.
 */
export function makeFinishExecute(deps: TaskActivityDeps, attempts: Attempts) {
  return async function finishExecute(input: FinishExecuteInput): Promise<FinishExecuteResult> {
    const leave = deps.slots.enter(input.workspace, input);
    const ctx = attempts.get(input.jobId, input.attempt, input.workspace);
    const { paths, events } = ctx;
    let result: FinishExecuteResult;
    try {
      const context = await readTaskContext(paths.artifacts);
      const inRepo = { cwd: paths.root, gitDir: paths.gitDir, workTree: paths.repo };
      // The agent's proposals are submitted, not committed: out of the work tree before anything is staged.
      await takeAgentProposals(ctx, context);
      // Intent-to-add makes new files show in the diff without staging content that publish commits.
      await git(['add', '--intent-to-add', '--all'], inRepo);
      const patch = await git(
        ['diff', '--binary', '--no-ext-diff', '--no-textconv', context.baseCommit],
        inRepo,
      );
      const changed = patch.length > 0;
      if (changed) {
        const patchPath = join(paths.artifacts, artifactNames.changesPatch);
        await mkdir(dirname(patchPath), { recursive: true });
        await writeFile(patchPath, patch);
      }
      await concatStepLogs(paths.artifacts, context.steps.length);
      const ok = input.outcome === 'succeeded';
      events.emit({
        level: ok ? 'info' : input.outcome === 'cancelled' ? 'warn' : 'error',
        type: `${EXECUTE}.${ok ? 'finished' : 'failed'}`,
        message: ok
          ? `Execution finished${changed ? '' : ' without changes'}`
          : `Execution ${input.outcome === 'cancelled' ? 'cancelled' : 'failed'}`,
        payload: { outcome: input.outcome, changed },
      });
      await ctx.wrapUp([...(changed ? [artifactNames.changesPatch] : []), artifactNames.executeLog]);
      result = { changed };
    } finally {
      leave();
    }
    if (input.releaseHost) await releaseAttempt(deps, attempts, input.workspace, input.outcome);
    return result;
  };
}

async function concatStepLogs(artifactsDir: string, stepCount: number) {
  const out = join(artifactsDir, artifactNames.executeLog);
  await writeFile(out, '');
  for (let i = 0; i < stepCount; i++) {
    const stepLog = join(artifactsDir, artifactNames.stepLog(i));
    const exists = await access(stepLog).then(
      () => true,
      () => false,
    );
    if (exists) await pipeline(createReadStream(stepLog), createWriteStream(out, { flags: 'a' }));
  }
}

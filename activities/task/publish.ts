import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ApplicationFailure, Context } from '@temporalio/activity';
import type { PublishInput, PublishResult } from '../../contracts/activities.ts';
import { ForgeError, GitHubClient, ownerRepoOf } from '../forge/github.ts';
import { type ForgeTarget, forgeTarget, forgeToken, gitAuth } from '../forge/target.ts';
import { GitError, git, headCommit } from '../git/git.ts';
import type { EventReporter } from '../reporting/event-reporter.ts';
import type { Attempts } from './attempts.ts';
import { secretsOf, type TaskActivityDeps } from './deps.ts';
import { readTaskContext } from './finish-execute.ts';
import { LogFile } from './log-file.ts';
import { commitMessage, prBody, prTitle } from './pr-text.ts';
import { artifactNames } from './workspace.ts';

const STAGE = 'moonmind.task.publish';

/**
 * The publish stage owns every final git operation. Idempotent: a retry finds its commit already made
 * (clean tree, HEAD past the base) and commits nothing new, pushes the same commit again (a no-op), and
 * reuses the open PR for the working branch instead of opening another.
 */
export function makePublish(deps: TaskActivityDeps, attempts: Attempts) {
  return async function publish(input: PublishInput): Promise<PublishResult> {
    const { jobId, payload, prepared } = input;
    const mode = payload.task.publish.mode;
    const leave = deps.slots.enter(input.workspace, input);
    const ctx = attempts.get(jobId, input.attempt, input.workspace);
    const { paths, events } = ctx;
    const log = await LogFile.open(join(paths.artifacts, artifactNames.publishLog));
    const result: PublishResult = {
      mode,
      branch: null,
      commit: null,
      prUrl: null,
      prNumber: null,
      skipped: null,
    };
    events.emit({ type: `${STAGE}.started`, message: `Publishing (${mode})`, payload: { mode } });
    try {
      if (mode === 'none') {
        result.skipped = 'publish mode is none';
      } else {
        const context = await readTaskContext(paths.artifacts);
        // The worker's git directory and config only: nothing the agent wrote under repo/.git is read.
        const inRepo = {
          cwd: paths.root,
          gitDir: paths.gitDir,
          workTree: paths.repo,
          log: (s: string) => log.line(s),
          signal: Context.current().cancellationSignal,
        };
        await git(['add', '--all'], inRepo);
        const dirty = (await git(['status', '--porcelain'], inRepo)).trim().length > 0;
        if (dirty) await git(['commit', '--no-verify', '-m', commitMessage(payload, jobId)], inRepo);
        const commit = await headCommit(inRepo);
        if (commit === context.baseCommit) {
          result.skipped = 'no changes';
          events.emit({
            type: 'task.publish.skipped',
            message: 'Nothing to publish: no changes',
            payload: { reason: 'no changes' },
          });
        } else {
          const branch = prepared.workingBranch;
          const target = await forgeTarget(payload.repository, deps.config);
          const token = await forgeToken(
            'publish',
            payload.auth,
            target,
            deps.env ?? process.env,
            secretsOf(deps),
          );
          await git(['push', '--', target.cloneUrl, `HEAD:refs/heads/${branch}`], {
            ...inRepo,
            auth: gitAuth(target, token),
          });
          Object.assign(result, { branch, commit });
          events.emit({
            type: 'task.publish.pushed',
            message: `Pushed ${branch} at ${commit.slice(0, 12)}`,
            payload: { branch, commit },
          });
          if (mode === 'pr')
            await openPullRequest(input, context.baseCommit, target, token, inRepo, result, events, log);
        }
      }
      await writeFile(
        join(paths.artifacts, artifactNames.publishResult),
        `${JSON.stringify(result, null, 2)}\n`,
      );
      log.line(`publish result: ${JSON.stringify(result)}`);
      await log.close();
      events.emit({
        type: `${STAGE}.finished`,
        message: result.prUrl
          ? `Published ${result.prUrl}`
          : result.skipped
            ? `Publish skipped: ${result.skipped}`
            : `Published ${result.branch}`,
        payload: { ...result },
      });
      await ctx.wrapUp([artifactNames.publishLog, artifactNames.publishResult]);
      return result;
    } catch (err) {
      const message = (err as Error).message;
      log.line(`publish failed: ${message}`);
      await log.close().catch(() => {});
      events.emit({
        level: 'error',
        type: `${STAGE}.failed`,
        message: `Publish failed: ${message}`,
        payload: { error: message },
      });
      await ctx.wrapUp([artifactNames.publishLog]);
      throw classify(err);
    } finally {
      leave();
    }
  };
}

async function openPullRequest(
  input: PublishInput,
  baseCommit: string,
  target: ForgeTarget,
  token: string | null,
  inRepo: Parameters<typeof git>[1],
  result: PublishResult,
  events: EventReporter,
  log: LogFile,
) {
  const { payload, prepared, jobId } = input;
  const base = payload.task.publish.prBaseBranch ?? prepared.startingBranch;
  const head = prepared.workingBranch;
  if (base === head) {
    result.skipped = `pull request not opened: base and head are both ${head}`;
    events.emit({
      level: 'warn',
      type: 'task.publish.skipped',
      message: result.skipped,
      payload: { reason: 'same branch', base, head },
    });
    return;
  }
  const changedFiles = (await git(['diff', '--name-only', baseCommit, 'HEAD'], inRepo))
    .split('\n')
    .filter(Boolean);
  const { owner, repo } = ownerRepoOf(target.location.path);
  // The pull request goes to the API of the repository's own host, with that host's credential.
  const github = new GitHubClient(target.apiUrl, token);
  const pr = await github.ensurePull(owner, repo, {
    head,
    base,
    title: prTitle(payload, jobId),
    body: prBody(payload, jobId, prepared, base, changedFiles),
  });
  log.line(`pull request #${pr.number} ${pr.reused ? 'reused' : 'opened'}: ${pr.url}`);
  result.prUrl = pr.url;
  result.prNumber = pr.number;
  events.emit({
    type: 'task.publish.pr',
    message: `${pr.reused ? 'Reused' : 'Opened'} pull request #${pr.number}`,
    payload: { url: pr.url, number: pr.number, reused: pr.reused, base, head },
  });
}

/** Bad credentials, a rejected push or an invalid PR repeat on retry: the run fails instead. */
function classify(err: unknown): unknown {
  if (err instanceof ForgeError && err.permanent)
    return ApplicationFailure.nonRetryable(err.message, 'TaskFailure');
  if (
    err instanceof GitError &&
    /rejected|Authentication failed|could not read Username|403|denied/i.test(err.stderr)
  ) {
    return ApplicationFailure.nonRetryable(err.message, 'TaskFailure');
  }
  return err;
}

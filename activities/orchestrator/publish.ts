import { access, realpath, rm } from 'node:fs/promises';
import path from 'node:path';
import { ApplicationFailure } from '@temporalio/activity';
import type { PublishServiceInput, PublishServiceResult } from '../../contracts/orchestrator-activities.ts';
import { GitHubClient, ownerRepoOf } from '../forge/github.ts';
import { forgeTarget, forgeToken, gitAuth } from '../forge/target.ts';
import { type GitOptions, git } from '../git/git.ts';
import type { Attempts } from '../task/attempts.ts';
import { secretsOf } from '../task/deps.ts';
import type { OrchestratorActivityDeps } from './deps.ts';
import {
  publishBody,
  publishBranch,
  publishCommitMessage,
  publishTitle,
  repositoryOfRemote,
} from './publish-text.ts';
import { inStep } from './scaffold.ts';

const refused = (message: string) => ApplicationFailure.nonRetryable(message, 'OrchestratorPublishFailure');

/**
 * Publish a verified fix from the service's git checkout (its root), the way a task publishes: a commit of
 * exactly the patch's files on `moonmind/orchestrator-<runId8>` on top of the checkout's HEAD, pushed to the
 * repository its remote names, and for `pr` a pull request against the profile's base branch (default: the
 * checkout's current branch). The checkout itself is only read: the commit is made in a bare clone in the
 * run's workspace with the root as its work tree, so the operator's branch, index and config stay as they
 * were. The credential is the task publish's (a secret reference, sent as a header in git's environment to
 * its own host only; never in argv, a log line or a remote URL on disk).
 */
export function makePublishService(deps: OrchestratorActivityDeps, attempts: Attempts) {
  return (input: PublishServiceInput): Promise<PublishServiceResult> =>
    inStep(deps, attempts, input, 'publish.log', async (scope) => {
      const { profile, paths } = scope;
      const remote = profile.git?.remote ?? 'origin';
      const inRoot: GitOptions = { cwd: profile.root, log: scope.log, signal: scope.signal };
      // The root may be a directory of a larger checkout (a monorepo's `./api`): paths are the checkout's.
      const top = (await git(['rev-parse', '--show-toplevel'], inRoot).catch(() => '')).trim();
      if (!top)
        throw refused(`the service root of ${input.service} is not a git checkout: nothing to publish to`);
      const under = path
        .relative(top, await realpath(profile.root))
        .split(path.sep)
        .join('/');
      const inCheckout = (f: string) => path.posix.join(under, f);
      const remoteUrl = await git(['remote', 'get-url', remote], inRoot).catch(() => {
        throw refused(`the service's checkout has no remote ${remote} (set git.remote in its profile)`);
      });
      const base = (await git(['rev-parse', 'HEAD'], inRoot)).trim();
      const baseBranch =
        profile.git?.baseBranch ?? (await git(['rev-parse', '--abbrev-ref', 'HEAD'], inRoot)).trim();
      if (input.mode === 'pr' && baseBranch === 'HEAD')
        throw refused('the service checkout is on a detached HEAD: name git.baseBranch in its profile');

      // Never echoed: a URL with a credential in it would put that credential into the run's error.
      if (/^[a-z][a-z0-9+.-]*:\/\/[^/]*@/i.test(remoteUrl.trim()))
        throw refused(
          `the URL of remote ${remote} carries credentials: remove them (publishing sends its own)`,
        );
      const target = await forgeTarget(
        repositoryOfRemote(remoteUrl, deps.config.MOONMIND_GIT_BASE_URL),
        deps.config,
      );
      const token = await forgeToken(
        'publish',
        { repoAuthRef: null, publishAuthRef: profile.git?.authRef ?? null },
        target,
        deps.env ?? process.env,
        secretsOf(deps),
      );

      // The worker's own git directory over the service's files: nothing in the checkout's .git but its
      // objects is read, and nothing there is written.
      const gitDir = path.join(paths.root, 'publish.git');
      await rm(gitDir, { recursive: true, force: true });
      await git(['clone', '-q', '--bare', '--', top, gitDir], { ...inRoot, cwd: paths.root });
      const branch = publishBranch(input.runId);
      const own: GitOptions = { ...inRoot, cwd: top, gitDir, workTree: top };
      await git(['update-ref', `refs/heads/${branch}`, base], own);
      await git(['symbolic-ref', 'HEAD', `refs/heads/${branch}`], own);
      await git(['read-tree', 'HEAD'], own);
      const present = await existing(profile.root, input.files);
      const gone = input.files.filter((f) => !present.includes(f));
      if (present.length) await git(['add', '--force', '--', ...present.map(inCheckout)], own);
      if (gone.length)
        await git(['rm', '-q', '--cached', '--ignore-unmatch', '--', ...gone.map(inCheckout)], own);
      const staged = (await git(['diff', '--cached', '--name-only'], own)).split('\n').filter(Boolean);
      if (staged.length === 0)
        throw refused(`nothing to publish: ${input.files.join(', ')} already match ${base.slice(0, 12)}`);
      await git(
        [
          'commit',
          '-q',
          '--no-verify',
          '-m',
          publishCommitMessage(input.service, input.instruction, input.runId),
        ],
        own,
      );
      const commit = (await git(['rev-parse', 'HEAD'], own)).trim();
      const diffStat = await git(['diff', '--stat', base, commit], own);
      await git(['push', '-q', '--', target.cloneUrl, `${commit}:refs/heads/${branch}`], {
        ...own,
        auth: gitAuth(target, token),
      });
      scope.log(`pushed ${branch} at ${commit.slice(0, 12)} (${staged.join(', ')})`);
      let prUrl: string | null = null;
      if (input.mode === 'pr') {
        const { owner, repo } = ownerRepoOf(target.location.path);
        const pr = await new GitHubClient(target.apiUrl, token).ensurePull(owner, repo, {
          head: branch,
          base: baseBranch,
          title: publishTitle(input.service, input.instruction),
          body: publishBody({
            runId: input.runId,
            service: input.service,
            rationale: input.plan.rationale,
            files: staged,
            diffStat,
          }),
        });
        prUrl = pr.url;
        scope.log(`pull request #${pr.number} ${pr.reused ? 'reused' : 'opened'}: ${pr.url}`);
      }
      const files = `${staged.length} file${staged.length === 1 ? '' : 's'}`;
      return {
        branch,
        commit,
        prUrl,
        detail: `pushed ${branch} at ${commit.slice(0, 12)} (${files})${prUrl ? `; pull request ${prUrl}` : ''}`,
      };
    });
}

/** The patch's files still in the root (the others it removed). */
async function existing(root: string, files: string[]): Promise<string[]> {
  const present = await Promise.all(
    files.map((f) =>
      access(path.join(root, f)).then(
        () => true,
        () => false,
      ),
    ),
  );
  return files.filter((_, i) => present[i]);
}

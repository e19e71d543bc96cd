import { appendFile, cp, mkdir, rename, rm, stat, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ApplicationFailure, Context } from '@temporalio/activity';
import type { PrepareInput, PrepareResult } from '../../contracts/activities.ts';
import { generatedBranch, planSteps } from '../../contracts/task.ts';
import { forgeTarget, forgeToken, gitAuth } from '../forge/target.ts';
import { GitError, type GitOptions, git } from '../git/git.ts';
import { modelEndpoint, usesLogin } from '../runtimes/endpoint.ts';
import { seedRuntimeHome } from '../runtimes/home.ts';
import { resolveRuntime } from '../runtimes/resolve.ts';
import { writeRunConfig } from '../runtimes/run-config.ts';
import type { Attempts } from './attempts.ts';
import { secretsOf, type TaskActivityDeps } from './deps.ts';
import { LogFile } from './log-file.ts';
import { effectiveSkill } from './prompt.ts';
import { artifactNames, type WorkspacePaths, workspaceFor } from './workspace.ts';

const STAGE = 'moonmind.task.prepare';
const skillId = /^[A-Za-z0-9_][A-Za-z0-9_.-]*$/;

/** Written to `task_context.json`; `baseCommit` is what publish diffs against. */
export interface TaskContext {
  jobId: string;
  attempt: number;
  hostId: string;
  repository: string;
  defaultBranch: string;
  startingBranch: string;
  workingBranch: string;
  baseCommit: string;
  runtime: PrepareResult['runtime'];
  skills: string[];
  steps: { id: string; title: string | null; effectiveSkill: string }[];
  publishMode: string;
  preparedAt: string;
}

/**
 * The claim: runs on the pool queue, takes a run slot for the attempt, and leaves a workspace ready for
 * the steps; the result names this host's queue, where the rest of the attempt runs.
 */
export function makePrepare(deps: TaskActivityDeps, attempts: Attempts) {
  return async function prepare(input: PrepareInput): Promise<PrepareResult> {
    const { jobId, attempt, payload } = input;
    const workspace = workspaceFor(deps.config.MOONMIND_WORKSPACE_DIR, jobId, attempt);
    const missing = payload.requiredCapabilities.filter(
      (c) => deps.capabilities && !deps.capabilities.includes(c),
    );
    if (missing.length) {
      // Routing matched the pool, but this host cannot back all of it: fail the attempt, not the run.
      throw new Error(`host ${deps.hostId} lacks required capabilities: ${missing.join(', ')}`);
    }
    deps.slots.claim(workspace, input);
    // Busy while it prepares: an idle lease is checked against the run's state, which names this host
    // only once prepare has returned (a long clone would otherwise lose its slot and its event reporter).
    const leave = deps.slots.enter(workspace, input);
    const ctx = attempts.get(jobId, attempt, workspace);
    const { paths, events } = ctx;
    const ac = Context.current();
    const beat = setInterval(() => ac.heartbeat(), 1_000);
    events.emit({
      type: `${STAGE}.started`,
      message: `Preparing on ${deps.hostId}`,
      payload: { host: deps.hostId, attempt },
    });
    let log: LogFile | undefined;
    try {
      // A retried prepare of the same attempt starts from an empty workspace (and a new agent group).
      await deps.sandbox.release(workspace);
      await rm(workspace, { recursive: true, force: true });
      for (const dir of [paths.repo, paths.home, paths.tmp, paths.skillsActive, paths.artifacts])
        await mkdir(dir, { recursive: true });
      log = await LogFile.open(join(paths.artifacts, artifactNames.prepareLog));
      const l = log;
      const base = { log: (s: string) => l.line(s), signal: ac.cancellationSignal };

      const target = await forgeTarget(payload.repository, deps.config);
      const token = await forgeToken('repo', payload.auth, target, deps.env ?? process.env, secretsOf(deps));
      // The worker's own git directory: only the clone (the one network command) carries the credential.
      await git(['clone', '--bare', '--', target.cloneUrl, paths.gitDir], {
        ...base,
        cwd: paths.root,
        auth: gitAuth(target, token),
      });
      const worker = { ...base, cwd: paths.root, gitDir: paths.gitDir, workTree: paths.repo };
      const origin = await clonedBranches(worker);
      if (!origin.head || !origin.branches.has(origin.head)) {
        throw ApplicationFailure.nonRetryable(
          `${payload.repository} has no default branch (an empty repository?)`,
          'TaskFailure',
        );
      }
      const defaultBranch = origin.head;
      const startingBranch = payload.task.git.startingBranch ?? defaultBranch;
      const newBranch =
        payload.task.git.newBranch ??
        (startingBranch === defaultBranch ? generatedBranch(jobId, input.submittedAt) : null);
      const workingBranch = newBranch ?? startingBranch;
      if (!origin.branches.has(startingBranch)) {
        throw ApplicationFailure.nonRetryable(
          `starting branch ${startingBranch} does not exist in ${payload.repository}`,
          'TaskFailure',
        );
      }
      // A retried attempt continues the working branch an earlier attempt pushed, so publishing stays a
      // fast-forward and never rewrites history.
      const from = origin.branches.has(workingBranch) ? workingBranch : startingBranch;
      const baseCommit = origin.branches.get(from)!;
      await git(['checkout', '--force', '-B', workingBranch, baseCommit], worker);
      await agentCheckout(paths, target.cloneUrl, base);

      // Skills: linked into the repo, kept out of git status (the worker's and the agent's).
      for (const link of ['.agents/skills', '.gemini/skills']) {
        const at = join(paths.repo, link);
        if (await stat(at).catch(() => null)) {
          l.line(`${link} already exists in the repository; not linking skills_active there`);
          continue;
        }
        await mkdir(join(at, '..'), { recursive: true });
        await symlink(paths.skillsActive, at, 'dir');
        for (const gitDir of [paths.gitDir, join(paths.repo, '.git')]) {
          await mkdir(join(gitDir, 'info'), { recursive: true });
          await appendFile(join(gitDir, 'info', 'exclude'), `/${link}\n`);
        }
      }
      const steps = planSteps(payload);
      const skills = [...new Set(steps.map((s) => effectiveSkill(payload, s).id))].filter(
        (id) => id !== 'auto',
      );
      for (const id of skills)
        await materializeSkill(id, deps.config.MOONMIND_SKILLS_DIR, paths.skillsActive, l);
      const runtime = resolveRuntime(payload, deps.config);
      const endpoint = modelEndpoint(runtime.mode, deps.config);
      await seedRuntimeHome(runtime.mode, deps.env ?? process.env, paths.home, {
        login: usesLogin(endpoint),
      });
      await writeRunConfig(runtime.mode, paths.home, {
        retries: deps.config.MOONMIND_AGENT_RETRIES,
        endpoint,
      });
      await deps.sandbox.enclose(paths);
      const context: TaskContext = {
        jobId,
        attempt,
        hostId: deps.hostId,
        repository: payload.repository,
        defaultBranch,
        startingBranch,
        workingBranch,
        baseCommit,
        runtime,
        skills,
        steps: steps.map((s) => ({
          id: s.id,
          title: s.title,
          effectiveSkill: effectiveSkill(payload, s).id,
        })),
        publishMode: payload.task.publish.mode,
        preparedAt: new Date().toISOString(),
      };
      await writeFile(
        join(paths.artifacts, artifactNames.taskContext),
        `${JSON.stringify(context, null, 2)}\n`,
      );

      events.emit({
        type: 'task.defaults.resolved',
        message: `Branch ${workingBranch} from ${from}; ${runtime.mode} ${runtime.model} (${runtime.effort})`,
        payload: { defaultBranch, startingBranch, workingBranch, newBranch, ...runtime },
      });
      events.emit({
        type: 'task.steps.plan',
        message: `${steps.length} step${steps.length === 1 ? '' : 's'}: ${steps.map((s) => s.id).join(', ')}`,
        payload: { stepCount: steps.length, stepIds: steps.map((s) => s.id) },
      });
      l.line(`prepared ${workingBranch} at ${baseCommit}`);
      await log.close();
      log = undefined;
      events.emit({ type: `${STAGE}.finished`, message: 'Workspace ready', payload: { workingBranch } });
      await ctx.wrapUp([artifactNames.prepareLog, artifactNames.taskContext]);
      return {
        hostId: deps.hostId,
        hostQueue: deps.hostQueue,
        workspace,
        defaultBranch,
        startingBranch,
        workingBranch,
        runtime,
        outageGraceMs: deps.config.MOONMIND_TEMPORAL_OUTAGE_GRACE,
      };
    } catch (err) {
      const message = (err as Error).message;
      log?.line(`prepare failed: ${message}`);
      await log?.close().catch(() => {});
      events.emit({
        level: 'error',
        type: `${STAGE}.failed`,
        message: `Prepare failed: ${message}`,
        payload: { error: message },
      });
      await ctx.wrapUp(log ? [artifactNames.prepareLog] : []);
      await deps.sandbox.release(workspace).catch(() => {});
      deps.slots.release(workspace);
      throw classify(err);
    } finally {
      clearInterval(beat);
      leave();
    }
  };
}

/**
 * The remote's branches (name → commit) and default branch as the bare clone just fetched them: read from the
 * clone's own refs instead of asking the remote again (each `ls-remote` is a network round trip). `head` is
 * the branch the remote's HEAD names.
 */
async function clonedBranches(
  opts: GitOptions,
): Promise<{ head: string | null; branches: Map<string, string> }> {
  const prefix = 'refs/heads/';
  const out = await git(['for-each-ref', '--format=%(refname)%00%(objectname)', prefix], opts);
  const branches = new Map<string, string>();
  for (const line of out.split('\n')) {
    const [ref, sha] = line.split('\0');
    if (ref?.startsWith(prefix)) branches.set(ref.slice(prefix.length), sha);
  }
  const symref = (await git(['symbolic-ref', '-q', 'HEAD'], opts).catch(() => '')).trim();
  return { head: symref.startsWith(prefix) ? symref.slice(prefix.length) : null, branches };
}

/**
 * The agent's own `.git` in its checkout: a clone sharing the worker's objects (nothing copied), on the
 * working branch, its origin the repository's URL (which carries no credential). The agent may do anything
 * there; the worker never reads it.
 */
async function agentCheckout(paths: WorkspacePaths, cloneUrl: string, base: Omit<GitOptions, 'cwd'>) {
  const staging = join(paths.root, 'agent-git');
  await git(['clone', '--quiet', '--shared', '--no-checkout', '--', paths.gitDir, staging], {
    ...base,
    cwd: paths.root,
  });
  await rename(join(staging, '.git'), join(paths.repo, '.git'));
  await rm(staging, { recursive: true, force: true });
  const agent = { ...base, cwd: paths.repo };
  await git(['remote', 'set-url', 'origin', cloneUrl], agent);
  await git(['reset', '--quiet'], agent);
}

/** Repository and branch problems repeat on every attempt: fail the run instead of retrying it. */
function classify(err: unknown): unknown {
  if (
    err instanceof GitError &&
    /not found|does not exist|does not appear to be a git repository|Authentication failed|could not read Username|403/i.test(
      err.stderr,
    )
  ) {
    return ApplicationFailure.nonRetryable(err.message, 'TaskFailure');
  }
  return err;
}

async function materializeSkill(id: string, skillsDir: string, skillsActive: string, log: LogFile) {
  if (!skillId.test(id))
    throw ApplicationFailure.nonRetryable(
      `skill id ${JSON.stringify(id)} is not a valid name`,
      'TaskFailure',
    );
  const from = join(skillsDir, id);
  if (!(await stat(from).catch(() => null))?.isDirectory()) {
    throw ApplicationFailure.nonRetryable(
      `skill ${id} is not installed on this worker (${from})`,
      'TaskFailure',
    );
  }
  await cp(from, join(skillsActive, id), { recursive: true, dereference: true });
  log.line(`skill ${id} materialized from ${from}`);
}

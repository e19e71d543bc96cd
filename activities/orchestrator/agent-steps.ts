import { execFile } from 'node:child_process';
import { readFile, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { ApplicationFailure } from '@temporalio/activity';
import type {
  AnalyzeResult,
  PatchInput,
  PatchResult,
  StepInput,
} from '../../contracts/orchestrator-activities.ts';
import { planSchema } from '../../contracts/orchestrator-run.ts';
import type { Attempts } from '../task/attempts.ts';
import { runAgent } from './agent.ts';
import { protectedFilesOf, refusalFor } from './allow-list.ts';
import type { OrchestratorActivityDeps } from './deps.ts';
import { analyzePrompt, PLAN_FILE, patchPrompt } from './prompts.ts';
import { inStep, runnerContext } from './scaffold.ts';
import { runnerFor } from './service/runners.ts';
import { applyChanges, changesOf, copyService, type OrchestratorPaths } from './workspace.ts';

const RECENT_LOG_LINES = 200;
const fail = (message: string) => ApplicationFailure.nonRetryable(message, 'OrchestratorStepFailure');

export function makeAgentSteps(
  deps: OrchestratorActivityDeps,
  attempts: Attempts,
  runnerSettings: Parameters<typeof runnerFor>[1],
) {
  /** analyze: the agent reads the service's files and recent logs and writes a typed plan, checked here. */
  async function analyzeService(input: StepInput): Promise<AnalyzeResult> {
    return inStep(deps, attempts, input, 'analyze.log', async (scope) => {
      const recentLogs = await runnerFor(scope.profile, runnerSettings)
        .recentLogs(runnerContext(scope), RECENT_LOG_LINES)
        .catch((err: Error) => [`(recent logs unavailable: ${err.message})`]);
      await copyService(scope.profile.root, scope.paths);
      const prompt = analyzePrompt({
        service: input.service,
        profile: scope.profile,
        instruction: input.instruction,
        recentLogs,
      });
      await runAgent(deps, scope.paths, prompt, scope.log, scope.signal);
      const text = await readFile(path.join(scope.paths.repo, PLAN_FILE), 'utf8').catch(() => null);
      if (text === null) throw fail(`the agent wrote no plan (${PLAN_FILE})`);
      let raw: unknown;
      try {
        raw = JSON.parse(text);
      } catch (err) {
        throw fail(`the plan is not JSON: ${(err as Error).message}`);
      }
      const parsed = planSchema.safeParse(raw);
      if (!parsed.success)
        throw fail(
          `the plan is invalid: ${parsed.error.issues.map((i) => `${i.path.join('.') || 'plan'}: ${i.message}`).join('; ')}`,
        );
      const plan = { ...parsed.data, approval: null };
      if (plan.targetService !== input.service)
        throw fail(`the plan targets ${plan.targetService}, not ${input.service}`);
      await writeFile(path.join(scope.paths.artifacts, 'plan.json'), `${JSON.stringify(plan, null, 2)}\n`);
      scope.keep('plan.json');
      scope.log(`plan: ${plan.steps.length} steps, files ${plan.files.join(', ') || '(none)'}`);
      const detail = `plan with ${plan.files.length} file${plan.files.length === 1 ? '' : 's'}: ${plan.rationale.split('\n')[0].slice(0, 200)}`;
      return { plan, protectedFiles: protectedFilesOf(plan.files, scope.profile), detail };
    });
  }

  /**
   * patch: the agent edits a fresh copy of the service's files; its changes reach the service only when every
   * one is allowed (editable globs; protected files only for an approved run of a profile that allows them).
   * Otherwise nothing is applied and the refused paths are the run's violations. The diff is kept.
   */
  async function patchService(input: PatchInput): Promise<PatchResult> {
    return inStep(deps, attempts, input, 'patch.log', async (scope) => {
      await copyService(scope.profile.root, scope.paths);
      await runAgent(
        deps,
        scope.paths,
        patchPrompt({ ...input, profile: scope.profile }),
        scope.log,
        scope.signal,
      );
      const changes = await changesOf(scope.paths);
      const violations = changes.flatMap((c) => {
        const why = refusalFor(c.path, scope.profile, input.approved);
        return why ? [`${c.path} (${why})`] : [];
      });
      for (const v of violations) scope.log(`refused: ${v}`);
      if (violations.length > 0)
        return {
          changed: [],
          violations,
          detail: `refused changes to ${violations.join(', ')}; nothing applied`,
        };
      const diff = await unifiedDiff(scope.profile.root, scope.paths, changes);
      await applyChanges(scope.profile.root, scope.paths, changes);
      await writeFile(path.join(scope.paths.artifacts, 'patch.diff'), diff);
      scope.keep('patch.diff');
      const changed = changes.map((c) => c.path);
      scope.log(`applied: ${changed.join(', ') || '(no change)'}`);
      return {
        changed,
        violations: [],
        detail: changed.length ? `changed ${changed.join(', ')}` : 'no change',
      };
    });
  }

  return { analyzeService, patchService };
}

/** The unified diff of the agent's changes against the service's files (before they are applied). */
async function unifiedDiff(
  root: string,
  paths: OrchestratorPaths,
  changes: { path: string; removed: boolean }[],
) {
  const parts: string[] = [];
  for (const c of changes) {
    const current = path.join(root, c.path);
    const before = (await stat(current).catch(() => null)) ? current : '/dev/null';
    const after = c.removed ? '/dev/null' : path.join(paths.repo, c.path);
    parts.push(await diff(['-u', '--label', `a/${c.path}`, '--label', `b/${c.path}`, before, after]));
  }
  return parts.join('');
}

function diff(args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile('diff', args, { maxBuffer: 64 * 1024 * 1024 }, (err, stdout) => {
      // diff exits 1 when the files differ: that is the answer, not an error.
      if (err && err.code !== 1) reject(err);
      else resolve(stdout);
    });
  });
}

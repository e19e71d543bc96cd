import { appendFile, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ApplicationFailure, CancelledFailure, Context } from '@temporalio/activity';
import type { StepInput, StepResult } from '../../contracts/activities.ts';
import type { RunState } from '../../contracts/controls.ts';
import { workflowIdFor } from '../../contracts/job.ts';
import { createLineRedactor } from '../../contracts/secrets.ts';
import { stateQuery } from '../../workflows/messages.ts';
import type { EventReporter } from '../reporting/event-reporter.ts';
import { buildInvocation } from '../runtimes/adapters.ts';
import { runProcessGroup } from '../runtimes/process-group.ts';
import { runtimeCommand } from '../runtimes/resolve.ts';
import { createStepOutput } from '../runtimes/summary.ts';
import type { Attempts } from './attempts.ts';
import type { TaskActivityDeps } from './deps.ts';
import { LogFile } from './log-file.ts';
import { buildStepPrompt, effectiveSkill } from './prompt.ts';
import { artifactNames } from './workspace.ts';

const EXECUTE = 'moonmind.task.execute';

/** The run's `state` query through the activity's own Temporal client; null where there is none. */
async function defaultRunState(jobId: string): Promise<RunState | null> {
  let client: Context['client'];
  try {
    client = Context.current().client;
  } catch {
    return null;
  }
  return client.workflow.getHandle(workflowIdFor(jobId)).query(stateQuery);
}

/** Operator messages go to the append-only inbox once each, even when a step is retried. */
async function deliverToInbox(inboxPath: string, messages: StepInput['operatorMessages']) {
  if (!messages.length) return;
  const existing = await readFile(inboxPath, 'utf8').catch(() => '');
  const seen = new Set(
    existing
      .split('\n')
      .filter(Boolean)
      .map((l) => (JSON.parse(l) as { requestId: string }).requestId),
  );
  const fresh = messages.filter((m) => !seen.has(m.requestId));
  if (fresh.length) await appendFile(inboxPath, fresh.map((m) => `${JSON.stringify(m)}\n`).join(''));
}

/**
 * One step: one runtime CLI invocation in the repo, its output streamed as `log` events and into the
 * step log. Hard pause stops the process group; cancellation interrupts then kills it.
 */
export function makeExecuteStep(deps: TaskActivityDeps, attempts: Attempts) {
  return async function executeStep(input: StepInput): Promise<StepResult> {
    const { jobId, attempt, workspace, step, stepIndex, stepCount, prepared } = input;
    const leave = deps.slots.enter(workspace, input);
    const ctx = attempts.get(jobId, attempt, workspace);
    const { events, paths } = ctx;
    const ac = Context.current();
    const skill = effectiveSkill(input.payload, step);
    const stepPayload = {
      stepIndex,
      stepId: step.id,
      effectiveSkill: skill.id,
      hasStepInstructions: Boolean(step.instructions?.trim()),
    };
    const logName = artifactNames.stepLog(stepIndex);
    const log = await LogFile.open(join(paths.artifacts, logName));
    // Heartbeats run until the very end: uploads after the agent exits may wait out an API outage.
    const beat = setInterval(() => ac.heartbeat({ stepIndex }), 1_000);
    let pauseWatch: NodeJS.Timeout | undefined;
    try {
      if (stepIndex === 0)
        events.emit({
          type: `${EXECUTE}.started`,
          message: `Executing ${stepCount} step(s)`,
          payload: { stepCount },
        });
      await deliverToInbox(paths.operatorInbox, input.operatorMessages);
      const prompt = buildStepPrompt(input, paths.operatorInbox);
      const invocation = buildInvocation({
        runtime: prepared.runtime.mode,
        command: runtimeCommand(prepared.runtime.mode, deps.config),
        prompt,
        repoDir: paths.repo,
        homeDir: paths.home,
        tmpDir: paths.tmp,
        model: prepared.runtime.model,
        effort: prepared.runtime.effort,
        baseEnv: deps.env ?? process.env,
        passEnv: deps.config.MOONMIND_AGENT_ENV,
      });
      const agent = await deps.sandbox.identity(paths.root);
      events.emit({
        type: 'task.step.started',
        message: `Step ${stepIndex + 1}/${stepCount} ${step.title ?? step.id} started`,
        payload: { ...stepPayload, title: step.title, operatorMessages: input.operatorMessages.length },
      });
      log.line(
        `# step ${stepIndex + 1}/${stepCount} ${step.id}: ${prepared.runtime.mode} ${prepared.runtime.model}`,
      );

      const output = createStepOutput(prepared.runtime.mode);
      const redactors = { stdout: createLineRedactor(), stderr: createLineRedactor() };
      const proc = runProcessGroup(invocation, {
        cwd: paths.repo,
        ...agent,
        signal: ac.cancellationSignal,
        graceMs: deps.killGraceMs ?? 3_000,
        read: (stream, line) => (stream === 'stdout' ? output.read(line) : null),
        onLine: (stream, raw, shown) => {
          // Redacted with the stream's state, so a private key printed over many lines is masked whole.
          const line = redactors[stream].line(raw);
          log.line(stream === 'stderr' ? `[stderr] ${line}` : line);
          // The line stays the message (and the log file's line); the display is for the panel.
          events.emit({
            level: shown?.kind === 'error' ? 'warn' : 'info',
            type: 'log',
            message: line,
            payload: {
              kind: 'log',
              stream,
              stepIndex,
              stepId: step.id,
              ...(shown ? { display: redactors[stream].rendering(shown.text), displayKind: shown.kind } : {}),
            },
          });
        },
      });
      pauseWatch = watchHardPause(deps, jobId, proc, events);

      const exit = await proc.done;
      clearInterval(pauseWatch);
      if (ac.cancellationSignal.aborted) {
        log.line('# step cancelled: process group stopped');
        events.emit({
          level: 'warn',
          type: 'task.step.failed',
          message: `Step ${step.id} cancelled`,
          payload: { ...stepPayload, cancelled: true },
        });
        throw new CancelledFailure('step cancelled');
      }
      if (exit.exitCode !== 0) {
        const why =
          exit.exitCode === null ? `was killed by ${exit.signal}` : `exited with code ${exit.exitCode}`;
        log.line(`# step failed: ${prepared.runtime.mode} ${why}`);
        events.emit({
          level: 'error',
          type: 'task.step.failed',
          message: `Step ${step.id} failed: ${prepared.runtime.mode} ${why}`,
          payload: { ...stepPayload, exitCode: exit.exitCode, signal: exit.signal },
        });
        throw ApplicationFailure.nonRetryable(
          `step ${step.id} failed: ${prepared.runtime.mode} ${why}`,
          'TaskFailure',
        );
      }
      const summary = output.summary();
      events.emit({
        type: 'task.step.finished',
        message: `Step ${stepIndex + 1}/${stepCount} ${step.title ?? step.id} finished`,
        payload: { ...stepPayload, summary },
      });
      return { exitCode: 0, summary };
    } catch (err) {
      if (!(err instanceof ApplicationFailure) && !(err instanceof CancelledFailure)) {
        const message = (err as Error).message;
        log.line(`# step error: ${message}`);
        events.emit({
          level: 'error',
          type: 'task.step.failed',
          message: `Step ${step.id} could not run: ${message}`,
          payload: { ...stepPayload, error: message },
        });
      }
      throw err;
    } finally {
      clearInterval(pauseWatch);
      try {
        await log.close();
        await ctx.wrapUp([logName]);
      } finally {
        clearInterval(beat);
        leave();
      }
    }
  };
}

/** Every few seconds: SIGSTOP the group while the run is hard-paused, SIGCONT when it is not. */
function watchHardPause(
  deps: TaskActivityDeps,
  jobId: string,
  proc: ReturnType<typeof runProcessGroup>,
  events: EventReporter,
): NodeJS.Timeout {
  const query = deps.queryRunState ?? defaultRunState;
  let busy = false;
  return setInterval(async () => {
    if (busy) return;
    busy = true;
    try {
      const state = await query(jobId);
      const hard = Boolean(state?.paused && state.pauseMode === 'hard');
      if (hard && !proc.suspended) {
        proc.suspend();
        events.emit({
          type: 'runtime.suspended',
          message: 'Hard pause: runtime process group stopped',
          payload: { pid: proc.pid },
        });
      } else if (!hard && proc.suspended) {
        proc.resume();
        events.emit({
          type: 'runtime.resumed',
          message: 'Runtime process group continued',
          payload: { pid: proc.pid },
        });
      }
    } catch {
      // The query failing (workflow busy, server blip) leaves the process as it is.
    } finally {
      busy = false;
    }
  }, deps.statePollMs ?? 2_000);
}

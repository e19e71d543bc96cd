import { join } from 'node:path';
import { ApplicationFailure, CancelledFailure, Context } from '@temporalio/activity';
import type { StepInput, StepResult } from '../../contracts/activities.ts';
import { createLineRedactor, REDACTED, redact } from '../../contracts/secrets.ts';
import { buildInvocation } from '../runtimes/adapters.ts';
import { modelEndpoint } from '../runtimes/endpoint.ts';
import { runtimeCommand } from '../runtimes/resolve.ts';
import { createStepOutput } from '../runtimes/summary.ts';
import { SecretReferenceError } from '../secrets/references.ts';
import type { Attempts } from './attempts.ts';
import { secretsOf, type TaskActivityDeps } from './deps.ts';
import { deliverAndReport } from './inbox.ts';
import { LogFile } from './log-file.ts';
import { buildStepPrompt, effectiveSkill } from './prompt.ts';
import type { RunningSteps } from './running-steps.ts';
import { type StepProcess, startStepProcess } from './step-process.ts';
import { stepWatchdog } from './step-watchdog.ts';
import { artifactNames } from './workspace.ts';

const EXECUTE = 'moonmind.task.execute';

/**
 * One step: one runtime CLI invocation in the repo, its output streamed as `log` events and into the
 * step log. Hard pause stops the process group; cancellation interrupts then kills it.
 */
export function makeExecuteStep(deps: TaskActivityDeps, attempts: Attempts, running: RunningSteps) {
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
    // Heartbeats run until the very end: uploads after the agent exits may wait out an API outage. They are
    // frequent because a cancellation reaches the step with the next heartbeat's answer (the host worker's
    // heartbeat throttle is short too, see workers/main.ts).
    const beat = setInterval(() => ac.heartbeat({ stepIndex }), 200);
    let unregister = () => {};
    let watchdog: ReturnType<typeof stepWatchdog> | undefined;
    let started: StepProcess | undefined;
    try {
      if (stepIndex === 0)
        events.emit({
          type: `${EXECUTE}.started`,
          message: `Executing ${stepCount} step(s)`,
          payload: { stepCount },
        });
      await deliverAndReport(paths.operatorInbox, input.operatorMessages, events, "the step's inbox");
      const prompt = buildStepPrompt(input, paths.operatorInbox);
      const endpoint = modelEndpoint(prepared.runtime.mode, deps.config);
      const apiKey = endpoint.keyRef ? await runtimeKey(endpoint.keyRef, secretsOf(deps)) : undefined;
      // Should the agent print its own key, it is masked like any credential the patterns know.
      const unkeyed = (text: string) => (apiKey ? text.split(apiKey).join(REDACTED) : text);
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
        baseUrl: endpoint.baseUrl,
        apiKey,
        retries: deps.config.MOONMIND_AGENT_RETRIES,
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
      let suspended = () => false;
      const dog = stepWatchdog({
        idleMs: deps.config.MOONMIND_STEP_IDLE_TIMEOUT,
        limitMs: deps.config.MOONMIND_STEP_TIMEOUT,
        suspended: () => suspended(),
      });
      watchdog = dog;
      started = startStepProcess(deps, ctx, input, invocation, {
        apiKey,
        cwd: paths.repo,
        ...agent,
        signal: AbortSignal.any([ac.cancellationSignal, dog.signal]),
        graceMs: deps.killGraceMs ?? 1_000,
        traceAttributes: {
          'moonmind.job_id': jobId,
          'moonmind.runtime': prepared.runtime.mode,
          'moonmind.model': prepared.runtime.model,
          'moonmind.step.index': stepIndex,
        },
        read: (stream, line) => {
          if (stream === 'stdout') return output.read(line);
          output.readStderr(line);
          return null;
        },
        onLine: (stream, raw, shown) => {
          // Redacted with the stream's state, so a private key printed over many lines is masked whole.
          const line = redactors[stream].line(unkeyed(raw));
          dog.output();
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
              ...(shown
                ? { display: redactors[stream].rendering(unkeyed(shown.text)), displayKind: shown.kind }
                : {}),
            },
          });
        },
      });
      const { proc } = started;
      suspended = () => proc.suspended;
      unregister = running.add(workspace, proc);

      const exit = await proc.done;
      dog.stop();
      if (dog.reason && !ac.cancellationSignal.aborted) {
        log.line(`# step stopped: ${dog.reason}`);
        events.emit({
          level: 'error',
          type: 'task.step.failed',
          message: `Step ${step.id} failed: ${dog.reason}`,
          payload: { ...stepPayload, stopped: dog.reason },
        });
        throw ApplicationFailure.nonRetryable(`step ${step.id} failed: ${dog.reason}`, 'TaskFailure');
      }
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
      if (exit.exitCode !== 0 || output.failed()) {
        const how =
          exit.exitCode === null
            ? `was killed by ${exit.signal}`
            : exit.exitCode === 0
              ? 'reported a failed run'
              : `exited with code ${exit.exitCode}`;
        // The CLI's own reason, redacted like its output: what an operator needs in the run's error.
        const agentError = output.lastError();
        const shownError = agentError ? redact(unkeyed(agentError)) : null;
        const why = `${prepared.runtime.mode} ${how}${shownError ? `: ${shownError}` : ''}`;
        log.line(`# step failed: ${why}`);
        events.emit({
          level: 'error',
          type: 'task.step.failed',
          message: `Step ${step.id} failed: ${why}`,
          payload: {
            ...stepPayload,
            exitCode: exit.exitCode,
            signal: exit.signal,
            agentError: shownError,
            usage: output.usage(),
          },
        });
        throw ApplicationFailure.nonRetryable(`step ${step.id} failed: ${why}`, 'TaskFailure');
      }
      const said = output.summary();
      const summary = said && unkeyed(said);
      events.emit({
        type: 'task.step.finished',
        message: `Step ${stepIndex + 1}/${stepCount} ${step.title ?? step.id} finished`,
        payload: { ...stepPayload, summary, usage: output.usage() },
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
      unregister();
      watchdog?.stop();
      try {
        const live = (await started?.finish().catch(() => [])) ?? [];
        await log.close();
        await ctx.wrapUp([logName, ...live]);
      } finally {
        clearInterval(beat);
        leave();
      }
    }
  };
}

/** The runtime key, resolved at the last moment; an unresolvable reference fails the run, naming it. */
export async function runtimeKey(ref: string, secrets: ReturnType<typeof secretsOf>): Promise<string> {
  try {
    return await secrets.resolve(ref);
  } catch (err) {
    if (err instanceof SecretReferenceError)
      throw ApplicationFailure.nonRetryable(err.message, 'TaskFailure');
    throw err;
  }
}

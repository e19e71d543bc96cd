import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { StepInput } from '../../contracts/activities.ts';
import { LIVE_SESSION_CAST } from '../../contracts/live-session.ts';
import { LiveTerminal } from '../live/terminal.ts';
import type { Invocation } from '../runtimes/adapters.ts';
import { type RunningProcess, type RunOptions, runProcessGroup } from '../runtimes/process-group.ts';
import { runPtyProcess } from '../runtimes/pty-process.ts';
import type { AttemptContext } from './attempts.ts';
import type { TaskActivityDeps } from './deps.ts';

/** The terminal a step's PTY gets (a viewer's resize changes it). */
const COLS = 120;
const ROWS = 40;

export interface StepProcess {
  proc: RunningProcess;
  /** After the process ended: the live session's end; the artifacts it adds to the step's upload. */
  finish(): Promise<string[]>;
}

/**
 * Start a step's runtime: headless (pipes) when live sessions are off on this worker, else under a PTY with a
 * live terminal linked to the API. Nothing of the live side may fail the step: a failure is one warning
 * event, and the step goes on (headless when the PTY itself cannot start).
 */
export function startStepProcess(
  deps: TaskActivityDeps,
  ctx: AttemptContext,
  input: StepInput,
  invocation: Invocation,
  opts: RunOptions & { apiKey?: string },
): StepProcess {
  const { config } = deps;
  const mode = config.MOONMIND_LIVE_SESSIONS_PER_WORKER === 0 ? 'off' : config.MOONMIND_LIVE_SESSIONS;
  const headless = (): StepProcess => ({ proc: runProcessGroup(invocation, opts), finish: async () => [] });
  if (mode === 'off') return headless();
  const warn = (reason: string) =>
    ctx.events.emit({
      level: 'warn',
      type: 'live_session.error',
      message: `Live session: ${reason}; the step goes on headless`,
      payload: { stepIndex: input.stepIndex, reason },
    });
  const castPath = join(ctx.paths.artifacts, LIVE_SESSION_CAST);
  let terminal: LiveTerminal | undefined;
  try {
    terminal = new LiveTerminal({
      cols: COLS,
      rows: ROWS,
      castPath,
      castTitle: `${input.jobId} step ${input.stepIndex + 1}`,
      secret: opts.apiKey,
      shell: { cwd: opts.cwd, uid: opts.uid, gid: opts.gid, env: invocation.env },
      link: {
        ...deps.api.liveSessionSocket(input.jobId),
        hello: {
          hostId: deps.hostId,
          attempt: input.attempt,
          stepIndex: input.stepIndex,
          autoStart: mode === 'always' || input.payload.task.liveSession === true,
          maxSessions: config.MOONMIND_LIVE_SESSIONS_PER_WORKER,
        },
      },
      warn,
    });
    const live = terminal;
    const proc = runPtyProcess(invocation, {
      ...opts,
      tmpDir: ctx.paths.tmp,
      cols: COLS,
      rows: ROWS,
      onOutput: (data) => live.agentOutput(data),
    });
    live.attachAgent(proc);
    return {
      proc,
      async finish() {
        await live.close();
        return existsSync(castPath) ? [LIVE_SESSION_CAST] : [];
      },
    };
  } catch (err) {
    warn(`the terminal could not start: ${(err as Error).message}`);
    void terminal?.close();
    return headless();
  }
}

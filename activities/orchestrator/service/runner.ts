import type { ServiceProfile } from '../../../contracts/service-profiles.ts';

/**
 * One interface over the two ways a service is driven (spec 08): `compose` (docker compose build/up/ps) and
 * `process` (shell commands and a pid file). The step activities call these; each call writes its output
 * to `log` as it comes (the step's kept log and its events) and stops its process group on `signal`.
 */
export interface RunnerContext {
  name: string;
  profile: ServiceProfile;
  /** The profile's root, resolved to an absolute path. */
  root: string;
  /** One line of output (already without secrets: the runner's env holds none of the worker's). */
  log: (line: string) => void;
  /** Aborted when the step is cancelled: the running command's process group is killed. */
  signal: AbortSignal;
}

export interface CommandOutcome {
  ok: boolean;
  /** Exit code, or null when killed/timed out. */
  exitCode: number | null;
  durationMs: number;
  /** For people: "exit 0 in 1.2 s", "timed out after 600 s", "cancelled". */
  detail: string;
}

export interface ServiceState {
  running: boolean;
  /** "pid 4242 running", "container api Up 3 seconds (healthy)", "exited (1)". */
  detail: string;
}

export interface ServiceRunner {
  build(ctx: RunnerContext): Promise<CommandOutcome>;
  /** Stop the running instance (if any) and start the current files. */
  restart(ctx: RunnerContext): Promise<CommandOutcome>;
  state(ctx: RunnerContext): Promise<ServiceState>;
  /** Recent runtime logs for analyze (at most maxLines). */
  recentLogs(ctx: RunnerContext, maxLines: number): Promise<string[]>;
}

import type { JobStatus } from '../contracts/status.ts';

/**
 * The CLI's exit codes (docs/cli.md). A run's outcome maps to its own code so a script can tell a failed
 * task from a cancelled one or an infrastructure give-up without parsing output.
 */
export const exitCodes = {
  ok: 0,
  /** The run failed (`submit --wait`, `logs -f`); an admin command failed. */
  failed: 1,
  /** Bad flags or an invalid submission (checked locally, or the API's 400): nothing was done. */
  usage: 2,
  cancelled: 3,
  deadLetter: 4,
  /** The API could not be reached, refused the token, or answered an error (401, 403, 404, 5xx). */
  api: 5,
  /** The API refused the action for the job's state (409): cancelling a finished run, pausing a paused one. */
  conflict: 6,
} as const;
export type ExitCode = (typeof exitCodes)[keyof typeof exitCodes];

/** The exit code of a run that ended with this status (0 while it has not ended). */
export function exitCodeOf(status: JobStatus): ExitCode {
  switch (status) {
    case 'failed':
      return exitCodes.failed;
    case 'cancelled':
      return exitCodes.cancelled;
    case 'dead_letter':
      return exitCodes.deadLetter;
    default:
      return exitCodes.ok;
  }
}

/** An error the CLI reports as its message (no stack) and exits with `code`. */
export class CliError extends Error {
  constructor(
    message: string,
    readonly code: ExitCode,
  ) {
    super(message);
  }
}
export const usageError = (message: string) => new CliError(message, exitCodes.usage);

import { ApplicationFailure, CancelledFailure } from '@temporalio/activity';
import { createLineRedactor, REDACTED, redact } from '../../contracts/secrets.ts';
import { buildInvocation } from '../runtimes/adapters.ts';
import { modelEndpoint, usesLogin } from '../runtimes/endpoint.ts';
import { seedRuntimeHome } from '../runtimes/home.ts';
import { runProcessGroup } from '../runtimes/process-group.ts';
import { runtimeCommand } from '../runtimes/resolve.ts';
import { writeRunConfig } from '../runtimes/run-config.ts';
import { createStepOutput } from '../runtimes/summary.ts';
import { secretsOf } from '../task/deps.ts';
import { runtimeKey } from '../task/execute-step.ts';
import type { OrchestratorActivityDeps } from './deps.ts';
import type { OrchestratorPaths } from './workspace.ts';

/**
 * One agent CLI run for analyze or patch: the same adapters, isolation and redaction as a task step (the
 * runtime's own home and settings, the agent user with the run's group, the key resolved at the last
 * moment and masked in output), in the copy of the service's files. Throws a non-retryable failure naming
 * the CLI's reason when it fails; a cancellation stops its process group and throws CancelledFailure.
 */
export async function runAgent(
  deps: OrchestratorActivityDeps,
  paths: OrchestratorPaths,
  prompt: string,
  log: (line: string) => void,
  signal: AbortSignal,
): Promise<string | null> {
  const runtime = deps.runtime;
  const config = deps.config;
  const endpoint = modelEndpoint(runtime, config);
  await seedRuntimeHome(runtime, deps.env ?? process.env, paths.home, { login: usesLogin(endpoint) });
  await writeRunConfig(runtime, paths.home, { retries: config.MOONMIND_AGENT_RETRIES, endpoint });
  await deps.sandbox.enclose(paths);
  const apiKey = endpoint.keyRef ? await runtimeKey(endpoint.keyRef, secretsOf(deps)) : undefined;
  const unkeyed = (text: string) => (apiKey ? text.split(apiKey).join(REDACTED) : text);
  const models = {
    codex: config.MOONMIND_CODEX_MODEL,
    claude: config.MOONMIND_CLAUDE_MODEL,
    gemini: config.MOONMIND_GEMINI_MODEL,
  };
  const invocation = buildInvocation({
    runtime,
    command: runtimeCommand(runtime, config),
    prompt,
    repoDir: paths.repo,
    homeDir: paths.home,
    tmpDir: paths.tmp,
    model: models[runtime],
    effort: config.MOONMIND_DEFAULT_EFFORT,
    baseEnv: deps.env ?? process.env,
    passEnv: config.MOONMIND_AGENT_ENV,
    baseUrl: endpoint.baseUrl,
    apiKey,
    retries: config.MOONMIND_AGENT_RETRIES,
  });
  const output = createStepOutput(runtime);
  const redactors = { stdout: createLineRedactor(), stderr: createLineRedactor() };
  log(`# ${runtime} ${models[runtime]} in a copy of the service's files`);
  try {
    const proc = runProcessGroup(invocation, {
      cwd: paths.repo,
      ...(await deps.sandbox.identity(paths.root)),
      signal,
      graceMs: deps.killGraceMs ?? 1_000,
      read: (stream, line) => {
        if (stream === 'stdout') return output.read(line);
        output.readStderr(line);
        return null;
      },
      onLine: (stream, raw) => {
        const line = redactors[stream].line(unkeyed(raw));
        log(stream === 'stderr' ? `[stderr] ${line}` : line);
      },
    });
    const exit = await proc.done;
    if (signal.aborted) {
      log('# agent cancelled: process group stopped');
      throw new CancelledFailure('agent cancelled');
    }
    if (exit.exitCode !== 0 || output.failed()) {
      const how =
        exit.exitCode === null ? `was killed by ${exit.signal}` : `exited with code ${exit.exitCode}`;
      const said = output.lastError();
      const why = `${runtime} ${exit.exitCode === 0 ? 'reported a failed run' : how}${said ? `: ${redact(unkeyed(said))}` : ''}`;
      log(`# agent failed: ${why}`);
      throw ApplicationFailure.nonRetryable(why, 'OrchestratorStepFailure');
    }
    const summary = output.summary();
    return summary && unkeyed(summary);
  } finally {
    // The agent is done with the copy: its group goes back (the workspace is shut to every agent).
    await deps.sandbox.release(paths.root);
  }
}

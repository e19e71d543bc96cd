import { splitCommand } from '../../runtimes/command.ts';
import { runCommand } from './command.ts';
import type { CommandOutcome, RunnerContext, ServiceRunner, ServiceState } from './runner.ts';

/** How long `ps` and `logs` may take (build and up take the profile's timeouts). */
const queryTimeoutMs = 60_000;

/**
 * The `compose` runner (the default for deployments): `docker compose -f <file> [-p <project>]` with
 * `build <service>`, `up -d --no-deps <service>`, `ps --all --format json <service>` and `logs`.
 * `dockerCommand` is MOONMIND_DOCKER_COMMAND (`docker`, or a path, or a double in tests).
 */
export function composeRunner(dockerCommand: string, env: Record<string, string>): ServiceRunner {
  const docker = splitCommand(dockerCommand);
  const run = (ctx: RunnerContext, args: string[], timeoutMs: number, onLine?: (line: string) => void) =>
    runCommand(ctx, { file: docker.file, args: [...docker.args, ...args], env, timeoutMs, onLine });
  return {
    build: (ctx) => run(ctx, composeArgs(ctx, 'build'), seconds(ctx.profile.build?.timeoutSeconds)),
    restart: (ctx) =>
      run(ctx, composeArgs(ctx, 'up', '-d', '--no-deps'), seconds(ctx.profile.start?.timeoutSeconds)),

    async state(ctx): Promise<ServiceState> {
      const out: string[] = [];
      const outcome = await run(
        ctx,
        composeArgs(ctx, 'ps', '--all', '--format', 'json'),
        queryTimeoutMs,
        (l) => out.push(l),
      );
      if (!outcome.ok) return { running: false, detail: `docker compose ps failed: ${outcome.detail}` };
      try {
        return containerState(serviceOf(ctx), parsePs(out.join('\n')));
      } catch (err) {
        return { running: false, detail: (err as Error).message };
      }
    },

    async recentLogs(ctx, maxLines) {
      const out: string[] = [];
      const outcome: CommandOutcome = await run(
        ctx,
        composeArgs(ctx, 'logs', '--no-color', '--tail', String(maxLines)),
        queryTimeoutMs,
        (l) => out.push(l),
      );
      if (!outcome.ok) out.push(`(docker compose logs: ${outcome.detail})`);
      return out.slice(-maxLines);
    },
  };
}

const seconds = (s: number | undefined) => (s ?? 600) * 1000;
const serviceOf = (ctx: RunnerContext) => ctx.profile.compose?.service ?? ctx.name;

/** `compose -f <file> [-p <project>] <sub…> <service>`. */
export function composeArgs(ctx: RunnerContext, ...sub: string[]): string[] {
  const compose = ctx.profile.compose;
  return [
    'compose',
    '-f',
    compose?.file ?? 'docker-compose.yml',
    ...(compose?.project ? ['-p', compose.project] : []),
    ...sub,
    serviceOf(ctx),
  ];
}

/** One container of `docker compose ps --format json` (the fields used). */
export interface PsEntry {
  Name?: string;
  Service?: string;
  State?: string;
  Status?: string;
  Health?: string;
  ExitCode?: number;
}

/**
 * `docker compose ps --format json` prints one JSON object per line (Compose v2.21+) or one JSON array
 * (earlier v2 releases); both are read. Anything else is an error naming what came back.
 */
export function parsePs(output: string): PsEntry[] {
  const text = output.trim();
  if (!text) return [];
  try {
    if (text.startsWith('[')) return JSON.parse(text) as PsEntry[];
    return text
      .split('\n')
      .filter((l) => l.trim())
      .map((l) => JSON.parse(l) as PsEntry);
  } catch {
    throw new Error(`docker compose ps printed no JSON: ${text.slice(0, 200)}`);
  }
}

/** Running when a container of the service is running (and not unhealthy by its own healthcheck). */
export function containerState(service: string, entries: PsEntry[]): ServiceState {
  const mine = entries.filter((e) => (e.Service ?? service) === service);
  if (mine.length === 0) return { running: false, detail: `no container for service ${service}` };
  const running = mine.find((e) => e.State === 'running' && e.Health !== 'unhealthy');
  const shown = running ?? mine[0];
  const detail = `container ${shown.Name ?? service} ${shown.State ?? 'unknown'}${shown.Status ? ` (${shown.Status})` : ''}`;
  return { running: Boolean(running), detail };
}

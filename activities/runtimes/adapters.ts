import type { Runtime } from '../../contracts/task.ts';
import { splitCommand } from './command.ts';

export interface InvocationInput {
  runtime: Runtime;
  /** The configured command, e.g. `codex` or `node /path/fake-agent.mjs`. */
  command: string;
  prompt: string;
  repoDir: string;
  homeDir: string;
  model: string;
  effort: string;
  /** The worker's environment; credentials meant for the worker itself are removed before the agent sees it. */
  baseEnv: NodeJS.ProcessEnv;
}

export interface Invocation {
  file: string;
  args: string[];
  env: Record<string, string>;
}

/** Worker-only credentials: the agent is told not to push, so it gets no forge or MoonMind token. */
const workerOnlyEnv = [
  'MOONMIND_WORKER_TOKEN',
  'MOONMIND_ADMIN_TOKEN',
  'MOONMIND_GIT_TOKEN',
  'GITHUB_TOKEN',
  'GH_TOKEN',
  'DATABASE_URL',
];

/**
 * The real non-interactive command lines (shared/notes/agent-clis.md): edits allowed, no approval
 * prompts, machine-readable streamed output, the model named explicitly.
 */
export function buildInvocation(input: InvocationInput): Invocation {
  const { file, args: lead } = splitCommand(input.command);
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(input.baseEnv)) {
    if (v !== undefined && !workerOnlyEnv.includes(k)) env[k] = v;
  }
  // HOME is the workspace's own; the CLIs' login state stays where the operator put it.
  const realHome = input.baseEnv.HOME;
  if (realHome && input.runtime === 'codex' && !env.CODEX_HOME) env.CODEX_HOME = `${realHome}/.codex`;
  if (realHome && input.runtime === 'claude' && !env.CLAUDE_CONFIG_DIR)
    env.CLAUDE_CONFIG_DIR = `${realHome}/.claude`;
  env.HOME = input.homeDir;
  let args: string[];
  switch (input.runtime) {
    case 'codex':
      args = [
        'exec',
        '--skip-git-repo-check',
        '--dangerously-bypass-approvals-and-sandbox',
        '--ephemeral',
        '--color',
        'never',
        '--json',
        '-C',
        input.repoDir,
        '-m',
        input.model,
        '-c',
        `model_reasoning_effort=${input.effort}`,
        input.prompt,
      ];
      break;
    case 'claude':
      // Claude Code refuses to skip permissions as root unless it is told it runs in a sandbox.
      env.IS_SANDBOX = '1';
      args = [
        '-p',
        '--output-format',
        'stream-json',
        '--verbose',
        '--model',
        input.model,
        '--dangerously-skip-permissions',
        input.prompt,
      ];
      break;
    case 'gemini':
      // Headless Gemini exits unless the workspace is trusted; no relaunch keeps one process to signal.
      env.GEMINI_CLI_TRUST_WORKSPACE = 'true';
      env.GEMINI_CLI_NO_RELAUNCH = 'true';
      args = ['-m', input.model, '--yolo', '-o', 'stream-json', '-p', input.prompt];
      break;
  }
  return { file, args: [...lead, ...args], env };
}

import { join } from 'node:path';
import type { Runtime } from '../../contracts/task.ts';
import { splitCommand } from './command.ts';

export interface InvocationInput {
  runtime: Runtime;
  /** The configured command, e.g. `codex` or `node /path/fake-agent.mjs`. */
  command: string;
  prompt: string;
  repoDir: string;
  /** The workspace's `home` and `tmp`: the agent's HOME and TMPDIR. */
  homeDir: string;
  tmpDir: string;
  model: string;
  effort: string;
  /** The worker's environment: only the allow-listed names below are taken from it. */
  baseEnv: NodeJS.ProcessEnv;
  /** Further names to pass through (MOONMIND_AGENT_ENV: proxies, CA bundles, test knobs). */
  passEnv?: string[];
}

export interface Invocation {
  file: string;
  args: string[];
  env: Record<string, string>;
  /**
   * Written to the CLI's standard input, then closed: the prompt never travels in argv, where the kernel's
   * argument limit refuses a large one (`spawn E2BIG`) and `/proc/<pid>/cmdline` shows it to every local user.
   */
  stdin: string;
}

/** What any program needs to run sensibly; nothing of the worker's own settings. */
const commonEnv = ['PATH', 'LANG', 'LC_ALL', 'TZ', 'TERM'];

/**
 * The settings each CLI documents for its endpoint and credentials (shared/notes/agent-clis.md): an agent
 * gets its own runtime's, never another runtime's keys, nor the worker's MOONMIND_*, TEMPORAL_*,
 * DATABASE_URL or forge tokens.
 */
export const runtimeEnv: Record<Runtime, string[]> = {
  codex: ['OPENAI_API_KEY', 'CODEX_API_KEY', 'OPENAI_BASE_URL', 'OPENAI_ORGANIZATION', 'OPENAI_PROJECT'],
  claude: [
    'ANTHROPIC_API_KEY',
    'ANTHROPIC_AUTH_TOKEN',
    'ANTHROPIC_BASE_URL',
    'ANTHROPIC_CUSTOM_HEADERS',
    'CLAUDE_CODE_MAX_RETRIES',
    'CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC',
    'DISABLE_TELEMETRY',
    'API_TIMEOUT_MS',
  ],
  gemini: [
    'GEMINI_API_KEY',
    'GOOGLE_API_KEY',
    'GOOGLE_GEMINI_BASE_URL',
    'GOOGLE_CLOUD_PROJECT',
    'GOOGLE_CLOUD_LOCATION',
    'GOOGLE_GENAI_USE_VERTEXAI',
  ],
};

/**
 * The real non-interactive command lines (shared/notes/agent-clis.md): edits allowed, no approval
 * prompts, machine-readable streamed output, the model named explicitly.
 */
export function buildInvocation(input: InvocationInput): Invocation {
  const { file, args: lead } = splitCommand(input.command);
  const env: Record<string, string> = {};
  for (const name of [...commonEnv, ...runtimeEnv[input.runtime], ...(input.passEnv ?? [])]) {
    const value = input.baseEnv[name];
    if (value !== undefined) env[name] = value;
  }
  env.HOME = input.homeDir;
  env.TMPDIR = input.tmpDir;
  // The login and settings prepare copied into the workspace home (home.ts): the operator's own are not
  // readable by the agent user, and a run must not write into them.
  if (input.runtime === 'codex') env.CODEX_HOME = join(input.homeDir, '.codex');
  if (input.runtime === 'claude') env.CLAUDE_CONFIG_DIR = join(input.homeDir, '.claude');
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
        // `-`: the prompt is read from standard input.
        '-',
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
        // No prompt argument: `claude -p` reads it from standard input.
      ];
      break;
    case 'gemini':
      // Headless Gemini exits unless the workspace is trusted; no relaunch keeps one process to signal.
      env.GEMINI_CLI_TRUST_WORKSPACE = 'true';
      env.GEMINI_CLI_NO_RELAUNCH = 'true';
      // An empty -p: the prompt comes from standard input.
      args = ['-m', input.model, '--yolo', '-o', 'stream-json', '-p', ''];
      break;
  }
  return { file, args: [...lead, ...args], env, stdin: input.prompt };
}

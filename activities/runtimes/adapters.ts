import { join } from 'node:path';
import type { Runtime } from '../../contracts/task.ts';
import { splitCommand } from './command.ts';
import { keyVariables, vendorBaseUrls } from './endpoint.ts';

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
  /** `MOONMIND_<RUNTIME>_BASE_URL`; unset: the vendor's endpoint. */
  baseUrl?: string;
  /** The resolved `MOONMIND_<RUNTIME>_API_KEY_REF`: handed over in the CLI's own key variable only. */
  apiKey?: string;
  /** `MOONMIND_AGENT_RETRIES`: retries of a failed model request. */
  retries: number;
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
export const commonEnv = ['PATH', 'LANG', 'LC_ALL', 'TZ', 'TERM'];

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
  demo: [],
};

/** codex's provider for a configured endpoint or key (the built-in `openai` cannot be overridden). */
const codexProvider = 'moonmind';

/**
 * codex `-c` overrides: bounded retries (`--disable unbounded_connection_retries` otherwise reconnects
 * forever), no calls home, and the MoonMind provider when an endpoint or key is configured. They outrank the
 * operator's copied config.toml, so nothing is merged into a file.
 */
function codexSettings(input: InvocationInput, env: Record<string, string>): string[] {
  const c = (kv: string) => ['-c', kv];
  const args = [
    ...['--disable', 'unbounded_connection_retries', '--disable', 'plugins'],
    ...c('analytics.enabled=false'),
    ...c('otel.metrics_exporter="none"'),
    ...c('check_for_update_on_startup=false'),
  ];
  if (input.baseUrl === undefined && input.apiKey === undefined) return args;
  const p = `model_providers.${codexProvider}`;
  args.push(
    ...c(`model_provider=${codexProvider}`),
    ...c(`${p}.name="MoonMind"`),
    ...c(`${p}.base_url=${JSON.stringify(input.baseUrl ?? vendorBaseUrls.codex)}`),
    ...c(`${p}.wire_api="responses"`),
    ...c(`${p}.request_max_retries=${input.retries}`),
    ...c(`${p}.stream_max_retries=${input.retries}`),
  );
  if (input.apiKey !== undefined) {
    // codex reads the key from the variable the provider names: the value never enters argv.
    args.push(...c(`${p}.env_key="${keyVariables.codex}"`));
    env[keyVariables.codex] = input.apiKey;
  }
  return args;
}

/** Claude Code's settings are environment variables: bounded retries, no telemetry, updates or reports. */
function claudeSettings(input: InvocationInput, env: Record<string, string>): void {
  env.CLAUDE_CODE_MAX_RETRIES = String(input.retries);
  env.DISABLE_TELEMETRY = '1';
  env.DISABLE_AUTOUPDATER = '1';
  env.DISABLE_ERROR_REPORTING = '1';
  env.CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC = '1';
  if (input.baseUrl !== undefined) env.ANTHROPIC_BASE_URL = input.baseUrl;
  if (input.apiKey !== undefined) env[keyVariables.claude] = input.apiKey;
}

/** Gemini's retries and quiet settings are in its per-run settings.json (run-config.ts). */
function geminiSettings(input: InvocationInput, env: Record<string, string>): void {
  if (input.baseUrl !== undefined) env.GOOGLE_GEMINI_BASE_URL = input.baseUrl;
  if (input.apiKey !== undefined) env[keyVariables.gemini] = input.apiKey;
}

/**
 * The real non-interactive command lines (shared/notes/agent-clis.md): edits allowed, no approval
 * prompts, machine-readable streamed output, the model named explicitly, nothing kept after the run.
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
        ...codexSettings(input, env),
        // `-`: the prompt is read from standard input.
        '-',
      ];
      break;
    case 'claude':
      // Claude Code refuses to skip permissions as root unless it is told it runs in a sandbox.
      env.IS_SANDBOX = '1';
      claudeSettings(input, env);
      args = [
        '-p',
        '--output-format',
        'stream-json',
        '--verbose',
        '--model',
        input.model,
        '--dangerously-skip-permissions',
        // Else every session's transcript is kept under the config dir's projects/.
        '--no-session-persistence',
        // No prompt argument: `claude -p` reads it from standard input.
      ];
      break;
    case 'gemini':
      // Headless Gemini exits unless the workspace is trusted; no relaunch keeps one process to signal.
      env.GEMINI_CLI_TRUST_WORKSPACE = 'true';
      env.GEMINI_CLI_NO_RELAUNCH = 'true';
      geminiSettings(input, env);
      // An empty -p: the prompt comes from standard input.
      args = ['-m', input.model, '--yolo', '-o', 'stream-json', '-p', ''];
      break;
    case 'demo':
      // The scripted agent reads the prompt from standard input too, and prints plain lines.
      args = [];
      break;
  }
  return { file, args: [...lead, ...args], env, stdin: input.prompt };
}

import { fileURLToPath } from 'node:url';
import type { WorkerConfig } from '../../contracts/config.ts';
import type { Runtime, TaskPayload } from '../../contracts/task.ts';

/** The `demo` runtime: this Node.js running the scripted agent shipped with the product. */
const demoAgentCommand = `"${process.execPath}" "${fileURLToPath(new URL('./demo-agent.mjs', import.meta.url))}"`;

export interface ResolvedRuntime {
  mode: Runtime;
  model: string;
  effort: string;
}

type RuntimeSettings = Pick<
  WorkerConfig,
  | 'MOONMIND_CODEX_MODEL'
  | 'MOONMIND_GEMINI_MODEL'
  | 'MOONMIND_CLAUDE_MODEL'
  | 'MOONMIND_DEFAULT_EFFORT'
  | 'MOONMIND_CODEX_COMMAND'
  | 'MOONMIND_GEMINI_COMMAND'
  | 'MOONMIND_CLAUDE_COMMAND'
>;

/** Model and effort are resolved when the run executes: the payload's value, else this worker's default. */
export function resolveRuntime(payload: TaskPayload, config: RuntimeSettings): ResolvedRuntime {
  const mode = payload.task.runtime.mode ?? payload.targetRuntime;
  const defaults: Record<Runtime, string> = {
    codex: config.MOONMIND_CODEX_MODEL,
    gemini: config.MOONMIND_GEMINI_MODEL,
    claude: config.MOONMIND_CLAUDE_MODEL,
    demo: 'scripted',
  };
  return {
    mode,
    model: payload.task.runtime.model ?? defaults[mode],
    effort: payload.task.runtime.effort ?? config.MOONMIND_DEFAULT_EFFORT,
  };
}

export function runtimeCommand(mode: Runtime, config: RuntimeSettings): string {
  const commands: Record<Runtime, string> = {
    codex: config.MOONMIND_CODEX_COMMAND,
    gemini: config.MOONMIND_GEMINI_COMMAND,
    claude: config.MOONMIND_CLAUDE_COMMAND,
    demo: demoAgentCommand,
  };
  return commands[mode];
}

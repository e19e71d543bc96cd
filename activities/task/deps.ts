import type { WorkerConfig } from '../../contracts/config.ts';
import type { WorkerApiClient } from '../reporting/api-client.ts';
import type { AgentSandbox } from '../runtimes/sandbox.ts';
import { type SecretResolver, secretResolver } from '../secrets/references.ts';
import type { RunSlots } from './run-slots.ts';

/** What the task activities need from the worker process that registers them. */
export interface TaskActivityDeps {
  config: WorkerConfig;
  hostId: string;
  hostQueue: string;
  api: WorkerApiClient;
  slots: RunSlots;
  /** Who agents run as and what they may touch in their workspace. */
  sandbox: AgentSandbox;
  /** Capabilities this host verified; when given, prepare refuses a run that needs more. */
  capabilities?: string[];
  /** The worker's environment: forge token, the agent's allow-listed variables. Default process.env. */
  env?: NodeJS.ProcessEnv;
  /** Grace between SIGINT and SIGKILL when a step is cancelled (default 1000 ms). */
  killGraceMs?: number;
  log?: (level: 'info' | 'warn' | 'error', message: string) => void;
  /** Whether Temporal answers now: activity results wait for it through outages (see through-outages.ts). */
  temporalReachable?: () => Promise<boolean>;
  /** Resolves `auth.*Ref` and forge token references; default: this worker's environment and Vault settings. */
  secrets?: SecretResolver;
}

/** The worker's secret resolver: its environment for `env://`, its Vault settings for `vault://`. */
export function secretsOf(deps: Pick<TaskActivityDeps, 'config' | 'env' | 'secrets'>): SecretResolver {
  deps.secrets ??= secretResolver(deps.env ?? process.env, {
    addr: deps.config.MOONMIND_VAULT_ADDR,
    token: deps.config.MOONMIND_VAULT_TOKEN,
    tokenFile: deps.config.MOONMIND_VAULT_TOKEN_FILE,
    namespace: deps.config.MOONMIND_VAULT_NAMESPACE,
  });
  return deps.secrets;
}

import type { WorkerConfig } from '../../contracts/config.ts';
import type { ModelRuntime, Runtime } from '../../contracts/task.ts';

type EndpointSettings = Pick<
  WorkerConfig,
  | 'MOONMIND_CODEX_BASE_URL'
  | 'MOONMIND_CLAUDE_BASE_URL'
  | 'MOONMIND_GEMINI_BASE_URL'
  | 'MOONMIND_CODEX_API_KEY_REF'
  | 'MOONMIND_CLAUDE_API_KEY_REF'
  | 'MOONMIND_GEMINI_API_KEY_REF'
>;

/** Where a runtime's model lives, as the worker is configured: unset fields mean the vendor's own. */
export interface ModelEndpoint {
  /** `MOONMIND_<RUNTIME>_BASE_URL`: a proxy or a local server instead of the vendor's endpoint. */
  baseUrl?: string;
  /** `MOONMIND_<RUNTIME>_API_KEY_REF`: resolved on the worker just before the CLI starts. */
  keyRef?: string;
}

/** The vendors' endpoints, in each CLI's own base-URL form (codex's includes `/v1`, the others' do not). */
export const vendorBaseUrls: Record<ModelRuntime, string> = {
  codex: 'https://api.openai.com/v1',
  claude: 'https://api.anthropic.com',
  gemini: 'https://generativelanguage.googleapis.com',
};

/**
 * The one variable each CLI reads the key from. codex takes it through its provider's `env_key`, so the
 * name is ours to choose; the conventional one keeps gateways' docs applicable.
 */
export const keyVariables: Record<ModelRuntime, string> = {
  codex: 'OPENAI_API_KEY',
  claude: 'ANTHROPIC_API_KEY',
  gemini: 'GEMINI_API_KEY',
};

export function modelEndpoint(runtime: Runtime, config: EndpointSettings): ModelEndpoint {
  const settings: Record<Runtime, ModelEndpoint> = {
    codex: { baseUrl: config.MOONMIND_CODEX_BASE_URL, keyRef: config.MOONMIND_CODEX_API_KEY_REF },
    claude: { baseUrl: config.MOONMIND_CLAUDE_BASE_URL, keyRef: config.MOONMIND_CLAUDE_API_KEY_REF },
    gemini: { baseUrl: config.MOONMIND_GEMINI_BASE_URL, keyRef: config.MOONMIND_GEMINI_API_KEY_REF },
    // The scripted demo agent talks to no model.
    demo: {},
  };
  return settings[runtime];
}

/**
 * The CLI's own login (OAuth files copied from the operator's home) is used only against the vendor's
 * endpoint: a proxy or local server never receives the operator's vendor credentials.
 */
export const usesLogin = (endpoint: ModelEndpoint): boolean => !endpoint.baseUrl;

import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildInvocation, type InvocationInput } from '../../activities/runtimes/adapters.ts';
import { modelEndpoint, usesLogin } from '../../activities/runtimes/endpoint.ts';
import { seedRuntimeHome } from '../../activities/runtimes/home.ts';
import { writeRunConfig } from '../../activities/runtimes/run-config.ts';
import { ConfigError, loadWorkerConfig } from '../../contracts/config.ts';
import type { Runtime } from '../../contracts/task.ts';

// Assembled at run time: a credential-shaped literal in a tracked file would trip the redaction scan.
const key = ['sk', 'moonmind-test-0123456789abcdef'].join('-');
const base: Omit<InvocationInput, 'runtime' | 'command'> = {
  prompt: 'Fix it',
  repoDir: '/ws/repo',
  homeDir: '/ws/home',
  tmpDir: '/ws/tmp',
  model: 'm-1',
  effort: 'low',
  retries: 2,
  baseEnv: {
    PATH: '/usr/bin',
    OPENAI_API_KEY: 'operator-key',
    ANTHROPIC_BASE_URL: 'https://operator.example',
  },
};
const invoke = (runtime: Runtime, more: Partial<InvocationInput> = {}) =>
  buildInvocation({ ...base, runtime, command: runtime, ...more });

describe('model endpoint settings', () => {
  it('parses the per-runtime base URLs, key references and retries; refuses credentials in a URL', () => {
    const config = loadWorkerConfig({
      MOONMIND_CODEX_BASE_URL: 'http://127.0.0.1:9/v1/',
      MOONMIND_CLAUDE_API_KEY_REF: 'vault://kv/models#anthropic',
      MOONMIND_AGENT_RETRIES: '0',
    });
    expect(modelEndpoint('codex', config)).toEqual({ baseUrl: 'http://127.0.0.1:9/v1', keyRef: undefined });
    expect(modelEndpoint('claude', config)).toEqual({
      baseUrl: undefined,
      keyRef: 'vault://kv/models#anthropic',
    });
    expect(config.MOONMIND_AGENT_RETRIES).toBe(0);
    expect(loadWorkerConfig({}).MOONMIND_AGENT_RETRIES).toBe(2);
    expect(usesLogin(modelEndpoint('codex', config))).toBe(false);
    expect(usesLogin(modelEndpoint('claude', config))).toBe(true);
    expect(() =>
      loadWorkerConfig({ MOONMIND_GEMINI_BASE_URL: ['https://u:p', 'gw.example'].join('@') }),
    ).toThrow(/MOONMIND_GEMINI_BASE_URL: must not hold credentials/);
    expect(() => loadWorkerConfig({ MOONMIND_CODEX_API_KEY_REF: key })).toThrow(ConfigError);
  });

  it('defaults to models the pinned CLIs know', () => {
    const config = loadWorkerConfig({});
    expect([config.MOONMIND_CODEX_MODEL, config.MOONMIND_CLAUDE_MODEL, config.MOONMIND_GEMINI_MODEL]).toEqual(
      ['gpt-6.2-sol', 'claude-sonnet-5', 'gemini-2.5-pro'],
    );
  });
});

describe('invocations with an endpoint and a key', () => {
  it('codex: without settings, the built-in provider (no MoonMind provider keys)', () => {
    const inv = invoke('codex');
    expect(inv.args.some((a) => a.includes('model_provider'))).toBe(false);
    expect(inv.args).toContain('unbounded_connection_retries');
    expect(inv.env.OPENAI_API_KEY).toBe('operator-key');
  });

  it('codex: its own provider with the base URL, bounded retries, and the key only in the env_key variable', () => {
    const inv = invoke('codex', { baseUrl: 'http://127.0.0.1:9/v1', apiKey: key, retries: 1 });
    const overrides = inv.args.flatMap((a, i) => (inv.args[i - 1] === '-c' ? [a] : []));
    expect(overrides).toEqual(
      expect.arrayContaining([
        'model_provider=moonmind',
        'model_providers.moonmind.name="MoonMind"',
        'model_providers.moonmind.base_url="http://127.0.0.1:9/v1"',
        'model_providers.moonmind.wire_api="responses"',
        'model_providers.moonmind.request_max_retries=1',
        'model_providers.moonmind.stream_max_retries=1',
        'model_providers.moonmind.env_key="OPENAI_API_KEY"',
      ]),
    );
    expect(inv.env.OPENAI_API_KEY).toBe(key);
    expect(inv.args.at(-1)).toBe('-');
    expect(JSON.stringify(inv.args)).not.toContain(key);
  });

  it('codex: a key alone goes to the vendor endpoint through the same provider; an endpoint alone sends no key', () => {
    const keyed = invoke('codex', { apiKey: key });
    expect(keyed.args).toContain('model_providers.moonmind.base_url="https://api.openai.com/v1"');
    const open = invoke('codex', { baseUrl: 'http://127.0.0.1:9/v1' });
    expect(open.args.some((a) => a.includes('env_key'))).toBe(false);
  });

  it('claude: ANTHROPIC_BASE_URL and ANTHROPIC_API_KEY from the settings, over the pass-through', () => {
    const plain = invoke('claude');
    expect(plain.env.ANTHROPIC_BASE_URL).toBe('https://operator.example');
    const inv = invoke('claude', { baseUrl: 'http://127.0.0.1:9', apiKey: key, retries: 3 });
    expect(inv.env).toMatchObject({
      ANTHROPIC_BASE_URL: 'http://127.0.0.1:9',
      ANTHROPIC_API_KEY: key,
      CLAUDE_CODE_MAX_RETRIES: '3',
    });
    expect(JSON.stringify(inv.args)).not.toContain(key);
  });

  it('gemini: GOOGLE_GEMINI_BASE_URL and GEMINI_API_KEY', () => {
    expect(invoke('gemini').env.GOOGLE_GEMINI_BASE_URL).toBeUndefined();
    const inv = invoke('gemini', { baseUrl: 'http://127.0.0.1:9', apiKey: key });
    expect(inv.env).toMatchObject({ GOOGLE_GEMINI_BASE_URL: 'http://127.0.0.1:9', GEMINI_API_KEY: key });
    expect(JSON.stringify(inv.args)).not.toContain(key);
  });
});

describe('per-run config in the workspace home', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'mm-runconfig-'));
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));
  const list = async (d: string) => (await readdir(d, { recursive: true })).sort();

  it("gemini: settings.json keeps the operator's keys and sets bounded attempts, quiet, API-key auth", async () => {
    const operator = join(dir, 'operator');
    await mkdir(join(operator, '.gemini'), { recursive: true });
    const original = JSON.stringify({ ui: { theme: 'Dracula' }, general: { vimMode: true } });
    await writeFile(join(operator, '.gemini', 'settings.json'), original);
    await writeFile(join(operator, '.gemini', 'oauth_creds.json'), '{"refresh_token":"r"}');
    const home = join(dir, 'run1');
    const endpoint = { baseUrl: 'http://127.0.0.1:9', keyRef: 'env://GEMINI_KEY' };
    await seedRuntimeHome('gemini', { HOME: operator }, home, { login: usesLogin(endpoint) });
    await writeRunConfig('gemini', home, { retries: 2, endpoint });
    expect(JSON.parse(await readFile(join(home, '.gemini', 'settings.json'), 'utf8'))).toEqual({
      ui: { theme: 'Dracula' },
      general: {
        vimMode: true,
        maxAttempts: 3,
        retryFetchErrors: false,
        enableAutoUpdate: false,
        enableAutoUpdateNotification: false,
      },
      privacy: { usageStatisticsEnabled: false },
      telemetry: { enabled: false },
      security: { auth: { selectedType: 'gemini-api-key' } },
    });
    // The login stays with the operator when the model lives elsewhere; their file is untouched.
    expect(await list(home)).toEqual(['.gemini', '.gemini/settings.json']);
    expect(await readFile(join(operator, '.gemini', 'settings.json'), 'utf8')).toBe(original);
  });

  it('gemini against the vendor with its login: no auth type forced; codex and claude write no file', async () => {
    const home = join(dir, 'run2');
    for (const runtime of ['gemini', 'codex', 'claude'] as const) {
      await seedRuntimeHome(runtime, { HOME: join(dir, 'nobody') }, home);
      await writeRunConfig(runtime, home, { retries: 0, endpoint: {} });
    }
    expect(await list(home)).toEqual(['.claude', '.codex', '.gemini', '.gemini/settings.json']);
    const settings = JSON.parse(await readFile(join(home, '.gemini', 'settings.json'), 'utf8'));
    expect(settings.general.maxAttempts).toBe(1);
    expect(settings.security).toBeUndefined();
  });

  it('codex and claude leave their login files behind when an endpoint is configured', async () => {
    const operator = join(dir, 'operator2');
    for (const f of [
      '.codex/auth.json',
      '.codex/config.toml',
      '.claude/.credentials.json',
      '.claude/settings.json',
    ]) {
      await mkdir(join(operator, f, '..'), { recursive: true });
      await writeFile(join(operator, f), f);
    }
    const home = join(dir, 'run3');
    await seedRuntimeHome('codex', { HOME: operator }, home, { login: false });
    await seedRuntimeHome('claude', { HOME: operator }, home, { login: false });
    expect(await list(home)).toEqual(['.claude', '.claude/settings.json', '.codex', '.codex/config.toml']);
  });
});

import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildInvocation, type InvocationInput } from '../../activities/runtimes/adapters.ts';
import { splitCommand } from '../../activities/runtimes/command.ts';
import { seedRuntimeHome } from '../../activities/runtimes/home.ts';
import { resolveRuntime } from '../../activities/runtimes/resolve.ts';
import { loadWorkerConfig } from '../../contracts/config.ts';
import { normalizeJob } from '../../contracts/task.ts';

const base: Omit<InvocationInput, 'runtime' | 'command'> = {
  prompt: '# Task objective\n\nFix it',
  repoDir: '/ws/repo',
  homeDir: '/ws/home',
  tmpDir: '/ws/tmp',
  model: 'm-1',
  effort: 'medium',
  retries: 2,
  baseEnv: {
    PATH: '/usr/bin',
    LANG: 'C.UTF-8',
    HOME: '/root',
    TMPDIR: '/tmp',
    GITHUB_TOKEN: 'x',
    MOONMIND_WORKER_TOKEN: 'y',
    MOONMIND_API_URL: 'http://127.0.0.1:8080',
    TEMPORAL_ADDRESS: 'localhost:7233',
    DATABASE_URL: ['postgres://u', 'p@db/moonmind'].join(':'),
    OPENAI_API_KEY: 'k',
    ANTHROPIC_API_KEY: 'a',
    GEMINI_API_KEY: 'g',
    GOOGLE_GEMINI_BASE_URL: 'http://127.0.0.1:9',
    HTTPS_PROXY: 'http://proxy:3128',
  },
};

describe('runtime adapters', () => {
  it('codex: exec, no approvals, JSON events, repo dir, model and effort, prompt on stdin (-)', () => {
    const inv = buildInvocation({ ...base, runtime: 'codex', command: 'codex' });
    expect(inv.file).toBe('codex');
    expect(inv.args).toEqual([
      'exec',
      '--skip-git-repo-check',
      '--dangerously-bypass-approvals-and-sandbox',
      '--ephemeral',
      '--color',
      'never',
      '--json',
      '-C',
      '/ws/repo',
      '-m',
      'm-1',
      '-c',
      'model_reasoning_effort=medium',
      '--disable',
      'unbounded_connection_retries',
      '--disable',
      'plugins',
      '-c',
      'analytics.enabled=false',
      '-c',
      'otel.metrics_exporter="none"',
      '-c',
      'check_for_update_on_startup=false',
      '-',
    ]);
    expect(inv.stdin).toBe(base.prompt);
  });

  it('claude: print mode, stream-json, skip permissions with IS_SANDBOX=1', () => {
    const inv = buildInvocation({ ...base, runtime: 'claude', command: 'claude' });
    expect(inv.args).toEqual([
      '-p',
      '--output-format',
      'stream-json',
      '--verbose',
      '--model',
      'm-1',
      '--dangerously-skip-permissions',
      '--no-session-persistence',
    ]);
    expect(inv.stdin).toBe(base.prompt);
    expect(inv.env.IS_SANDBOX).toBe('1');
    expect(inv.env.CLAUDE_CONFIG_DIR).toBe('/ws/home/.claude');
    expect(inv.env.ANTHROPIC_API_KEY).toBe('a');
  });

  it('gemini: yolo, stream-json, an empty -p (prompt on stdin), trusted workspace, no relaunch', () => {
    const inv = buildInvocation({ ...base, runtime: 'gemini', command: 'gemini' });
    expect(inv.args).toEqual(['-m', 'm-1', '--yolo', '-o', 'stream-json', '-p', '']);
    expect(inv.stdin).toBe(base.prompt);
    expect(inv.env).toMatchObject({ GEMINI_CLI_TRUST_WORKSPACE: 'true', GEMINI_CLI_NO_RELAUNCH: 'true' });
    expect(inv.env).toMatchObject({ GEMINI_API_KEY: 'g', GOOGLE_GEMINI_BASE_URL: 'http://127.0.0.1:9' });
  });

  it('the agent environment is an allow-list: common settings, its own runtime keys, MOONMIND_AGENT_ENV', () => {
    const inv = buildInvocation({
      ...base,
      runtime: 'codex',
      command: 'codex',
      passEnv: ['HTTPS_PROXY', 'NOPE'],
    });
    expect(inv.env).toEqual({
      PATH: '/usr/bin',
      LANG: 'C.UTF-8',
      HOME: '/ws/home',
      TMPDIR: '/ws/tmp',
      CODEX_HOME: '/ws/home/.codex',
      OPENAI_API_KEY: 'k',
      HTTPS_PROXY: 'http://proxy:3128',
    });
  });

  it('claude: bounded retries and no telemetry, updates, error reports or nonessential traffic', () => {
    const inv = buildInvocation({ ...base, runtime: 'claude', command: 'claude', retries: 0 });
    expect(inv.env).toMatchObject({
      CLAUDE_CODE_MAX_RETRIES: '0',
      DISABLE_TELEMETRY: '1',
      DISABLE_AUTOUPDATER: '1',
      DISABLE_ERROR_REPORTING: '1',
      CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: '1',
    });
  });

  it('runs a configured command with leading words', () => {
    const inv = buildInvocation({ ...base, runtime: 'codex', command: 'node "/opt/my tools/fake.mjs"' });
    expect(inv.file).toBe('node');
    expect(inv.args.slice(0, 2)).toEqual(['/opt/my tools/fake.mjs', 'exec']);
    expect(inv.env.HOME).toBe('/ws/home');
  });

  it('rejects an empty command', () => {
    expect(() => splitCommand('  ')).toThrow(/empty/);
  });
});

describe('seedRuntimeHome', () => {
  it("copies the login and settings of the run's runtime only, leaving sessions and the operator's home alone", async () => {
    const dir = await mkdtemp(join(tmpdir(), 'mm-seed-'));
    const operator = join(dir, 'operator');
    const files = [
      '.codex/auth.json',
      '.codex/history.jsonl',
      '.claude/.credentials.json',
      '.claude/settings.json',
      '.claude/projects/p/session.jsonl',
      '.claude.json',
      '.gemini/oauth_creds.json',
    ];
    for (const f of files) {
      await mkdir(join(operator, f, '..'), { recursive: true });
      await writeFile(join(operator, f), f);
    }
    const list = async (d: string) => (await readdir(d, { recursive: true })).sort();
    const before = await list(operator);
    for (const runtime of ['codex', 'claude', 'gemini'] as const)
      await seedRuntimeHome(runtime, { HOME: operator }, join(dir, runtime));
    expect(await list(join(dir, 'codex'))).toEqual(['.codex', '.codex/auth.json']);
    expect(await list(join(dir, 'claude'))).toEqual([
      '.claude',
      '.claude/.claude.json',
      '.claude/.credentials.json',
      '.claude/settings.json',
    ]);
    expect(await list(join(dir, 'gemini'))).toEqual(['.gemini', '.gemini/oauth_creds.json']);
    expect(await list(operator)).toEqual(before);
    // An operator's CODEX_HOME elsewhere is where the login is read from; with none, the directory still exists.
    await seedRuntimeHome('codex', { HOME: operator, CODEX_HOME: join(dir, 'nowhere') }, join(dir, 'bare'));
    expect(await list(join(dir, 'bare'))).toEqual(['.codex']);
    await rm(dir, { recursive: true, force: true });
  });
});

describe('resolveRuntime', () => {
  const config = loadWorkerConfig({ MOONMIND_GEMINI_MODEL: 'gemini-x', MOONMIND_DEFAULT_EFFORT: 'low' });
  const payload = (task: Record<string, unknown>) => {
    const r = normalizeJob(
      { type: 'task', payload: { repository: 'o/r', task } },
      { defaultRuntime: 'codex' },
    );
    if (!r.ok) throw new Error(JSON.stringify(r.issues));
    return r.job.payload;
  };

  it('uses the worker defaults when the payload names no model or effort', () => {
    expect(resolveRuntime(payload({ instructions: 'x', runtime: { mode: 'gemini' } }), config)).toEqual({
      mode: 'gemini',
      model: 'gemini-x',
      effort: 'low',
    });
  });

  it('keeps what the payload asks for', () => {
    const p = payload({ instructions: 'x', runtime: { mode: 'claude', model: 'opus', effort: 'high' } });
    expect(resolveRuntime(p, config)).toEqual({ mode: 'claude', model: 'opus', effort: 'high' });
  });
});

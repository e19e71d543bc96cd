import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  ConfigError,
  cliConfigSchema,
  configSchema,
  loadConfig,
  loadWorkerConfig,
  workerConfigSchema,
} from '../../contracts/config.ts';

describe('configuration', () => {
  it('fills the documented defaults from an empty environment', () => {
    const c = loadConfig({});
    expect(c).toMatchObject({
      PORT: 8080,
      MOONMIND_TEMPORAL_PORT: 7233,
      MOONMIND_TEMPORAL_UI_PORT: 8233,
      TEMPORAL_NAMESPACE: 'default',
      MOONMIND_DATA_DIR: './.data',
    });
    expect(c.TEMPORAL_ADDRESS).toBeUndefined();
    expect(c.DATABASE_URL).toBeUndefined();
  });

  it('names every wrong variable in the error', () => {
    let error: unknown;
    try {
      loadConfig({ PORT: 'eighty', DATABASE_URL: 'mysql://x', MOONMIND_ADMIN_TOKEN: 'short' });
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const message = (error as Error).message;
    for (const name of ['PORT', 'DATABASE_URL', 'MOONMIND_ADMIN_TOKEN']) expect(message).toContain(name);
  });

  it('parses worker capability lists', () => {
    const w = loadWorkerConfig({ MOONMIND_WORKER_CAPABILITIES: 'codex, git,gh' });
    expect(w.MOONMIND_WORKER_CAPABILITIES).toEqual(['codex', 'git', 'gh']);
    expect(() => loadWorkerConfig({ MOONMIND_WORKER_CONCURRENCY: '0' })).toThrow(
      /MOONMIND_WORKER_CONCURRENCY/,
    );
  });

  it("agent settings: a system user name, and extra variable names that are never the worker's own", () => {
    const w = loadWorkerConfig({ MOONMIND_AGENT_ENV: 'HTTPS_PROXY, SSL_CERT_FILE' });
    expect(w).toMatchObject({
      MOONMIND_AGENT_USER: 'moonmind-agent',
      MOONMIND_AGENT_ENV: ['HTTPS_PROXY', 'SSL_CERT_FILE'],
    });
    for (const leak of ['MOONMIND_WORKER_TOKEN', 'TEMPORAL_ADDRESS', 'DATABASE_URL', 'GH_TOKEN', 'A=B'])
      expect(() => loadWorkerConfig({ MOONMIND_AGENT_ENV: `HTTPS_PROXY,${leak}` })).toThrow(
        /MOONMIND_AGENT_ENV/,
      );
    expect(() => loadWorkerConfig({ MOONMIND_AGENT_USER: 'Bad User' })).toThrow(/MOONMIND_AGENT_USER/);
  });

  it('reads the metrics settings and names a wrong one', () => {
    expect(loadConfig({ MOONMIND_METRICS_LISTEN: '0.0.0.0:9464' }).MOONMIND_METRICS_LISTEN).toEqual({
      host: '0.0.0.0',
      port: 9464,
    });
    expect(loadConfig({ MOONMIND_METRICS_LISTEN: '[::1]:9100' }).MOONMIND_METRICS_LISTEN).toEqual({
      host: '::1',
      port: 9100,
    });
    for (const bad of ['9464', 'localhost', 'host:99999', 'a b:1'])
      expect(() => loadConfig({ MOONMIND_METRICS_LISTEN: bad })).toThrow(
        /MOONMIND_METRICS_LISTEN: must be host:port/,
      );
    expect(() => loadConfig({ MOONMIND_METRICS_TOKEN: 'short' })).toThrow(/MOONMIND_METRICS_TOKEN/);
    expect(() => loadWorkerConfig({ MOONMIND_WORKER_METRICS_PORT: 'nine' })).toThrow(
      /MOONMIND_WORKER_METRICS_PORT/,
    );
    expect(loadWorkerConfig({}).MOONMIND_WORKER_METRICS_HOST).toBe('127.0.0.1');
  });

  it('documents every setting in the README table', () => {
    const readme = readFileSync('README.md', 'utf8');
    const rows = readme.split('\n').filter((l) => l.startsWith('| `'));
    const documented = rows.join('\n');
    const missing = [
      ...Object.keys(configSchema.shape),
      ...Object.keys(workerConfigSchema.shape),
      ...Object.keys(cliConfigSchema.shape),
    ].filter((name) => {
      // Per-runtime rows list one name and the others as `_GEMINI_` / `_CLAUDE_` variants.
      const variant = name.replace(/_(CODEX|GEMINI|CLAUDE)_/, '_CODEX_');
      return !documented.includes(`\`${name}\``) && !documented.includes(`\`${variant}\``);
    });
    expect(missing).toEqual([]);
  });
});

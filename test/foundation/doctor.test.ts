import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import { freePort } from '../../scripts/ports.ts';
import {
  type Answer,
  type ModelEndpointDouble,
  startModelEndpointDouble,
} from '../fakes/model-endpoint-double.ts';
import { fakeAgentPath } from '../support/fake-agent-path.ts';

const fakeAgent = fakeAgentPath();
// Assembled at run time: a credential-shaped literal in a tracked file would trip the redaction scan.
const key = ['sk', 'doctor-test-0123456789abcdefghij'].join('-');

/** `npm run moonmind -- doctor` as an operator runs it: worker settings only, no database. */
const doctor = (settings: Record<string, string>) =>
  promisify(execFile)(process.execPath, ['--import', 'tsx', 'cli/main.ts', 'doctor'], {
    env: { PATH: process.env.PATH, MODEL_KEY: key, ...settings },
    timeout: 30_000,
  }).then(
    (r) => ({ code: 0, ...r }),
    (e: { code: number; stdout: string; stderr: string }) => e,
  );

const fakeCommands = {
  MOONMIND_CODEX_COMMAND: fakeAgent,
  MOONMIND_CLAUDE_COMMAND: fakeAgent,
  MOONMIND_GEMINI_COMMAND: fakeAgent,
};

describe('moonmind doctor', () => {
  const doubles: ModelEndpointDouble[] = [];
  const double = async (answer: Answer) => {
    const d = await startModelEndpointDouble(answer);
    doubles.push(d);
    return d;
  };
  afterEach(async () => {
    await Promise.all(doubles.splice(0).map((d) => d.close()));
  });

  it("checks each claimed runtime's CLI, endpoint and a one-token round trip in its API", async () => {
    const [codex, claude, gemini] = await Promise.all([
      double({ kind: 'ok' }),
      double({ kind: 'ok' }),
      double({ kind: 'ok' }),
    ]);
    const r = await doctor({
      ...fakeCommands,
      MOONMIND_WORKER_CAPABILITIES: 'codex,claude,gemini,git',
      MOONMIND_CODEX_BASE_URL: `${codex.url}/v1`,
      MOONMIND_CLAUDE_BASE_URL: claude.url,
      MOONMIND_GEMINI_BASE_URL: gemini.url,
      MOONMIND_CODEX_API_KEY_REF: 'env://MODEL_KEY',
      MOONMIND_CLAUDE_API_KEY_REF: 'env://MODEL_KEY',
      MOONMIND_GEMINI_API_KEY_REF: 'env://MODEL_KEY',
      MOONMIND_GEMINI_MODEL: 'gemini-x',
    });
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toContain(`cli:        ${fakeAgent} (fake-agent 1.0.0)`);
    expect(r.stdout).toContain(
      `endpoint:   ${codex.url}/v1 (MOONMIND_CODEX_BASE_URL), key from env://MODEL_KEY`,
    );
    expect(r.stdout.match(/round trip: ok/g)).toHaveLength(3);
    expect(r.stdout).toContain('all runtimes ok');
    expect(r.stdout + r.stderr).not.toContain(key);

    expect(codex.requests).toHaveLength(1);
    expect(codex.requests[0]).toMatchObject({ method: 'POST', url: '/v1/responses' });
    expect(codex.requests[0].headers.authorization).toBe(`Bearer ${key}`);
    expect(codex.requests[0].body).toMatchObject({
      model: 'gpt-6.2-sol',
      max_output_tokens: 16,
      stream: true,
    });
    expect(claude.requests[0]).toMatchObject({ method: 'POST', url: '/v1/messages' });
    expect(claude.requests[0].headers['x-api-key']).toBe(key);
    expect(claude.requests[0].body).toMatchObject({ model: 'claude-sonnet-5', max_tokens: 1 });
    expect(gemini.requests[0].url).toBe('/v1beta/models/gemini-x:streamGenerateContent?alt=sse');
    expect(gemini.requests[0].headers['x-goog-api-key']).toBe(key);
    expect(gemini.requests[0].body).toMatchObject({ generationConfig: { maxOutputTokens: 1 } });
  });

  it('prints the exact error of each failing runtime, never the key, and exits non-zero', async () => {
    const refusing = await double({
      kind: 'status',
      status: 401,
      body: JSON.stringify({ error: { message: `invalid x-api-key ${key}` } }),
    });
    const closed = await freePort();
    const r = await doctor({
      ...fakeCommands,
      MOONMIND_CODEX_COMMAND: '/nonexistent/codex',
      MOONMIND_WORKER_CAPABILITIES: 'codex,claude,gemini',
      MOONMIND_CODEX_BASE_URL: `${refusing.url}/v1`,
      MOONMIND_CLAUDE_BASE_URL: refusing.url,
      MOONMIND_CLAUDE_API_KEY_REF: 'env://MODEL_KEY',
      MOONMIND_GEMINI_BASE_URL: `http://127.0.0.1:${closed}`,
      MOONMIND_GEMINI_API_KEY_REF: 'env://UNSET_KEY',
    });
    expect(r.code).toBe(1);
    expect(r.stdout).toContain(
      'cli:        FAILED: /nonexistent/codex --version: spawn /nonexistent/codex ENOENT',
    );
    expect(r.stdout).toMatch(
      /round trip: FAILED: gpt-6\.2-sol: POST http:\/\/127\.0\.0\.1:\d+\/v1\/responses answered HTTP 401/,
    );
    expect(r.stdout).toContain('invalid x-api-key [REDACTED]');
    expect(r.stdout).toContain(
      'key:        FAILED: secret reference env://UNSET_KEY: UNSET_KEY is not set on this worker',
    );
    expect(r.stdout).toContain('FAILED: codex, gemini, claude');
    expect(r.stdout + r.stderr).not.toContain(key);
  });

  it('gives up on an endpoint that never answers within 10 s', async () => {
    const hanging = await double({ kind: 'hang' });
    const closed = await freePort();
    const started = Date.now();
    const r = await doctor({
      ...fakeCommands,
      MOONMIND_WORKER_CAPABILITIES: 'claude,gemini',
      MOONMIND_CLAUDE_BASE_URL: hanging.url,
      MOONMIND_GEMINI_BASE_URL: `http://127.0.0.1:${closed}`,
    });
    expect(Date.now() - started).toBeLessThan(15_000);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain(`POST ${hanging.url}/v1/messages: no answer within`);
    expect(r.stdout).toContain('ECONNREFUSED');
    expect(hanging.requests).toHaveLength(1);
  });
});

import { mkdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { startResponsesServer } from '../fakes/model-servers/responses-server.ts';
import { type Conversation, containsText, type ModelServer } from '../fakes/model-servers/scripted-model.ts';
import {
  bigPrompt,
  cliUnderTest,
  logRun,
  runCli,
  type Sandbox,
  sandbox,
  type WireCase,
  whenWaitingForModel,
} from './cli-harness.ts';

/** The real codex CLI against the Responses API double: flags and fail-fast settings from the runtime notes. */
const codex = cliUnderTest('codex');

const conversation: Conversation = [
  { read: 'README.md' },
  { write: { path: 'NOTES.txt', content: 'written by the scripted model\nsecond line\n' } },
  { shell: 'ls' },
  { answer: 'done' },
];

function codexArgs(server: ModelServer, repo: string, model: string): string[] {
  const provider = (key: string, value: string | number) => ['-c', `model_providers.double.${key}=${value}`];
  return [
    'exec',
    '--skip-git-repo-check',
    '--dangerously-bypass-approvals-and-sandbox',
    '--ephemeral',
    '--color',
    'never',
    '--json',
    '-C',
    repo,
    '-m',
    model,
    '-c',
    'model_reasoning_effort=low',
    '-c',
    'model_provider=double',
    ...provider('name', '"Double"'),
    ...provider('base_url', `"${server.url}/v1"`),
    ...provider('wire_api', '"responses"'),
    ...provider('request_max_retries', 0),
    ...provider('stream_max_retries', 0),
    '--disable',
    'unbounded_connection_retries',
    '-c',
    'analytics.enabled=false',
    '-c',
    'otel.metrics_exporter=none',
    '--disable',
    'plugins',
    '-', // the prompt comes on stdin
  ];
}

describe.skipIf(!codex)('codex 0.171 on the Responses API double', () => {
  let server: ModelServer | undefined;
  let box: Sandbox | undefined;
  afterEach(async () => {
    await server?.close();
    await box?.remove();
    server = box = undefined;
  });

  async function runCodex(model: string, prompt: string, wire: WireCase = {}) {
    server = await startResponsesServer(conversation, wire);
    if (wire.refused) await server.close(); // nothing listens on its port any more
    box = await sandbox({ 'README.md': '# demo readme\n' });
    const env = { ...box.env, CODEX_HOME: path.join(box.home, '.codex') };
    await mkdir(env.CODEX_HOME); // codex refuses a CODEX_HOME that does not exist
    const result = await runCli(codex!, codexArgs(server, box.repo, model), {
      cwd: box.repo,
      env,
      prompt,
      interrupt: wire.interrupt ? whenWaitingForModel(server) : undefined,
    });
    logRun(`codex ${model}`, wire, result);
    return { result, box, server };
  }

  for (const model of ['gpt-5.5', 'double-model']) {
    // A known model is offered apply_patch (the write goes through it); an unknown one only exec_command.
    it(`reads, writes, runs a command and answers (${model})`, async () => {
      const { result, box, server } = await runCodex(model, 'Take notes.');
      expect(result.code, result.stderr).toBe(0);
      expect(await readFile(path.join(box.repo, 'NOTES.txt'), 'utf8')).toBe(
        'written by the scripted model\nsecond line\n',
      );
      const last = server.requests.at(-1)!;
      expect(last.turn).toBe(3);
      expect(last.model).toBe(model);
      expect(last.toolResults).toHaveLength(3);
      expect(last.toolResults[0]).toContain('# demo readme');
      expect(last.toolResults[1]).toMatch(model === 'gpt-5.5' ? /A NOTES\.txt/ : /exited with code 0/);
      expect(last.toolResults[2]).toMatch(/NOTES\.txt/);
      expect(result.stdout).toContain('"done"');
    });
  }

  it('exits non-zero within seconds when the endpoint answers 503', async () => {
    const { result, server } = await runCodex('gpt-5.5', 'Take notes.', { fail: 503 });
    expect(result.code).not.toBe(0);
    expect(result.ms).toBeLessThan(15_000);
    expect(server.requests.length).toBeGreaterThan(0);
    expect(result.stdout).toMatch(/"turn\.failed".*scripted failure 503/);
  });

  it('exits non-zero within seconds when nothing listens on the endpoint', async () => {
    const { result } = await runCodex('gpt-5.5', 'Take notes.', { refused: true });
    expect(result.code).not.toBe(0);
    expect(result.ms).toBeLessThan(15_000);
  });

  it('delivers a 100,000-character multi-byte prompt whole', async () => {
    const prompt = bigPrompt();
    const { result, server } = await runCodex('gpt-5.5', prompt);
    expect(result.code, result.stderr).toBe(0);
    expect(server.requests.some((r) => containsText(r.body, prompt))).toBe(true);
  });

  it('stops at once on SIGINT while the model delays its answer', async () => {
    const { result, server } = await runCodex('gpt-5.5', 'Take notes.', { delayMs: 30_000, interrupt: true });
    expect(result.afterInterruptMs).toBeLessThan(3_000);
    expect(result.code).not.toBe(0);
    await expect.poll(() => server.requests.some((r) => r.abandoned)).toBe(true);
  });
});

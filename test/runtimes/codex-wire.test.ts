import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { startResponsesServer } from '../fakes/model-servers/responses-server.ts';
import { type Conversation, containsText, type ModelServer } from '../fakes/model-servers/scripted-model.ts';
import { bigPrompt, cliUnderTest, runAsTheWorkerWould, type Sandbox, type WireCase } from './cli-harness.ts';

/** The real codex CLI against the Responses API double, started with the worker's own command line. */
const codex = cliUnderTest('codex');

const conversation: Conversation = [
  { read: 'README.md' },
  { write: { path: 'NOTES.txt', content: 'written by the scripted model\nsecond line\n' } },
  { shell: 'ls' },
  { answer: 'done' },
];

describe.skipIf(!codex)('codex 0.171 on the Responses API double', () => {
  let server: ModelServer | undefined;
  let box: Sandbox | undefined;
  afterEach(async () => {
    await server?.close();
    await box?.remove();
    server = box = undefined;
  });

  async function runCodex(model: string, prompt: string, wire: WireCase = {}) {
    const run = await runAsTheWorkerWould({
      runtime: 'codex',
      cli: codex!,
      startServer: startResponsesServer,
      conversation,
      model,
      prompt,
      wire,
    });
    ({ server, box } = run);
    return run;
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

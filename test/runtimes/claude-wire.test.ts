import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { startMessagesServer } from '../fakes/model-servers/messages-server.ts';
import { type Conversation, containsText, type ModelServer } from '../fakes/model-servers/scripted-model.ts';
import { bigPrompt, cliUnderTest, runAsTheWorkerWould, type Sandbox, type WireCase } from './cli-harness.ts';

/** The real Claude Code CLI against the Messages API double, started with the worker's own command line. */
const claude = cliUnderTest('claude');

const conversation: Conversation = [
  { read: 'README.md' },
  { write: { path: 'NOTES.txt', content: 'written by the scripted model\nsecond line\n' } },
  { shell: 'ls' },
  { answer: 'done' },
];

const MODEL = 'claude-sonnet-4-5';

describe.skipIf(!claude)('claude 2.1 on the Messages API double', () => {
  let server: ModelServer | undefined;
  let box: Sandbox | undefined;
  afterEach(async () => {
    await server?.close();
    await box?.remove();
    server = box = undefined;
  });

  async function runClaude(prompt: string, wire: WireCase = {}) {
    const run = await runAsTheWorkerWould({
      runtime: 'claude',
      cli: claude!,
      startServer: startMessagesServer,
      conversation,
      model: MODEL,
      prompt,
      wire,
    });
    ({ server, box } = run);
    return run;
  }

  it('reads, writes, runs a command and answers', async () => {
    const { result, box, server } = await runClaude('Take notes.');
    expect(result.code, result.stderr).toBe(0);
    expect(await readFile(path.join(box.repo, 'NOTES.txt'), 'utf8')).toBe(
      'written by the scripted model\nsecond line\n',
    );
    const last = server.requests.at(-1)!;
    expect(last.turn).toBe(3);
    expect(last.model).toBe(MODEL);
    expect(last.toolResults).toHaveLength(3);
    expect(last.toolResults[0]).toContain('# demo readme');
    expect(last.toolResults[1]).toContain('File created successfully');
    expect(last.toolResults[2]).toMatch(/NOTES\.txt/);
    expect(last.headers['x-api-key']).toBeUndefined();
    expect(result.stdout).toMatch(/"type":"result".*"is_error":false.*"result":"done"/);
  });

  it('exits non-zero within seconds when the endpoint answers 503', async () => {
    const { result, server } = await runClaude('Take notes.', { fail: 503 });
    expect(result.code).not.toBe(0);
    expect(result.ms).toBeLessThan(15_000);
    expect(server.requests.some((r) => r.method === 'POST')).toBe(true);
    expect(result.stdout).toMatch(/"is_error":true.*scripted failure 503/);
  });

  it('exits non-zero within seconds when nothing listens on the endpoint', async () => {
    const { result } = await runClaude('Take notes.', { refused: true });
    expect(result.code).not.toBe(0);
    expect(result.ms).toBeLessThan(15_000);
  });

  it('delivers a 100,000-character multi-byte prompt whole', async () => {
    const prompt = bigPrompt();
    const { result, server } = await runClaude(prompt);
    expect(result.code, result.stderr).toBe(0);
    expect(server.requests.some((r) => containsText(r.body, prompt))).toBe(true);
  });

  it('stops at once on SIGINT while the model delays its answer', async () => {
    const { result, server } = await runClaude('Take notes.', { delayMs: 30_000, interrupt: true });
    expect(result.afterInterruptMs).toBeLessThan(3_000);
    // It may exit 0 on SIGINT, with no result event or with an error one (error_during_execution): never a
    // successful result.
    const results = result.stdout
      .split('\n')
      .filter((l) => l.includes('"type":"result"'))
      .map((l) => JSON.parse(l) as { is_error?: boolean });
    expect(results.every((r) => r.is_error === true)).toBe(true);
    await expect.poll(() => server.requests.some((r) => r.abandoned)).toBe(true);
  });
});

import { readFile, rm } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { modelRuntimes } from '../../contracts/task.ts';
import {
  FAKE_AGENT,
  type Fixture,
  makeBareRepo,
  prepareInput,
  run,
  startFixture,
  stepInput,
  taskPayload,
} from './task-fixture.ts';

let fx: Fixture;
beforeAll(async () => {
  fx = await startFixture();
  // The fake agent stands in for all three CLIs, each called with its own command line.
  Object.assign(fx.deps.config, { MOONMIND_GEMINI_COMMAND: FAKE_AGENT, MOONMIND_CLAUDE_COMMAND: FAKE_AGENT });
  await makeBareRepo(fx.gitBase, 'acme/widgets');
});
afterAll(() => fx?.close());

// The contract's largest instruction, multi-byte characters included (about 190 KB of UTF-8).
const filler = 'Ünïcødé ✓ 漢字 ';
const instructions = `FAKE_SHOW_ARGV ${filler.repeat(100_000 / filler.length + 1)}`.slice(0, 100_000);

describe('the prompt goes through standard input, never argv', () => {
  for (const runtime of modelRuntimes) {
    it(`${runtime}: a 100,000-character instruction arrives whole and is not in the command line`, async () => {
      await rm(fx.promptLog, { force: true });
      const payload = taskPayload({ instructions, runtime: { mode: runtime }, publish: { mode: 'none' } });
      const input = prepareInput(payload);
      const prepared = await run(fx.activities.prepare, input);
      expect(await run(fx.activities.executeStep, stepInput(input, prepared, 0))).toMatchObject({
        exitCode: 0,
      });
      expect(await readFile(fx.promptLog, 'utf8')).toContain(instructions);
      const shown = fx.api.events(input.jobId).find((e) => e.message.includes('argv prompt:'));
      const argvChars = Number(/\((\d+) chars\)/.exec(shown?.message ?? '')?.[1]);
      expect(shown?.message).toMatch(/argv prompt: ""/);
      expect(argvChars).toBeLessThan(2_000);
      await run(fx.activities.releaseHost, {
        jobId: input.jobId,
        workspace: prepared.workspace,
        outcome: 'succeeded',
      });
    });
  }
});

describe("a failed step's error is the CLI's own reason", () => {
  for (const runtime of modelRuntimes) {
    it(`${runtime}: the run error and the step's failure event carry the agent's last error`, async () => {
      const payload = taskPayload({
        instructions: 'FAKE_AGENT_ERROR=quota-exceeded',
        runtime: { mode: runtime },
        publish: { mode: 'none' },
      });
      const input = prepareInput(payload);
      const prepared = await run(fx.activities.prepare, input);
      const err = await run(fx.activities.executeStep, stepInput(input, prepared, 0)).catch(
        (e: Error & { type?: string }) => e,
      );
      expect(err).toMatchObject({ type: 'TaskFailure' });
      expect((err as Error).message).toMatch(
        new RegExp(`step step-1 failed: ${runtime} .*model endpoint said no: quota-exceeded`),
      );
      // A claude result with is_error is an error even though the CLI exits 0 and says "success".
      expect((err as Error).message).not.toMatch(/success:/);
      const failed = fx.api.events(input.jobId).find((e) => e.type === 'task.step.failed');
      expect(failed?.payload.agentError).toMatch(/model endpoint said no: quota-exceeded/);
      await run(fx.activities.releaseHost, {
        jobId: input.jobId,
        workspace: prepared.workspace,
        outcome: 'failed',
      });
    });
  }
});

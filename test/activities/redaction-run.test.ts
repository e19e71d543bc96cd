import { chmod, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { artifactNames, workspacePaths } from '../../activities/task/workspace.ts';
import { planSteps } from '../../contracts/task.ts';
import { credentialCorpus } from '../contracts/credential-corpus.ts';
import { type Fixture, makeBareRepo, prepareInput, run, startFixture, taskPayload } from './task-fixture.ts';

let fx: Fixture;
let printDir: string;
beforeAll(async () => {
  fx = await startFixture();
  await makeBareRepo(fx.gitBase, 'acme/widgets');
  // World-readable: the agent may run as another, unprivileged user.
  printDir = await mkdtemp(join(tmpdir(), 'mm-redaction-'));
  await chmod(printDir, 0o755);
});
afterAll(async () => {
  await fx?.close();
  if (printDir) await rm(printDir, { recursive: true, force: true });
});

describe('an agent that prints every credential format', () => {
  it('leaves none in log events, the step log or logs/execute.log, private key bodies included', async () => {
    const corpus = credentialCorpus();
    const file = join(printDir, 'credentials.txt');
    await writeFile(file, `${corpus.map((s) => s.text).join('\n')}\n`);
    await chmod(file, 0o644);

    const input = prepareInput(taskPayload({ instructions: `Print them. FAKE_PRINT_FILE=${file}` }));
    const prepared = await run(fx.activities.prepare, input);
    const steps = planSteps(input.payload);
    await run(fx.activities.executeStep, {
      jobId: input.jobId,
      attempt: input.attempt,
      workspace: prepared.workspace,
      payload: input.payload,
      prepared,
      stepIndex: 0,
      stepCount: steps.length,
      step: steps[0],
      operatorMessages: [],
    });
    await run(fx.activities.finishExecute, {
      jobId: input.jobId,
      attempt: 1,
      workspace: prepared.workspace,
      outcome: 'succeeded',
    });

    const events = fx.api.events(input.jobId);
    const stored = {
      events: JSON.stringify(events),
      'step log on disk': await readFile(
        join(workspacePaths(prepared.workspace).artifacts, artifactNames.stepLog(0)),
        'utf8',
      ),
      'uploaded step log': fx.api.artifacts.get(`${input.jobId}/${artifactNames.stepLog(0)}`)?.body ?? '',
      'logs/execute.log': fx.api.artifacts.get(`${input.jobId}/${artifactNames.executeLog}`)?.body ?? '',
    };
    // The agent did print the file (raw lines, then agent messages), and ordinary output survived.
    expect(events.filter((e) => e.type === 'log').length).toBeGreaterThan(2 * corpus.length);
    for (const text of Object.values(stored)) expect(text).toContain('fake agent: done');

    const leaks = corpus.flatMap((sample) =>
      Object.entries(stored).flatMap(([where, text]) =>
        sample.secrets.some((s) => text.includes(s)) ? [`${sample.format} in ${where}`] : [],
      ),
    );
    expect(leaks).toEqual([]);
    await run(fx.activities.releaseHost, { jobId: input.jobId, workspace: prepared.workspace });
  });
});

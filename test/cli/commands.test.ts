import { createHash } from 'node:crypto';
import { chmod, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ArtifactView } from '../../contracts/artifacts.ts';
import type { JobView } from '../../contracts/job.ts';
import type { TaskPayload } from '../../contracts/task.ts';
import { createGitRemote, type GitRemote } from '../support/git.ts';
import { getJob, waitForJob, waitForStatus } from '../support/jobs.ts';
import { type Stack, startStack } from '../support/stack.ts';
import { type CliOptions, runCli, startCli } from './run-cli.ts';

/** Every command against the real stack, through the installed bin, run from a directory of its own. */
describe('the moonmind CLI against the real stack', () => {
  let stack: Stack;
  let remote: GitRemote;
  let cwd: string;
  const cli = (args: string[], opts: CliOptions = {}) =>
    runCli(args, {
      cwd,
      ...opts,
      env: { MOONMIND_URL: stack.apiUrl, MOONMIND_TOKEN: stack.adminToken, ...opts.env },
    });
  const jobId = (stdout: string) => stdout.trim().split('\n')[0];

  beforeAll(async () => {
    remote = await createGitRemote(['octo/cli']);
    stack = await startStack({
      workers: [
        {
          pool: 'cli',
          capabilities: ['codex', 'git'],
          repositories: ['octo/cli'],
          env: { MOONMIND_GIT_BASE_URL: remote.baseUrl },
        },
        // Nothing listens on port 9: every clone fails as an outage would, so attempts run out (dead_letter).
        {
          pool: 'unreachable',
          repositories: ['octo/unreachable'],
          env: { MOONMIND_GIT_BASE_URL: 'http://127.0.0.1:9', MOONMIND_GIT_HOSTS: '127.0.0.1:9' },
        },
      ],
    });
    cwd = await mkdtemp(path.join(os.tmpdir(), 'mm-cli-cwd-'));
  });
  afterAll(() => stack?.stop());

  let succeeded: string;
  it('submits from flags and, with --wait, exits 0 when the run succeeds', async () => {
    const r = await cli([
      'submit',
      '--repo',
      'octo/cli',
      '--instructions',
      'Say hello from the CLI',
      '--publish',
      'none',
      '--step',
      'FAKE_LINES=3',
      '--wait',
    ]);
    expect(r.stderr).toMatch(/: succeeded/);
    expect(r.code).toBe(0);
    succeeded = jobId(r.stdout);
    const job = await getJob(stack, succeeded);
    expect(job.status).toBe('succeeded');
    expect((job.payload as TaskPayload).task.instructions).toBe('Say hello from the CLI');
    expect((job.payload as TaskPayload).task.steps.map((s) => s.instructions)).toEqual(['FAKE_LINES=3']);
    expect(job.publishMode).toBe('none');
  });

  it('submits a YAML file and, with --wait, exits 1 when the run fails', async () => {
    const file = path.join(cwd, 'failing.yaml');
    await writeFile(
      file,
      [
        'type: task',
        'maxAttempts: 1',
        'payload:',
        '  repository: octo/cli',
        '  task:',
        '    title: A task that fails',
        '    instructions: FAKE_FAIL',
        '    publish: { mode: none }',
      ].join('\n'),
    );
    const r = await cli(['submit', file, '--wait', '--json']);
    expect(r.code).toBe(1);
    const ended = JSON.parse(r.stdout) as JobView;
    expect(ended.status).toBe('failed');
    expect(ended.title).toBe('A task that fails');
    expect(ended.maxAttempts).toBe(1);
  });

  it('submits from standard input; cancel ends the run and the waiting CLI exits 3', async () => {
    const waiting = startCli(['submit', '-', '--wait'], {
      cwd,
      env: { MOONMIND_URL: stack.apiUrl, MOONMIND_TOKEN: stack.adminToken },
      stdin: JSON.stringify({
        repository: 'octo/cli',
        task: { instructions: 'FAKE_SLEEP=60', publish: { mode: 'none' } },
      }),
    });
    const id = await new Promise<string>((resolve) => {
      let out = '';
      waiting.stdout?.on('data', (d: string) => {
        out += d;
        if (out.includes('\n')) resolve(jobId(out));
      });
    });
    await waitForJob(stack, id, (j) => j.stage === 'moonmind.task.execute');
    const cancel = await cli(['cancel', id, '--reason', 'not needed']);
    expect(cancel.code).toBe(0);
    expect(cancel.stdout).toMatch(/^cancel: (taken by the run|sent)/);
    const r = await waiting.result;
    expect(r.code).toBe(3);
    expect((await getJob(stack, id)).status).toBe('cancelled');

    const again = await cli(['cancel', id]);
    expect(again.code).toBe(6);
    expect(again.stderr).toContain('(HTTP 409)');
  });

  it('exits 4 when the run is dead-lettered (its one attempt lost to an unreachable forge)', async () => {
    const r = await cli([
      'submit',
      '--repo',
      'octo/unreachable',
      '--instructions',
      'Never cloned',
      '--publish',
      'none',
      '--max-attempts',
      '1',
      '--wait',
    ]);
    expect(r.code, r.stderr).toBe(4);
    expect(r.stderr).toMatch(/: dead-lettered/);
    expect((await getJob(stack, jobId(r.stdout))).status).toBe('dead_letter');
  });

  it('lists and shows jobs, for people and as JSON', async () => {
    const json = await cli(['list', '--json', '--status', 'succeeded']);
    expect(json.code).toBe(0);
    const items = JSON.parse(json.stdout) as JobView[];
    expect(items.map((j) => j.id)).toContain(succeeded);
    expect(items.every((j) => j.status === 'succeeded')).toBe(true);

    const human = await cli(['list', '--repo', 'octo/cli']);
    expect(human.code).toBe(0);
    const lines = human.stdout.trim().split('\n');
    expect(lines[0]).toMatch(/^ID\s+STATUS\s+CREATED\s+REPOSITORY\s+TITLE$/);
    expect(lines.find((l) => l.startsWith(succeeded))).toMatch(
      /succeeded .* octo\/cli +Say hello from the CLI$/,
    );
    expect(lines.some((l) => /failed .*A task that fails$/.test(l))).toBe(true);

    const shown = await cli(['show', succeeded, '--json']);
    expect(JSON.parse(shown.stdout)).toMatchObject({
      id: succeeded,
      status: 'succeeded',
      repository: 'octo/cli',
    });
    const detail = await cli(['show', succeeded]);
    expect(detail.stdout).toMatch(/^status: +succeeded$/m);
    expect(detail.stdout).toMatch(/^repository: +octo\/cli$/m);

    const wrong = await cli(['list', '--status', 'sleeping']);
    expect(wrong.code).toBe(2);
    expect(wrong.stderr).toContain('status:');
  });

  it('prints a finished run’s log, as lines or as JSON lines', async () => {
    const human = await cli(['logs', succeeded]);
    expect(human.code).toBe(0);
    const said = human.stdout.split('\n').filter((l) => /\bline \d\b/.test(l));
    expect(said.map((l) => /line (\d)/.exec(l)?.[1])).toEqual(['1', '2', '3']);
    const raw = await cli(['logs', succeeded, '--raw']);
    const events = raw.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { id: number; type: string });
    expect(events.map((e) => e.id)).toEqual([...events.map((e) => e.id)].sort((a, b) => a - b));
    expect(events.some((e) => e.type === 'run.finished')).toBe(true);
    // Following a finished run prints the same log and exits with its outcome.
    const followed = await cli(['logs', succeeded, '-f', '--raw']);
    expect(followed.code).toBe(0);
    expect(followed.stdout).toBe(raw.stdout);
  });

  it('pauses, sends a message, refuses a second pause (exit 6) and resumes', async () => {
    const submitted = await cli([
      'submit',
      '--repo',
      'octo/cli',
      '--instructions',
      'Two steps',
      '--publish',
      'none',
      '--step',
      'FAKE_SLEEP=4',
      '--step',
      'Second',
    ]);
    const id = jobId(submitted.stdout);
    await waitForJob(stack, id, (j) => j.stage === 'moonmind.task.execute' && j.step?.index === 0);
    const pause = await cli(['pause', id]);
    expect(pause.code).toBe(0);
    expect(pause.stdout).toContain('pause: taken by the run');
    const message = await cli(['message', id, 'Please', 'also', 'update', 'the', 'changelog', '--json']);
    expect(message.code).toBe(0);
    expect(JSON.parse(message.stdout)).toMatchObject({ taken: true, requestId: expect.any(String) });
    await waitForStatus(stack, id, 'awaiting_action');
    const twice = await cli(['pause', id]);
    expect(twice.code).toBe(6);
    expect(twice.stderr).toMatch(/paused/);
    const resume = await cli(['resume', id, '--json']);
    expect(resume.code).toBe(0);
    expect(JSON.parse(resume.stdout)).toMatchObject({ taken: true, job: { id } });
    const follow = await cli(['logs', id, '-f']);
    expect(follow.code).toBe(0);
    expect(follow.stdout).toContain('Please also update the changelog');
  });

  it('lists artifacts and downloads one byte for byte', async () => {
    const listed = await cli(['artifacts', succeeded, '--json']);
    expect(listed.code).toBe(0);
    const items = JSON.parse(listed.stdout) as ArtifactView[];
    expect(items.length).toBeGreaterThan(0);
    const artifact = items[0];
    const direct = Buffer.from(
      await (await stack.api(`/api/queue/jobs/${succeeded}/artifacts/${artifact.id}/download`)).arrayBuffer(),
    );
    const out = path.join(cwd, 'downloaded.bin');
    const r = await cli(['download', succeeded, artifact.name, '-o', out]);
    expect(r.code).toBe(0);
    const bytes = await readFile(out);
    expect(bytes.equals(direct)).toBe(true);
    expect(createHash('sha256').update(bytes).digest('hex')).toBe(artifact.sha256);

    // By id, into the working directory under the artifact's own file name; `-o -` to standard output.
    const byId = await cli(['download', succeeded, artifact.id]);
    expect(byId.code).toBe(0);
    expect((await readFile(path.join(cwd, path.basename(artifact.name)))).equals(direct)).toBe(true);
    const piped = await cli(['download', succeeded, artifact.name, '-o', '-']);
    expect(Buffer.from(piped.stdout).equals(direct)).toBe(true);

    const missing = await cli(['download', succeeded, 'no/such.log']);
    expect(missing.code).toBe(5);
    expect(missing.stderr).toContain('has no artifact no/such.log');
  });

  it('reports the API’s refusals: a bad token, an unknown job, a repository on no trusted forge', async () => {
    const badToken = await cli(['list'], { env: { MOONMIND_TOKEN: 'not-a-real-token-at-all' } });
    expect(badToken.code).toBe(5);
    expect(badToken.stderr).toContain('(HTTP 401)');
    expect(badToken.stderr).not.toContain('not-a-real-token-at-all');
    const unknown = await cli(['show', '00000000-0000-4000-8000-000000000000']);
    expect(unknown.code).toBe(5);
    expect(unknown.stderr).toContain('(HTTP 404)');
    const forge = await cli(['submit', '--repo', 'https://forge.invalid/octo/cli', '--instructions', 'x']);
    expect(forge.code).toBe(2);
    expect(forge.stderr).toMatch(/payload\.repository: /);
  });

  it('keeps the admin commands: a user made with `user create` signs the CLI in through a config file', async () => {
    const made = await runCli(['user', 'create', '--name', 'cli-operator', '--role', 'operator'], {
      cwd,
      env: { DATABASE_URL: stack.db.url },
    });
    expect(made.code).toBe(0);
    const token = made.stdout.trim().split('\n').at(-1)!;
    const config = path.join(cwd, 'config.json');
    await writeFile(config, JSON.stringify({ url: stack.apiUrl, token }));
    await chmod(config, 0o600);
    const listed = await runCli(['list', '--json', '--limit', '1'], {
      cwd,
      env: { MOONMIND_CONFIG: config },
    });
    expect(listed.code).toBe(0);
    expect(JSON.parse(listed.stdout)).toHaveLength(1);
    const tokens = await runCli(['worker-token', 'list'], { cwd, env: { DATABASE_URL: stack.db.url } });
    expect(tokens.code).toBe(0);
    expect(tokens.stdout).toContain('test-cli');
  });
});

import { execFile } from 'node:child_process';
import { chmod, mkdir, mkdtemp, symlink, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../../scripts/ports.ts';
import { binPath, runCli } from './run-cli.ts';

// No API listens here: a command that got as far as sending would exit 5 ("cannot reach the API").
let nowhere: string;
let dir: string;
const token = `cli-local-${'t'.repeat(24)}`;
beforeAll(async () => {
  nowhere = `http://127.0.0.1:${await freePort()}`;
  dir = await mkdtemp(path.join(os.tmpdir(), 'mm-cli-local-'));
});
const env = () => ({ MOONMIND_URL: nowhere, MOONMIND_TOKEN: token });

describe('the CLI before it sends anything', () => {
  it('names the field of an invalid task from flags, and exits 2', async () => {
    const r = await runCli(['submit', '--repo', 'octo/x', '--instructions', '  ', '--runtime', 'cobol'], {
      env: env(),
    });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('payload.task.instructions: is required');
    expect(r.stderr).toContain('payload.task.runtime.mode');
    expect(r.stderr).not.toContain('cannot reach');
  });

  it('names the field of an invalid YAML file and of invalid JSON on standard input', async () => {
    const file = path.join(dir, 'task.yaml');
    await writeFile(file, 'repository: not a repo\ntask:\n  instructions: Fix it\n');
    const yaml = await runCli(['submit', file], { env: env() });
    expect(yaml.code).toBe(2);
    expect(yaml.stderr).toMatch(/payload\.repository: must be owner\/repo/);

    const stdin = await runCli(['submit', '-'], {
      env: env(),
      stdin: JSON.stringify({ type: 'task', priority: 5000, payload: { task: { instructions: 'x' } } }),
    });
    expect(stdin.code).toBe(2);
    expect(stdin.stderr).toMatch(/priority: .*1000/);
  });

  it('refuses a raw credential in a submission, naming where it is, without echoing it', async () => {
    const secret = `ghp_${'A1b2C3d4E5'.repeat(4).slice(0, 36)}`;
    const r = await runCli(['submit', '-'], {
      env: env(),
      stdin: JSON.stringify({ repository: 'octo/x', task: { instructions: `use ${secret}` } }),
    });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('payload.task.instructions: looks like a raw credential');
    expect(r.stderr).not.toContain(secret);
  });

  it('says how to call a command given wrong flags or a wrong job id', async () => {
    const unknown = await runCli(['list', '--colour'], { env: env() });
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain("Unknown option '--colour'");
    expect(unknown.stderr).toContain('usage: moonmind list');
    const badId = await runCli(['show', '42'], { env: env() });
    expect(badId.code).toBe(2);
    expect(badId.stderr).toContain('42 is not a job id');
    const both = await runCli(['submit', 'task.json', '--instructions', 'x'], { env: env() });
    expect(both.code).toBe(2);
    expect(both.stderr).toContain('not both');
    const empty = await runCli(['message', '00000000-0000-4000-8000-000000000000', ' '], { env: env() });
    expect(empty.code).toBe(2);
    expect(empty.stderr).toContain('message: is required');
  });

  it('says how to call an orchestrator subcommand', async () => {
    const none = await runCli(['orchestrator'], { env: env() });
    expect(none.code).toBe(2);
    expect(none.stderr).toContain('give a subcommand');
    expect(none.stderr).toContain('moonmind orchestrator approve RUN_ID');
    const unknown = await runCli(['orchestrator', 'deploy'], { env: env() });
    expect(unknown.stderr).toContain('unknown subcommand deploy');
    const badId = await runCli(['orchestrator', 'approve', '42'], { env: env() });
    expect(badId.code).toBe(2);
    expect(badId.stderr).toContain('42 is not a run id');
    const noInstruction = await runCli(['orchestrator', 'submit', 'api'], { env: env() });
    expect(noInstruction.code).toBe(2);
    expect(noInstruction.stderr).toContain('give the service and the instruction');
    const noToken = await runCli(['orchestrator', 'submit', 'api', 'Fix', 'it', '--token-stdin'], {
      env: env(),
      stdin: '\n',
    });
    expect(noToken.code).toBe(2);
    expect(noToken.stderr).toContain('--token-stdin: standard input holds no token');
    const badPublish = await runCli(['orchestrator', 'submit', 'api', 'Fix', '--publish', 'tag'], {
      env: env(),
    });
    expect(badPublish.code).toBe(2);
    expect(badPublish.stderr).toContain('--publish must be one of none, branch, pr');
  });

  it('exits 5 when the API cannot be reached, and asks for a token when there is none', async () => {
    const down = await runCli(['list'], { env: env() });
    expect(down.code).toBe(5);
    expect(down.stderr).toContain(`cannot reach the API at ${nowhere}`);
    const none = await runCli(['list'], {
      env: { MOONMIND_URL: nowhere, MOONMIND_CONFIG: path.join(dir, 'absent.json') },
    });
    expect(none.code).toBe(2);
    expect(none.stderr).toContain('cannot read the config file');
    const noToken = await runCli(['list'], { env: { MOONMIND_URL: nowhere, XDG_CONFIG_HOME: dir } });
    expect(noToken.code).toBe(5);
    expect(noToken.stderr).toContain('no API token');
  });

  it('refuses a config file with a token that others may read, and never prints the token', async () => {
    const file = path.join(dir, 'config.json');
    await writeFile(file, JSON.stringify({ url: nowhere, token }));
    await chmod(file, 0o644);
    const open = await runCli(['list'], { env: { MOONMIND_CONFIG: file } });
    expect(open.code).toBe(2);
    expect(open.stderr).toContain('others may read it (mode 0644)');
    expect(open.stderr).toContain(`chmod 600 ${file}`);
    expect(open.stderr + open.stdout).not.toContain(token);

    await chmod(file, 0o600);
    const closed = await runCli(['list'], { env: { MOONMIND_CONFIG: file } });
    // The file's URL was used: the same unreachable address, so past the settings.
    expect(closed.code).toBe(5);
    expect(closed.stderr).toContain(`cannot reach the API at ${nowhere}`);
    expect(closed.stderr + closed.stdout).not.toContain(token);
  });

  it('prints the usage of every command, user and admin, for --help', async () => {
    const r = await runCli(['--help'], { cwd: os.tmpdir() });
    expect(r.code).toBe(0);
    for (const c of [
      'submit',
      'list',
      'show',
      'logs',
      'cancel',
      'pause',
      'resume',
      'message',
      'artifacts',
      'download',
    ])
      expect(r.stdout).toContain(`moonmind ${c} `);
    expect(r.stdout).toContain('moonmind manifest list');
    expect(r.stdout).toContain('moonmind worker-token create --name NAME');
    expect(r.stdout).toContain('3 cancelled, 4 dead-lettered');
  });

  it('runs as an installed command: a symlink on PATH, as `npm link` makes, from another directory', async () => {
    const binDir = path.join(dir, 'global-bin');
    await mkdir(binDir);
    await symlink(binPath, path.join(binDir, 'moonmind'));
    const { stdout } = await promisify(execFile)('moonmind', ['show', '--help'], {
      cwd: os.tmpdir(),
      env: { ...process.env, PATH: `${binDir}:${path.dirname(process.execPath)}:${process.env.PATH}` },
    });
    expect(stdout).toBe('usage: moonmind show JOB_ID [--json]\n');
  });
});

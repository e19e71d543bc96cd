import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { mkdtemp, readdir, rm, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSql } from '../../db/client.ts';
import { freePort, isListening, waitFor } from '../../scripts/ports.ts';
import { fakeAgent } from '../support/stack.ts';

/**
 * `npm start` as a user runs it: embedded Temporal and an embedded PostgreSQL cluster (no DATABASE_URL, no
 * TEMPORAL_ADDRESS), ready, then Ctrl-C leaves nothing listening, and a second start resumes the data.
 */
interface Started {
  child: ChildProcess;
  output: string[];
  ready: Promise<void>;
}

function npmStart(env: NodeJS.ProcessEnv): Started {
  const clean = { ...process.env };
  for (const k of ['DATABASE_URL', 'TEMPORAL_ADDRESS', 'MOONMIND_ADMIN_TOKEN', 'TEMPORAL_UI_URL'])
    delete clean[k];
  const child = spawn(process.execPath, ['--import', 'tsx', 'scripts/start.ts'], {
    env: { ...clean, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const output: string[] = [];
  const ready = new Promise<void>((resolve, reject) => {
    const onData = (chunk: Buffer) => {
      output.push(chunk.toString());
      if (output.join('').includes('MoonMind is ready')) resolve();
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.once('exit', (code) =>
      reject(new Error(`npm start exited (${code}):\n${output.join('').slice(-3000)}`)),
    );
  });
  return { child, output, ready };
}

async function ctrlC(started: Started) {
  const exited = new Promise((r) => started.child.once('exit', r));
  started.child.kill('SIGINT');
  await exited;
}

describe('npm start on embedded defaults', () => {
  let dataDir: string;
  let env: NodeJS.ProcessEnv;
  let ports: { api: number; temporal: number; ui: number; pg: number };
  beforeAll(async () => {
    dataDir = await mkdtemp(path.join(os.tmpdir(), 'mm-start-'));
    ports = { api: await freePort(), temporal: await freePort(), ui: await freePort(), pg: await freePort() };
    env = {
      MOONMIND_DATA_DIR: dataDir,
      PORT: String(ports.api),
      MOONMIND_TEMPORAL_PORT: String(ports.temporal),
      MOONMIND_TEMPORAL_UI_PORT: String(ports.ui),
      MOONMIND_PG_PORT: String(ports.pg),
      MOONMIND_CODEX_COMMAND: fakeAgent,
      MOONMIND_LOG_LEVEL: 'warn',
    };
  });
  afterAll(() => rm(dataDir, { recursive: true, force: true }));

  it('comes up ready, stops on Ctrl-C, and resumes its data on the next start', async () => {
    const first = npmStart(env);
    await first.ready;
    const api = `http://127.0.0.1:${ports.api}`;
    const printed = first.output.join('');
    const token = /^\s+(mm_u_\S+)\s*$/m.exec(printed)?.[1];
    expect(token, 'an admin token is printed on the first start').toBeTruthy();
    expect(printed).toContain(`http://127.0.0.1:${ports.api}/tasks`);
    expect(printed).toContain(dataDir);

    expect((await fetch(`${api}/readyz`)).status).toBe(200);
    expect((await fetch(`http://localhost:${ports.ui}/`)).status).toBe(200);
    const auth = { authorization: `Bearer ${token}` };
    expect((await fetch(`${api}/api/auth/me`, { headers: auth })).status).toBe(200);
    const created = await fetch(`${api}/api/queue/jobs`, {
      method: 'POST',
      headers: { ...auth, 'content-type': 'application/json', 'idempotency-key': 'launcher-test' },
      body: JSON.stringify({
        type: 'task',
        payload: { repository: 'octo/missing', task: { instructions: 'noop', publish: { mode: 'none' } } },
      }),
    });
    expect(created.status).toBe(201);
    const job = (await created.json()) as { id: string };

    // Nothing in the data dir is readable by other local users (agent CLIs); they may only pass through
    // to the workspaces. The embedded PostgreSQL takes a password on loopback.
    expect((await stat(dataDir)).mode & 0o777).toBe(0o711);
    for (const name of await readdir(dataDir)) {
      const mode = (await stat(path.join(dataDir, name))).mode & 0o777;
      expect({ name, open: mode & (name === 'workspaces' ? 0o066 : 0o077) }).toEqual({ name, open: 0 });
    }
    const guess = createSql(['postgres://postgres', `guess@127.0.0.1:${ports.pg}/moonmind`].join(':'), {
      max: 1,
    });
    await expect(guess`SELECT 1`).rejects.toMatchObject({ code: '28P01' });
    await guess.end();

    await ctrlC(first);
    for (const [name, port] of Object.entries(ports))
      expect(await isListening(port), `${name} port ${port} after Ctrl-C`).toBe(false);
    const leftovers = execFileSync('ps', ['-eo', 'args'])
      .toString()
      .split('\n')
      .filter((l) => l.includes(dataDir));
    expect(leftovers).toEqual([]);

    const second = npmStart(env);
    await second.ready;
    expect(second.output.join('')).not.toMatch(/^\s+mm_u_\S+\s*$/m);
    await waitFor('API', async () => (await fetch(`${api}/readyz`)).ok, 60_000);
    expect((await fetch(`${api}/api/auth/me`, { headers: auth })).status).toBe(200);
    const again = await fetch(`${api}/api/queue/jobs/${job.id}`, { headers: auth });
    expect(again.status).toBe(200);

    // kill -9 of each service: the launcher says so, starts it again, and the system answers again.
    const children = () =>
      execFileSync('ps', ['-o', 'pid=,args=', '--ppid', String(second.child.pid)])
        .toString()
        .split('\n')
        .filter(Boolean)
        .map((l) => ({ pid: Number(l.trim().split(/\s+/)[0]), args: l }));
    for (const [name, marker] of [
      ['api', 'api/main.ts'],
      ['worker-1', 'workers/main.ts'],
      ['temporal', 'start-dev'],
      ['postgres', '/postgres -D'],
    ] as const) {
      const victim = children().find((c) => c.args.includes(marker));
      expect(victim, `${name} is a child of the launcher`).toBeTruthy();
      process.kill(victim!.pid, 'SIGKILL');
      await waitFor(
        `${name} restarted`,
        async () => second.output.join('').includes(`${name} restarted`),
        90_000,
      );
      expect(second.output.join('')).toMatch(
        new RegExp(`${name} exited unexpectedly \\(code null\\); restarting in`),
      );
      await waitFor(`ready after ${name}`, async () => (await fetch(`${api}/readyz`)).ok, 90_000);
      expect((await fetch(`${api}/api/queue/jobs/${job.id}`, { headers: auth })).status).toBe(200);
    }
    await ctrlC(second);
    expect(second.child.exitCode).toBe(0);
  }, 600_000);
});

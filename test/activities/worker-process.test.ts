import { spawn } from 'node:child_process';
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testTemporal } from '../support/temporal.ts';
import { FAKE_AGENT } from './task-fixture.ts';
import { startWorkerApiReceiver, type WorkerApiReceiver } from './worker-api-receiver.ts';

let api: WorkerApiReceiver;
let dir: string;
beforeAll(async () => {
  api = await startWorkerApiReceiver();
  dir = await mkdtemp(join(tmpdir(), 'mm-workerproc-'));
});

/** workers/main.ts as a child process, its output collected. */
function startWorkerProcess(env: NodeJS.ProcessEnv) {
  const child = spawn(process.execPath, ['--import', 'tsx', 'workers/main.ts'], {
    env: { PATH: process.env.PATH, HOME: process.env.HOME, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const out = { text: '' };
  child.stdout.on('data', (d) => {
    out.text += d;
  });
  child.stderr.on('data', (d) => {
    out.text += d;
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
  return { child, out, exited };
}
afterAll(async () => {
  await api?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('workers/main.ts as a process', () => {
  it('waits for the API, registers, polls, and exits cleanly on SIGTERM', async () => {
    const { address, namespace, connection } = await testTemporal();
    await connection.close();
    api.unavailable(3); // the API is "starting": registration must retry
    await chmod(dir, 0o711); // mkdtemp's 0700 would keep the agent user out of its workspaces
    const { child, out, exited } = startWorkerProcess({
      TEMPORAL_ADDRESS: address,
      TEMPORAL_NAMESPACE: namespace,
      MOONMIND_API_URL: api.url,
      MOONMIND_WORKER_TOKEN: 'worker-token-for-tests-0001',
      MOONMIND_WORKER_POOL: 'proc',
      MOONMIND_WORKER_CAPABILITIES: 'codex,git,claude',
      MOONMIND_CLAUDE_COMMAND: '/nonexistent/claude',
      MOONMIND_CODEX_COMMAND: FAKE_AGENT,
      MOONMIND_WORKSPACE_DIR: join(dir, 'ws'),
    });
    await expect
      .poll(() => out.text.includes('polling moonmind-pool-proc'), { timeout: 60_000, interval: 200 })
      .toBe(true);
    expect(api.registrations).toHaveLength(1);
    expect(api.registrations[0]).toMatchObject({ pool: 'proc', capabilities: ['codex', 'git'] });
    expect(out.text).toContain('not advertising claude');
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
  });

  it.runIf(process.getuid?.() === 0)(
    'as root, refuses to start when the agent user cannot reach the workspace dir, naming the directory',
    async () => {
      const closed = await mkdtemp(join(tmpdir(), 'mm-closed-')); // 0700
      const { out, exited } = startWorkerProcess({
        MOONMIND_API_URL: api.url,
        MOONMIND_WORKER_TOKEN: 'worker-token-for-tests-0001',
        MOONMIND_WORKER_CAPABILITIES: 'codex',
        MOONMIND_CODEX_COMMAND: FAKE_AGENT,
        MOONMIND_WORKSPACE_DIR: join(closed, 'ws'),
      });
      expect(await exited).toBe(1);
      expect(out.text).toContain(
        `the agent user cannot reach the workspace dir ${join(closed, 'ws')}: ${closed}`,
      );
      expect(api.registrations).toHaveLength(1); // only the first test's: this one never registered
      await rm(closed, { recursive: true, force: true });
    },
  );
});

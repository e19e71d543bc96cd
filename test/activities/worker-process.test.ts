import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
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
afterAll(async () => {
  await api?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('workers/main.ts as a process', () => {
  it('waits for the API, registers, polls, and exits cleanly on SIGTERM', async () => {
    const { address, namespace, connection } = await testTemporal();
    await connection.close();
    api.unavailable(3); // the API is "starting": registration must retry
    const child = spawn(process.execPath, ['--import', 'tsx', 'workers/main.ts'], {
      env: {
        PATH: process.env.PATH,
        HOME: process.env.HOME,
        TEMPORAL_ADDRESS: address,
        TEMPORAL_NAMESPACE: namespace,
        MOONMIND_API_URL: api.url,
        MOONMIND_WORKER_TOKEN: 'worker-token-for-tests-0001',
        MOONMIND_WORKER_POOL: 'proc',
        MOONMIND_WORKER_CAPABILITIES: 'codex,git,claude',
        MOONMIND_CLAUDE_COMMAND: '/nonexistent/claude',
        MOONMIND_CODEX_COMMAND: FAKE_AGENT,
        MOONMIND_WORKSPACE_DIR: join(dir, 'ws'),
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (d) => {
      output += d;
    });
    child.stderr.on('data', (d) => {
      output += d;
    });
    const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
    await expect
      .poll(() => output.includes('polling moonmind-pool-proc'), { timeout: 60_000, interval: 200 })
      .toBe(true);
    expect(api.registrations).toHaveLength(1);
    expect(api.registrations[0]).toMatchObject({ pool: 'proc', capabilities: ['codex', 'git'] });
    expect(output).toContain('not advertising claude');
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
  });
});

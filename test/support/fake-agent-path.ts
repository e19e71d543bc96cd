import { chmod, copyFile, mkdtemp, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const fakesDir = fileURLToPath(new URL('../fakes/', import.meta.url));
/** The fake agent and the module it imports. */
const agentFiles = ['fake-agent.mjs', 'git-traps.mjs'];

/**
 * The fake agent the tests run. As root, workers start agents as the unprivileged agent user, who must be
 * able to read the script; when the checkout is closed to other users (under /root, say), the global setup
 * copies it to a readable directory named by MOONMIND_TEST_FAKES.
 */
export const fakeAgentPath = (): string =>
  path.join(process.env.MOONMIND_TEST_FAKES ?? fakesDir, 'fake-agent.mjs');

/** Whether a user other than the owner can read `file` (every directory above it lets others pass). */
export async function readableByOthers(file: string): Promise<boolean> {
  if (((await stat(file)).mode & 0o004) === 0) return false;
  for (let dir = path.dirname(file); ; dir = path.dirname(dir)) {
    if (((await stat(dir)).mode & 0o001) === 0) return false;
    if (dir === path.dirname(dir)) return true;
  }
}

/** For the global setup: the copy's directory when one was needed (the caller removes it), else null. */
export async function publishFakeAgent(): Promise<string | null> {
  if (process.getuid?.() !== 0 || (await readableByOthers(path.join(fakesDir, 'fake-agent.mjs'))))
    return null;
  const dir = await mkdtemp(path.join(os.tmpdir(), 'mm-fakes-'));
  await chmod(dir, 0o755);
  for (const f of agentFiles) {
    await copyFile(path.join(fakesDir, f), path.join(dir, f));
    await chmod(path.join(dir, f), 0o755);
  }
  process.env.MOONMIND_TEST_FAKES = dir;
  return dir;
}

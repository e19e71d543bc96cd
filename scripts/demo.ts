import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import type { Config } from '../contracts/config.ts';

const run = promisify(execFile);

/** The demo repository's name: `owner/repo` on the demo's own file:// forge. */
export const DEMO_REPOSITORY = 'moonmind/demo';

/** What `npm start` adds to the API's and the workers' environments for the demo. */
export interface Demo {
  /** The bare repository runs push to (`<dataDir>/demo-git/moonmind/demo.git`). */
  bareRepo: string;
  api: NodeJS.ProcessEnv;
  worker: NodeJS.ProcessEnv;
}

/**
 * MOONMIND_DEMO, unset: on when `npm start` runs its own PostgreSQL (a first try on a laptop), off with a
 * configured DATABASE_URL (a deployment).
 */
export const demoEnabled = (config: Config): boolean => config.MOONMIND_DEMO ?? !config.DATABASE_URL;

/**
 * The first-run demo: a bare git repository under the data dir, seeded once, served as `moonmind/demo` by
 * pointing the default forge at the demo's directory; the submit form then defaults to it, the scripted
 * `demo` runtime and the `branch` publish mode. Settings the operator gave win: with MOONMIND_GIT_BASE_URL
 * set, `owner/repo` means that forge and the demo repository is not offered (the demo runtime still is).
 */
export async function prepareDemo(
  config: Config,
  env: NodeJS.ProcessEnv,
  log: (line: string) => void,
): Promise<Demo> {
  const root = path.resolve(config.MOONMIND_DATA_DIR, 'demo-git');
  const bareRepo = path.join(root, `${DEMO_REPOSITORY}.git`);
  if (!existsSync(bareRepo)) await seedRepository(bareRepo);
  const ownForge = !env.MOONMIND_GIT_BASE_URL;
  if (!ownForge) log(`demo repository not offered: MOONMIND_GIT_BASE_URL is set (${bareRepo} stays)`);
  const forge = ownForge ? { MOONMIND_GIT_BASE_URL: `file://${root}` } : {};
  const unset = (name: string, value: string) => (env[name] ? {} : { [name]: value });
  return {
    bareRepo,
    api: {
      ...forge,
      ...unset('MOONMIND_DEFAULT_RUNTIME', 'demo'),
      ...(ownForge ? unset('MOONMIND_DEFAULT_REPOSITORY', DEMO_REPOSITORY) : {}),
      ...unset('MOONMIND_DEFAULT_PUBLISH_MODE', 'branch'),
    },
    worker: { ...forge, MOONMIND_DEMO: 'on' },
  };
}

/** A bare repository with one commit on `main`, made in a scratch clone and moved into place. */
async function seedRepository(bareRepo: string): Promise<void> {
  await mkdir(path.dirname(bareRepo), { recursive: true });
  const seed = await mkdtemp(path.join(path.dirname(bareRepo), '.seed-'));
  const git = (cwd: string, ...args: string[]) =>
    run('git', ['-c', 'user.name=MoonMind', '-c', 'user.email=demo@moonmind.invalid', ...args], { cwd });
  try {
    await git(seed, 'init', '-q', '-b', 'main');
    await writeFile(
      path.join(seed, 'README.md'),
      '# MoonMind demo repository\n\nRuns of the `demo` runtime branch from here and push their branches back.\n',
    );
    await git(seed, 'add', '-A');
    await git(seed, 'commit', '-q', '-m', 'demo repository');
    await run('git', ['clone', '-q', '--bare', seed, bareRepo]);
  } finally {
    await rm(seed, { recursive: true, force: true });
  }
}

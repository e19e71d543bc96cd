import { execFile } from 'node:child_process';
import { access, constants } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** The pinned schemathesis release (PyPI) the API fuzz test runs. */
export const SCHEMATHESIS_VERSION = '4.32.5';
const target = path.resolve('.tools', 'schemathesis');

export interface Schemathesis {
  /** The `st` entry point; run it with `env` (the install is a pip --target tree, not on sys.path). */
  command: string;
  env: Record<string, string>;
}

const local: Schemathesis = { command: path.join(target, 'bin', 'st'), env: { PYTHONPATH: target } };

/** The project-local install when it is there and is the pinned version, else null. */
export async function findSchemathesis(): Promise<Schemathesis | null> {
  const present = await access(local.command, constants.X_OK).then(
    () => true,
    () => false,
  );
  if (!present) return null;
  const { stdout } = await run(local.command, ['--version'], {
    env: { ...process.env, ...local.env },
    timeout: 60_000,
  }).catch(() => ({ stdout: '' }));
  return stdout.includes(SCHEMATHESIS_VERSION) ? local : null;
}

/** Install the pinned schemathesis under .tools/schemathesis with pip (as the Temporal CLI wheel is). */
export async function ensureSchemathesis(log: (line: string) => void = console.log): Promise<Schemathesis> {
  const found = await findSchemathesis();
  if (found) return found;
  for (const python of ['python3', 'python']) {
    log(`installing schemathesis==${SCHEMATHESIS_VERSION} with ${python} -m pip into ${target}`);
    try {
      await run(
        python,
        [
          '-m',
          'pip',
          'install',
          '--quiet',
          '--upgrade',
          '--target',
          target,
          `schemathesis==${SCHEMATHESIS_VERSION}`,
        ],
        { timeout: 600_000 },
      );
    } catch (err) {
      log(`pip install failed: ${(err as Error).message.split('\n')[0]}`);
      continue;
    }
    const installed = await findSchemathesis();
    if (installed) return installed;
  }
  throw new Error(`could not install schemathesis==${SCHEMATHESIS_VERSION} with pip`);
}

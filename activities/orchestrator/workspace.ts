import { createHash } from 'node:crypto';
import { cp, mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { workspacePaths } from '../task/workspace.ts';

/**
 * A run's workspace on its host, `<MOONMIND_WORKSPACE_DIR>/.orchestrator/<runId>` (the dot keeps it out of the
 * task attempts' sweep and fail-over), kept between the run's steps:
 * - `repo`, `home`, `tmp`, `artifacts`: the agent step's box, as for task steps (sandbox.ts). `repo` is a
 *   copy of the service's files: the agent never writes the service root; the patch step applies what it
 *   changed there only once every change is allowed.
 * - `original/` and `applied.json`: the files the patch replaced, so a rollback (or a cancel) puts them back.
 */
export function orchestratorPaths(workspaceDir: string, runId: string) {
  if (!/^[A-Za-z0-9_-]+$/.test(runId))
    throw new Error(`run id ${JSON.stringify(runId)} is not a safe path segment`);
  const root = path.join(path.resolve(workspaceDir), '.orchestrator', runId);
  return {
    ...workspacePaths(root),
    original: path.join(root, 'original'),
    applied: path.join(root, 'applied.json'),
    manifest: path.join(root, 'manifest.json'),
  };
}
export type OrchestratorPaths = ReturnType<typeof orchestratorPaths>;

/** Not copied for the agent and never part of a patch: VCS data, dependencies, the runner's pid and log files. */
const skipped = new Set(['.git', 'node_modules', '.moonmind']);

/** Files under `dir` (relative, `/`-separated) with their content digests. */
async function digests(dir: string): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  const walk = async (rel: string) => {
    for (const e of await readdir(path.join(dir, rel), { withFileTypes: true })) {
      if (skipped.has(e.name)) continue;
      const child = rel ? `${rel}/${e.name}` : e.name;
      if (e.isDirectory()) await walk(child);
      else if (e.isFile()) out.set(child, sha256(await readFile(path.join(dir, child))));
    }
  };
  await walk('');
  return out;
}
const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');

/** A fresh copy of the service's files in `repo`, and the digests it started with. */
export async function copyService(root: string, paths: OrchestratorPaths): Promise<void> {
  await rm(paths.repo, { recursive: true, force: true });
  for (const dir of [paths.repo, paths.home, paths.tmp, paths.skillsActive, paths.artifacts, paths.original])
    await mkdir(dir, { recursive: true });
  await cp(root, paths.repo, {
    recursive: true,
    filter: (src) => !skipped.has(path.basename(src)) || src === root,
  });
  await writeFile(paths.manifest, JSON.stringify(Object.fromEntries(await digests(paths.repo))));
}

/** What the agent changed in its copy: relative paths, each with whether it was removed. */
export async function changesOf(paths: OrchestratorPaths): Promise<{ path: string; removed: boolean }[]> {
  const before = new Map(
    Object.entries(JSON.parse(await readFile(paths.manifest, 'utf8')) as Record<string, string>),
  );
  const after = await digests(paths.repo);
  const changed = [...after]
    .filter(([p, d]) => before.get(p) !== d)
    .map(([p]) => ({ path: p, removed: false }));
  const removed = [...before.keys()].filter((p) => !after.has(p)).map((p) => ({ path: p, removed: true }));
  return [...changed, ...removed].sort((a, b) => a.path.localeCompare(b.path));
}

interface Applied {
  path: string;
  /** The service had the file before (its content is under `original/`). */
  existed: boolean;
}

/** Apply the agent's changes to the service root, keeping each replaced file for the rollback. */
export async function applyChanges(
  root: string,
  paths: OrchestratorPaths,
  changes: { path: string; removed: boolean }[],
): Promise<void> {
  const applied: Applied[] = [];
  for (const c of changes) {
    const target = path.join(root, c.path);
    const before = await readFile(target).catch(() => null);
    if (before) {
      await mkdir(path.dirname(path.join(paths.original, c.path)), { recursive: true });
      await writeFile(path.join(paths.original, c.path), before);
    }
    applied.push({ path: c.path, existed: before !== null });
    // Recorded before the service's file changes: a cancel in between still finds what to put back.
    await writeFile(paths.applied, JSON.stringify(applied));
    if (c.removed) await rm(target, { force: true });
    else {
      await mkdir(path.dirname(target), { recursive: true });
      await writeFile(target, await readFile(path.join(paths.repo, c.path)));
    }
  }
}

/** Put back every file the patch replaced (and remove those it added). Returns the paths restored. */
export async function revertChanges(root: string, paths: OrchestratorPaths): Promise<string[]> {
  const applied = JSON.parse(await readFile(paths.applied, 'utf8').catch(() => '[]')) as Applied[];
  for (const a of applied) {
    const target = path.join(root, a.path);
    if (a.existed) await writeFile(target, await readFile(path.join(paths.original, a.path)));
    else await rm(target, { force: true });
  }
  await writeFile(paths.applied, '[]');
  return applied.map((a) => a.path);
}

import { mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { WorkerConfig } from '../../../contracts/config.ts';
import { forgeTarget, forgeToken, gitAuth } from '../../forge/target.ts';
import { git } from '../../git/git.ts';
import type { SecretResolver } from '../../secrets/references.ts';
import type { Reader, ReaderContext, SourceDocument } from '../interfaces.ts';
import { pathFilter } from './directory.ts';
import { mimeTypeOf, sourceDocument } from './document.ts';
import type { GithubParams } from './params.ts';

export type ForgeSettings = Pick<
  WorkerConfig,
  'MOONMIND_GIT_BASE_URL' | 'MOONMIND_GIT_HOSTS' | 'MOONMIND_GITHUB_API_URL'
>;

/**
 * A repository's files at a ref, through the task runs' git and forge code: the forge allow-list is checked
 * on the worker, the credential (the source's `auth.token`, else the forge's own, as for tasks) travels
 * only as a host-scoped header in git's environment. A bare clone into the run's scratch directory; files
 * are read from the commit's tree (no checkout, so no filter or hook of the repository runs).
 */
export class GithubRepositoryReader implements Reader {
  private commit: string | null = null;

  constructor(
    private readonly params: GithubParams,
    private readonly ctx: ReaderContext,
    private readonly forge: ForgeSettings,
    private readonly worker: { env: NodeJS.ProcessEnv; secrets: SecretResolver },
  ) {}

  async *documents(signal: AbortSignal): AsyncIterable<SourceDocument> {
    const target = await forgeTarget(this.params.repository, this.forge);
    // The source's own token first, else the task runs' choice: the listed forge's `token=` reference or the
    // worker's token for the default forge.
    const token =
      (await this.ctx.secret('token')) ??
      (await forgeToken(
        'repo',
        { repoAuthRef: null, publishAuthRef: null },
        target,
        this.worker.env,
        this.worker.secrets,
      ));
    const gitDir = join(this.ctx.workDir, `${this.ctx.source.id}.git`);
    await rm(gitDir, { recursive: true, force: true });
    await mkdir(this.ctx.workDir, { recursive: true });
    const base = { cwd: this.ctx.workDir, log: this.ctx.log, signal };
    await git(['clone', '--quiet', '--bare', '--', target.cloneUrl, gitDir], {
      ...base,
      auth: gitAuth(target, token),
    });
    const local = { ...base, gitDir };
    this.commit = (
      await git(['rev-parse', '--verify', `${this.params.ref ?? 'HEAD'}^{commit}`], local)
    ).trim();

    const wanted = this.params.paths ? pathFilter(this.params.paths, []) : () => true;
    // `mode type object size\tpath`, NUL-separated (paths may hold any character).
    const tree = await git(['ls-tree', '-r', '-z', '--long', '--full-tree', this.commit], local);
    let skipped = 0;
    for (const entry of tree.split('\0')) {
      if (!entry) continue;
      signal.throwIfAborted();
      const tab = entry.indexOf('\t');
      const [mode, type, object, size] = entry.slice(0, tab).split(/\s+/);
      const path = entry.slice(tab + 1);
      // Regular files only: not symlinks (120000) nor submodules (commit entries).
      if (type !== 'blob' || mode === '120000' || !wanted(path)) continue;
      if (Number(size) > this.params.maxFileBytes) {
        skipped++;
        continue;
      }
      const text = await git(['cat-file', 'blob', object!], local);
      if (text.slice(0, 8000).includes('\0')) {
        skipped++;
        continue;
      }
      yield sourceDocument(path, text, mimeTypeOf(path), {
        path,
        repository: this.params.repository,
        commit: this.commit,
      });
    }
    if (skipped) this.ctx.log(`GithubRepositoryReader: skipped ${skipped} binary or oversized file(s)`);
  }

  /** The commit read, once `documents` has run. */
  cursor(): string | null {
    return this.commit;
  }
}

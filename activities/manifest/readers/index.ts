import type { z } from 'zod';
import { parseEnv, workerConfigSchema } from '../../../contracts/config.ts';
import type { DataSource } from '../../../contracts/manifest.ts';
import { secretResolver } from '../../secrets/references.ts';
import type { Reader, ReaderContext } from '../interfaces.ts';
import { ConfluenceReader } from './confluence.ts';
import { SimpleDirectoryReader } from './directory.ts';
import { GoogleDriveReader } from './gdrive.ts';
import { GithubRepositoryReader } from './github.ts';
import { readerParams } from './params.ts';

export { ReaderError } from './document.ts';
export { ReaderParamsError, readerParamsSchemas, validateReaderParams } from './params.ts';

const workerSettingsSchema = workerConfigSchema.pick({
  MOONMIND_GIT_BASE_URL: true,
  MOONMIND_GIT_HOSTS: true,
  MOONMIND_GITHUB_API_URL: true,
  MOONMIND_VAULT_ADDR: true,
  MOONMIND_VAULT_TOKEN: true,
  MOONMIND_VAULT_TOKEN_FILE: true,
  MOONMIND_VAULT_NAMESPACE: true,
});
export type ReaderWorkerSettings = z.infer<typeof workerSettingsSchema>;
/** The worker's forge and Vault settings (MOONMIND_GIT_BASE_URL, MOONMIND_GIT_HOSTS, …) from an environment. */
export const forgeSettingsFrom = (env: NodeJS.ProcessEnv = process.env): ReaderWorkerSettings =>
  parseEnv(workerSettingsSchema, env);

/**
 * The reader for one data source, its params validated (ReaderParamsError names the fields). The git reader
 * uses the worker's forge and Vault settings and environment (its own unless given).
 */
export function readerFor(
  source: DataSource,
  ctx: ReaderContext,
  worker: ReaderWorkerSettings = forgeSettingsFrom(),
  env: NodeJS.ProcessEnv = process.env,
): Reader {
  switch (source.type) {
    case 'SimpleDirectoryReader':
      return new SimpleDirectoryReader(readerParams({ ...source, type: source.type }), ctx);
    case 'GithubRepositoryReader':
      return new GithubRepositoryReader(readerParams({ ...source, type: source.type }), ctx, worker, {
        env,
        // A listed forge's own `token=` reference resolves like a task's (environment or Vault).
        secrets: secretResolver(env, {
          addr: worker.MOONMIND_VAULT_ADDR,
          token: worker.MOONMIND_VAULT_TOKEN,
          tokenFile: worker.MOONMIND_VAULT_TOKEN_FILE,
          namespace: worker.MOONMIND_VAULT_NAMESPACE,
        }),
      });
    case 'ConfluenceReader':
      return new ConfluenceReader(readerParams({ ...source, type: source.type }), ctx);
    case 'GoogleDriveReader':
      return new GoogleDriveReader(readerParams({ ...source, type: source.type }), ctx);
  }
}

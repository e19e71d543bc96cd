import { parseEnv, workerConfigSchema } from '../../../contracts/config.ts';
import type { DataSource } from '../../../contracts/manifest.ts';
import type { Reader, ReaderContext } from '../interfaces.ts';
import { ConfluenceReader } from './confluence.ts';
import { SimpleDirectoryReader } from './directory.ts';
import { GoogleDriveReader } from './gdrive.ts';
import { type ForgeSettings, GithubRepositoryReader } from './github.ts';
import { readerParams } from './params.ts';

export { ReaderError } from './document.ts';
export { ReaderParamsError, readerParamsSchemas, validateReaderParams } from './params.ts';

const forgeSettingsSchema = workerConfigSchema.pick({
  MOONMIND_GIT_BASE_URL: true,
  MOONMIND_GIT_HOSTS: true,
  MOONMIND_GITHUB_API_URL: true,
});
/** The worker's forge settings (MOONMIND_GIT_BASE_URL, MOONMIND_GIT_HOSTS, …) from an environment. */
export const forgeSettingsFrom = (env: NodeJS.ProcessEnv = process.env): ForgeSettings =>
  parseEnv(forgeSettingsSchema, env);

/**
 * The reader for one data source, its params validated (ReaderParamsError names the fields). The git reader
 * uses the worker's forge settings (from its environment unless given).
 */
export function readerFor(
  source: DataSource,
  ctx: ReaderContext,
  forge: ForgeSettings = forgeSettingsFrom(),
): Reader {
  switch (source.type) {
    case 'SimpleDirectoryReader':
      return new SimpleDirectoryReader(readerParams({ ...source, type: source.type }), ctx);
    case 'GithubRepositoryReader':
      return new GithubRepositoryReader(readerParams({ ...source, type: source.type }), ctx, forge);
    case 'ConfluenceReader':
      return new ConfluenceReader(readerParams({ ...source, type: source.type }), ctx);
    case 'GoogleDriveReader':
      return new GoogleDriveReader(readerParams({ ...source, type: source.type }), ctx);
  }
}

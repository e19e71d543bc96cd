import { ApplicationFailure } from '@temporalio/activity';
import type { WorkerConfig } from '../../contracts/config.ts';
import {
  cloneUrlOf,
  credentialHost,
  type Forges,
  forgesFrom,
  locateRepository,
  type RepositoryLocation,
} from '../../contracts/repository.ts';
import type { TaskPayload } from '../../contracts/task.ts';
import { forgeHostRefusal } from '../../lib/forge-address.ts';
import type { GitAuth } from '../git/git.ts';
import { SecretReferenceError, type SecretResolver } from '../secrets/references.ts';

/**
 * Where a run's repository lives and what may be sent there, checked again on the worker before any network
 * call (the API checked at submission, but this worker's settings are the ones that send credentials).
 */
export interface ForgeTarget {
  location: RepositoryLocation;
  cloneUrl: string;
  /** The host credentials for this repository belong to; null for a local (`file://`) default forge. */
  host: string | null;
  /** The pull-request API of the repository's own host. */
  apiUrl: string;
  forges: Forges;
}

type ForgeSettings = Pick<
  WorkerConfig,
  'MOONMIND_GIT_BASE_URL' | 'MOONMIND_GIT_HOSTS' | 'MOONMIND_GITHUB_API_URL'
>;

const refused = (message: string) => ApplicationFailure.nonRetryable(message, 'TaskFailure');

export async function forgeTarget(repository: string, config: ForgeSettings): Promise<ForgeTarget> {
  const forges = forgesFrom(config);
  const located = locateRepository(repository, forges);
  if ('error' in located)
    throw refused(`repository ${repository} is refused on this worker: ${located.error}`);
  const { location } = located;
  const host = credentialHost(location, forges);
  const refusal = await forgeHostRefusal(host, forges);
  if (refusal) throw refused(`repository ${repository} is refused on this worker: ${refusal}`);
  const listed = forges.hosts.find((h) => h.host === location.host);
  const apiUrl = listed ? (listed.apiUrl ?? `https://${listed.host}/api/v3`) : config.MOONMIND_GITHUB_API_URL;
  return { location, cloneUrl: cloneUrlOf(location, forges), host, apiUrl, forges };
}

/** The default forge's token from the worker's own environment (never the payload). */
export const defaultForgeToken = (env: NodeJS.ProcessEnv): string | null =>
  env.MOONMIND_GIT_TOKEN || env.GITHUB_TOKEN || env.GH_TOKEN || null;

/**
 * The credential for one purpose, resolved now: `repoAuthRef` for clone and fetch, `publishAuthRef` (else
 * `repoAuthRef`) for push and the pull request; without a reference, the host's own token (its `token=`
 * reference in MOONMIND_GIT_HOSTS, or the worker's forge token for the default forge). An unresolvable
 * reference fails the run, naming the reference. (A local `file://` default forge gets no git credential,
 * see `gitAuth`, but its pull requests still go to MOONMIND_GITHUB_API_URL with the worker's token.)
 */
export async function forgeToken(
  purpose: 'repo' | 'publish',
  auth: TaskPayload['auth'],
  target: ForgeTarget,
  env: NodeJS.ProcessEnv,
  secrets: SecretResolver,
): Promise<string | null> {
  const ref = purpose === 'repo' ? auth.repoAuthRef : (auth.publishAuthRef ?? auth.repoAuthRef);
  const listed = target.forges.hosts.find((h) => h.host === target.location.host);
  const fallback = listed ? listed.tokenRef : null;
  const chosen = ref ?? fallback;
  if (!chosen) return listed ? null : defaultForgeToken(env);
  try {
    return await secrets.resolve(chosen);
  } catch (err) {
    if (err instanceof SecretReferenceError) throw refused(err.message);
    throw err;
  }
}

/** The git credential scoped to the repository's own host (nothing for local remotes). */
export function gitAuth(target: ForgeTarget, token: string | null): GitAuth | null {
  if (!token || !target.host) return null;
  const scheme =
    target.location.host === null && target.forges.defaultBase.startsWith('http://') ? 'http' : 'https';
  return { urlPrefix: `${scheme}://${target.host}/`, token };
}

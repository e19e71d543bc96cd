/**
 * Which repositories a payload may name, and on which forge host each lives (issue: credentials stay with
 * their host). A repository is `owner/repo` on the default forge (`MOONMIND_GIT_BASE_URL`), or an https URL
 * (or `git@host:path`, the same repository spelled for ssh) on the default forge's host or on a host listed in
 * `MOONMIND_GIT_HOSTS`. Pure functions: the API, the control worker, the capability worker and the dashboard
 * share them.
 */

/** A forge host the operator listed: where its pull-request API is and which secret reference is its token. */
export interface ForgeHost {
  /** `host` or `host:port`, lower case, as in a URL's authority. */
  host: string;
  /** REST API base for pull requests; null: `https://<host>/api/v3` (GitHub Enterprise's layout). */
  apiUrl: string | null;
  /** Secret reference of the token for this host; null: runs on it need `auth.repoAuthRef`. */
  tokenRef: string | null;
}

export interface Forges {
  /** `MOONMIND_GIT_BASE_URL`: `owner/repo` clones from `<base>/owner/repo.git`. */
  defaultBase: string;
  /** The default forge's host (`host[:port]`), null when the base is not a network URL (`file://`). */
  defaultHost: string | null;
  hosts: ForgeHost[];
}

const hostPattern = /^[a-z0-9]([a-z0-9.-]*[a-z0-9])?(:\d{1,5})?$/;

/**
 * `MOONMIND_GIT_HOSTS`: a comma list of `host[:port]`, each optionally followed by `;api=<url>` and
 * `;token=<secret reference>`, e.g. `git.corp.example;api=https://git.corp.example/api/v3;token=env://CORP_GIT_TOKEN`.
 */
export function parseGitHosts(value: string): { hosts: ForgeHost[] } | { error: string } {
  const hosts: ForgeHost[] = [];
  for (const entry of value
    .split(',')
    .map((e) => e.trim())
    .filter(Boolean)) {
    const [rawHost, ...options] = entry.split(';').map((p) => p.trim());
    const host = rawHost.toLowerCase();
    if (!hostPattern.test(host)) return { error: `${rawHost}: must be a host name, optionally with :port` };
    const forge: ForgeHost = { host, apiUrl: null, tokenRef: null };
    for (const option of options) {
      const eq = option.indexOf('=');
      const key = option.slice(0, eq).trim();
      const val = option.slice(eq + 1).trim();
      if (eq < 0 || !val) return { error: `${rawHost}: options are api=<url> and token=<secret reference>` };
      if (key === 'api') {
        if (!/^https?:\/\/[^\s]+$/.test(val)) return { error: `${rawHost}: api must be an http(s) URL` };
        forge.apiUrl = val.replace(/\/+$/, '');
      } else if (key === 'token') {
        if (!isSecretReference(val)) return { error: `${rawHost}: token must be a secret reference` };
        forge.tokenRef = val;
      } else return { error: `${rawHost}: unknown option ${key} (use api=… or token=…)` };
    }
    hosts.push(forge);
  }
  return { hosts };
}

const secretRef =
  /^(vault:\/\/[^\s#]+#[^\s]+|env:\/\/[A-Za-z_][A-Za-z0-9_]*|\$\{[A-Za-z_][A-Za-z0-9_]*\}|profile:\/\/[A-Za-z0-9_.-]+)$/;
export const isSecretReference = (v: string) => secretRef.test(v);

/** The host of a network base URL (`https://h:1/x` → `h:1`); null for `file://` and other local bases. */
export function baseHost(base: string): string | null {
  if (!/^https?:\/\//i.test(base)) return null;
  try {
    return new URL(base).host.toLowerCase();
  } catch {
    return null;
  }
}

export function forgesFrom(config: {
  MOONMIND_GIT_BASE_URL: string;
  MOONMIND_GIT_HOSTS?: ForgeHost[];
}): Forges {
  return {
    defaultBase: config.MOONMIND_GIT_BASE_URL,
    defaultHost: baseHost(config.MOONMIND_GIT_BASE_URL),
    hosts: config.MOONMIND_GIT_HOSTS ?? [],
  };
}

/** Where a repository lives: `host` null is the default forge. */
export interface RepositoryLocation {
  host: string | null;
  /** `owner/repo` (or a deeper path on forges with groups), without `.git`. */
  path: string;
}

const ownerRepo = /^[A-Za-z0-9_.-]+\/[A-Za-z0-9_.-]+$/;
const sshRepo = /^git@([A-Za-z0-9.-]+):([A-Za-z0-9_./-]+)$/;
const pathSegment = /^[A-Za-z0-9_.-]+$/;
const SHAPE = 'must be owner/repo, an https URL of a repository, or git@host:owner/repo';

function cleanPath(raw: string): string | null {
  const segments = raw
    .replace(/\.git$/i, '')
    .split('/')
    .filter((s) => s !== '');
  if (segments.length < 2) return null;
  if (segments.some((s) => !pathSegment.test(s) || s === '.' || s === '..')) return null;
  return segments.join('/');
}

/** Shape only (the dashboard checks this before it knows the server's hosts). */
export function repositoryShapeError(value: string): string | null {
  const parsed = splitRepository(value);
  return 'error' in parsed ? parsed.error : null;
}

function splitRepository(value: string): { host: string | null; path: string } | { error: string } {
  if (ownerRepo.test(value)) {
    const path = cleanPath(value);
    return path ? { host: null, path } : { error: SHAPE };
  }
  const ssh = sshRepo.exec(value);
  if (ssh) {
    const path = cleanPath(ssh[2]);
    return path ? { host: ssh[1].toLowerCase(), path } : { error: SHAPE };
  }
  const scheme = /^([a-z][a-z0-9+.-]*):\/\//i.exec(value)?.[1]?.toLowerCase();
  if (!scheme) return { error: SHAPE };
  if (scheme !== 'https') return { error: `must use https (not ${scheme}://)` };
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return { error: SHAPE };
  }
  if (url.username || url.password) return { error: 'must not contain credentials' };
  if (url.search || url.hash) return { error: 'must not carry a query or fragment' };
  const path = cleanPath(decodeURIComponentSafe(url.pathname));
  if (!path) return { error: 'must name a repository path (owner/repo)' };
  return { host: url.host.toLowerCase(), path };
}

function decodeURIComponentSafe(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return '%';
  }
}

/**
 * Parse a payload's repository against the forges this deployment trusts. The canonical form is what the
 * run stores: `owner/repo` on the default forge, else `https://host/path`.
 */
export function locateRepository(
  value: string,
  forges: Forges,
): { location: RepositoryLocation; canonical: string } | { error: string } {
  const parsed = splitRepository(value.trim());
  if ('error' in parsed) return parsed;
  let host = parsed.host;
  if (host !== null && host === forges.defaultHost) host = null;
  if (host !== null && !forges.hosts.some((h) => h.host === host)) {
    const allowed = [forges.defaultHost, ...forges.hosts.map((h) => h.host)].filter(Boolean);
    return {
      error: `host ${host} is not a forge this deployment uses (${allowed.length ? `allowed: ${allowed.join(', ')}` : 'only owner/repo on the default forge'}; operators list more in MOONMIND_GIT_HOSTS)`,
    };
  }
  const location = { host, path: parsed.path };
  return { location, canonical: host === null ? parsed.path : `https://${host}/${parsed.path}` };
}

/** The clone URL of a located repository: `<base>/owner/repo.git` on the default forge. */
export function cloneUrlOf(location: RepositoryLocation, forges: Forges): string {
  if (location.host === null) return `${forges.defaultBase.replace(/\/+$/, '')}/${location.path}.git`;
  return `https://${location.host}/${location.path}.git`;
}

/** The host a clone URL's credentials belong to (null for local `file://` remotes: they get none). */
export function credentialHost(location: RepositoryLocation, forges: Forges): string | null {
  return location.host ?? forges.defaultHost;
}

/**
 * The key repository policy matches: `owner/repo` on the default forge, `host/owner/repo` elsewhere; lower
 * case. Stored repositories are canonical already; older runs' URLs on the default host read the same.
 */
export function repositoryKey(repository: string, defaultHost: string | null = null): string {
  const parsed = splitRepository(repository.trim());
  if ('error' in parsed) return repository.trim().toLowerCase();
  const host = parsed.host === defaultHost ? null : parsed.host;
  return (host === null ? parsed.path : `${host}/${parsed.path}`).toLowerCase();
}

/**
 * A policy pattern: `*` (any repository on any forge), `owner/*` or `owner/repo` (the default forge), or the
 * same with a host in front (`git.corp.example/acme/*`); case-insensitive.
 */
export function repositoryMatches(
  pattern: string,
  repository: string,
  defaultHost: string | null = null,
): boolean {
  const p = pattern
    .trim()
    .toLowerCase()
    .replace(/^https:\/\//, '');
  if (p === '*') return true;
  const key = repositoryKey(repository, defaultHost);
  if (p.endsWith('/*')) return key.startsWith(`${p.slice(0, -2).replace(/\.git$/, '')}/`);
  return p.replace(/\.git$/, '') === key;
}

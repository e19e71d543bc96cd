import { readFile } from 'node:fs/promises';

/**
 * Secret references (shared/spec/09-security.md) resolved on the worker at the last moment: `env://NAME` and
 * `${NAME}` from the worker's environment, `vault://<mount>/<path>#<field>` from Vault's KV v2 HTTP API. A
 * value lives only in the caller's memory: it is never logged, never put in argv or on disk, and errors name
 * the reference, never a value.
 */
export class SecretReferenceError extends Error {}

export interface VaultSettings {
  /** `MOONMIND_VAULT_ADDR`, e.g. `https://vault.internal:8200`. */
  addr?: string;
  /** `MOONMIND_VAULT_TOKEN`, else the first line of `MOONMIND_VAULT_TOKEN_FILE`. */
  token?: string;
  tokenFile?: string;
  /** `MOONMIND_VAULT_NAMESPACE` (Vault Enterprise), sent as X-Vault-Namespace. */
  namespace?: string;
}

/** Worker settings a payload may never name: they are the worker's own identity, not forge credentials. */
const workerOwn = new Set([
  'MOONMIND_WORKER_TOKEN',
  'MOONMIND_ADMIN_TOKEN',
  'MOONMIND_VAULT_TOKEN',
  'MOONMIND_OIDC_CLIENT_SECRET',
  'DATABASE_URL',
]);

const VAULT_TIMEOUT_MS = 10_000;

export interface SecretResolver {
  resolve(ref: string): Promise<string>;
}

export function secretResolver(env: NodeJS.ProcessEnv, vault: VaultSettings): SecretResolver {
  return {
    async resolve(ref) {
      const name =
        /^env:\/\/([A-Za-z_][A-Za-z0-9_]*)$/.exec(ref)?.[1] ??
        /^\$\{([A-Za-z_][A-Za-z0-9_]*)\}$/.exec(ref)?.[1];
      if (name) {
        if (workerOwn.has(name))
          throw new SecretReferenceError(`secret reference ${ref} names a worker setting, not a credential`);
        const value = env[name];
        if (!value)
          throw new SecretReferenceError(`secret reference ${ref}: ${name} is not set on this worker`);
        return value;
      }
      const v = /^vault:\/\/([^/\s#]+)\/([^\s#]+)#(\S+)$/.exec(ref);
      if (v) return readVault(ref, v[1], v[2], v[3], vault);
      if (ref.startsWith('profile://'))
        throw new SecretReferenceError(
          `secret reference ${ref}: profile references are not configured on this worker`,
        );
      throw new SecretReferenceError(`${ref} is not a secret reference`);
    },
  };
}

async function readVault(ref: string, mount: string, path: string, field: string, vault: VaultSettings) {
  if (!vault.addr)
    throw new SecretReferenceError(`secret reference ${ref}: MOONMIND_VAULT_ADDR is not set on this worker`);
  const token = vault.token ?? (vault.tokenFile ? await readTokenFile(ref, vault.tokenFile) : undefined);
  if (!token) throw new SecretReferenceError(`secret reference ${ref}: no Vault token on this worker`);
  const url = `${vault.addr.replace(/\/+$/, '')}/v1/${encodePath(mount)}/data/${encodePath(path)}`;
  const headers: Record<string, string> = { 'x-vault-token': token };
  if (vault.namespace) headers['x-vault-namespace'] = vault.namespace;
  let res: Response;
  try {
    res = await fetch(url, { headers, redirect: 'manual', signal: AbortSignal.timeout(VAULT_TIMEOUT_MS) });
  } catch (err) {
    throw new SecretReferenceError(`secret reference ${ref}: Vault unreachable (${(err as Error).message})`);
  }
  if (res.status === 404) throw new SecretReferenceError(`secret reference ${ref}: no such secret in Vault`);
  if (!res.ok) throw new SecretReferenceError(`secret reference ${ref}: Vault answered HTTP ${res.status}`);
  const body = (await res.json().catch(() => null)) as { data?: { data?: Record<string, unknown> } } | null;
  const value = body?.data?.data?.[field];
  if (typeof value !== 'string' || !value)
    throw new SecretReferenceError(`secret reference ${ref}: the secret has no field ${field}`);
  return value;
}

const encodePath = (p: string) => p.split('/').map(encodeURIComponent).join('/');

async function readTokenFile(ref: string, file: string): Promise<string> {
  try {
    return (await readFile(file, 'utf8')).split('\n')[0].trim();
  } catch (err) {
    throw new SecretReferenceError(
      `secret reference ${ref}: the Vault token file cannot be read (${(err as NodeJS.ErrnoException).code})`,
    );
  }
}

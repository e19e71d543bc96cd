import { lookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import type { Forges } from '../contracts/repository.ts';

/**
 * The network half of the forge-host rule, used by the API at submission and by the worker before every
 * network call: a forge host that is not listed in `MOONMIND_GIT_HOSTS` must not resolve to a loopback,
 * private, link-local or otherwise internal address (a default forge pointed at an internal service, or
 * DNS that changed since the operator configured it). Listed hosts are the operator's explicit choice.
 */
const LOOKUP_TIMEOUT_MS = 2_000;

function ipv4Internal(ip: string): boolean {
  const [a, b] = ip.split('.').map(Number);
  return (
    a === 0 ||
    a === 10 ||
    a === 127 ||
    (a === 100 && b >= 64 && b <= 127) || // carrier-grade NAT
    (a === 169 && b === 254) ||
    (a === 172 && b >= 16 && b <= 31) ||
    (a === 192 && b === 168) ||
    (a === 192 && b === 0) ||
    (a === 198 && (b === 18 || b === 19)) ||
    a >= 224
  );
}

/** Loopback, private, link-local, unique-local, unspecified, multicast, or an IPv4 address mapped into IPv6. */
export function isInternalAddress(ip: string): boolean {
  if (isIP(ip) === 4) return ipv4Internal(ip);
  const v6 = ip.toLowerCase();
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/.exec(v6);
  if (mapped) return ipv4Internal(mapped[1]);
  return (
    v6 === '::' ||
    v6 === '::1' ||
    /^f[cd]/.test(v6) || // unique local fc00::/7
    /^fe[89ab]/.test(v6) || // link-local fe80::/10
    v6.startsWith('ff') // multicast
  );
}

/**
 * Why a forge host may not be contacted, or null. Unlisted hosts are resolved; a name that does not resolve
 * (offline, typo) is not refused here: the clone then fails with git's own message.
 */
export async function forgeHostRefusal(host: string | null, forges: Forges): Promise<string | null> {
  if (host === null || forges.hosts.some((h) => h.host === host)) return null;
  const hostname = host.replace(/:\d+$/, '').replace(/^\[|\]$/g, '');
  const addresses = isIP(hostname)
    ? [hostname]
    : await Promise.race([
        lookup(hostname, { all: true }).then(
          (all) => all.map((a) => a.address),
          () => [] as string[],
        ),
        new Promise<string[]>((resolve) => setTimeout(() => resolve([]), LOOKUP_TIMEOUT_MS).unref()),
      ]);
  const internal = addresses.find(isInternalAddress);
  return internal
    ? `host ${host} resolves to an internal address (${internal}); an operator must list it in MOONMIND_GIT_HOSTS to allow it`
    : null;
}

import type { Forges } from '../../contracts/repository.ts';
import { forgeHostRefusal } from '../../lib/forge-address.ts';

/** How long a submission-time verdict on an unlisted forge host is reused. */
const REUSE_MS = 30_000;
const verdicts = new Map<string, { at: number; refusal: Promise<string | null> }>();

/**
 * `forgeHostRefusal` for submissions, with the DNS half shared per host for 30 s: a resolver that stalls
 * (glibc waits 5 s per try, and each stalled lookup holds one of libuv's four threadpool threads) would
 * otherwise stall every submission and the API's file I/O with it. Listed hosts need no lookup and are
 * never cached. The worker still checks before every network call, uncached: this is only the early
 * refusal, so a host whose DNS turned internal is at worst refused at `prepare` instead of at submission.
 */
export function submissionForgeHostRefusal(host: string | null, forges: Forges): Promise<string | null> {
  if (host === null || forges.hosts.some((h) => h.host === host)) return forgeHostRefusal(host, forges);
  const now = Date.now();
  const known = verdicts.get(host);
  if (known && now - known.at < REUSE_MS) return known.refusal;
  const refusal = forgeHostRefusal(host, forges);
  if (verdicts.size >= 1_000) verdicts.clear();
  verdicts.set(host, { at: now, refusal });
  return refusal;
}

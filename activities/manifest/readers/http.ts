import { ReaderError } from './document.ts';

/**
 * GET for the SaaS readers: the credential header goes only to the configured origin (a `next` link
 * pointing elsewhere is refused, not followed), and errors name the status and path, never the header.
 */
export async function getFrom(
  origin: string,
  url: URL,
  headers: Record<string, string>,
  signal: AbortSignal,
): Promise<Response> {
  if (url.origin !== origin)
    throw new ReaderError(`refusing to follow a link off ${origin}: ${url.origin}`, false);
  const res = await fetch(url, { headers, signal, redirect: 'error' });
  if (!res.ok) {
    await res.body?.cancel();
    // Auth and not-found failures need a manifest or permission change; the rest may pass on a retry.
    const permanent = [400, 401, 403, 404].includes(res.status);
    throw new ReaderError(`GET ${url.pathname} answered ${res.status} ${res.statusText}`.trim(), !permanent);
  }
  return res;
}

export const getJson = async <T>(...args: Parameters<typeof getFrom>): Promise<T> =>
  (await getFrom(...args)).json() as Promise<T>;

/**
 * Token-like strings: forge tokens, cloud keys, bearer JWTs, private keys, URLs with credentials.
 * Patterns are keyed on the shape of a credential, never on a known value, so ordinary text is left alone.
 */
const patterns: RegExp[] = [
  /\bgh[pousr]_[A-Za-z0-9]{20,}\b/g,
  /\bgithub_pat_[A-Za-z0-9_]{20,}\b/g,
  /\bglpat-[A-Za-z0-9_-]{20,}\b/g,
  /\bxox[abprs]-[A-Za-z0-9-]{10,}\b/g,
  /\bsk-(?:proj-|ant-)?[A-Za-z0-9_-]{20,}\b/g,
  /\bAKIA[0-9A-Z]{16}\b/g,
  /\bAIza[0-9A-Za-z_-]{35}\b/g,
  /\beyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}\b/g,
  /\bmm_(?:u|w)_[A-Za-z0-9_-]{20,}\b/g,
  /-----BEGIN [A-Z ]*PRIVATE KEY-----[\s\S]*?(?:-----END [A-Z ]*PRIVATE KEY-----|$)/g,
  /\b(Bearer|token|Basic)\s+[A-Za-z0-9._~+/=-]{20,}/gi,
];
const credentialUrl = /\b([a-z][a-z0-9+.-]*:\/\/)([^\s/:@]+(?::[^\s/@]*)?)@/gi;

export const REDACTED = '[REDACTED]';

/** True when the text contains something that looks like a credential. */
export function containsSecret(text: string): boolean {
  if (credentialUrl.test(text)) {
    credentialUrl.lastIndex = 0;
    return true;
  }
  credentialUrl.lastIndex = 0;
  return patterns.some((p) => {
    p.lastIndex = 0;
    const hit = p.test(text);
    p.lastIndex = 0;
    return hit;
  });
}

/** Replace every token-like string with [REDACTED]; URLs keep their host but lose the user/password part. */
export function redact(text: string): string {
  let out = text.replace(credentialUrl, (_m, scheme: string) => `${scheme}${REDACTED}@`);
  for (const p of patterns) out = out.replace(p, REDACTED);
  return out;
}

/** Redact every string inside a JSON value. */
export function redactDeep<T>(value: T): T {
  if (typeof value === 'string') return redact(value) as T;
  if (Array.isArray(value)) return value.map((v) => redactDeep(v)) as T;
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, redactDeep(v)])) as T;
  }
  return value;
}

/** Paths (dot-joined) of every string field in a JSON value that holds a credential. */
export function findSecretPaths(value: unknown, path: (string | number)[] = []): (string | number)[][] {
  if (typeof value === 'string') return containsSecret(value) ? [path] : [];
  if (Array.isArray(value)) return value.flatMap((v, i) => findSecretPaths(v, [...path, i]));
  if (value && typeof value === 'object') {
    return Object.entries(value).flatMap(([k, v]) => findSecretPaths(v, [...path, k]));
  }
  return [];
}

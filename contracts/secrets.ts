/**
 * Token-like strings: forge tokens, cloud keys, bearer JWTs, private keys, URLs with credentials.
 * Patterns are keyed on the shape of a credential (credential-patterns.ts), never on a known value, so
 * ordinary text is left alone.
 */
import {
  type CredentialRule,
  credentialRules,
  credentialUrl,
  isPlaceholderPassword,
  pemBegin,
  pemEnd,
} from './credential-patterns.ts';

export const REDACTED = '[REDACTED]';

function matches(rule: CredentialRule, text: string): boolean {
  for (const m of text.matchAll(rule.pattern)) if (!rule.check || rule.check(m[0])) return true;
  return false;
}

const urlHasCredential = (text: string) =>
  [...text.matchAll(credentialUrl)].some((m) => !isPlaceholderPassword(m[2]));

/** True when the text contains something that looks like a credential. */
export function containsSecret(text: string): boolean {
  return urlHasCredential(text) || credentialRules.some((r) => matches(r, text));
}

/** Replace every token-like string with [REDACTED]; URLs keep their scheme and host, not the user:password. */
export function redact(text: string): string {
  let out = text.replace(credentialUrl, (m, _user: string, password: string) =>
    isPlaceholderPassword(password) ? m : `${REDACTED}@`,
  );
  for (const r of credentialRules) {
    out = out.replace(r.pattern, (m) => (!r.check || r.check(m) ? REDACTED : m));
  }
  return out;
}

const base64Run = /[A-Za-z0-9+/]{16,}={0,2}/g;
// Body lines of an armored key: base64, `Proc-Type:`/`Comment:` headers, blank.
const keyBodyLine = /^\s*(?:[A-Za-z0-9+/=]*|[A-Za-z-]+: .*)\s*$/;
// Lines without key material that end a block whose END never came (armor headers and blank lines in an
// agent's JSON events carry none, so one such line is not enough).
const QUIET_LINES_ENDING_A_BLOCK = 5;

/**
 * A redactor for output that arrives one line at a time: a private key block (PEM, OpenSSH, PGP) is masked
 * from its BEGIN line to its END line, every other credential per line. Inside a block, lines of other text
 * (an agent's JSON events carrying the key) lose their base64 runs; a block whose END never comes ends after
 * a few lines without key material, so a stray BEGIN cannot swallow the rest of the output.
 * `rendering` redacts another form of the last line (an agent event's display text) with that line's state.
 */
export function createLineRedactor(): { line(text: string): string; rendering(text: string): string } {
  let inBlock = false;
  let quiet = 0;
  let lastWasKey = false;
  const step = (text: string): [string, boolean] => {
    if (!inBlock) {
      const begin = pemBegin.exec(text);
      if (!begin || pemEnd.test(text.slice(begin.index))) return [redact(text), false];
      inBlock = true;
      quiet = 0;
      return [`${redact(text.slice(0, begin.index))}${REDACTED}`, true];
    }
    const end = pemEnd.exec(text);
    if (end) {
      inBlock = false;
      return [`${REDACTED}${redact(text.slice(end.index + end[0].length))}`, true];
    }
    if (keyBodyLine.test(text)) {
      quiet = 0;
      return [REDACTED, true];
    }
    const masked = text.replace(base64Run, REDACTED);
    if (masked !== text) {
      quiet = 0;
      return [redact(masked), true];
    }
    if (++quiet >= QUIET_LINES_ENDING_A_BLOCK) inBlock = false;
    return [redact(text), false];
  };
  return {
    line(text) {
      const [out, key] = step(text);
      lastWasKey = key;
      return out;
    },
    rendering(text) {
      return redact(lastWasKey ? text.replace(base64Run, REDACTED) : text);
    },
  };
}

type Path = (string | number)[];

/** Redact every string (and key) inside a JSON value; iterative, so any nesting depth is fine. */
export function redactDeep<T>(value: T): T {
  const root: Record<string, unknown> = { value };
  const work: { holder: Record<string | number, unknown>; key: string | number }[] = [
    { holder: root, key: 'value' },
  ];
  for (let item = work.pop(); item; item = work.pop()) {
    const v = item.holder[item.key];
    if (typeof v === 'string') item.holder[item.key] = redact(v);
    else if (Array.isArray(v)) {
      const copy = [...v];
      item.holder[item.key] = copy;
      for (let i = 0; i < copy.length; i++)
        work.push({ holder: copy as unknown as Record<number, unknown>, key: i });
    } else if (v && typeof v === 'object') {
      // fromEntries defines own properties, so a `__proto__` key stays a plain key.
      const copy = Object.fromEntries(Object.entries(v).map(([k, x]) => [redact(k), x]));
      item.holder[item.key] = copy;
      for (const k of Object.keys(copy)) work.push({ holder: copy, key: k });
    }
  }
  return root.value as T;
}

interface Node {
  value: unknown;
  key?: string | number;
  parent?: Node;
}
const pathOf = (node: Node): Path => {
  const path: Path = [];
  for (let n: Node | undefined = node; n?.parent; n = n.parent) path.push(n.key as string | number);
  return path.reverse();
};

/** Paths of every string field (or key) in a JSON value that holds a credential, in document order. */
export function findSecretPaths(value: unknown): Path[] {
  const found: Path[] = [];
  const work: Node[] = [{ value }];
  for (let node = work.pop(); node; node = work.pop()) {
    const v = node.value;
    const keyHit = typeof node.key === 'string' && containsSecret(node.key);
    if (keyHit || (typeof v === 'string' && containsSecret(v))) found.push(pathOf(node));
    // Children are pushed last first, so they come off the stack in document order.
    if (Array.isArray(v)) {
      for (let i = v.length - 1; i >= 0; i--) work.push({ value: v[i], key: i, parent: node });
    } else if (v && typeof v === 'object') {
      const entries = Object.entries(v);
      for (let i = entries.length - 1; i >= 0; i--)
        work.push({ value: entries[i][1], key: entries[i][0], parent: node });
    }
  }
  return found;
}

import { REDACTED } from '../../contracts/secrets.ts';

/**
 * Masks `secret` in a stream of chunks: a tail that could be the start of the secret is held back until the
 * next chunk, so a key split across chunks is masked too.
 */
export function secretMask(secret: string | undefined) {
  let carry = '';
  return {
    push(chunk: string): string {
      if (!secret) return chunk;
      const text = (carry + chunk).split(secret).join(REDACTED);
      let keep = Math.min(secret.length - 1, text.length);
      while (keep > 0 && !secret.startsWith(text.slice(text.length - keep))) keep -= 1;
      carry = text.slice(text.length - keep);
      return text.slice(0, text.length - keep);
    },
    /** The stream ended: what was held back was not the secret. */
    flush(): string {
      const rest = carry;
      carry = '';
      return rest;
    },
  };
}

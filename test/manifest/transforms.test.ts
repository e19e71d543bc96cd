import { describe, expect, it } from 'vitest';
import {
  allowedMetadataKeys,
  allowlistMetadata,
  countTokens,
  enrichMetadata,
  htmlToText,
  TokenTextSplitter,
} from '../../activities/manifest/transforms/index.ts';
import { corpusText } from './corpus.ts';

describe('htmlToText', () => {
  it('keeps the words of Confluence storage HTML, drops markup, link targets and images', () => {
    const html =
      '<h1>Runbook</h1><p>Restart the <strong>worker</strong> with <a href="https://example.com/x">this guide</a>.</p>' +
      '<ul><li>first</li><li>second</li></ul><img src="diagram.png" alt="diagram"/><table><tr><td>a</td><td>b</td></tr></table>';
    const text = htmlToText(html);
    expect(text).toContain('RUNBOOK');
    expect(text).toContain('Restart the worker with this guide.');
    expect(text).toMatch(/\* first\n \* second/);
    expect(text).not.toMatch(/<|example\.com|diagram\.png/);
  });
});

describe('TokenTextSplitter (cl100k_base)', () => {
  const text = corpusText(3, 0, 20_000);

  it('chunks never exceed chunkSize tokens, consecutive chunks overlap by exactly chunkOverlap tokens', () => {
    const splitter = new TokenTextSplitter(128, 16);
    const chunks = splitter.split(text);
    const total = countTokens(text);
    expect(total).toBeGreaterThan(2_000);
    // ceil((total - overlap) / step) windows.
    expect(chunks).toHaveLength(Math.ceil((total - 16) / 112));
    expect(chunks.map((c) => c.index)).toEqual(chunks.map((_, i) => i));
    for (const c of chunks) {
      expect(c.tokens).toBeLessThanOrEqual(128);
      expect(countTokens(c.text)).toBeLessThanOrEqual(128);
    }
    expect(chunks.slice(0, -1).every((c) => c.tokens === 128)).toBe(true);
    // The tokens each chunk adds beyond the overlap add up to the document's.
    expect(chunks.reduce((n, c, i) => n + c.tokens - (i ? 16 : 0), 0)).toBe(total);
    // The text shared by consecutive chunks is 16 tokens long.
    for (let i = 1; i < chunks.length; i++) {
      const shared = chunks[i]!.text.slice(0, overlapChars(chunks[i - 1]!.text, chunks[i]!.text));
      expect(countTokens(shared)).toBe(16);
    }
    // Joining chunks without their overlaps gives the text back.
    const joined = chunks
      .map((c, i) => (i ? c.text.slice(overlapChars(chunks[i - 1]!.text, c.text)) : c.text))
      .join('');
    expect(joined).toBe(text);
  });

  it('a short text is one chunk; empty text none; no overlap gives disjoint chunks', () => {
    expect(new TokenTextSplitter(512, 64).split('A short note.')).toEqual([
      { index: 0, text: 'A short note.', tokens: countTokens('A short note.') },
    ]);
    expect(new TokenTextSplitter(512, 64).split('')).toEqual([]);
    const disjoint = new TokenTextSplitter(100, 0).split(text);
    expect(disjoint.map((c) => c.text).join('')).toBe(text);
  });

  it('never cuts a multi-byte character at a window edge', () => {
    const emoji = '🚀 déploiement réussi — 成功した ✅ '.repeat(200);
    const chunks = new TokenTextSplitter(50, 10).split(emoji);
    expect(chunks.length).toBeGreaterThan(10);
    for (const c of chunks) {
      expect(c.text).not.toContain('\uFFFD');
      expect(c.tokens).toBeLessThanOrEqual(50);
    }
  });

  it('refuses an overlap as large as the chunk', () => {
    expect(() => new TokenTextSplitter(64, 64)).toThrow(/chunkOverlap/);
  });
});

/** How many leading characters of `next` repeat the end of `prev`. */
function overlapChars(prev: string, next: string): number {
  for (let n = Math.min(prev.length, next.length); n > 0; n--) if (prev.endsWith(next.slice(0, n))) return n;
  return 0;
}

describe('metadata', () => {
  const manifest = {
    security: { allowlistMetadata: ['title', 'url'], piiRedaction: false },
    transforms: { htmlToText: false, enrichMetadata: { team: 'platform' } },
  };

  it('enrichMetadata adds the manifest key/values; only allowlisted (or enriched) keys survive to points', () => {
    const enriched = enrichMetadata(
      { title: 'Runbook', path: 'ops/runbook.md', author: 'someone' },
      { team: 'platform' },
    );
    expect(enriched).toEqual({
      title: 'Runbook',
      path: 'ops/runbook.md',
      author: 'someone',
      team: 'platform',
    });
    expect(allowlistMetadata(enriched, allowedMetadataKeys(manifest))).toEqual({
      title: 'Runbook',
      team: 'platform',
    });
    expect(allowlistMetadata(enriched, new Set())).toEqual({});
    expect(enrichMetadata({ a: 1 }, undefined)).toEqual({ a: 1 });
  });
});

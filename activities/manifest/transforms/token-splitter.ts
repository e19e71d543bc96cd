import { Tiktoken } from 'js-tiktoken/lite';
import cl100k_base from 'js-tiktoken/ranks/cl100k_base';

export interface TextChunk {
  index: number;
  text: string;
  /** cl100k_base tokens in this chunk (the run's token estimate sums them). */
  tokens: number;
}

let encoder: Tiktoken | undefined;
/** One cl100k_base encoder per process (building it parses the rank table). */
export const cl100k = (): Tiktoken => {
  encoder ??= new Tiktoken(cl100k_base);
  return encoder;
};

export const countTokens = (text: string) => cl100k().encode(text).length;

/**
 * Windows of `chunkSize` cl100k_base tokens, each starting `chunkSize - chunkOverlap` tokens after the last,
 * so consecutive chunks share exactly `chunkOverlap` tokens and none exceeds `chunkSize`. Where a window edge
 * would cut a multi-byte character (one character over several tokens), the edge moves inwards to whole
 * characters: that chunk gets shorter, never longer.
 */
export class TokenTextSplitter {
  constructor(
    readonly chunkSize: number,
    readonly chunkOverlap: number,
  ) {
    if (!Number.isInteger(chunkSize) || chunkSize < 1)
      throw new Error('chunkSize must be a positive integer');
    if (!Number.isInteger(chunkOverlap) || chunkOverlap < 0 || chunkOverlap >= chunkSize)
      throw new Error('chunkOverlap must be at least 0 and smaller than chunkSize');
  }

  split(text: string): TextChunk[] {
    const enc = cl100k();
    const tokens = enc.encode(text);
    // A replacement character in a decoded window then means a cut character (unless the text had one).
    const guard = !text.includes(REPLACEMENT);
    const chunks: TextChunk[] = [];
    const step = this.chunkSize - this.chunkOverlap;
    for (let start = 0; start < tokens.length; start += step) {
      let from = start;
      let end = Math.min(start + this.chunkSize, tokens.length);
      while (guard && end - from > 1 && enc.decode(tokens.slice(from, end)).startsWith(REPLACEMENT)) from++;
      while (guard && end - from > 1 && enc.decode(tokens.slice(from, end)).endsWith(REPLACEMENT)) end--;
      const slice = tokens.slice(from, end);
      chunks.push({ index: chunks.length, text: enc.decode(slice), tokens: slice.length });
      if (start + this.chunkSize >= tokens.length) break;
    }
    return chunks;
  }
}

const REPLACEMENT = '\uFFFD';

import { convert } from 'html-to-text';

/**
 * HTML (Confluence storage format, .html files) to plain text for embedding: no line wrapping (the
 * splitter sizes chunks), link targets and images dropped (they are noise in a vector, not content).
 */
export function htmlToText(html: string): string {
  return convert(html, {
    wordwrap: false,
    selectors: [
      { selector: 'a', options: { ignoreHref: true } },
      { selector: 'img', format: 'skip' },
    ],
  }).trim();
}

/**
 * A tiny Markdown reader for untrusted text (proposal summaries). It never produces HTML: it parses into a
 * small tree of blocks and inlines that `components/Markdown.tsx` renders as DOM text nodes, so `<script>`,
 * `<img onerror=…>` or `&lt;` are shown exactly as written (entities are not decoded). Supported: ATX
 * headings, paragraphs, bullet and numbered lists, fenced code, block quotes, rules, inline code, strong,
 * emphasis, backslash escapes and links whose target passes `safeHref` (http, https, mailto, same-site
 * paths); any other link shows as its text. Every scan moves forward, so hostile input stays linear-ish.
 */
export type Inline =
  | { t: 'text'; text: string }
  | { t: 'code'; text: string }
  | { t: 'strong'; children: Inline[] }
  | { t: 'em'; children: Inline[] }
  | { t: 'link'; href: string; children: Inline[] };

export type Block =
  | { t: 'heading'; level: number; children: Inline[] }
  | { t: 'paragraph'; children: Inline[] }
  | { t: 'list'; ordered: boolean; start: number; items: Inline[][] }
  | { t: 'code'; lang: string; text: string }
  | { t: 'quote'; children: Inline[] }
  | { t: 'rule' };

const MAX_DEPTH = 8;

/** The link target when it is safe to follow, else null. */
export function safeHref(raw: string): string | null {
  const href = raw.trim();
  // Control characters and whitespace are stripped by browsers inside schemes ("java\tscript:"): refuse them.
  // biome-ignore lint/suspicious/noControlCharactersInRegex: that is the point
  if (!href || /[\u0000-\u0020\u007f-\u009f\\]/.test(href)) return null;
  const scheme = /^([a-z][a-z0-9+.-]*):/i.exec(href);
  if (scheme) return ['http', 'https', 'mailto'].includes(scheme[1].toLowerCase()) ? href : null;
  if (href.startsWith('#')) return href;
  if (href.startsWith('/') && !href.startsWith('//')) return href;
  return null;
}

/** Next index of `token` at or after `from`; remembers the last answer so forward scans stay linear. */
function finder(text: string) {
  const memo = new Map<string, { from: number; at: number }>();
  return (token: string, from: number) => {
    const m = memo.get(token);
    if (m && m.from <= from && (m.at === -1 || m.at >= from)) return m.at;
    const at = text.indexOf(token, from);
    memo.set(token, { from, at });
    return at;
  };
}

const punctuation = /[!-/:-@[-`{-~]/;

/** The `)` closing a link destination (parentheses inside balanced), within 2,000 characters of one line. */
function destinationEnd(text: string, from: number): number {
  let depth = 0;
  for (let i = from; i < text.length && i < from + 2000; i++) {
    const c = text[i];
    if (c === '\\') i++;
    else if (c === '\n') return -1;
    else if (c === '(') depth++;
    else if (c === ')') {
      if (depth === 0) return i;
      depth--;
    }
  }
  return -1;
}

export function parseInline(text: string, depth = 0): Inline[] {
  const out: Inline[] = [];
  let buffer = '';
  const flush = () => {
    if (buffer) out.push({ t: 'text', text: buffer });
    buffer = '';
  };
  if (depth > MAX_DEPTH) return text ? [{ t: 'text', text }] : [];
  const next = finder(text);
  let i = 0;
  while (i < text.length) {
    const c = text[i];
    if (c === '\\' && i + 1 < text.length && punctuation.test(text[i + 1])) {
      buffer += text[i + 1];
      i += 2;
      continue;
    }
    if (c === '`') {
      let n = 1;
      while (text[i + n] === '`') n++;
      const fence = '`'.repeat(n);
      const end = next(fence, i + n);
      if (end !== -1) {
        flush();
        out.push({ t: 'code', text: text.slice(i + n, end).replace(/^ (.*) $/s, '$1') });
        i = end + n;
        continue;
      }
      buffer += fence;
      i += n;
      continue;
    }
    if (c === '[') {
      const close = next(']', i + 1);
      if (close !== -1 && text[close + 1] === '(') {
        const end = destinationEnd(text, close + 2);
        if (end !== -1) {
          flush();
          const label = parseInline(text.slice(i + 1, close), depth + 1);
          const href = safeHref(text.slice(close + 2, end).split(/\s+"/)[0]);
          if (href) out.push({ t: 'link', href, children: label });
          else out.push(...label);
          i = end + 1;
          continue;
        }
      }
    }
    if ((c === '*' || c === '_') && text[i + 1] === c) {
      const delim = c + c;
      const end = next(delim, i + 2);
      if (end > i + 2 && text[i + 2] !== ' ') {
        flush();
        out.push({ t: 'strong', children: parseInline(text.slice(i + 2, end), depth + 1) });
        i = end + 2;
        continue;
      }
    } else if (c === '*' || c === '_') {
      // `_` only opens at a word start, so snake_case stays text.
      const opens =
        text[i + 1] !== undefined && text[i + 1] !== ' ' && (c === '*' || !/\w/.test(text[i - 1] ?? ''));
      const end = opens ? next(c, i + 1) : -1;
      if (end > i + 1 && (c === '*' || !/\w/.test(text[end + 1] ?? ''))) {
        flush();
        out.push({ t: 'em', children: parseInline(text.slice(i + 1, end), depth + 1) });
        i = end + 1;
        continue;
      }
    }
    buffer += c;
    i++;
  }
  flush();
  return out;
}

const fenceRe = /^ {0,3}(`{3,}|~{3,})\s*([\w+#.-]*)/;
const headingRe = /^ {0,3}(#{1,6})(?:\s+(.*?))?\s*#*\s*$/;
const ruleRe = /^ {0,3}([-*_])(?:\s*\1){2,}\s*$/;
const itemRe = /^\s{0,6}([-*+]|(\d{1,9})[.)])\s+(.*)$/;
const quoteRe = /^ {0,3}>\s?(.*)$/;

export function parseMarkdown(source: string): Block[] {
  const lines = source.replace(/\r\n?/g, '\n').split('\n');
  const blocks: Block[] = [];
  let i = 0;
  while (i < lines.length) {
    const line = lines[i];
    if (!line.trim()) {
      i++;
      continue;
    }
    const fence = fenceRe.exec(line);
    if (fence) {
      const body: string[] = [];
      i++;
      while (i < lines.length && !lines[i].trim().startsWith(fence[1])) body.push(lines[i++]);
      i++;
      blocks.push({ t: 'code', lang: fence[2], text: body.join('\n') });
      continue;
    }
    const heading = headingRe.exec(line);
    if (heading) {
      blocks.push({ t: 'heading', level: heading[1].length, children: parseInline(heading[2] ?? '') });
      i++;
      continue;
    }
    if (ruleRe.test(line)) {
      blocks.push({ t: 'rule' });
      i++;
      continue;
    }
    const item = itemRe.exec(line);
    if (item) {
      const ordered = item[2] !== undefined;
      const items: string[] = [];
      while (i < lines.length && lines[i].trim()) {
        const m = itemRe.exec(lines[i]);
        if (m && (m[2] !== undefined) === ordered) items.push(m[3]);
        else if (m || fenceRe.test(lines[i]) || headingRe.test(lines[i])) break;
        else items[items.length - 1] += ` ${lines[i].trim()}`;
        i++;
      }
      blocks.push({
        t: 'list',
        ordered,
        start: ordered ? Number(item[2]) : 1,
        items: items.map((text) => parseInline(text)),
      });
      continue;
    }
    if (quoteRe.test(line)) {
      const body: string[] = [];
      while (i < lines.length && quoteRe.test(lines[i])) body.push(quoteRe.exec(lines[i++])![1]);
      blocks.push({ t: 'quote', children: parseInline(body.join(' ').trim()) });
      continue;
    }
    const para: string[] = [];
    while (
      i < lines.length &&
      lines[i].trim() &&
      !fenceRe.test(lines[i]) &&
      !headingRe.test(lines[i]) &&
      !itemRe.test(lines[i]) &&
      !quoteRe.test(lines[i])
    )
      para.push(lines[i++].trim());
    blocks.push({ t: 'paragraph', children: parseInline(para.join(' ')) });
  }
  return blocks;
}

/** The plain text of inlines (for excerpts and tests). */
export const inlineText = (list: Inline[]): string =>
  list.map((n) => (n.t === 'text' || n.t === 'code' ? n.text : inlineText(n.children))).join('');

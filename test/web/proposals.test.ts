import { describe, expect, it } from 'vitest';
import { normalizeJob } from '../../contracts/task.ts';
import { overrideIssuePath } from '../../web/src/api/proposals.ts';
import {
  type Block,
  type Inline,
  inlineText,
  parseInline,
  parseMarkdown,
  safeHref,
} from '../../web/src/lib/markdown.ts';
import { bulkRefusal, summarizeBulk } from '../../web/src/lib/proposal-bulk.ts';
import {
  apiQuery,
  countFor,
  filtersFromParams,
  paramsFromFilters,
  withFilter,
} from '../../web/src/lib/proposal-filters.ts';
import { defaultSnooze, fromLocalInput, isSnoozed, toLocalInput } from '../../web/src/lib/snooze.ts';
import { checkForm } from '../../web/src/lib/task-form.ts';
import { fieldErrorsFromIssues, formFromRequest, requestFromForm } from '../../web/src/lib/task-prefill.ts';

/** Every node of a parsed document, flattened. */
function walk(blocks: Block[]): Inline[] {
  const out: Inline[] = [];
  const visit = (list: Inline[]) => {
    for (const n of list) {
      out.push(n);
      if ('children' in n) visit(n.children);
    }
  };
  for (const b of blocks) {
    if (b.t === 'list') b.items.forEach(visit);
    else if ('children' in b) visit(b.children);
  }
  return out;
}
const links = (md: string) => walk(parseMarkdown(md)).filter((n) => n.t === 'link');
const allText = (md: string) =>
  parseMarkdown(md)
    .map((b) =>
      b.t === 'list'
        ? b.items.map(inlineText).join('\n')
        : b.t === 'code'
          ? b.text
          : 'children' in b
            ? inlineText(b.children)
            : '',
    )
    .join('\n');

describe('safe Markdown', () => {
  it('reads headings, lists, code, emphasis and links', () => {
    const blocks = parseMarkdown(
      '# Title\n\nSome **bold** and *em* and `code`.\n\n- one\n- two\n  continued\n\n3. three\n4. four\n\n```ts\nconst x = 1;\n```\n\n> quoted\n\n---\n[docs](https://example.com/a)',
    );
    expect(blocks.map((b) => b.t)).toEqual([
      'heading',
      'paragraph',
      'list',
      'list',
      'code',
      'quote',
      'rule',
      'paragraph',
    ]);
    expect(blocks[0]).toMatchObject({ t: 'heading', level: 1, children: [{ t: 'text', text: 'Title' }] });
    expect(blocks[1]).toMatchObject({
      children: [
        { t: 'text', text: 'Some ' },
        { t: 'strong', children: [{ t: 'text', text: 'bold' }] },
        { t: 'text', text: ' and ' },
        { t: 'em', children: [{ t: 'text', text: 'em' }] },
        { t: 'text', text: ' and ' },
        { t: 'code', text: 'code' },
        { t: 'text', text: '.' },
      ],
    });
    expect(blocks[2]).toMatchObject({ ordered: false });
    expect((blocks[2] as { items: Inline[][] }).items.map(inlineText)).toEqual(['one', 'two continued']);
    expect(blocks[3]).toMatchObject({ ordered: true, start: 3 });
    expect(blocks[4]).toEqual({ t: 'code', lang: 'ts', text: 'const x = 1;' });
    expect(links('[docs](https://example.com/a)')).toEqual([
      { t: 'link', href: 'https://example.com/a', children: [{ t: 'text', text: 'docs' }] },
    ]);
  });

  it('keeps HTML as literal text: nothing becomes markup', () => {
    const hostile =
      '<script>alert(1)</script>\n\n<img src=x onerror="alert(2)">\n\n# <iframe src="javascript:alert(3)">\n\n- <b onclick=x>bold?</b>';
    const blocks = parseMarkdown(hostile);
    // Only text nodes: the renderer puts them in the DOM as text, so the browser never parses them.
    expect(walk(blocks).every((n) => n.t === 'text')).toBe(true);
    expect(allText(hostile)).toContain('<script>alert(1)</script>');
    expect(allText(hostile)).toContain('<img src=x onerror="alert(2)">');
    expect(allText(hostile)).toContain('<iframe src="javascript:alert(3)">');
    expect(allText(hostile)).toContain('<b onclick=x>bold?</b>');
  });

  it('shows HTML entities as written (never decoded into markup)', () => {
    expect(allText('&lt;script&gt;alert(1)&lt;/script&gt; &amp; &#60;b&#62;')).toBe(
      '&lt;script&gt;alert(1)&lt;/script&gt; &amp; &#60;b&#62;',
    );
  });

  it('drops links with unsafe targets but keeps their text', () => {
    for (const href of [
      'javascript:alert(1)',
      'JaVaScRiPt:alert(1)',
      ' javascript:alert(1)',
      'java\tscript:alert(1)',
      'java\nscript:alert(1)',
      'javascript&#58;alert(1)',
      'data:text/html,<script>alert(1)</script>',
      'vbscript:msgbox(1)',
      'file:///etc/passwd',
      '//evil.example/x',
      '/\\evil.example',
      'relative/path',
    ]) {
      expect(safeHref(href), href).toBeNull();
    }
    expect(links('[click](javascript:alert(1))')).toEqual([]);
    expect(allText('[click](javascript:alert(1))')).toBe('click');
    expect(allText('[x](data:text/html;base64,PHNjcmlwdD4=)')).toBe('x');
    for (const href of [
      'https://example.com/a?b=1#c',
      'http://x.test',
      'mailto:a@b.test',
      '/tasks/queue/1',
      '#top',
    ])
      expect(safeHref(href)).toBe(href);
  });

  it('honours backslash escapes and leaves snake_case and stray markers alone', () => {
    expect(allText('\\*not em\\* and snake_case_name and 2 * 3 * 4')).toBe(
      '*not em* and snake_case_name and 2 * 3 * 4',
    );
    expect(walk(parseMarkdown('snake_case_name')).map((n) => n.t)).toEqual(['text']);
    expect(allText('unclosed `code and [link](')).toBe('unclosed `code and [link](');
  });

  it('stays fast on hostile nesting and unclosed markers', () => {
    const started = performance.now();
    parseInline('['.repeat(20_000));
    parseInline('*'.repeat(20_000));
    parseInline(`${'`'.repeat(5_000)}x`);
    parseInline('[a]('.repeat(5_000));
    const nested = parseInline(`${'**'.repeat(200)}deep${'**'.repeat(200)}`);
    expect(inlineText(nested)).toContain('deep');
    parseMarkdown('- a\n'.repeat(10_000));
    expect(performance.now() - started).toBeLessThan(2000);
  });
});

describe('inbox filters in the URL', () => {
  it('reads the URL: the default status is open, unknown values fall back', () => {
    expect(filtersFromParams({})).toEqual({
      status: 'open',
      category: '',
      repository: '',
      originSource: '',
      tag: '',
      q: '',
      includeSnoozed: false,
      cursor: '',
    });
    expect(
      filtersFromParams({
        status: 'dismissed',
        category: 'security',
        repository: ' octo/web ',
        originSource: 'queue',
        tag: 'Flaky',
        q: 'retry',
        includeSnoozed: 'true',
        cursor: 'abc',
      }),
    ).toEqual({
      status: 'dismissed',
      category: 'security',
      repository: 'octo/web',
      originSource: 'queue',
      tag: 'flaky',
      q: 'retry',
      includeSnoozed: true,
      cursor: 'abc',
    });
    expect(
      filtersFromParams({ status: 'bogus', category: 'nope', originSource: 'x', includeSnoozed: '1' }),
    ).toMatchObject({
      status: 'open',
      category: '',
      originSource: '',
      includeSnoozed: false,
    });
    expect(filtersFromParams({ status: 'all' }).status).toBe('all');
    expect(filtersFromParams({ status: ['promoted', 'open'] }).status).toBe('promoted');
  });

  it('writes the URL without defaults and round-trips', () => {
    const f = filtersFromParams({ status: 'all', tag: 'ci', includeSnoozed: 'true', cursor: 'c2' });
    expect(paramsFromFilters(f)).toEqual({
      status: 'all',
      category: undefined,
      repository: undefined,
      originSource: undefined,
      tag: 'ci',
      q: undefined,
      includeSnoozed: 'true',
      cursor: 'c2',
    });
    expect(filtersFromParams(paramsFromFilters(f))).toEqual(f);
    expect(paramsFromFilters(filtersFromParams({ status: 'open' })).status).toBeUndefined();
  });

  it('a filter change goes back to the first page', () => {
    const f = filtersFromParams({ category: 'tests', cursor: 'page3' });
    expect(withFilter(f, { repository: 'octo/api' })).toMatchObject({
      category: 'tests',
      repository: 'octo/api',
      cursor: undefined,
    });
    expect(withFilter(f, { cursor: 'page4' }).cursor).toBe('page4');
  });

  it('asks the API without a status for "all", with the limit', () => {
    expect(apiQuery(filtersFromParams({ status: 'all', q: 'x' }), 10)).toMatchObject({
      status: undefined,
      q: 'x',
      limit: 10,
    });
    expect(apiQuery(filtersFromParams({})).status).toBe('open');
  });

  it('counts per status tab, and their sum for all', () => {
    const counts = { open: 3, promoted: 1, dismissed: 2 };
    expect(countFor(counts, 'open')).toBe(3);
    expect(countFor(counts, 'rejected')).toBe(0);
    expect(countFor(counts, 'all')).toBe(6);
    expect(countFor(undefined, 'open')).toBeNull();
  });
});

describe('bulk actions', () => {
  const a = '11111111-1111-4111-8111-111111111111';
  const b = '22222222-2222-4222-8222-222222222222';
  const c = '33333333-3333-4333-8333-333333333333';

  it('refuses an empty selection and a snooze without a time', () => {
    expect(bulkRefusal('dismiss', 0)).toMatch(/select at least one/i);
    expect(bulkRefusal('promote', 0)).toMatch(/select at least one/i);
    expect(bulkRefusal('dismiss', 2)).toBeNull();
    expect(bulkRefusal('snooze', 1, null)).toMatch(/until when/);
    expect(bulkRefusal('snooze', 1, 'soon')).toMatch(/not a date/);
    expect(bulkRefusal('snooze', 1, '2030-01-01T09:00:00.000Z')).toBeNull();
  });

  it('reports each item: ok, lost race, not found, errors, promoted jobs', () => {
    const titles = new Map([
      [a, 'Add tests'],
      [b, 'Harden parser'],
    ]);
    const s = summarizeBulk(
      'dismiss',
      [
        { id: a, ok: true, status: 200, jobId: null, error: null },
        { id: b, ok: false, status: 409, jobId: null, error: null },
        { id: c, ok: false, status: 404, jobId: null, error: null },
      ],
      titles,
    );
    expect(s).toMatchObject({ ok: 1, failed: 2, message: 'Dismissed 1 of 3; 2 failed.' });
    expect(s.lines).toEqual([
      { id: a, title: 'Add tests', ok: true, detail: 'dismissed', jobId: null },
      {
        id: b,
        title: 'Harden parser',
        ok: false,
        detail: 'changed meanwhile (already decided)',
        jobId: null,
      },
      { id: c, title: c, ok: false, detail: 'not found', jobId: null },
    ]);
    const p = summarizeBulk('promote', [
      { id: a, ok: true, status: 201, jobId: b, error: null },
      { id: c, ok: false, status: 400, jobId: null, error: 'payload.repository: is required' },
    ]);
    expect(p.message).toBe('Promoted 1 of 2; 1 failed.');
    expect(p.lines.map((l) => l.detail)).toEqual([`job ${b}`, 'payload.repository: is required']);
    expect(
      summarizeBulk('snooze', [{ id: a, ok: true, status: 200, jobId: null, error: null }]).message,
    ).toBe('Snoozed 1 of 1.');
  });
});

describe('snooze times', () => {
  it('datetime-local values to dates and back', () => {
    const d = fromLocalInput('2031-03-04T05:06')!;
    expect(d.getFullYear()).toBe(2031);
    expect(d.getHours()).toBe(5);
    expect(toLocalInput(d)).toBe('2031-03-04T05:06');
    expect(fromLocalInput('')).toBeNull();
    expect(fromLocalInput('tomorrow')).toBeNull();
    expect(defaultSnooze(new Date(2030, 0, 31, 22, 15))).toBe('2030-02-01T09:00');
    expect(isSnoozed('2999-01-01T00:00:00Z')).toBe(true);
    expect(isSnoozed('2000-01-01T00:00:00Z')).toBe(false);
    expect(isSnoozed(null)).toBe(false);
  });
});

describe('edit-then-promote: the submit form from a job envelope', () => {
  const envelope = {
    type: 'task',
    priority: 5,
    maxAttempts: 2,
    affinityKey: null,
    payload: {
      repository: 'octo/web',
      auth: { repoAuthRef: 'vault://kv/git#token', publishAuthRef: null },
      task: {
        instructions: 'Add tests for the retry path',
        skill: { id: 'auto', args: {} },
        runtime: { mode: 'claude', model: 'opus', effort: 'high' },
        git: { startingBranch: 'feature/x', newBranch: null },
        publish: { mode: 'branch', prTitle: 'Retry tests' },
        steps: [
          {
            id: 'lint',
            title: 'Lint',
            instructions: 'Run lint',
            skill: { id: 'linter', args: { fix: true } },
          },
        ],
      },
    },
  };

  it('prefills every field the form shows', () => {
    const form = formFromRequest(envelope);
    expect(form).toMatchObject({
      runtime: 'claude',
      model: 'opus',
      effort: 'high',
      repository: 'octo/web',
      startingBranch: 'feature/x',
      newBranch: '',
      publishMode: 'branch',
      priority: '5',
      maxAttempts: '2',
      affinityKey: '',
    });
    expect(form.steps.map(({ key: _key, ...s }) => s)).toEqual([
      { id: '', title: '', instructions: 'Add tests for the retry path', skillId: '', skillArgs: '' },
      { id: 'lint', title: 'Lint', instructions: 'Run lint', skillId: 'linter', skillArgs: '{"fix":true}' },
    ]);
    expect(checkForm(form, { defaultRuntime: 'codex' })).toEqual({});
  });

  it('sends the edited form over the original, keeping what the form does not show', () => {
    const form = formFromRequest(envelope);
    form.steps[0].instructions = 'Add tests for the retry path and the timeout';
    form.publishMode = 'pr';
    const body = requestFromForm(envelope, form);
    expect(body).toMatchObject({
      type: 'task',
      priority: 5,
      maxAttempts: 2,
      payload: {
        repository: 'octo/web',
        auth: { repoAuthRef: 'vault://kv/git#token' },
        task: {
          instructions: 'Add tests for the retry path and the timeout',
          publish: { mode: 'pr', prTitle: 'Retry tests' },
          runtime: { mode: 'claude', model: 'opus', effort: 'high' },
          steps: [{ id: 'lint', title: 'Lint', skill: { id: 'linter', args: { fix: true } } }],
        },
      },
    });
    const checked = normalizeJob(body, { defaultRuntime: 'codex', defaultRepository: null });
    expect(checked.ok).toBe(true);
  });

  it('tolerates a sparse or broken envelope', () => {
    const form = formFromRequest({ payload: { task: 'nope' } }, { defaultRuntime: 'gemini' });
    expect(form.runtime).toBe('gemini');
    expect(form.steps).toHaveLength(1);
    expect(form.publishMode).toBe('pr');
    expect(formFromRequest(null).steps[0].instructions).toBe('');
  });

  it('maps the server issues of an override onto the fields', () => {
    expect(
      fieldErrorsFromIssues(
        [
          { path: 'taskCreateRequestOverride.payload.task.instructions', message: 'is required' },
          { path: 'taskCreateRequestOverride.payload.repository', message: 'must not contain credentials' },
          { path: 'taskCreateRequestOverride.payload.task.steps.0.title', message: 'too long' },
          { path: 'expectedVersion', message: 'stale' },
        ],
        overrideIssuePath,
      ),
    ).toEqual({
      'steps.0.instructions': 'is required',
      repository: 'must not contain credentials',
      'steps.1.title': 'too long',
      _form: 'stale',
    });
  });
});

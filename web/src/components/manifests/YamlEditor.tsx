import { createMemo, For, Index, Show } from 'solid-js';
import { issuesByLine, type LineIssue } from '../../lib/manifest-editor.ts';

/**
 * A YAML textarea with a line-number gutter: lines with an issue are marked in the gutter, and each message
 * below names its line and moves the cursor there (keyboard: the messages are buttons).
 */
export function YamlEditor(props: {
  id: string;
  value: string;
  issues: LineIssue[];
  onInput: (value: string) => void;
  readOnly?: boolean;
}) {
  let area: HTMLTextAreaElement | undefined;
  let gutter: HTMLDivElement | undefined;
  const lineCount = createMemo(() => props.value.split('\n').length);
  const marked = createMemo(() => issuesByLine(props.issues));
  const goTo = (line: number | null) => {
    if (!area || line === null) return;
    const lines = props.value.split('\n');
    const start = lines.slice(0, line - 1).reduce((n, l) => n + l.length + 1, 0);
    area.focus();
    area.setSelectionRange(start, start + (lines[line - 1]?.length ?? 0));
    const lineHeight = area.scrollHeight / Math.max(1, lines.length);
    area.scrollTop = Math.max(0, (line - 3) * lineHeight);
  };
  return (
    <div class="yaml-editor">
      <div class="yaml-frame" classList={{ invalid: props.issues.length > 0 }}>
        <div class="yaml-gutter" ref={gutter} aria-hidden="true">
          <Index each={Array.from({ length: lineCount() })}>
            {(_, i) => (
              <span
                classList={{ 'has-issue': marked().has(i + 1) }}
                data-testid={marked().has(i + 1) ? 'gutter-issue' : undefined}
                data-line={i + 1}
              >
                {i + 1}
              </span>
            )}
          </Index>
        </div>
        <textarea
          id={props.id}
          ref={area}
          class="mono"
          spellcheck={false}
          autocapitalize="off"
          wrap="off"
          rows={24}
          readOnly={props.readOnly}
          value={props.value}
          onInput={(e) => props.onInput(e.currentTarget.value)}
          onScroll={(e) => {
            if (gutter) gutter.scrollTop = e.currentTarget.scrollTop;
          }}
          aria-invalid={props.issues.length > 0 ? 'true' : undefined}
          aria-describedby={props.issues.length > 0 ? `${props.id}-issues` : undefined}
          data-testid="manifest-yaml"
        />
      </div>
      <Show when={props.issues.length > 0}>
        <ul class="yaml-issues" id={`${props.id}-issues`} data-testid="manifest-issues">
          <For each={props.issues}>
            {(i) => (
              <li data-testid="manifest-issue" data-line={i.line ?? ''} data-path={i.path}>
                <button type="button" class="link" onClick={() => goTo(i.line)}>
                  {i.line === null ? 'Document' : `Line ${i.line}`}
                </button>
                :{' '}
                <Show when={i.path}>
                  <code>{i.path}</code>{' '}
                </Show>
                {i.message}
              </li>
            )}
          </For>
        </ul>
      </Show>
    </div>
  );
}

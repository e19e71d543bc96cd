import { createSignal } from 'solid-js';

/**
 * Cursor pages whose cursor lives in the URL: the cursors of the pages before this one are kept so
 * "Previous" can go back; a filter change starts over (`reset`).
 */
export function createCursorPages(opts: {
  cursor: () => string | null | undefined;
  nextCursor: () => string | null | undefined;
  go: (cursor: string | undefined) => void;
}) {
  const [previous, setPrevious] = createSignal<string[]>([]);
  return {
    hasPrevious: () => previous().length > 0,
    hasNext: () => !!opts.nextCursor(),
    next() {
      const n = opts.nextCursor();
      if (!n) return;
      setPrevious([...previous(), opts.cursor() ?? '']);
      opts.go(n);
    },
    prev() {
      const stack = previous();
      setPrevious(stack.slice(0, -1));
      opts.go(stack.at(-1) || undefined);
    },
    reset: () => setPrevious([]),
  };
}

export function Pager(props: { pages: ReturnType<typeof createCursorPages> }) {
  return (
    <nav class="pager" aria-label="Pages">
      <button
        type="button"
        class="secondary"
        disabled={!props.pages.hasPrevious()}
        onClick={() => props.pages.prev()}
        data-testid="page-previous"
      >
        Previous
      </button>
      <button
        type="button"
        class="secondary"
        disabled={!props.pages.hasNext()}
        onClick={() => props.pages.next()}
        data-testid="page-next"
      >
        Next
      </button>
    </nav>
  );
}

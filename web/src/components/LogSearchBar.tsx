import { createSignal, Show } from 'solid-js';
import type { LogSearch } from '../lib/log-search.ts';

/** The log's search: a term looked up in the whole log on the server, previous/next through the matches. */
export function LogSearchBar(props: { search: LogSearch }) {
  const [term, setTerm] = createSignal('');
  const s = () => props.search;
  const submit = (ev: SubmitEvent) => {
    ev.preventDefault();
    // Enter again on the same term moves to the next (older) match, as a find bar does.
    if (term().trim() === s().state.term && s().state.total) void s().older();
    else void s().find(term());
  };
  return (
    <form class="log-search" onSubmit={submit}>
      <input
        type="search"
        placeholder="Search the whole log"
        aria-label="Search the whole log"
        value={term()}
        onInput={(e) => {
          setTerm(e.currentTarget.value);
          if (!e.currentTarget.value) s().clear();
        }}
        data-testid="log-search"
      />
      <button
        type="button"
        class="secondary small"
        disabled={!s().canOlder() || s().state.busy}
        onClick={() => void s().older()}
        aria-label="Previous match (older)"
        data-testid="log-search-prev"
      >
        ↑
      </button>
      <button
        type="button"
        class="secondary small"
        disabled={!s().canNewer()}
        onClick={() => s().newer()}
        aria-label="Next match (newer)"
        data-testid="log-search-next"
      >
        ↓
      </button>
      <span class="hint" role="status" data-testid="log-search-count">
        <Show when={s().state.term && !s().state.busy} fallback={s().state.busy ? 'searching…' : ''}>
          <Show when={!s().state.error} fallback={s().state.error}>
            {s().state.total
              ? `${s().position().toLocaleString('en-US')} of ${s().state.total.toLocaleString('en-US')}${s().state.capped ? '+' : ''}`
              : 'no match in the log'}
          </Show>
        </Show>
      </span>
    </form>
  );
}

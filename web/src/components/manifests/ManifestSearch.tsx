import { createSignal, For, Show } from 'solid-js';
import { type SearchHit, searchManifest } from '../../api/manifests.ts';
import { errorMessage } from '../../lib/format.ts';
import { canMutate } from '../../lib/session.ts';

/** A search box over the manifest's index: the query embedded the manifest's way, chunks with scores. */
export function ManifestSearch(props: { name: string }) {
  const [query, setQuery] = createSignal('');
  const [topK, setTopK] = createSignal(5);
  const [hits, setHits] = createSignal<SearchHit[] | null>(null);
  const [error, setError] = createSignal<string | null>(null);
  const [busy, setBusy] = createSignal(false);
  const submit = async (e: SubmitEvent) => {
    e.preventDefault();
    if (!query().trim()) return;
    setBusy(true);
    setError(null);
    try {
      setHits(await searchManifest(props.name, { query: query().trim(), topK: topK() }));
    } catch (err) {
      setError(errorMessage(err));
    } finally {
      setBusy(false);
    }
  };
  return (
    <section class="card" aria-label="Search the index" data-testid="manifest-search">
      <h2>Search the index</h2>
      <form class="search-row" onSubmit={submit}>
        <label>
          Query
          <input
            type="search"
            value={query()}
            onInput={(e) => setQuery(e.currentTarget.value)}
            data-testid="search-query"
          />
        </label>
        <label>
          Results
          <input
            type="number"
            min={1}
            max={100}
            value={topK()}
            onInput={(e) => setTopK(Math.min(100, Math.max(1, Number(e.currentTarget.value) || 5)))}
            data-testid="search-topk"
          />
        </label>
        <button
          type="submit"
          disabled={busy() || !canMutate() || !query().trim()}
          data-testid="search-submit"
        >
          {busy() ? 'Searching…' : 'Search'}
        </button>
      </form>
      <Show when={error()}>
        <p class="form-error" role="alert">
          {error()}
        </p>
      </Show>
      <Show when={hits()}>
        {(list) => (
          <Show when={list().length > 0} fallback={<p class="muted">No chunks match.</p>}>
            <ol class="search-hits" data-testid="search-hits">
              <For each={list()}>
                {(h) => (
                  <li data-testid="search-hit">
                    <p class="muted">
                      <span class="mono" data-testid="hit-score">
                        {h.score.toFixed(3)}
                      </span>{' '}
                      · <span class="mono wrap">{h.dataSourceId}</span> ·{' '}
                      <span class="mono wrap" data-testid="hit-source">
                        {h.sourceDocId}
                      </span>{' '}
                      · chunk {h.chunkIndex}
                    </p>
                    <p class="wrap clamp">{h.text}</p>
                  </li>
                )}
              </For>
            </ol>
          </Show>
        )}
      </Show>
    </section>
  );
}

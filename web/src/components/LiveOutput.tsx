import { createSignal, For, Show } from 'solid-js';
import type { Artifact } from '../api/jobs.ts';
import type { EventFeed, Transport } from '../lib/event-feed.ts';
import { lineText, matchesFilter, type OutputFilter, outputFilters, outputLine } from '../lib/events.ts';
import { createFilteredView } from '../lib/filtered-view.ts';
import { VirtualLog } from './VirtualLog.tsx';

const transportText: Record<Transport, string> = {
  connecting: 'connecting…',
  sse: 'live (SSE)',
  polling: 'polling',
  ended: 'stream ended',
};

/**
 * Live output: transport indicator, filters, readable or raw lines, follow, copy, full-log download,
 * virtualized lines.
 */
export function LiveOutput(props: { feed: EventFeed; artifacts: Artifact[] }) {
  const [filter, setFilter] = createSignal<OutputFilter>('all');
  const [follow, setFollow] = createSignal(true);
  // Agent events read as text with a kind marker; "raw" shows the CLI's JSON lines as printed.
  const [raw, setRaw] = createSignal(false);
  const [copied, setCopied] = createSignal('');
  const view = createFilteredView(
    props.feed,
    () => {
      const f = filter();
      return (e) => matchesFilter(e, f);
    },
    outputLine,
  );
  const fullLog = () => props.artifacts.find((a) => a.name === 'logs/execute.log');

  const copy = async () => {
    try {
      await navigator.clipboard.writeText(
        view
          .items()
          .map((l) => lineText(l, raw()))
          .join('\n'),
      );
      setCopied(`copied ${view.items().length} lines`);
    } catch {
      setCopied('copy failed: clipboard not available');
    }
  };

  return (
    <section class="card output" aria-label="Live output" data-testid="live-output">
      <div class="output-head">
        <h2>Live output</h2>
        <span
          class={`transport transport-${props.feed.transport()}`}
          data-testid="transport"
          data-transport={props.feed.transport()}
        >
          {transportText[props.feed.transport()]}
        </span>
      </div>
      <div class="output-tools">
        <fieldset class="segmented">
          <legend class="visually-hidden">Filter</legend>
          <For each={outputFilters}>
            {(f) => (
              <button
                type="button"
                class="secondary small"
                aria-pressed={filter() === f}
                onClick={() => setFilter(f)}
                data-testid={`filter-output-${f}`}
              >
                {f}
              </button>
            )}
          </For>
        </fieldset>
        <label class="inline">
          <input
            type="checkbox"
            checked={follow()}
            onChange={(e) => setFollow(e.currentTarget.checked)}
            data-testid="follow-toggle"
          />
          Follow
        </label>
        <label class="inline">
          <input
            type="checkbox"
            checked={raw()}
            onChange={(e) => setRaw(e.currentTarget.checked)}
            data-testid="raw-toggle"
          />
          Raw
        </label>
        <button type="button" class="secondary small" onClick={copy} data-testid="copy-output">
          Copy
        </button>
        <span class="hint copy-result" role="status">
          {copied()}
        </span>
        {/* The slot is always there, so the link appearing moves nothing. */}
        <span class="full-log-slot">
          <Show when={fullLog()}>
            {(a) => (
              <a href={a().downloadUrl} download="" data-testid="full-log-download">
                Download full log
              </a>
            )}
          </Show>
        </span>
      </div>
      <VirtualLog lines={view.items} raw={raw()} follow={follow()} setFollow={setFollow} />
      <p class="hint">
        {view.items().length} lines
        <Show when={props.feed.hasOlder()}> (newest shown; load older events below)</Show>
      </p>
    </section>
  );
}

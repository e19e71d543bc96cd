import { createEffect, createMemo, createSignal, For, on, Show, untrack } from 'solid-js';
import type { JobEvent } from '../../../contracts/events.ts';
import type { Artifact } from '../api/jobs.ts';
import { type EventFeed, transportLabels } from '../lib/event-feed.ts';
import {
  isStageEvent,
  lineText,
  matchesFilter,
  type OutputFilter,
  type OutputLine,
  outputFilters,
  outputLine,
} from '../lib/events.ts';
import { createFilteredView } from '../lib/filtered-view.ts';
import { plural } from '../lib/format.ts';
import { createLogSearch } from '../lib/log-search.ts';
import { createLogWindow } from '../lib/log-window.ts';
import { LogSearchBar } from './LogSearchBar.tsx';
import { VirtualLog } from './VirtualLog.tsx';

/** What an empty filter says: the filter by name, and whether older lines could still hold a match. */
const emptyText: Record<OutputFilter, string> = {
  all: 'No output yet.',
  stages: 'No stage or step events yet.',
  logs: 'No log lines yet.',
  warnings: 'No warnings or errors',
};

/**
 * The run's log: transport indicator, search over the whole log, filters, readable or raw lines, times on
 * demand, follow, copy, full-log download, "load older" in place at the top, virtualized lines. A line
 * (`line`, from the URL, or a search match) is scrolled to and marked; one older than the held lines opens
 * a window of the lines around it (lib/log-window.ts) until it reaches the newest ones.
 */
export function LiveOutput(props: {
  jobId: string;
  feed: EventFeed;
  /** Every non-log event of the run, oldest first: the stages filter is complete from the first paint. */
  notLogs: JobEvent[];
  artifacts: Artifact[];
  line: number | null;
  lineHref: (id: number) => string;
  onLeaveLine: () => void;
}) {
  const feed = props.feed;
  const [filter, setFilter] = createSignal<OutputFilter>('all');
  const [follow, setFollow] = createSignal(true);
  // Agent events read as text with a kind marker; "raw" shows the CLI's JSON lines as printed.
  const [raw, setRaw] = createSignal(false);
  const [times, setTimes] = createSignal(false);
  const [copied, setCopied] = createSignal('');
  const [current, setCurrent] = createSignal<number | null>(null);
  const [reveal, setReveal] = createSignal<{ id: number } | null>(null);
  const [around, setAround] = createSignal<number | null>(null);
  const search = createLogSearch(props.jobId);

  const keep = () => {
    const f = filter();
    return (e: JobEvent) => matchesFilter(e, f);
  };
  const tail = createFilteredView(feed, keep, outputLine);
  const stageLines = createMemo(() => props.notLogs.filter(isStageEvent).map(outputLine));
  const fullLog = () => props.artifacts.find((a) => a.name === 'logs/execute.log');

  /** Scroll to a line and mark it: in the held lines, or in a window around it when it is older. */
  const show = (id: number) => {
    setFilter('all');
    setCurrent(id);
    const first = untrack(feed.events)[0]?.id ?? Number.POSITIVE_INFINITY;
    setAround(id < first ? id : null);
    setReveal({ id });
  };
  createEffect(on([() => props.line, feed.loaded], ([line, loaded]) => line && loaded && show(line)));
  createEffect(on(search.current, (id) => id !== null && show(id), { defer: true }));

  const backToNewest = () => {
    setAround(null);
    setCurrent(null);
    setFollow(true);
    props.onLeaveLine();
  };

  const copy = async (lines: OutputLine[]) => {
    try {
      await navigator.clipboard.writeText(lines.map((l) => lineText(l, raw())).join('\n'));
      setCopied(`copied ${plural(lines.length, 'line')}`);
    } catch {
      setCopied('copy failed: clipboard not available');
    }
  };

  /** One log over a source of events: the held tail, or a window around an older line. */
  const Log = (p: {
    lines: () => OutputLine[];
    loaded: boolean;
    older?: { has: boolean; loading: boolean; load: () => void };
  }) => (
    <>
      <div class="log-edge">
        <Show when={p.older?.has}>
          <button
            type="button"
            class="secondary small"
            disabled={p.older?.loading}
            onClick={() => p.older?.load()}
            data-testid="load-older"
          >
            {p.older?.loading ? 'Loading…' : 'Load older lines'}
          </button>
        </Show>
        <Show when={p.loaded && p.lines().length === 0}>
          <p class="log-empty" role="status" data-testid="log-empty">
            {emptyText[filter()]}
            {filter() === 'warnings' ? (p.older?.has ? ' in the loaded lines.' : ' in this run.') : ''}
          </p>
        </Show>
      </div>
      <VirtualLog
        lines={p.lines}
        raw={raw()}
        times={times()}
        follow={follow()}
        setFollow={setFollow}
        current={current()}
        reveal={reveal()}
        term={search.state.term}
        lineHref={props.lineHref}
      />
      <div class="output-foot">
        <span class="hint" data-testid="line-count">
          {plural(p.lines().length, 'line')}
        </span>
        <button
          type="button"
          class="secondary small"
          onClick={() => void copy(p.lines())}
          data-testid="copy-output"
        >
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
    </>
  );

  return (
    <section class="card output" aria-label="Live output" data-testid="live-output">
      <div class="output-head">
        <h2>Log</h2>
        <span
          class={`transport transport-${feed.transport()}`}
          data-testid="transport"
          data-transport={feed.transport()}
        >
          {transportLabels[feed.transport()]}
        </span>
        <LogSearchBar search={search} />
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
            checked={times()}
            onChange={(e) => setTimes(e.currentTarget.checked)}
            data-testid="times-toggle"
          />
          Times
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
      </div>
      <Show
        when={filter() === 'stages' ? null : around()}
        keyed
        fallback={
          <Log
            lines={filter() === 'stages' ? stageLines : tail.items}
            loaded={feed.loaded()}
            older={
              filter() === 'stages'
                ? undefined
                : { has: feed.hasOlder(), loading: feed.loadingOlder(), load: () => void feed.loadOlder() }
            }
          />
        }
      >
        {(id) => {
          const win = createLogWindow(props.jobId, id, feed);
          const view = createFilteredView(win, keep, outputLine);
          createEffect(() => {
            if (!win.joined()) return;
            setAround(null);
            setReveal({ id });
          });
          return (
            <>
              <p class="log-window-note" role="status" data-testid="log-window-note">
                Lines around line {id}, older than the newest lines loaded.{' '}
                <button type="button" class="link" onClick={backToNewest} data-testid="back-to-newest">
                  Back to the newest lines
                </button>
              </p>
              <Log
                lines={view.items}
                loaded={win.loaded()}
                older={{ has: win.hasOlder(), loading: win.loadingOlder(), load: () => void win.loadOlder() }}
              />
              <button
                type="button"
                class="secondary small"
                disabled={win.loadingNewer()}
                onClick={() => void win.loadNewer()}
                data-testid="load-newer"
              >
                {win.loadingNewer() ? 'Loading…' : 'Load newer lines'}
              </button>
            </>
          );
        }}
      </Show>
    </section>
  );
}

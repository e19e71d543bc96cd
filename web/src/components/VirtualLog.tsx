import { createEffect, createMemo, createSignal, Index, onCleanup, onMount, Show } from 'solid-js';
import { indexOfLine, kindMarker, type OutputLine } from '../lib/events.ts';
import { formatClock } from '../lib/format.ts';
import { Marked } from './Marked.tsx';

export const ROW_HEIGHT = 18;
const OVERSCAN = 20;
const MIN_HEIGHT = 240;
const MAX_HEIGHT = 1200;

/**
 * A windowed list of fixed-height lines: only the rows in view (plus a margin) are in the DOM, so 100,000
 * lines cost the same as 50. Follow keeps the view at the bottom; scrolling up turns it off, scrolling
 * back to the bottom turns it on again. Lines added in front (older ones) keep the lines in view where they
 * are. A row links to itself (`lineHref`), shows its time on demand, its readable text after a kind marker
 * (or with `raw` the line as printed), the search term marked; `reveal` scrolls a line to the middle.
 */
export function VirtualLog(props: {
  lines: () => OutputLine[];
  raw: boolean;
  times: boolean;
  follow: boolean;
  setFollow: (v: boolean) => void;
  /** The line to mark as the current one (a link's target, a search match). */
  current: number | null;
  /** A new object each time a line should be scrolled into view. */
  reveal: { id: number } | null;
  term: string;
  lineHref: (id: number) => string;
}) {
  let viewport!: HTMLDivElement;
  const [scrollTop, setScrollTop] = createSignal(0);
  const [viewHeight, setViewHeight] = createSignal(400);
  const count = () => props.lines().length;
  const start = () => Math.max(0, Math.floor(scrollTop() / ROW_HEIGHT) - OVERSCAN);
  const end = () => Math.min(count(), Math.ceil((scrollTop() + viewHeight()) / ROW_HEIGHT) + OVERSCAN);
  const visible = createMemo(() => props.lines().slice(start(), end()));
  let programmatic = false;

  const scrollTo = (top: number) => {
    const target = Math.max(0, Math.min(top, count() * ROW_HEIGHT - viewport.clientHeight));
    if (Math.abs(viewport.scrollTop - target) < 1) return;
    programmatic = true;
    viewport.scrollTop = target;
    setScrollTop(viewport.scrollTop);
  };
  const toBottom = () => scrollTo(count() * ROW_HEIGHT);
  createEffect(() => {
    count();
    if (props.follow) toBottom();
  });

  // Older lines put in front: the lines in view stay in view ("load older" in place).
  let firstId: number | undefined;
  createEffect(() => {
    const lines = props.lines();
    const before = firstId;
    firstId = lines[0]?.id;
    if (before === undefined || firstId === undefined || firstId >= before || props.follow) return;
    const moved = indexOfLine(lines, before);
    if (moved > 0) scrollTo(viewport.scrollTop + moved * ROW_HEIGHT);
  });

  // A reveal waits for its line: the lines may still be on their way when it is asked for.
  let revealed: { id: number } | null = null;
  createEffect(() => {
    const reveal = props.reveal;
    const lines = props.lines();
    if (!reveal || reveal === revealed) return;
    const index = indexOfLine(lines, reveal.id);
    if (index < 0) return;
    revealed = reveal;
    props.setFollow(false);
    // A line already in full view stays where it is (a click on its link); another one is centred.
    const top = index * ROW_HEIGHT;
    if (top >= viewport.scrollTop && top + ROW_HEIGHT <= viewport.scrollTop + viewport.clientHeight) return;
    scrollTo(top - (viewport.clientHeight - ROW_HEIGHT) / 2);
  });

  const onScroll = () => {
    setScrollTop(viewport.scrollTop);
    if (programmatic) {
      programmatic = false;
      return;
    }
    const atBottom = viewport.scrollTop + viewport.clientHeight >= count() * ROW_HEIGHT - ROW_HEIGHT * 2;
    if (atBottom !== props.follow) props.setFollow(atBottom);
  };

  // The log fills the rest of the first screen, whatever the header and the window's size: the newest lines
  // are in view when the page opens. Its top moves when what is above it changes size (the page's body).
  const fitToWindow = () => {
    const top = viewport.getBoundingClientRect().top + window.scrollY;
    const height = Math.min(MAX_HEIGHT, Math.max(MIN_HEIGHT, window.innerHeight - top - 12));
    if (Math.abs(viewport.clientHeight - height) > 1) viewport.style.height = `${height}px`;
  };
  onMount(() => {
    fitToWindow();
    setViewHeight(viewport.clientHeight);
    const observer = new ResizeObserver(() => {
      setViewHeight(viewport.clientHeight);
      if (props.follow) toBottom();
    });
    observer.observe(viewport);
    const page = new ResizeObserver(fitToWindow);
    page.observe(document.body);
    window.addEventListener('resize', fitToWindow);
    onCleanup(() => {
      observer.disconnect();
      page.disconnect();
      window.removeEventListener('resize', fitToWindow);
    });
  });

  return (
    <div
      class="log-viewport"
      ref={viewport}
      onScroll={onScroll}
      tabindex="0"
      role="log"
      aria-label="Live output"
      data-testid="log-viewport"
      data-line-count={count()}
    >
      <div class="log-spacer" style={{ height: `${count() * ROW_HEIGHT}px` }}>
        <div class="log-window" style={{ transform: `translateY(${start() * ROW_HEIGHT}px)` }}>
          <Index each={visible()}>
            {(line) => (
              <div
                class="log-line"
                classList={{ 'log-line-current': line().id === props.current }}
                data-testid="log-line"
                data-id={line().id}
                data-kind={line().kind ?? undefined}
                data-current={line().id === props.current ? '' : undefined}
              >
                {/* biome-ignore lint/a11y/useAnchorContent: named by aria-label; the number is CSS content, so a line's text (read, copied) is the line alone. */}
                <a
                  class="log-ref"
                  href={props.lineHref(line().id)}
                  aria-label={`Link to line ${line().id}`}
                  data-n={line().id}
                />
                <Show when={props.times}>
                  <time class="log-time" datetime={line().at}>
                    {formatClock(line().at)}
                  </time>
                </Show>
                <Show
                  when={!props.raw && line().kind}
                  fallback={<Marked text={props.raw ? line().raw : line().text} term={props.term} />}
                >
                  {(kind) => (
                    <>
                      <span class={`log-kind log-kind-${kind()}`}>{kindMarker(kind())}</span>
                      <Marked text={line().text} term={props.term} />
                    </>
                  )}
                </Show>
              </div>
            )}
          </Index>
        </div>
      </div>
    </div>
  );
}

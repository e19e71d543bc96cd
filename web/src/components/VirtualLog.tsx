import { createEffect, createMemo, createSignal, Index, onCleanup, onMount, Show } from 'solid-js';
import { kindMarker, type OutputLine } from '../lib/events.ts';

export const ROW_HEIGHT = 18;
const OVERSCAN = 20;

/**
 * A windowed list of fixed-height lines: only the rows in view (plus a margin) are in the DOM, so 100,000
 * lines cost the same as 50. Follow keeps the view at the bottom; scrolling up turns it off, scrolling
 * back to the bottom turns it on again. A row shows its readable text after a kind marker, or with `raw` the
 * line as printed.
 */
export function VirtualLog(props: {
  lines: () => OutputLine[];
  raw: boolean;
  follow: boolean;
  setFollow: (v: boolean) => void;
}) {
  let viewport!: HTMLDivElement;
  const [scrollTop, setScrollTop] = createSignal(0);
  const [viewHeight, setViewHeight] = createSignal(400);
  const count = () => props.lines().length;
  const start = () => Math.max(0, Math.floor(scrollTop() / ROW_HEIGHT) - OVERSCAN);
  const end = () => Math.min(count(), Math.ceil((scrollTop() + viewHeight()) / ROW_HEIGHT) + OVERSCAN);
  const visible = createMemo(() => props.lines().slice(start(), end()));
  let programmatic = false;

  const toBottom = () => {
    const target = Math.max(0, count() * ROW_HEIGHT - viewport.clientHeight);
    if (Math.abs(viewport.scrollTop - target) < 1) return;
    programmatic = true;
    viewport.scrollTop = target;
    setScrollTop(viewport.scrollTop);
  };
  createEffect(() => {
    count();
    if (props.follow) toBottom();
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

  onMount(() => {
    setViewHeight(viewport.clientHeight);
    const observer = new ResizeObserver(() => setViewHeight(viewport.clientHeight));
    observer.observe(viewport);
    onCleanup(() => observer.disconnect());
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
              <div class="log-line" data-testid="log-line" data-kind={line().kind ?? undefined}>
                <Show when={!props.raw && line().kind} fallback={props.raw ? line().raw : line().text}>
                  {(kind) => (
                    <>
                      <span class={`log-kind log-kind-${kind()}`}>{kindMarker(kind())}</span>
                      {line().text}
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

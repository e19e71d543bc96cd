import { Terminal } from '@xterm/xterm';
import '@xterm/xterm/css/xterm.css';
import { createResource, createSignal, For, onCleanup, onMount, Show } from 'solid-js';
import { type Cast, castMarkers, outputUntil, parseCast } from '../../lib/cast.ts';
import { formatMinSec } from '../../lib/countdown.ts';
import { errorMessage } from '../../lib/format.ts';

const TICK_MS = 50;

async function fetchCast(url: string): Promise<Cast> {
  const res = await fetch(url, { credentials: 'same-origin' });
  if (!res.ok) throw new Error(`${res.status} ${res.statusText}`);
  return parseCast(await res.text());
}

/** A finished run's recording (asciicast v2): play, pause and restart, with its write-grant markers. */
export function RecordingPlayer(props: { url: string }) {
  const [cast] = createResource(() => props.url, fetchCast);
  return (
    <section class="recording" aria-label="Recording" data-testid="recording">
      <h3>Recording</h3>
      <Show
        when={!cast.error}
        fallback={<p class="form-error">Could not play the recording: {errorMessage(cast.error)}</p>}
      >
        <Show when={cast()} fallback={<p class="muted">Loading the recording…</p>}>
          {(c) => <Player cast={c()} />}
        </Show>
      </Show>
    </section>
  );
}

function Player(props: { cast: Cast }) {
  let box!: HTMLElement;
  // The recording's own size: fitting it to the box would re-wrap what the agent laid out for that width.
  const term = new Terminal({
    cols: props.cast.header.width,
    rows: props.cast.header.height,
    disableStdin: true,
    fontSize: 13,
    cursorBlink: false,
  });
  const [at, setAt] = createSignal(0);
  const [playing, setPlaying] = createSignal(false);
  let next = 0;
  let timer: ReturnType<typeof setInterval> | undefined;

  const advance = (t: number) => {
    const out = outputUntil(props.cast, next, t);
    next = out.next;
    if (out.data) term.write(out.data);
    setAt(t);
  };
  const pause = () => {
    clearInterval(timer);
    setPlaying(false);
  };
  const play = () => {
    if (at() >= props.cast.duration) restart();
    const startedAt = performance.now() - at() * 1000;
    setPlaying(true);
    timer = setInterval(() => {
      const t = Math.min(props.cast.duration, (performance.now() - startedAt) / 1000);
      advance(t);
      if (t >= props.cast.duration) pause();
    }, TICK_MS);
  };
  const restart = () => {
    const wasPlaying = playing();
    pause();
    term.reset();
    next = 0;
    setAt(0);
    if (wasPlaying) play();
  };

  onMount(() => term.open(box));
  onCleanup(() => {
    clearInterval(timer);
    term.dispose();
  });

  return (
    <div class="recording-body">
      <div class="recording-screen">
        <div class="controls">
          <button
            type="button"
            class="secondary"
            onClick={() => (playing() ? pause() : play())}
            data-testid="recording-play"
          >
            {playing() ? 'Pause' : 'Play'}
          </button>
          <button type="button" class="secondary" onClick={restart} data-testid="recording-restart">
            Restart
          </button>
          <span class="mono muted" data-testid="recording-time">
            {formatMinSec(at())} / {formatMinSec(props.cast.duration)}
          </span>
        </div>
        <div class="terminal-scroll">
          <section
            class="live-term"
            ref={box}
            aria-label="Recorded terminal"
            data-testid="recording-terminal"
          />
        </div>
      </div>
      <Show when={castMarkers(props.cast).length > 0}>
        <ol class="recording-markers" aria-label="Markers" data-testid="recording-markers">
          <For each={castMarkers(props.cast)}>
            {(m) => (
              <li>
                <span class="mono muted">{formatMinSec(m.at)}</span> {m.label}
              </li>
            )}
          </For>
        </ol>
      </Show>
    </div>
  );
}

import { FitAddon } from '@xterm/addon-fit';
import { Terminal } from '@xterm/xterm';
import '@xterm/xterm/css/xterm.css';
import { createEffect, onCleanup, onMount } from 'solid-js';
import { LIVE_SCROLLBACK_LINES, type LiveSessionView } from '../../../../contracts/live-session.ts';
import { applyFrame } from '../../lib/live-frames.ts';
import { createLiveSocket } from '../../lib/live-socket.ts';

/**
 * The run's terminal over the session's socket, fitted to its box. Read-only unless `writable` (I hold the
 * write grant): then keystrokes go to the run, and the terminal's size follows this box.
 */
export function LiveTerminal(props: {
  jobId: string;
  writable: boolean;
  onView: (view: LiveSessionView) => void;
  onError: (message: string) => void;
}) {
  let box!: HTMLElement;
  const term = new Terminal({
    disableStdin: true,
    scrollback: LIVE_SCROLLBACK_LINES,
    fontSize: 13,
    cursorBlink: false,
  });
  const fit = new FitAddon();
  term.loadAddon(fit);
  const socket = createLiveSocket(props.jobId, (frame) =>
    applyFrame(frame, {
      reset: () => term.reset(),
      write: (d) => term.write(d),
      view: (v) => props.onView(v),
      error: (m) => props.onError(m),
    }),
  );
  const sendSize = () => {
    if (props.writable) socket.send({ t: 'resize', cols: term.cols, rows: term.rows });
  };
  term.onData((d) => {
    if (props.writable) socket.send({ t: 'in', d });
  });
  term.onResize(sendSize);
  createEffect(() => {
    term.options.disableStdin = !props.writable;
    // A new writer (or a reconnected one) sets the run's terminal to its own size.
    if (socket.connected()) sendSize();
  });

  onMount(() => {
    term.open(box);
    fit.fit();
    const observer = new ResizeObserver(() => fit.fit());
    observer.observe(box);
    onCleanup(() => observer.disconnect());
  });
  onCleanup(() => term.dispose());

  return (
    <section
      class="live-term"
      ref={box}
      aria-label={props.writable ? 'Live terminal (you can type)' : 'Live terminal (read-only)'}
      data-testid="live-terminal"
      data-writable={props.writable}
      data-connected={socket.connected()}
    />
  );
}

import { createSignal, onCleanup } from 'solid-js';
import type { ToViewerFrame, ViewerFrame } from '../../../contracts/live-session.ts';
import { liveSocketUrl } from '../api/live-session.ts';
import { encodeViewerFrame, parseToViewerFrame } from './live-frames.ts';
import { backoffDelay } from './poll.ts';

const RETRY_MS = 1_000;

/**
 * The browser's socket to a job's live session, open for the owner's lifetime and reopened with backoff
 * after a drop: the API answers a new socket with a fresh `screen`, so nothing is lost but time.
 */
export function createLiveSocket(jobId: string, onFrame: (f: ToViewerFrame) => void) {
  const [connected, setConnected] = createSignal(false);
  let socket: WebSocket | null = null;
  let retry: ReturnType<typeof setTimeout> | undefined;
  let failures = 0;

  const open = () => {
    const ws = new WebSocket(liveSocketUrl(jobId));
    socket = ws;
    ws.onopen = () => {
      failures = 0;
      setConnected(true);
    };
    ws.onmessage = (m) => {
      const frame = parseToViewerFrame(m.data);
      if (frame) onFrame(frame);
    };
    ws.onclose = () => {
      if (socket !== ws) return;
      socket = null;
      setConnected(false);
      retry = setTimeout(open, backoffDelay(RETRY_MS, ++failures));
    };
  };

  open();
  onCleanup(() => {
    clearTimeout(retry);
    const ws = socket;
    socket = null;
    ws?.close(1000);
  });

  return {
    connected,
    /** Dropped while the socket is down: keystrokes typed into a dead socket would arrive late and out of place. */
    send(frame: ViewerFrame) {
      if (socket?.readyState === WebSocket.OPEN) socket.send(encodeViewerFrame(frame));
    },
  };
}

import {
  type LiveSessionView,
  liveSessionViewSchema,
  type ToViewerFrame,
  type ViewerFrame,
} from '../../../contracts/live-session.ts';

/** What a frame from the API does to the page: the terminal, the session's view, the error line. */
export interface FrameSink {
  reset(): void;
  write(data: string): void;
  view(view: LiveSessionView): void;
  error(message: string): void;
}

/** A frame from the API's socket, or null for anything this dashboard does not know (a newer API). */
export function parseToViewerFrame(raw: unknown): ToViewerFrame | null {
  if (typeof raw !== 'string') return null;
  let f: Record<string, unknown>;
  try {
    f = JSON.parse(raw);
  } catch {
    return null;
  }
  if (f === null || typeof f !== 'object') return null;
  switch (f.t) {
    case 'screen':
      return typeof f.d === 'string' && typeof f.cols === 'number' && typeof f.rows === 'number'
        ? { t: 'screen', d: f.d, cols: f.cols, rows: f.rows }
        : null;
    case 'out':
      return typeof f.d === 'string' ? { t: 'out', d: f.d } : null;
    case 'session': {
      const view = liveSessionViewSchema.safeParse(f.view);
      return view.success ? { t: 'session', view: view.data } : null;
    }
    case 'error':
      return typeof f.message === 'string' ? { t: 'error', message: f.message } : null;
    default:
      return null;
  }
}

/** `screen` replaces what the terminal shows (attach, resync after a drop, a new step); `out` appends. */
export function applyFrame(frame: ToViewerFrame, sink: FrameSink): void {
  if (frame.t === 'screen') {
    sink.reset();
    sink.write(frame.d);
  } else if (frame.t === 'out') sink.write(frame.d);
  else if (frame.t === 'session') sink.view(frame.view);
  else sink.error(frame.message);
}

export const encodeViewerFrame = (frame: ViewerFrame) => JSON.stringify(frame);

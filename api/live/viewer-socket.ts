import type { RawData, WebSocket } from 'ws';
import { isSessionOpen, type ViewerFrame, viewerFrameSchema } from '../../contracts/live-session.ts';
import { latestSession } from '../../db/live-sessions.ts';
import type { LiveDeps } from './actions.ts';
import type { ViewerLink } from './relay.ts';
import { holdsWrite } from './view.ts';

/**
 * A browser watching a job's terminal. Any viewer sees it; input and resize reach the worker only from the
 * actor holding an unexpired write grant.
 */
export async function serveViewer(
  deps: LiveDeps,
  jobId: string,
  ws: WebSocket,
  actor: string,
): Promise<void> {
  const link = deps.live.attachViewer(jobId, ws, actor);
  ws.on('message', (data: RawData) => onFrame(deps, jobId, link, data));
  // A browser's protocol error closes its socket (handled as a close): nothing to do beyond that.
  ws.on('error', () => {});
  ws.on('close', () => {
    deps.live.detachViewer(jobId, link);
    deps.live.update(jobId, deps.live.session(jobId));
  });
  // The stored state, not the cache: `ready` may be stored and not yet cached.
  const row = await latestSession(deps.sql, jobId);
  // Everyone sees the new viewer; the worker paints this one's screen.
  deps.live.update(jobId, row);
  if (row?.state === 'READY') deps.live.toWorker(jobId, { t: 'snapshot', to: link.id });
}

function onFrame(deps: LiveDeps, jobId: string, link: ViewerLink, data: RawData): void {
  let frame: ViewerFrame;
  try {
    frame = viewerFrameSchema.parse(JSON.parse(data.toString()));
  } catch {
    deps.live.toViewer(link, {
      t: 'error',
      message: 'invalid frame: expected {t:"in",d} or {t:"resize",cols,rows}',
    });
    return;
  }
  const refusal = writeRefusal(deps, jobId, link, frame);
  if (refusal)
    deps.live.toViewer(link, {
      t: 'error',
      message: `${frame.t === 'in' ? 'input' : 'resize'} refused: ${refusal}`,
    });
}

/** Forward the writer's frame to the worker; otherwise why it was not. */
function writeRefusal(deps: LiveDeps, jobId: string, link: ViewerLink, frame: ViewerFrame): string | null {
  const row = deps.live.session(jobId);
  if (!row || !isSessionOpen(row.state)) return 'no open live session';
  if (!holdsWrite(row, link.actor)) return `${link.actor} holds no write grant`;
  const sent =
    frame.t === 'in'
      ? deps.live.toWorker(jobId, { t: 'in', d: frame.d, actor: link.actor })
      : deps.live.toWorker(jobId, { t: 'resize', cols: frame.cols, rows: frame.rows });
  return sent ? null : 'no step is running';
}

import type { RawData, WebSocket } from 'ws';
import { type WorkerFrame, workerFrameSchema } from '../../contracts/live-session.ts';
import { markReady, openSession, patchSession } from '../../db/live-sessions.ts';
import { endSession, ensureSession, type LiveDeps, SYSTEM } from './actions.ts';
import { recordLiveEvent } from './events.ts';
import type { WorkerLink } from './relay.ts';

/** Close code of a step that ended normally: the session stays open for the next step's socket. */
const STEP_ENDED = 1000;

/**
 * A step's worker socket: `hello` first, then the session's frames. Frames are handled one at a time, in
 * order, so `ready` is stored before the `screen` and `out` that follow it are relayed.
 */
export function serveWorker(deps: LiveDeps, jobId: string, ws: WebSocket): void {
  const link = deps.live.attachWorker(jobId, ws);
  let queue = Promise.resolve();
  ws.on('message', (data: RawData) => {
    queue = queue
      .then(() => onFrame(deps, jobId, link, data))
      .catch((err) =>
        deps.logger.warn({ jobId, err: (err as Error).message }, 'live session worker frame failed'),
      );
  });
  // A protocol error (an oversized or malformed frame) closes the socket; its close is handled below.
  ws.on('error', (err) => deps.logger.warn({ jobId, err: err.message }, 'live session worker socket error'));
  ws.on('pong', () => {
    link.lastPongAt = Date.now();
  });
  ws.on('close', (code: number, reason: Buffer) => {
    queue = queue
      .then(() => onClose(deps, jobId, link, code, reason.toString()))
      .catch((err) =>
        deps.logger.warn({ jobId, err: (err as Error).message }, 'live session worker close failed'),
      );
  });
}

async function onFrame(deps: LiveDeps, jobId: string, link: WorkerLink, data: RawData): Promise<void> {
  let frame: WorkerFrame;
  try {
    frame = workerFrameSchema.parse(JSON.parse(data.toString()));
  } catch {
    deps.logger.warn({ jobId }, 'live session: invalid worker frame ignored');
    return;
  }
  if (frame.t !== 'hello' && !link.hostId) {
    link.ws.close(1008, 'hello first');
    return;
  }
  switch (frame.t) {
    case 'hello':
      return onHello(deps, jobId, link, frame);
    case 'ready': {
      const open = await openSession(deps.sql, jobId);
      if (open?.id !== frame.sessionId) return;
      const ready = await markReady(deps.sql, open.id, link.hostId ?? '');
      const row = ready ?? open;
      link.ready = true;
      deps.live.update(jobId, row);
      // This step's terminal learns who may type and whether a takeover's shell is wanted.
      if (row.writeHolder && row.writeExpiresAt)
        deps.live.toWorker(jobId, {
          t: 'grant',
          actor: row.writeHolder,
          expiresAt: row.writeExpiresAt.toISOString(),
        });
      if (row.takeoverActor) deps.live.toWorker(jobId, { t: 'shell', open: true, actor: row.takeoverActor });
      // Once per session, not per step: a later step's `ready` finds it READY already.
      if (ready)
        await recordLiveEvent(deps.sql, jobId, 'ready', SYSTEM, `live session ready on ${link.hostId}`, {
          sessionId: open.id,
        });
      return;
    }
    case 'out':
      deps.live.fanOut(jobId, { t: 'out', d: frame.d });
      return;
    case 'screen': {
      const screen = { t: 'screen', d: frame.d, cols: frame.cols, rows: frame.rows } as const;
      if (frame.to === null) {
        for (const v of deps.live.viewers(jobId)) {
          v.stale = false;
          v.resyncing = false;
        }
        deps.live.toViewers(jobId, screen);
      } else {
        const viewer = deps.live.viewer(jobId, frame.to);
        if (!viewer) return;
        viewer.stale = false;
        viewer.resyncing = false;
        deps.live.toViewer(viewer, screen);
      }
      return;
    }
    case 'shell': {
      const row = deps.live.session(jobId);
      if (!row) return;
      deps.live.update(jobId, await patchSession(deps.sql, row.id, { shellOpen: frame.open }));
      if (frame.reason) deps.logger.info({ jobId, reason: frame.reason }, 'live session shell changed');
      return;
    }
    case 'error': {
      const row = deps.live.session(jobId) ?? (await openSession(deps.sql, jobId));
      if (row) await endSession(deps, row, 'ERROR', SYSTEM, `the worker's side failed: ${frame.reason}`);
      return;
    }
  }
}

async function onHello(
  deps: LiveDeps,
  jobId: string,
  link: WorkerLink,
  hello: Extract<WorkerFrame, { t: 'hello' }>,
): Promise<void> {
  link.hostId = hello.hostId;
  link.maxSessions = hello.maxSessions;
  const open = await openSession(deps.sql, jobId);
  if (open) {
    const row =
      open.workerHost === hello.hostId
        ? open
        : ((await patchSession(deps.sql, open.id, { workerHost: hello.hostId })) ?? open);
    deps.live.update(jobId, row);
    deps.live.toWorker(jobId, { t: 'start', sessionId: row.id });
    return;
  }
  deps.live.update(jobId, null);
  if (!hello.autoStart) return;
  try {
    // `start` is sent by ensureSession: this socket is attached already.
    await ensureSession(deps, jobId, SYSTEM, true);
  } catch (err) {
    // Over the host's limit: the step runs headless, as without a session.
    deps.logger.info({ jobId, reason: (err as Error).message }, 'live session not auto-started');
  }
}

async function onClose(deps: LiveDeps, jobId: string, link: WorkerLink, code: number, reason: string) {
  if (!deps.live.detachWorker(jobId, link) || code === STEP_ENDED) return;
  const row = await openSession(deps.sql, jobId);
  if (row)
    await endSession(
      deps,
      row,
      'ERROR',
      SYSTEM,
      `the worker's link was lost (close code ${code}${reason ? `: ${reason}` : ''})`,
    );
}

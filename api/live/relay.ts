import { randomUUID } from 'node:crypto';
import type { WebSocket } from 'ws';
import {
  isSessionOpen,
  type LiveSessionView,
  type ToViewerFrame,
  type ToWorkerFrame,
} from '../../contracts/live-session.ts';
import type { LiveSessionRow } from '../../db/live-sessions.ts';
import { disabledView, sessionView } from './view.ts';

/** A viewer this far behind (bytes queued, unsent) is skipped and resynced later with a fresh screen. */
export const VIEWER_BACKLOG_BYTES = 256 * 1024;

export interface WorkerLink {
  ws: WebSocket;
  /** From the worker's `hello`; null until it arrives. */
  hostId: string | null;
  maxSessions: number;
  lastPongAt: number;
  /** The step's terminal streams (`ready`): only then do grants, shells and input reach it. */
  ready: boolean;
}

export interface ViewerLink {
  id: string;
  ws: WebSocket;
  actor: string;
  since: string;
  /** Skipped `out` frames: its screen is wrong until a `screen` for it arrives. */
  stale: boolean;
  /** A snapshot was asked for it and has not come yet. */
  resyncing: boolean;
}

interface JobSockets {
  worker: WorkerLink | null;
  /** When the last worker socket of the job went away (a step ended), for the no-worker timeout. */
  workerGoneAt: number | null;
  viewers: Map<string, ViewerLink>;
  /** The job's session as last stored (null: none known). */
  session: LiveSessionRow | null;
}

/**
 * The sockets of every job, in this process's memory (one API replica: docs/live-sessions.md), and the
 * job's session as last stored, so input checks and fan-out cost no database round trip.
 */
export class LiveRelay {
  private jobs = new Map<string, JobSockets>();

  private of(jobId: string): JobSockets {
    let j = this.jobs.get(jobId);
    if (!j) {
      j = { worker: null, workerGoneAt: null, viewers: new Map(), session: null };
      this.jobs.set(jobId, j);
    }
    return j;
  }

  /** Forget a job with nothing attached. */
  private prune(jobId: string): void {
    const j = this.jobs.get(jobId);
    if (j && !j.worker && !j.viewers.size && !(j.session && isSessionOpen(j.session.state)))
      this.jobs.delete(jobId);
  }

  session(jobId: string): LiveSessionRow | null {
    return this.jobs.get(jobId)?.session ?? null;
  }

  worker(jobId: string): WorkerLink | null {
    return this.jobs.get(jobId)?.worker ?? null;
  }

  workerGoneAt(jobId: string): number | null {
    return this.jobs.get(jobId)?.workerGoneAt ?? null;
  }

  viewer(jobId: string, viewerId: string): ViewerLink | null {
    return this.jobs.get(jobId)?.viewers.get(viewerId) ?? null;
  }

  viewers(jobId: string): ViewerLink[] {
    return [...(this.jobs.get(jobId)?.viewers.values() ?? [])];
  }

  /** Every job with a worker socket (heartbeats) or stale viewers (resync). */
  jobIds(): string[] {
    return [...this.jobs.keys()];
  }

  view(jobId: string, row: LiveSessionRow | null): LiveSessionView {
    const viewers = this.viewers(jobId).map((v) => ({ actor: v.actor, since: v.since }));
    return row
      ? sessionView(row, viewers)
      : disabledView(
          jobId,
          viewers.map((v) => ({ ...v, writer: false })),
        );
  }

  /** The session changed (state, grant, takeover): remember it and tell every viewer. */
  update(jobId: string, row: LiveSessionRow | null): void {
    const j = this.of(jobId);
    j.session = row;
    this.toViewers(jobId, { t: 'session', view: this.view(jobId, row) });
    this.prune(jobId);
  }

  /** A step's worker socket; a newer one replaces the older (which is closed, its close then ignored). */
  attachWorker(jobId: string, ws: WebSocket): WorkerLink {
    const j = this.of(jobId);
    const old = j.worker;
    const link: WorkerLink = { ws, hostId: null, maxSessions: 0, lastPongAt: Date.now(), ready: false };
    j.worker = link;
    j.workerGoneAt = null;
    old?.ws.close(4000, 'replaced by a newer socket for this job');
    return link;
  }

  /** The worker socket went away; false when it was no longer the job's current one. */
  detachWorker(jobId: string, link: WorkerLink): boolean {
    const j = this.jobs.get(jobId);
    if (!j || j.worker !== link) return false;
    j.worker = null;
    j.workerGoneAt = Date.now();
    this.prune(jobId);
    return true;
  }

  attachViewer(jobId: string, ws: WebSocket, actor: string): ViewerLink {
    const link: ViewerLink = {
      id: randomUUID(),
      ws,
      actor,
      since: new Date().toISOString(),
      stale: false,
      resyncing: false,
    };
    this.of(jobId).viewers.set(link.id, link);
    return link;
  }

  detachViewer(jobId: string, link: ViewerLink): void {
    this.jobs.get(jobId)?.viewers.delete(link.id);
    this.prune(jobId);
  }

  /**
   * A frame to the job's worker socket; false when none is attached. Grants, shells, input and resizes wait
   * for the step's `ready` (the worker is sent the current grant and shell then).
   */
  toWorker(jobId: string, frame: ToWorkerFrame): boolean {
    const w = this.worker(jobId);
    if (!w || w.ws.readyState !== w.ws.OPEN) return false;
    // A (new) session starts or stops streaming: its `ready` comes again before what waits for it.
    if (frame.t === 'start' || frame.t === 'stop') w.ready = false;
    else if (!w.ready && ['grant', 'shell', 'in', 'resize'].includes(frame.t)) return false;
    w.ws.send(JSON.stringify(frame));
    return true;
  }

  toViewer(link: ViewerLink, frame: ToViewerFrame): void {
    if (link.ws.readyState === link.ws.OPEN) link.ws.send(JSON.stringify(frame));
  }

  toViewers(jobId: string, frame: ToViewerFrame): void {
    const data = encode(frame);
    for (const v of this.viewers(jobId)) if (v.ws.readyState === v.ws.OPEN) v.ws.send(data, TEXT);
  }

  /**
   * Terminal output to every viewer keeping up. One backed up over VIEWER_BACKLOG_BYTES is skipped and
   * marked stale: a slow browser must not slow the agent nor grow this process's memory without bound.
   */
  fanOut(jobId: string, frame: ToViewerFrame): void {
    const data = encode(frame);
    for (const v of this.viewers(jobId)) {
      if (v.ws.readyState !== v.ws.OPEN) continue;
      if (v.stale || v.ws.bufferedAmount > VIEWER_BACKLOG_BYTES) {
        v.stale = true;
        continue;
      }
      v.ws.send(data, TEXT);
    }
    this.resyncDrained(jobId);
  }

  /** Stale viewers whose backlog drained: ask the worker for a fresh screen for each. */
  resyncDrained(jobId: string): void {
    for (const v of this.viewers(jobId))
      if (
        v.stale &&
        !v.resyncing &&
        v.ws.bufferedAmount === 0 &&
        this.toWorker(jobId, { t: 'snapshot', to: v.id })
      )
        v.resyncing = true;
  }

  /** Close every socket (shutdown). */
  closeAll(reason: string): void {
    for (const j of this.jobs.values()) {
      j.worker?.ws.close(1001, reason);
      for (const v of j.viewers.values()) v.ws.close(1001, reason);
    }
    this.jobs.clear();
  }
}

/**
 * A frame for many sockets, encoded once: `ws` sends one buffer to every socket without copying it, where a
 * string would be turned into a buffer per socket (20 viewers, 20 copies of every chunk of output).
 */
const encode = (frame: ToViewerFrame) => Buffer.from(JSON.stringify(frame));
const TEXT = { binary: false } as const;

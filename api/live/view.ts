import { type LiveSessionView, noSessionView } from '../../contracts/live-session.ts';
import type { LiveSessionRow } from '../../db/live-sessions.ts';

const iso = (d: Date | null) => (d ? d.toISOString() : null);

export type Viewer = LiveSessionView['viewers'][number];

/** The job's view when it never had a session. */
export const disabledView = (jobId: string, viewers: Viewer[] = []): LiveSessionView =>
  noSessionView(jobId, 'no live session was started for this job', viewers);

/** Whether `row`'s write grant is held by `actor` and still runs at `now`. */
export const holdsWrite = (row: LiveSessionRow | null, actor: string, now = Date.now()) =>
  Boolean(row?.writeHolder === actor && row.writeExpiresAt && row.writeExpiresAt.getTime() > now);

/** A stored session as the contract's view, with who watches it now. */
export function sessionView(row: LiveSessionRow, viewers: Omit<Viewer, 'writer'>[]): LiveSessionView {
  const write =
    row.writeHolder && row.writeGrantedAt && row.writeExpiresAt
      ? {
          holder: row.writeHolder,
          grantedAt: row.writeGrantedAt.toISOString(),
          expiresAt: row.writeExpiresAt.toISOString(),
        }
      : null;
  return {
    id: row.id,
    jobId: row.jobId,
    state: row.state,
    reason: row.reason,
    workerHost: row.workerHost,
    createdBy: row.createdBy,
    createdAt: iso(row.createdAt),
    readyAt: iso(row.readyAt),
    endedAt: iso(row.endedAt),
    expiresAt: iso(row.expiresAt),
    lastHeartbeatAt: iso(row.lastHeartbeatAt),
    write,
    takeover:
      row.takeoverActor && row.takeoverStartedAt
        ? {
            actor: row.takeoverActor,
            startedAt: row.takeoverStartedAt.toISOString(),
            shellOpen: row.shellOpen,
          }
        : null,
    viewers: viewers.map((v) => ({ ...v, writer: holdsWrite(row, v.actor) })),
    recording: row.recording,
  };
}

import type { LiveSessionView } from '../../../contracts/live-session.ts';
import { request } from './client.ts';

/** Typed calls of a job's live session routes (docs/live-sessions.md). */
const base = (jobId: string) => `/api/queue/jobs/${encodeURIComponent(jobId)}/live-session`;

export const getLiveSession = (jobId: string) => request<LiveSessionView>('GET', base(jobId));
/** Idempotent: answers the open session if there is one. */
export const startLiveSession = (jobId: string) => request<LiveSessionView>('POST', base(jobId), {});
export const grantWrite = (jobId: string, minutes?: number) =>
  request<LiveSessionView>('POST', `${base(jobId)}/grant-write`, minutes ? { minutes } : {});
export const revokeLiveSession = (jobId: string, session = false) =>
  request<LiveSessionView>('POST', `${base(jobId)}/revoke`, session ? { session } : {});
export const takeOver = (jobId: string, minutes?: number) =>
  request<LiveSessionView>('POST', `${base(jobId)}/takeover`, minutes ? { minutes } : {});
export const handBack = (jobId: string, summary: string) =>
  request<LiveSessionView>('POST', `${base(jobId)}/hand-back`, { summary });

/** The browser's socket: same origin, the session cookie authenticates it. */
export function liveSocketUrl(jobId: string, origin: Pick<Location, 'protocol' | 'host'> = location): string {
  const scheme = origin.protocol === 'https:' ? 'wss:' : 'ws:';
  return `${scheme}//${origin.host}${base(jobId)}/socket`;
}

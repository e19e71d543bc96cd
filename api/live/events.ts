import { randomUUID } from 'node:crypto';
import type { Sql } from '../../db/client.ts';
import { appendEvents } from '../../db/events.ts';

export type LiveEventType =
  | 'created'
  | 'ready'
  | 'write_granted'
  | 'write_revoked'
  | 'write_expired'
  | 'takeover'
  | 'hand_back'
  | 'ended'
  | 'error';

/** One job event `live_session.<type>` naming its actor (`system` for the relay's own decisions). */
export async function recordLiveEvent(
  sql: Sql,
  jobId: string,
  type: LiveEventType,
  actor: string,
  message: string,
  payload: Record<string, unknown> = {},
): Promise<void> {
  await appendEvents(sql, jobId, {
    // Each action is its own producer: nothing here is ever resent, so no sequence needs keeping.
    producer: `api:live-session:${randomUUID()}`,
    events: [
      {
        seq: 1,
        level: type === 'error' ? 'warn' : 'info',
        type: `live_session.${type}`,
        message,
        payload: { actor, ...payload },
      },
    ],
  });
}

import type { Client } from '@temporalio/client';
import type { FindPoolInput, RecordEventsInput } from '../../contracts/activities.ts';
import type { Sql } from '../../db/client.ts';
import { findPool } from './find-pool.ts';
import { recordEvents } from './record-events.ts';

/** The control-plane activities (`workflows/activities.ts` ControlPlaneActivities), bound to their stores. */
export function createControlPlaneActivities(deps: { sql: Sql; client: Client }) {
  return {
    findPool: (input: FindPoolInput) => findPool(deps.sql, deps.client, input),
    recordEvents: (input: RecordEventsInput) => recordEvents(deps.sql, input),
  };
}

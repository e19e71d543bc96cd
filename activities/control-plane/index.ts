import type { Client } from '@temporalio/client';
import type { FindPoolInput, RecordEventsInput, RequestCancelInput } from '../../contracts/activities.ts';
import type { Sql } from '../../db/client.ts';
import type { ControlPlaneActivities } from '../../workflows/activities.ts';
import { findPool } from './find-pool.ts';
import { recordEvents } from './record-events.ts';

/** The control-plane activities the workflow proxies, bound to their stores. */
export function createControlPlaneActivities(deps: { sql: Sql; client: Client }): ControlPlaneActivities {
  return {
    findPool: (input: FindPoolInput) => findPool(deps.sql, deps.client, input),
    recordEvents: (input: RecordEventsInput) => recordEvents(deps.sql, input),
    requestCancel: async ({ workflowId, runId }: RequestCancelInput) => {
      await deps.client.workflow.getHandle(workflowId, runId).cancel();
    },
  };
}

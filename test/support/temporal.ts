import { Client, Connection } from '@temporalio/client';
import { inject } from 'vitest';
import { testNamespace } from './namespaces.ts';

/** A client on this test file's namespace of the shared dev server. */
export async function testTemporal(
  address: string = inject('temporalAddress'),
  namespace: string = testNamespace(),
): Promise<{ connection: Connection; client: Client; namespace: string; address: string }> {
  const connection = await Connection.connect({ address });
  return { connection, client: new Client({ connection, namespace }), namespace, address };
}

/** Terminate every open run in the namespace, so the next file on this worker starts clean. */
export async function terminateOpenRuns(client: Client): Promise<void> {
  for await (const wf of client.workflow.list({ query: 'ExecutionStatus="Running"' })) {
    await client.workflow
      .getHandle(wf.workflowId, wf.runId)
      .terminate('test cleanup')
      .catch(() => {});
  }
}

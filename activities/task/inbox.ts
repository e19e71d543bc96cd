import { appendFile, readFile } from 'node:fs/promises';
import type { StepInput } from '../../contracts/activities.ts';

type OperatorMessage = StepInput['operatorMessages'][number];

/**
 * Operator messages go to the workspace's append-only `operator_inbox.jsonl` once each (a retried step or a
 * message pushed mid-step and handed to the next step again is not written twice). Returns the ones written.
 */
export async function deliverToInbox(
  inboxPath: string,
  messages: OperatorMessage[],
): Promise<OperatorMessage[]> {
  if (!messages.length) return [];
  const existing = await readFile(inboxPath, 'utf8').catch(() => '');
  const seen = new Set(
    existing
      .split('\n')
      .filter(Boolean)
      .map((l) => (JSON.parse(l) as { requestId: string }).requestId),
  );
  const fresh = messages.filter((m) => !seen.has(m.requestId));
  if (fresh.length) await appendFile(inboxPath, fresh.map((m) => `${JSON.stringify(m)}\n`).join(''));
  return fresh;
}

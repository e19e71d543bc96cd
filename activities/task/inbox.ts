import { appendFile, readFile } from 'node:fs/promises';
import type { StepInput } from '../../contracts/activities.ts';
import type { ReportedEvent } from '../reporting/event-reporter.ts';

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

/**
 * Deliver the messages and report each one written (`where`: "the step's inbox", "the running step's inbox"),
 * with its text: the output panel shows the message where the agent got it.
 */
export async function deliverAndReport(
  inboxPath: string,
  messages: OperatorMessage[],
  events: { emit(event: ReportedEvent): void },
  where: string,
): Promise<void> {
  const delivered = await deliverToInbox(inboxPath, messages);
  const deliveredAt = new Date().toISOString();
  for (const m of delivered)
    events.emit({
      type: 'task.operator_message.delivered',
      message: `Message from ${m.actor} delivered to ${where}`,
      payload: {
        requestId: m.requestId,
        actor: m.actor,
        text: m.message,
        deliveredAt,
        inbox: 'operator_inbox.jsonl',
      },
    });
}

import { randomUUID } from 'node:crypto';
import type { JobView } from '../../contracts/job.ts';
import { type Command, intFlag, str, type Values } from '../command.ts';
import { exitCodeOf, exitCodes, usageError } from '../exit-codes.ts';
import { type ApiClient, ApiUnreachable } from '../http.ts';
import { note, print, printJson, statusOf } from '../output.ts';
import {
  assertValid,
  envelopeOf,
  payloadFromFlags,
  readDocument,
  type TaskFlags,
  taskFlagNames,
} from '../submission.ts';
import { untilFinished } from '../wait.ts';

const usage =
  'moonmind submit [FILE | -] [--repo OWNER/NAME --instructions TEXT [--title T] [--runtime codex|gemini|claude|demo] [--model M] [--effort low|medium|high] [--publish pr|branch|none] [--starting-branch B] [--new-branch B] [--skill ID] [--step TEXT …]] [--priority N] [--max-attempts N] [--affinity-key K] [--idempotency-key K] [--wait] [--json]';

/** Envelope flags apply to a task from flags and from a file alike. */
function envelopeFlags(values: Values): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const priority = intFlag(values.priority, 'priority');
  const maxAttempts = intFlag(values['max-attempts'], 'max-attempts');
  if (priority !== undefined) out.priority = priority;
  if (maxAttempts !== undefined) out.maxAttempts = maxAttempts;
  if (str(values['affinity-key'])) out.affinityKey = values['affinity-key'];
  return out;
}

async function buildEnvelope(positionals: string[], values: Values): Promise<Record<string, unknown>> {
  const [source, extra] = positionals;
  if (extra) throw usageError(`one submission at a time (got ${positionals.join(' ')})`);
  const fromFlags = taskFlagNames.some((n) => values[n] !== undefined);
  if (source && fromFlags) throw usageError('give the task in a file or as flags, not both');
  if (!source && !fromFlags)
    throw usageError(
      `give the task as flags (--instructions …), a JSON/YAML file, or - for standard input\nusage: ${usage}`,
    );
  const base = source
    ? envelopeOf(await readDocument(source))
    : { type: 'task', payload: payloadFromFlags(values as TaskFlags) };
  return { ...base, ...envelopeFlags(values) };
}

/**
 * Send with an idempotency key, retried while the API cannot be reached: a repeat lands on the job the first
 * try created (the server derives its id from the key), so a lost answer never makes a second run.
 */
async function send(api: ApiClient, envelope: unknown, key: string): Promise<JobView> {
  for (let attempt = 1; ; attempt++) {
    try {
      const { body } = await api.request<JobView>('/api/queue/jobs', {
        method: 'POST',
        json: envelope,
        headers: { 'Idempotency-Key': key },
      });
      return body;
    } catch (err) {
      if (!(err instanceof ApiUnreachable) || attempt >= 4) throw err;
      note(`moonmind: ${err.message}; trying again`);
      await new Promise((r) => setTimeout(r, 1000 * attempt));
    }
  }
}

export const submit: Command = {
  usage,
  options: {
    repo: { type: 'string' },
    instructions: { type: 'string' },
    title: { type: 'string' },
    runtime: { type: 'string' },
    model: { type: 'string' },
    effort: { type: 'string' },
    publish: { type: 'string' },
    'starting-branch': { type: 'string' },
    'new-branch': { type: 'string' },
    skill: { type: 'string' },
    step: { type: 'string', multiple: true },
    priority: { type: 'string' },
    'max-attempts': { type: 'string' },
    'affinity-key': { type: 'string' },
    'idempotency-key': { type: 'string' },
    wait: { type: 'boolean' },
    json: { type: 'boolean' },
  },
  async run({ positionals, values, api }) {
    const envelope = await buildEnvelope(positionals, values);
    assertValid(envelope);
    const job = await send(api(), envelope, str(values['idempotency-key']) ?? randomUUID());
    if (!values.wait) {
      if (values.json) printJson(job);
      else print(job.id);
      return exitCodes.ok;
    }
    if (!values.json) print(job.id);
    const ended = await untilFinished(api(), job.id);
    if (values.json) printJson(ended);
    else note(`job ${ended.id}: ${statusOf(ended)}${ended.error ? `: ${ended.error}` : ''}`);
    return exitCodeOf(ended.status);
  },
};

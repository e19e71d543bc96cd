import { operatorMessageBodySchema } from '../../contracts/control-bodies.ts';
import type { JobView } from '../../contracts/job.ts';
import { type Command, jobIdArg, str } from '../command.ts';
import { usageError } from '../exit-codes.ts';
import type { ApiClient } from '../http.ts';
import { print, printJson, statusOf } from '../output.ts';

/**
 * Controls answer 200 when the run took the action and 202 when it was sent but the run had not answered yet
 * (it is between tasks, or its worker is busy); a refusal is a 409 with the run's reason (exit 6).
 */
async function control(
  api: ApiClient,
  jobId: string,
  path: string,
  body: unknown,
  action: string,
  json: boolean,
): Promise<void> {
  const { status, body: job } = await api.request<JobView>(`/api/queue/jobs/${jobId}/${path}`, {
    method: 'POST',
    json: body,
  });
  const taken = status === 200;
  if (json) return printJson({ taken, job });
  print(
    taken
      ? `${action}: taken by the run; job ${jobId} is ${statusOf(job)}`
      : `${action}: sent; the run has not answered yet (job ${jobId} is ${statusOf(job)})`,
  );
}

export const cancel: Command = {
  usage: 'moonmind cancel JOB_ID [--reason TEXT] [--json]',
  options: { reason: { type: 'string' }, json: { type: 'boolean' } },
  run: async ({ positionals, values, api }) =>
    void (await control(
      api(),
      jobIdArg(positionals, cancel.usage),
      'cancel',
      { reason: str(values.reason) },
      'cancel',
      Boolean(values.json),
    )),
};

export const pause: Command = {
  usage: 'moonmind pause JOB_ID [--hard] [--json]   (soft by default: after the running step)',
  options: { hard: { type: 'boolean' }, json: { type: 'boolean' } },
  run: async ({ positionals, values, api }) =>
    void (await control(
      api(),
      jobIdArg(positionals, pause.usage),
      'control',
      { action: 'pause', mode: values.hard ? 'hard' : 'soft' },
      'pause',
      Boolean(values.json),
    )),
};

export const resume: Command = {
  usage: 'moonmind resume JOB_ID [--json]',
  options: { json: { type: 'boolean' } },
  run: async ({ positionals, values, api }) =>
    void (await control(
      api(),
      jobIdArg(positionals, resume.usage),
      'control',
      { action: 'resume' },
      'resume',
      Boolean(values.json),
    )),
};

export const message: Command = {
  usage: 'moonmind message JOB_ID TEXT [--json]',
  options: { json: { type: 'boolean' } },
  async run({ positionals, values, api }) {
    const jobId = jobIdArg(positionals, message.usage);
    const body = operatorMessageBodySchema.safeParse({ message: positionals.slice(1).join(' ') });
    if (!body.success) throw usageError(`message: ${body.error.issues[0].message}\nusage: ${message.usage}`);
    const { status, body: answer } = await api().request<{ requestId: string }>(
      `/api/queue/jobs/${jobId}/operator-messages`,
      { method: 'POST', json: body.data },
    );
    const taken = status === 200;
    if (values.json) return void printJson({ taken, requestId: answer.requestId });
    print(taken ? 'message: taken by the run' : 'message: sent; the run has not answered yet');
  },
};

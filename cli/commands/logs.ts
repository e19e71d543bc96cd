import type { JobEvent } from '../../contracts/events.ts';
import { type Command, intFlag, jobIdArg } from '../command.ts';
import { exitCodeOf, exitCodes } from '../exit-codes.ts';
import type { ApiClient } from '../http.ts';
import { eventLine, note, print } from '../output.ts';
import { untilFinished } from '../wait.ts';

const PAGE = 1000;

/** Every stored event after `after`, page by page. */
async function printStored(api: ApiClient, jobId: string, after: number, raw: boolean): Promise<void> {
  for (let cursor = after; ; ) {
    const { items } = await api.get<{ items: JobEvent[] }>(`/api/queue/jobs/${jobId}/events`, {
      afterEventId: cursor,
      limit: PAGE,
    });
    for (const e of items) print(eventLine(e, raw));
    if (items.length < PAGE) return;
    cursor = items[items.length - 1].id;
  }
}

export const logs: Command = {
  usage: 'moonmind logs JOB_ID [-f|--follow] [--raw] [--after EVENT_ID]',
  options: {
    follow: { type: 'boolean', short: 'f' },
    raw: { type: 'boolean' },
    after: { type: 'string' },
  },
  async run({ positionals, values, api }) {
    const jobId = jobIdArg(positionals, logs.usage);
    const after = intFlag(values.after, 'after') ?? 0;
    const raw = Boolean(values.raw);
    if (!values.follow) {
      await printStored(api(), jobId, after, raw);
      return exitCodes.ok;
    }
    const ended = await untilFinished(api(), jobId, { after, onEvent: (e) => print(eventLine(e, raw)) });
    if (!raw) note(`job ${jobId}: ${ended.status}`);
    return exitCodeOf(ended.status);
  },
};

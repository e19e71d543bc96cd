import type { JobView } from '../../contracts/job.ts';
import { type Command, jobIdArg, str } from '../command.ts';
import { jobDetail, jobRows, note, print, printJson } from '../output.ts';

export const list: Command = {
  usage:
    'moonmind list [--status S] [--repo TEXT] [--runtime R] [--search TEXT] [--limit N] [--active-first] [--json]',
  options: {
    status: { type: 'string' },
    repo: { type: 'string' },
    runtime: { type: 'string' },
    search: { type: 'string' },
    limit: { type: 'string' },
    'active-first': { type: 'boolean' },
    json: { type: 'boolean' },
  },
  async run({ values, api }) {
    // The API validates the filters and names a wrong one (`status: Invalid option …`).
    const page = await api().get<{ items: JobView[]; nextCursor: string | null }>('/api/queue/jobs', {
      status: str(values.status),
      repository: str(values.repo),
      runtime: str(values.runtime),
      q: str(values.search),
      limit: str(values.limit),
      order: values['active-first'] ? 'active-first' : undefined,
    });
    if (values.json) return void printJson(page.items);
    if (!page.items.length) return void note('no jobs match');
    for (const line of jobRows(page.items)) print(line);
    if (page.nextCursor) note('(more jobs: raise --limit, up to 200)');
  },
};

export const show: Command = {
  usage: 'moonmind show JOB_ID [--json]',
  options: { json: { type: 'boolean' } },
  async run({ positionals, values, api }) {
    const job = await api().get<JobView>(`/api/queue/jobs/${jobIdArg(positionals, show.usage)}`);
    if (values.json) printJson(job);
    else for (const line of jobDetail(job)) print(line);
  },
};

import { readFile } from 'node:fs/promises';
import type { JobView } from '../../contracts/job.ts';
import { type Command, type CommandInput, intFlag } from '../command.ts';
import { exitCodes, usageError } from '../exit-codes.ts';
import { note, print, printJson, table } from '../output.ts';

/** `moonmind manifest …`: the manifest registry (spec 07) over its REST routes. */
const usages = {
  list: 'moonmind manifest list [--json]',
  show: 'moonmind manifest show NAME [--json]',
  put: 'moonmind manifest put NAME FILE [--json]',
  run: 'moonmind manifest run NAME [--plan] [--dry-run] [--force-full] [--max-docs N] [--json]',
  search: 'moonmind manifest search NAME QUERY… [--top-k N] [--json]',
};
type Sub = keyof typeof usages;

interface ManifestRecord {
  name: string;
  hash: string;
  revision: number;
  updatedAt: string;
  lastRun: { jobId: string; status: string | null; finishedAt: string | null } | null;
}
interface Detail extends ManifestRecord {
  content: string;
  checkpoints: { dataSourceId: string; docCount: number; lastSuccessAt: string | null }[];
}
interface Hit {
  score: number;
  dataSourceId: string;
  sourceDocId: string;
  chunkIndex: number;
  text: string;
}

const nameArg = (positionals: string[], sub: Sub) => {
  if (!positionals[0]) throw usageError(`give the manifest name\nusage: ${usages[sub]}`);
  return encodeURIComponent(positionals[0]);
};

const subcommands: Record<Sub, (input: CommandInput) => Promise<void>> = {
  async list({ values, api }) {
    const { items } = await api().get<{ items: ManifestRecord[] }>('/api/manifests');
    if (values.json) return void printJson(items);
    if (!items.length) return void note('no manifests in the registry');
    for (const line of table([
      ['NAME', 'REV', 'LAST RUN', 'STATUS', 'UPDATED'],
      ...items.map((m) => [
        m.name,
        String(m.revision),
        m.lastRun?.jobId ?? '-',
        m.lastRun?.status ?? '-',
        m.updatedAt,
      ]),
    ]))
      print(line);
  },
  async show({ positionals, values, api }) {
    const m = await api().get<Detail>(`/api/manifests/${nameArg(positionals, 'show')}`);
    if (values.json) return void printJson(m);
    print(`${m.name}  revision ${m.revision}  hash ${m.hash.slice(0, 12)}`);
    print(`last run: ${m.lastRun ? `${m.lastRun.jobId} ${m.lastRun.status ?? ''}` : 'never'}`);
    for (const c of m.checkpoints)
      print(`  ${c.dataSourceId}: ${c.docCount} documents, last success ${c.lastSuccessAt ?? 'never'}`);
    print('');
    print(m.content);
  },
  async put({ positionals, values, api }) {
    const name = nameArg(positionals, 'put');
    if (!positionals[1]) throw usageError(`give the YAML file\nusage: ${usages.put}`);
    const content = await readFile(positionals[1], 'utf8');
    const { status, body } = await api().request<ManifestRecord>(`/api/manifests/${name}`, {
      method: 'PUT',
      json: { content },
    });
    if (values.json) return void printJson(body);
    print(`${status === 201 ? 'created' : 'stored'} ${body.name} revision ${body.revision}`);
  },
  async run({ positionals, values, api }) {
    const name = nameArg(positionals, 'run');
    const options = {
      ...(values['dry-run'] ? { dryRun: true } : {}),
      ...(values['force-full'] ? { forceFull: true } : {}),
      ...(values['max-docs'] ? { maxDocs: intFlag(values['max-docs'], 'max-docs') } : {}),
    };
    const { body } = await api().request<JobView>(`/api/manifests/${name}/runs`, {
      method: 'POST',
      json: { action: values.plan ? 'plan' : 'run', options },
    });
    if (values.json) return void printJson(body);
    print(body.id);
  },
  async search({ positionals, values, api }) {
    const name = nameArg(positionals, 'search');
    const query = positionals.slice(1).join(' ');
    if (!query) throw usageError(`give the query\nusage: ${usages.search}`);
    const topK = intFlag(values['top-k'], 'top-k');
    const { body } = await api().request<{ items: Hit[] }>(`/api/manifests/${name}/search`, {
      method: 'POST',
      json: { query, ...(topK ? { topK } : {}) },
    });
    if (values.json) return void printJson(body.items);
    if (!body.items.length) return void note('nothing found');
    for (const h of body.items) {
      print(`${h.score.toFixed(3)}  ${h.dataSourceId}/${h.sourceDocId}#${h.chunkIndex}`);
      print(`  ${h.text.replace(/\s+/g, ' ').slice(0, 200)}`);
    }
  },
};

export const manifest: Command = {
  usage: Object.values(usages).join('\n  '),
  options: {
    plan: { type: 'boolean' },
    'dry-run': { type: 'boolean' },
    'force-full': { type: 'boolean' },
    'max-docs': { type: 'string' },
    'top-k': { type: 'string' },
    json: { type: 'boolean' },
  },
  async run(input) {
    const [sub, ...rest] = input.positionals;
    const run = subcommands[sub as Sub];
    if (!run)
      throw usageError(
        `${sub ? `unknown subcommand ${sub}` : 'give a subcommand'}\nusage: ${manifest.usage}`,
      );
    await run({ ...input, positionals: rest });
    return exitCodes.ok;
  },
};

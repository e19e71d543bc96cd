import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { temporal } from '@temporalio/proto';

/**
 * Workflow histories as JSON files for replay tests. The SDK's historyToJSON/historyFromJSON fail with this
 * install (two protobufjs majors), so the history message's own toObject/fromObject are used, with enum
 * names and string longs so the files stay readable and diffable.
 */
const History = temporal.api.history.v1.History;
type HistoryMessage = temporal.api.history.v1.IHistory;

export const recordedDir = path.resolve('test-results/histories');
export const committedDir = path.resolve('test/workflows/histories');

export async function writeHistory(dir: string, name: string, history: HistoryMessage): Promise<void> {
  await mkdir(dir, { recursive: true });
  const json = History.toObject(History.fromObject(history), { longs: String, enums: String, bytes: String });
  await writeFile(path.join(dir, `${name}.json`), `${JSON.stringify(json, null, 1)}\n`);
}

export async function readHistories(dir: string): Promise<{ workflowId: string; history: HistoryMessage }[]> {
  const files = (await readdir(dir).catch(() => [] as string[])).filter((f) => f.endsWith('.json')).sort();
  return Promise.all(
    files.map(async (f) => ({
      workflowId: path.basename(f, '.json'),
      history: History.fromObject(JSON.parse(await readFile(path.join(dir, f), 'utf8'))),
    })),
  );
}

import { readFile, writeFile } from 'node:fs/promises';
import type { ScenarioResult } from './scenario.ts';

const cell = (text: string) => text.replaceAll('|', '\\|').replaceAll('\n', ' ');
const verdict = (passed: boolean | null) => (passed === null ? 'n/a' : passed ? 'yes' : '**no**');
const count = (n: number | null) => (n === null ? '–' : String(n));

/** The chaos table, then each failed expectation under it. */
export function renderTable(results: ScenarioResult[]): string {
  const rows = results.map(
    (r) =>
      `| ${cell(r.scenario)} | ${cell(r.runs)} | ${verdict(r.passed)} | ${cell(r.numbers.join('; '))} | ${count(r.lost)} | ${count(r.duplicates)} | ${cell(r.attempts)} |`,
  );
  const failures = results.flatMap((r) => r.failures.map((f) => `- ${cell(r.scenario)}: ${cell(f)}`));
  return [
    '| scenario | runs / kills | passed | key numbers | events lost | duplicates | final attempts |',
    '| --- | --- | --- | --- | --- | --- | --- |',
    ...rows,
    ...(failures.length ? ['', 'Failed expectations:', '', ...failures] : []),
  ].join('\n');
}

export const TABLE_START = '<!-- chaos:table:start -->';
export const TABLE_END = '<!-- chaos:table:end -->';

/** Put the table between the markers of docs/reliability.md (the doc's text around them stays). */
export async function writeTableToDoc(docPath: string, table: string, heading: string): Promise<void> {
  const doc = await readFile(docPath, 'utf8');
  const start = doc.indexOf(TABLE_START);
  const end = doc.indexOf(TABLE_END);
  if (start < 0 || end < start) throw new Error(`${docPath} has no ${TABLE_START} … ${TABLE_END} markers`);
  const block = `${TABLE_START}\n${heading}\n\n${table}\n${TABLE_END}`;
  await writeFile(docPath, doc.slice(0, start) + block + doc.slice(end + TABLE_END.length));
}

/**
 * `npm run chaos [-- --short] [-- --only <scenario>[,<scenario>]]`: faults against the stack as `npm start`
 * runs it, a Markdown table on stdout and (for full or short runs of every scenario) in docs/reliability.md.
 * Exits 1 when a scenario failed.
 */
import { rm } from 'node:fs/promises';
import os from 'node:os';
import { parseArgs } from 'node:util';
import { publishFakeAgent } from '../support/fake-agent-path.ts';
import { runChaos } from './suite.ts';
import { renderTable, writeTableToDoc } from './table.ts';

const { values } = parseArgs({
  options: { short: { type: 'boolean', default: false }, only: { type: 'string', multiple: true } },
});
const only = values.only?.flatMap((v) => v.split(','));
const fakesCopy = await publishFakeAgent();
try {
  const started = Date.now();
  const results = await runChaos({ short: values.short, only });
  const table = renderTable(results);
  console.log(table);
  if (!only?.length) {
    const heading = `Last run: \`npm run chaos${values.short ? ' -- --short' : ''}\`, ${new Date().toISOString().slice(0, 16)}Z, ${os.cpus().length} cores, ${Math.round((Date.now() - started) / 60_000)} min.`;
    await writeTableToDoc('docs/reliability.md', table, heading);
  }
  process.exitCode = results.every((r) => r.passed !== false) ? 0 : 1;
} finally {
  if (fakesCopy) await rm(fakesCopy, { recursive: true, force: true });
}

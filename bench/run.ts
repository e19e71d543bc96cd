/**
 * `npm run bench`: every benchmark in one run against one Temporal dev server and one PostgreSQL, printed
 * as a table per section. `npm run bench -- tasks api page` picks sections.
 */
import { DefaultLogger, Runtime } from '@temporalio/worker';
import { benchApi } from './api.ts';
import { startBenchServices } from './services.ts';
import { benchTaskOverhead } from './task-overhead.ts';

const sections: Record<
  string,
  (s: Awaited<ReturnType<typeof startBenchServices>>) => Promise<Record<string, string>>
> = {
  tasks: benchTaskOverhead,
  observability: async (s) => (await import('./observability.ts')).benchObservability(s),
  api: benchApi,
  page: async (s) => (await import('./detail-page.ts')).benchDetailPage(s),
  controls: async (s) => (await import('./controls.ts')).benchControls(s),
  runtimes: async (s) => (await import('./runtimes.ts')).benchRuntimes(s),
  presets: async (s) => (await import('./presets.ts')).benchPresets(s),
  proposals: async (s) => (await import('./proposals.ts')).benchProposals(s),
  'orchestrator-health': async () => (await import('./orchestrator-health.ts')).benchOrchestratorHealth(),
  'manifest-ingest': async (s) => (await import('./manifest-ingest.ts')).benchManifestIngest(s),
  'orchestrator-overhead': async (s) =>
    (await import('./orchestrator-overhead.ts')).benchOrchestratorOverhead(s),
  'manifest-search': async () => (await import('./manifest-search.ts')).benchManifestSearch(),
  'live-session': async (s) => (await import('./live-session.ts')).benchLiveSession(s),
};

// Only warnings from the SDK: the figures are the output.
Runtime.install({ logger: new DefaultLogger('WARN') });

const chosen = process.argv.slice(2).filter((a) => a in sections);
const services = await startBenchServices();
let failed = false;
try {
  for (const name of chosen.length ? chosen : Object.keys(sections)) {
    const t0 = performance.now();
    try {
      const results = await sections[name](services);
      console.log(`\n## ${name} (${((performance.now() - t0) / 1000).toFixed(0)} s)`);
      for (const [k, v] of Object.entries(results)) console.log(`  ${k.padEnd(62)} ${v}`);
    } catch (err) {
      failed = true;
      console.error(`\n## ${name}: FAILED: ${(err as Error).stack ?? err}`);
    }
  }
} finally {
  await services.stop();
}
process.exit(failed ? 1 : 0);

import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { ChaosContext, Scenario, ScenarioResult } from '../scenario.ts';

/** test/chaos/fuzz.ts (schemathesis against the API), written separately; this row only runs it. */
interface FuzzModule {
  runFuzz(opts: { apiUrl: string; token: string; cases: number; workdir: string }): Promise<{
    cases: number;
    serverErrors: number;
    conformanceFailures: number;
    operations: number;
    details: string[];
  }>;
}

const fuzzModule = new URL('../fuzz.ts', import.meta.url);

export const fuzz: Scenario = {
  id: 'fuzz',
  async run(ctx: ChaosContext): Promise<ScenarioResult> {
    const row = { scenario: 'e. API fuzz (schemathesis)', lost: null, duplicates: null, attempts: '–' };
    if (!existsSync(fileURLToPath(fuzzModule)))
      return {
        ...row,
        runs: '–',
        passed: null,
        numbers: ['not available (test/chaos/fuzz.ts missing)'],
        failures: [],
      };
    const { runFuzz } = (await import(fuzzModule.href)) as FuzzModule;
    const launcher = await ctx.launch('fuzz', await ctx.remote([]));
    try {
      ctx.progress('fuzzing the API');
      const r = await runFuzz({
        apiUrl: launcher.apiUrl,
        token: launcher.token,
        cases: ctx.short ? 300 : 3_000,
        workdir: ctx.workdir,
      });
      const passed = r.serverErrors === 0 && r.conformanceFailures === 0;
      return {
        ...row,
        runs: `${r.cases} cases over ${r.operations} operations`,
        passed,
        numbers: [`${r.serverErrors} server errors, ${r.conformanceFailures} conformance failures`],
        failures: passed ? [] : r.details.slice(0, 20),
      };
    } finally {
      await launcher.stop();
    }
  },
};

/** `.ci/run` step and `npm run agent-clis`: install the pinned agent CLIs under .tools/agent-clis, print their versions. */
import { execFileSync } from 'node:child_process';
import { type AgentCli, ensureAgentClis } from './agent-clis.ts';

const paths = await ensureAgentClis();
for (const [runtime, bin] of Object.entries(paths) as [AgentCli, string][]) {
  const version = execFileSync(bin, ['--version'], { timeout: 60_000 }).toString().trim();
  console.log(`${runtime}: ${version} (${bin})`);
}

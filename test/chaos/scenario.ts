import type { GitRemote } from '../support/git.ts';
import type { Launcher } from './launcher.ts';

/** One row of the chaos table. */
export interface ScenarioResult {
  scenario: string;
  /** e.g. "10 runs, 10 kills" */
  runs: string;
  /** null: the scenario could not run here (not a failure). */
  passed: boolean | null;
  /** The scenario's key figures, one short phrase each. */
  numbers: string[];
  lost: number | null;
  duplicates: number | null;
  /** e.g. "2 ×10" (final attempt numbers and how often). */
  attempts: string;
  /** Why it failed, one line per broken expectation. */
  failures: string[];
}

export interface ChaosContext {
  short: boolean;
  workdir: string;
  /** `npm start` on its own data dir and ports, its worker running the fake agent against `remote`. */
  launch(label: string, remote: GitRemote): Promise<Launcher>;
  /** A local git remote holding these `owner/repo`s (removed when the suite ends). */
  remote(repositories: string[]): Promise<GitRemote>;
  progress(line: string): void;
}

export interface Scenario {
  id: string;
  run(ctx: ChaosContext): Promise<ScenarioResult>;
}

/** "2 ×9, 3 ×1": how many runs ended on which attempt. */
export function attemptSummary(attempts: number[]): string {
  const counts = new Map<number, number>();
  for (const a of attempts) counts.set(a, (counts.get(a) ?? 0) + 1);
  return [...counts.entries()]
    .sort(([a], [b]) => a - b)
    .map(([a, n]) => `${a} ×${n}`)
    .join(', ');
}

/** "1 run, 1 kill" / "10 runs, 10 kills". */
export const runsAndKills = (runs: number, kills: number) =>
  `${runs} run${runs === 1 ? '' : 's'}, ${kills} kill${kills === 1 ? '' : 's'}`;

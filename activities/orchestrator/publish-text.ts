import { firstLine } from '../../contracts/task.ts';

/** The branch, commit and pull-request text of a published orchestrator fix. Pure. */
export const publishBranch = (runId: string) => `moonmind/orchestrator-${runId.slice(0, 8)}`;

const clip = (s: string, max: number) => (s.length > max ? `${s.slice(0, max - 3).trimEnd()}...` : s);

/** `<service>: <the instruction's first line>`, short enough for a commit subject and a PR title. */
export const publishTitle = (service: string, instruction: string) =>
  clip(`${service}: ${firstLine(instruction) || 'orchestrator fix'}`, 72);

export const publishCommitMessage = (service: string, instruction: string, runId: string) =>
  `${publishTitle(service, instruction)}\n\nMoonMind-Orchestrator-Run: ${runId}\n`;

/** The plan's rationale, the files and the diff's summary, and which run verified the fix. */
export function publishBody(input: {
  runId: string;
  service: string;
  rationale: string;
  files: string[];
  diffStat: string;
}): string {
  return [
    `Fix of service \`${input.service}\` made and verified by a MoonMind orchestrator run (build, restart and health check passed before this was pushed).`,
    '',
    '## Rationale',
    '',
    input.rationale.trim() || '(the plan gave none)',
    '',
    '## Changes',
    '',
    ...input.files.map((f) => `- \`${f}\``),
    '',
    '```',
    input.diffStat.trimEnd(),
    '```',
    '',
    '---',
    `MoonMind Orchestrator Run: ${input.runId}`,
  ].join('\n');
}

/**
 * The repository a service checkout's remote names, as the forge settings locate it: a remote under the
 * default forge's base URL (a local `file://` forge in tests and single-host setups) becomes `owner/repo`;
 * anything else (an https URL, git@host:owner/repo) is located as it is, and refused if it is not a forge
 * this deployment uses.
 */
export function repositoryOfRemote(url: string, defaultBase: string): string {
  const base = defaultBase.replace(/\/+$/, '');
  const trimmed = url.trim();
  return trimmed.startsWith(`${base}/`) ? trimmed.slice(base.length + 1).replace(/\.git$/i, '') : trimmed;
}

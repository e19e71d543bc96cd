import type { PrepareResult } from '../../contracts/activities.ts';
import { firstLine, type TaskPayload } from '../../contracts/task.ts';

/** Commit and PR text (shared/spec/01-task-contract.md#commit-and-pr-text). Pure and deterministic. */
const MAX_TITLE = 90;

const clip = (s: string, max: number) => (s.length > max ? `${s.slice(0, max - 3).trimEnd()}...` : s);

/** First sentence of the first non-empty line. */
function firstSentence(text: string): string {
  const line = firstLine(text);
  const m = /^(.+?[.!?])(\s|$)/.exec(line);
  return (m ? m[1] : line).trim();
}

function derivedTitle(payload: TaskPayload): string {
  return (
    payload.task.steps.find((s) => s.title?.trim())?.title?.trim() ||
    firstSentence(payload.task.instructions) ||
    'MoonMind task'
  );
}

export function commitMessage(payload: TaskPayload, jobId: string): string {
  return (
    payload.task.publish.commitMessage ?? `${clip(derivedTitle(payload), 72)}\n\nMoonMind-Job: ${jobId}\n`
  );
}

/** Verbatim when given; else derived, clipped, with a short `[mm:<jobId8>]` correlation token. */
export function prTitle(payload: TaskPayload, jobId: string): string {
  if (payload.task.publish.prTitle) return payload.task.publish.prTitle;
  const token = ` [mm:${jobId.slice(0, 8)}]`;
  return `${clip(derivedTitle(payload), MAX_TITLE - token.length)}${token}`;
}

export function prFooter(jobId: string, runtime: string, base: string, head: string): string {
  return [
    '---',
    '<!-- moonmind:begin -->',
    `MoonMind Job: ${jobId}`,
    `Runtime: ${runtime}`,
    `Base: ${base}`,
    `Head: ${head}`,
    '<!-- moonmind:end -->',
  ].join('\n');
}

/** Verbatim when given; else a summary of the objective and steps plus the machine-readable footer. */
export function prBody(
  payload: TaskPayload,
  jobId: string,
  prepared: PrepareResult,
  base: string,
  changedFiles: string[],
): string {
  if (payload.task.publish.prBody !== null) return payload.task.publish.prBody;
  const lines = [
    `Automated changes made by MoonMind with ${prepared.runtime.mode} (${prepared.runtime.model}).`,
    '',
    '**Objective**',
    '',
    clip(payload.task.instructions.trim(), 2_000),
  ];
  if (payload.task.steps.length) {
    lines.push('', '**Steps**', '');
    for (const s of payload.task.steps) lines.push(`- ${s.id}${s.title ? `: ${s.title}` : ''}`);
  }
  if (changedFiles.length) {
    lines.push('', `**Changed files** (${changedFiles.length})`, '');
    for (const f of changedFiles.slice(0, 50)) lines.push(`- \`${f}\``);
    if (changedFiles.length > 50) lines.push(`- … and ${changedFiles.length - 50} more`);
  }
  lines.push('', prFooter(jobId, prepared.runtime.mode, base, prepared.workingBranch));
  return lines.join('\n');
}

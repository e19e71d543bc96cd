import type { StepInput } from '../../contracts/activities.ts';
import type { NormalizedStep, TaskPayload } from '../../contracts/task.ts';

/** The skill a step runs with: its own, else the task's, else `auto`. */
export function effectiveSkill(
  payload: TaskPayload,
  step: NormalizedStep,
): { id: string; args: Record<string, unknown> } {
  return step.skill ?? payload.task.skill ?? { id: 'auto', args: {} };
}

/**
 * The step prompt, in the order shared/spec/01-task-contract.md#step-prompt gives: objective, step
 * header and instructions, effective skill, workspace rules; then operator messages not yet delivered.
 */
export function buildStepPrompt(input: StepInput, inboxPath: string): string {
  const { payload, step, stepIndex, stepCount } = input;
  const skill = effectiveSkill(payload, step);
  const header = ['STEP', `${stepIndex + 1}/${stepCount}`, step.id, step.title ?? ''].join(' ').trim();
  const parts = [
    `# Task objective\n\n${payload.task.instructions.trim()}`,
    `# ${header}\n\n${
      step.instructions?.trim() ||
      'This step has no instructions of its own: it continues the task objective above.'
    }`,
  ];
  const skillLines = [`Effective skill: ${skill.id}`];
  if (Object.keys(skill.args).length) skillLines.push(`Skill arguments: ${JSON.stringify(skill.args)}`);
  if (skill.id !== 'auto') {
    skillLines.push(
      `The files under \`.agents/skills/${skill.id}/\` (also \`.gemini/skills/${skill.id}/\`) are the procedure for this step: read and follow them.`,
    );
  }
  parts.push(`# Skill\n\n${skillLines.join('\n')}`);
  parts.push(
    [
      '# Workspace rules',
      '',
      `- The repository is already checked out on the working branch \`${input.prepared.workingBranch}\`; work in place.`,
      '- Do not commit, push, create branches or open pull requests: MoonMind publishes the changes after the last step.',
      '- Skills are available under `.agents/skills` and `.gemini/skills`.',
      '- Write progress and logs to stdout/stderr.',
    ].join('\n'),
  );
  if (input.operatorMessages.length) {
    const lines = input.operatorMessages.map((m) => `- [${m.at}] ${m.actor}: ${m.message}`);
    parts.push(
      `# Operator messages\n\nAn operator sent these while the task ran (all messages are kept in ${inboxPath}):\n${lines.join('\n')}`,
    );
  }
  return `${parts.join('\n\n')}\n`;
}

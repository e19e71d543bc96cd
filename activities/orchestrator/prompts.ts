import type { OrchestratorPlan } from '../../contracts/orchestrator-run.ts';
import { redact } from '../../contracts/secrets.ts';
import type { ServiceProfile } from '../../contracts/service-profiles.ts';

/** Where analyze's agent writes its plan, relative to its working directory (the copy of the service). */
export const PLAN_FILE = '.moonmind/plan.json';

/** What the agent may know of the profile: never commands' environment, tokens or absolute paths. */
function profileText(name: string, profile: ServiceProfile): string {
  return [
    `Service: ${name} (${profile.runner} runner)`,
    `Editable paths (globs, relative to your working directory): ${profile.editable.join(', ')}`,
    `Never editable: the compose file and secret files${profile.allowProtectedFiles ? ' (unless the run is approved)' : ''}.`,
    `Health check: ${profile.health.url} must answer ${profile.health.expectStatus}.`,
    // Commands are masked like logs: a credential pasted into one never reaches the agent.
    profile.build ? `Build command: ${redact(profile.build.command)}` : '',
    profile.start ? `Start command: ${redact(profile.start.command)}` : '',
  ]
    .filter(Boolean)
    .join('\n');
}

export function analyzePrompt(input: {
  service: string;
  profile: ServiceProfile;
  instruction: string;
  recentLogs: string[];
}): string {
  return `ORCHESTRATOR STEP: analyze

You are fixing one service of a running stack. Your working directory is a copy of the service's files.
Do not change any file in this step. Inspect the files and the recent logs below, identify the cause, and
write the action plan as JSON to ${PLAN_FILE} with exactly these fields:
{"targetService": "${input.service}", "healthUrl": string|null, "composeProject": string|null,
 "steps": [{"name": "analyze"|"patch"|"build"|"restart"|"verify", "description": string}],
 "files": [paths you mean to change, relative to the working directory], "rationale": string}

${profileText(input.service, input.profile)}

Instruction:
${input.instruction}

Recent logs of the service (last ${input.recentLogs.length} lines):
${input.recentLogs.map(redact).join('\n') || '(none)'}
`;
}

export function patchPrompt(input: {
  service: string;
  profile: ServiceProfile;
  instruction: string;
  plan: OrchestratorPlan;
}): string {
  const { approval: _, ...plan } = input.plan;
  return `ORCHESTRATOR STEP: patch

Carry out the plan below by editing files in your working directory (a copy of the service's files). Change
only files matching the editable paths; any other change is refused and fails the run. Do not build, start
or stop anything: the orchestrator does that after you.

${profileText(input.service, input.profile)}

Instruction:
${input.instruction}

Plan:
${JSON.stringify(plan, null, 2)}
`;
}

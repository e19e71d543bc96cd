import type { ServiceSummary } from '../../../contracts/orchestrator.ts';
import { orchestratorSubmitSchema } from '../../../contracts/orchestrator.ts';
import {
  isOrchestratorTerminal,
  type OrchestratorPriority,
  type OrchestratorRunState,
  type OrchestratorStatus,
  type OrchestratorStep,
  orchestratorRefusal,
  orchestratorStatuses,
  orchestratorSteps,
  type StepOutcome,
  stepArtifacts,
} from '../../../contracts/orchestrator-run.ts';
import type { PublishMode } from '../../../contracts/task.ts';
import type { Issue } from '../api/client.ts';
import { formatElapsed } from './format.ts';

/** The dashboard's Orchestrator pages, as pure functions: the URL's filter, the form's checks, the controls, the timeline, the diff. */

/** `?status=` of the runs list: one of the statuses, or none (any). */
export function statusFilterOf(value: unknown): OrchestratorStatus | null {
  return typeof value === 'string' && (orchestratorStatuses as readonly string[]).includes(value)
    ? (value as OrchestratorStatus)
    : null;
}

export interface RunForm {
  targetService: string;
  instruction: string;
  priority: OrchestratorPriority;
  approvalToken: string;
  /** What happens to a verified fix (a branch or a pull request of the service's checkout). */
  publish: PublishMode;
}
export type RunFormErrors = Partial<Record<keyof RunForm | '_form', string>>;

export const emptyRunForm = (): RunForm => ({
  targetService: '',
  instruction: '',
  priority: 'normal',
  approvalToken: '',
  publish: 'none',
});

/** The body as the API takes it: a token only for a service that is protected (it is never sent otherwise). */
export function runBody(form: RunForm, service: ServiceSummary | undefined) {
  const token = form.approvalToken.trim();
  return {
    targetService: form.targetService.trim(),
    instruction: form.instruction,
    priority: form.priority,
    publish: { mode: form.publish },
    ...(service?.protected && token ? { approvalToken: token } : {}),
  };
}

/**
 * The API's own checks (orchestratorSubmitSchema) before the submission, keyed like its issue paths, and
 * the one the schema cannot make: the service must be one of the profiles the API offered.
 */
export function checkRunForm(form: RunForm, services: readonly ServiceSummary[] | undefined): RunFormErrors {
  const errors: RunFormErrors = {};
  const result = orchestratorSubmitSchema.safeParse(
    runBody(
      form,
      services?.find((s) => s.name === form.targetService),
    ),
  );
  if (!result.success)
    for (const issue of result.error.issues) {
      const key = String(issue.path[0] ?? '_form') as keyof RunFormErrors;
      errors[key] ??=
        key === 'targetService' && !form.targetService.trim() ? 'pick a service' : issue.message;
    }
  if (!errors.targetService && services && !services.some((s) => s.name === form.targetService.trim()))
    errors.targetService = 'is not one of the configured services';
  return errors;
}

/** A 400's issues on the form's fields (unknown paths go to the form's own message). */
export function runFormErrorsFromIssues(issues: readonly Issue[]): RunFormErrors {
  const fields: readonly string[] = ['targetService', 'instruction', 'priority', 'approvalToken', 'publish'];
  const errors: RunFormErrors = {};
  for (const i of issues) {
    const field = i.path.split('.')[0];
    const key = (fields.includes(field) ? field : '_form') as keyof RunFormErrors;
    errors[key] ??= key === '_form' && i.path ? `${i.path}: ${i.message}` : i.message;
  }
  return errors;
}

type ControlState = Pick<OrchestratorRunState, 'status' | 'cancelRequestedAt' | 'plan'>;

/**
 * The approval banner's button: shown while the run waits for an approval; `disabled` says why it cannot
 * be pressed (the role, a token still to enter), from the contract's rules like the workflow's verdict.
 */
export function approvalControl(
  run: ControlState,
  who: { canOperate: boolean; requiresToken: boolean; token: string },
): { show: boolean; disabled: string | null } {
  if (run.status !== 'awaiting_approval' || run.plan?.approval) return { show: false, disabled: null };
  if (!who.canOperate) return { show: true, disabled: 'Your role can read runs but not approve them.' };
  const refusal = orchestratorRefusal(run, {
    action: 'approve',
    tokenRequired: who.requiresToken,
    // The API checks the token; the page only knows whether one was entered.
    tokenVerified: who.token.trim() !== '',
  });
  return { show: true, disabled: refusal ? `Cannot approve: ${refusal}.` : null };
}

/** Cancel: offered while the run has not finished; the reason when it cannot be sent. */
export function cancelRefusal(run: ControlState, canOperate: boolean): string | null {
  if (!canOperate) return 'Your role can read runs but not cancel them.';
  return orchestratorRefusal(run, { action: 'cancel' });
}

/** Retry: a finished run with a plan to reuse. */
export function retryRefusal(run: ControlState, canOperate: boolean): string | null {
  if (!isOrchestratorTerminal(run.status)) return 'the run has not finished';
  if (!run.plan) return 'the run has no plan to reuse';
  if (!canOperate) return 'Your role can read runs but not retry them.';
  return null;
}

export interface StepRow {
  name: OrchestratorStep;
  outcome: StepOutcome;
  /** What the plan says the step does. */
  description: string | null;
  startedAt: string | null;
  finishedAt: string | null;
  /** Milliseconds from start to finish (or to `now` while it runs). */
  durationMs: number | null;
  detail: string | null;
  /** The artifact that keeps its log when the run has it: `<step>.log`, else the step's own (plan.json, patch.diff). */
  artifact: string | null;
}

/**
 * The step timeline: every step the run recorded, in the plan's order, then the ones still to come
 * (rollback only when it ran or the plan names it).
 */
export function stepRows(
  run: Pick<OrchestratorRunState, 'steps' | 'plan'>,
  artifactNames: readonly string[],
  now = Date.now(),
): StepRow[] {
  const planned = new Map(run.plan?.steps.map((s) => [s.name, s.description]) ?? []);
  const recorded = new Map(run.steps.map((s) => [s.name, s]));
  return orchestratorSteps
    .filter((name) => recorded.has(name) || name !== 'rollback' || planned.has(name))
    .map((name) => {
      const r = recorded.get(name);
      const startedAt = r?.startedAt ?? null;
      const finishedAt = r?.finishedAt ?? null;
      const end = finishedAt ? Date.parse(finishedAt) : r?.outcome === 'running' ? now : Number.NaN;
      const durationMs = startedAt && !Number.isNaN(end) ? Math.max(0, end - Date.parse(startedAt)) : null;
      return {
        name,
        outcome: r?.outcome ?? 'pending',
        description: planned.get(name) ?? null,
        startedAt,
        finishedAt,
        durationMs,
        detail: r?.detail ?? null,
        artifact: [`${name}.log`, stepArtifacts[name]].find((a) => artifactNames.includes(a)) ?? null,
      };
    });
}

/** A step's duration: milliseconds under a second (steps are often that quick), else like the task run's. */
export const stepDuration = (ms: number) => (ms < 1000 ? `${Math.round(ms)} ms` : formatElapsed(ms));

/** The step a log event belongs to (`payload.step`), when it names one. */
export function stepOfEvent(e: { payload: Record<string, unknown> }): OrchestratorStep | null {
  const step = e.payload.step;
  return typeof step === 'string' && (orchestratorSteps as readonly string[]).includes(step)
    ? (step as OrchestratorStep)
    : null;
}

/** `note`: git's `\ No newline at end of file` under a line. */
export type DiffLineKind = 'file' | 'hunk' | 'add' | 'del' | 'context' | 'note';
export interface DiffLine {
  kind: DiffLineKind;
  text: string;
}

/**
 * A unified diff, line by line, each with what it is. Inside a hunk the first character decides (a removed
 * line may itself start with "--- "); a new file's header is `diff …` or a `---` line followed by `+++`.
 */
export function diffLines(diff: string): DiffLine[] {
  if (diff.trim() === '') return [];
  const lines = diff.replace(/\n$/, '').split('\n');
  let inHunk = false;
  return lines.map((text, i) => {
    const header = text.startsWith('diff ') || (text.startsWith('--- ') && lines[i + 1]?.startsWith('+++ '));
    if (header) inHunk = false;
    if (text.startsWith('@@')) {
      inHunk = true;
      return { text, kind: 'hunk' };
    }
    if (!inHunk) return { text, kind: 'file' };
    const kind: DiffLineKind = text.startsWith('+')
      ? 'add'
      : text.startsWith('-')
        ? 'del'
        : text.startsWith('\\')
          ? 'note'
          : 'context';
    return { text, kind };
  });
}

/** "+3 −1 in 2 files": the diff's size for its heading. */
export function diffStat(lines: readonly DiffLine[]): { added: number; removed: number; files: number } {
  let added = 0;
  let removed = 0;
  let files = 0;
  for (const l of lines) {
    if (l.kind === 'add') added++;
    else if (l.kind === 'del') removed++;
    else if (l.kind === 'file' && l.text.startsWith('+++ ')) files++;
  }
  return { added, removed, files };
}

import type { JobView } from '../../../contracts/job.ts';
import {
  type AppliedTemplate,
  buildRequest,
  emptyForm,
  type FieldErrors,
  fieldForIssue,
  newStep,
  type StepDraft,
  type TaskForm,
} from './task-form.ts';

/**
 * The submit form filled from a stored job envelope (a proposal's `taskCreateRequest`), for
 * edit-then-promote, and the envelope the edited form sends back: the form's fields over the original, so
 * what the form does not show (auth references, PR title, required capabilities) is kept.
 */
type Obj = Record<string, unknown>;
const obj = (v: unknown): Obj => (v && typeof v === 'object' && !Array.isArray(v) ? (v as Obj) : {});
const str = (v: unknown) => (typeof v === 'string' ? v : '');
const num = (v: unknown, fallback: number) =>
  String(typeof v === 'number' && Number.isInteger(v) ? v : fallback);

function skillParts(skill: unknown): Pick<StepDraft, 'skillId' | 'skillArgs'> {
  const s = obj(skill);
  const args = obj(s.args);
  const id = str(s.id);
  return {
    skillId: id === 'auto' ? '' : id,
    skillArgs: Object.keys(args).length ? JSON.stringify(args) : '',
  };
}

/** A job's task as the envelope it would be submitted with (for "Clone to form"). */
export function envelopeOfJob(job: JobView): Obj {
  const { type, priority, maxAttempts, affinityKey, payload } = job;
  return { type, priority, maxAttempts, affinityKey, payload };
}

export function formFromRequest(envelope: unknown, defaults?: { defaultRuntime?: string }): TaskForm {
  const e = obj(envelope);
  const payload = obj(e.payload);
  const task = obj(payload.task);
  const runtime = obj(task.runtime);
  const git = obj(task.git);
  const base = emptyForm({ defaultRuntime: defaults?.defaultRuntime });
  const primary: StepDraft = {
    ...newStep(),
    instructions: str(task.instructions),
    ...skillParts(task.skill),
  };
  const extra = (Array.isArray(task.steps) ? task.steps : []).map((raw): StepDraft => {
    const s = obj(raw);
    return {
      ...newStep(),
      id: str(s.id),
      title: str(s.title),
      instructions: str(s.instructions),
      ...(s.skill ? skillParts(s.skill) : {}),
    };
  });
  return {
    ...base,
    title: str(task.title),
    runtime: str(runtime.mode) || str(payload.targetRuntime) || base.runtime,
    steps: [primary, ...extra],
    appliedTemplates: (Array.isArray(task.appliedStepTemplates)
      ? task.appliedStepTemplates
      : []) as AppliedTemplate[],
    model: str(runtime.model),
    effort: str(runtime.effort),
    repository: str(payload.repository),
    startingBranch: str(git.startingBranch),
    newBranch: str(git.newBranch),
    publishMode: str(obj(task.publish).mode) || base.publishMode,
    priority: num(e.priority, 0),
    maxAttempts: num(e.maxAttempts, 3),
    affinityKey: str(e.affinityKey),
  };
}

export function requestFromForm(original: unknown, form: TaskForm): Obj {
  const o = obj(original);
  const oPayload = obj(o.payload);
  const oTask = obj(oPayload.task);
  const body = buildRequest(form).body as Obj;
  const payload = obj(body.payload);
  const task = obj(payload.task);
  const mergedTask: Obj = {
    ...oTask,
    ...task,
    publish: { ...obj(oTask.publish), ...obj(task.publish) },
  };
  // The form leaves out an empty applied-template list; an edit that removed them all must drop them too.
  if (!('appliedStepTemplates' in task)) delete mergedTask.appliedStepTemplates;
  const mergedPayload: Obj = { ...oPayload, ...payload, task: mergedTask };
  // The runtime select wins over a stored `targetRuntime`.
  delete mergedPayload.targetRuntime;
  return { ...o, ...body, payload: mergedPayload };
}

/**
 * Server issues as form field errors, the way the submit form maps them; `rewrite` turns an issue path into
 * a job-envelope path first (edit-then-promote answers for `taskCreateRequestOverride.…`).
 */
export function fieldErrorsFromIssues(
  issues: { path: string; message: string }[],
  rewrite: (path: string) => string = (p) => p,
): FieldErrors {
  const mapped: FieldErrors = {};
  for (const issue of issues) mapped[fieldForIssue(rewrite(issue.path))] ??= issue.message;
  return mapped;
}

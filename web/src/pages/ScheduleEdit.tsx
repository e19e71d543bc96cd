import { A, useNavigate, useParams } from '@solidjs/router';
import { createMemo, createResource, createSignal, Show } from 'solid-js';
import { createStore } from 'solid-js/store';
import { ApiError } from '../api/client.ts';
import { getDefaults, getSkills } from '../api/jobs.ts';
import { createSchedule, getSchedule, type Schedule, updateSchedule } from '../api/schedules.ts';
import { ErrorSummary } from '../components/ErrorSummary.tsx';
import { ScheduleFields } from '../components/schedules/ScheduleFields.tsx';
import { TaskFields } from '../components/TaskFields.tsx';
import { errorMessage } from '../lib/format.ts';
import {
  checkScheduleForm,
  emptyScheduleForm,
  scheduleFormOf,
  scheduleTargets,
  specOf,
} from '../lib/schedule-form.ts';
import { canMutate } from '../lib/session.ts';
import { applyDefaults, buildRequest, checkForm, emptyForm, type FieldErrors } from '../lib/task-form.ts';
import { fieldErrorsFromIssues, formFromRequest } from '../lib/task-prefill.ts';

/** `/tasks/schedules/new` and `/tasks/schedules/:id/edit`: the schedule's fields, then the task form's own. */
export function ScheduleEdit() {
  const params = useParams<{ id?: string }>();
  return (
    <Show when={params.id} keyed fallback={<ScheduleEditor />}>
      {(id) => {
        const [schedule] = createResource(() => id, getSchedule);
        return (
          <>
            <Show when={schedule.error}>
              <p class="form-error" role="alert">
                Could not load the schedule: {errorMessage(schedule.error)}
              </p>
            </Show>
            <Show when={schedule()} keyed>
              {(s) => <ScheduleEditor schedule={s} />}
            </Show>
          </>
        );
      }}
    </Show>
  );
}

function ScheduleEditor(props: { schedule?: Schedule }) {
  const navigate = useNavigate();
  const editing = props.schedule;
  const [schedule, setSchedule] = createStore(editing ? scheduleFormOf(editing) : emptyScheduleForm());
  const [task, setTask] = createStore(editing ? formFromRequest(editing.job) : emptyForm());
  const [defaults] = createResource(async () => {
    const d = await getDefaults().catch(() => null);
    if (d && !editing) applyDefaults(task, setTask, d);
    return d;
  });
  const [skills] = createResource(() =>
    getSkills()
      .then((r) => r.items)
      .catch(() => []),
  );
  const [attempted, setAttempted] = createSignal(false);
  const [serverErrors, setServerErrors] = createSignal<FieldErrors>({});
  const [formError, setFormError] = createSignal<string | null>(null);
  const [busy, setBusy] = createSignal(false);
  const ctx = () => ({
    defaultRuntime: defaults()?.defaultRuntime ?? 'codex',
    defaultRepository: defaults()?.defaultRepository ?? null,
  });
  const check = () => ({ ...checkScheduleForm(schedule), ...checkForm(task, ctx()) });
  const clientErrors = createMemo(() => (attempted() ? check() : {}));
  const errors = () => ({ ...serverErrors(), ...clientErrors() });
  const focusFirstError = () =>
    queueMicrotask(() => document.querySelector<HTMLElement>('[aria-invalid="true"]')?.focus());

  const save = async (ev: SubmitEvent) => {
    ev.preventDefault();
    setAttempted(true);
    setServerErrors({});
    setFormError(null);
    if (Object.keys(check()).length > 0) return focusFirstError();
    setBusy(true);
    const job = buildRequest(task).body;
    const spec = specOf(schedule);
    try {
      const saved = editing
        ? await updateSchedule(editing.id, { spec, job, note: schedule.note })
        : await createSchedule({
            name: schedule.name,
            spec,
            job,
            note: schedule.note,
            paused: schedule.paused,
          });
      navigate(`/tasks/schedules#${saved.id}`);
    } catch (e) {
      if (e instanceof ApiError && e.issues.length > 0) {
        // `job.…` issues are the task form's fields; the rest are the schedule's own (`spec.cron`, `name`).
        const own = e.issues.filter((i) => !i.path.startsWith('job.'));
        const mapped = {
          ...fieldErrorsFromIssues(
            e.issues.filter((i) => i.path.startsWith('job.')),
            (p) => p.slice(4),
          ),
          ...Object.fromEntries(own.map((i) => [i.path, i.message])),
        };
        setServerErrors(mapped);
        setFormError(mapped._form ?? 'The server rejected the schedule: see the marked fields.');
        focusFirstError();
      } else setFormError(errorMessage(e));
    } finally {
      setBusy(false);
    }
  };

  return (
    <section>
      <div class="page-head">
        <h1>{editing ? `Edit ${editing.name}` : 'New schedule'}</h1>
        <A href="/tasks/schedules" class="muted">
          Back to schedules
        </A>
      </div>
      <Show when={!canMutate()}>
        <p class="notice">Your role can read schedules but not change them.</p>
      </Show>
      <form onSubmit={save} novalidate class="stack" data-testid="schedule-form">
        <Show when={formError()}>
          <p class="form-error" role="alert" data-testid="form-error">
            {formError()}
          </p>
        </Show>
        <ErrorSummary errors={attempted() ? errors() : {}} targets={scheduleTargets} />
        <ScheduleFields form={schedule} setForm={setSchedule} errors={errors()} creating={!editing} />
        <fieldset class="stack">
          <legend>Task each fire runs</legend>
          <TaskFields
            form={task}
            setForm={setTask}
            errors={errors()}
            skills={skills() ?? []}
            runtimeDefaults={defaults()?.runtimes?.[task.runtime]}
          />
        </fieldset>
        <button type="submit" disabled={busy() || !canMutate()} data-testid="save-schedule">
          {busy() ? 'Saving…' : editing ? 'Save schedule' : 'Create schedule'}
        </button>
      </form>
    </section>
  );
}

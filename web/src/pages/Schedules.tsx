import { A } from '@solidjs/router';
import { createSignal, For, Show } from 'solid-js';
import {
  deleteSchedule,
  listSchedules,
  type Schedule,
  triggerSchedule,
  updateSchedule,
} from '../api/schedules.ts';
import { Ago } from '../components/Ago.tsx';
import { ConfirmDialog } from '../components/ConfirmDialog.tsx';
import { errorMessage, formatTime, relativeTime } from '../lib/format.ts';
import { createPolledResource } from '../lib/poll.ts';
import { canMutate } from '../lib/session.ts';

/**
 * Recurring tasks (Temporal Schedules): each with its spec in words, next and last fire, the last run's link,
 * and pause / resume, fire now, edit, delete. Polled, so next fire times and new runs keep up.
 */
export function Schedules() {
  const [page, { refetch, error }] = createPolledResource(
    () => true,
    () => listSchedules().then((r) => r.items),
    3000,
  );
  const [notice, setNotice] = createSignal<string | null>(null);
  const [failure, setFailure] = createSignal<string | null>(null);
  const [deleting, setDeleting] = createSignal<Schedule | null>(null);
  const act = async (done: string, fn: () => Promise<unknown>) => {
    setFailure(null);
    setNotice(null);
    try {
      await fn();
      setNotice(done);
      refetch();
    } catch (e) {
      setFailure(errorMessage(e));
    }
  };

  return (
    <section>
      <div class="page-head">
        <h1>Schedules</h1>
        <Show when={canMutate()}>
          <A href="/tasks/schedules/new" class="button" data-testid="new-schedule">
            New schedule
          </A>
        </Show>
      </div>
      <p class="muted">
        Recurring tasks: each fire runs the task as a normal job. Also under Schedules in the Temporal Web UI.
      </p>
      <Show when={failure() ?? (error() ? errorMessage(error()) : null)}>
        {(message) => (
          <p class="form-error" role="alert" data-testid="schedules-error">
            {message()}
          </p>
        )}
      </Show>
      <Show when={notice()}>
        <p class="muted" role="status" data-testid="schedules-notice">
          {notice()}
        </p>
      </Show>
      <Show when={page()} fallback={<p class="muted">Loading…</p>}>
        {(items) => (
          <Show when={items().length > 0} fallback={<p class="muted">No schedules yet.</p>}>
            <ul class="plain stack" data-testid="schedule-list">
              <For each={items()}>
                {(s) => (
                  <ScheduleCard
                    schedule={s}
                    onPause={() =>
                      act(`${s.name} ${s.paused ? 'resumed' : 'paused'}.`, () =>
                        updateSchedule(s.id, { paused: !s.paused }),
                      )
                    }
                    onTrigger={() =>
                      act(`${s.name} fired: its run starts in a moment.`, () => triggerSchedule(s.id))
                    }
                    onDelete={() => setDeleting(s)}
                  />
                )}
              </For>
            </ul>
          </Show>
        )}
      </Show>
      <ConfirmDialog
        open={deleting() !== null}
        title={`Delete ${deleting()?.name ?? 'schedule'}?`}
        confirmLabel="Delete schedule"
        cancelLabel="Keep it"
        onConfirm={() => {
          const s = deleting();
          if (s) void act(`${s.name} deleted.`, () => deleteSchedule(s.id));
        }}
        onClose={() => setDeleting(null)}
      >
        <p>It stops firing. The runs it started stay, as they are.</p>
      </ConfirmDialog>
    </section>
  );
}

function ScheduleCard(props: {
  schedule: Schedule;
  onPause: () => void;
  onTrigger: () => void;
  onDelete: () => void;
}) {
  const s = () => props.schedule;
  const next = () => s().nextFireTimes[0] ?? null;
  const last = () => s().recentFires[0] ?? null;
  return (
    <li class="card stack" id={s().id} data-testid="schedule-card" data-schedule-id={s().id}>
      <div class="page-head">
        <h2 class="wrap">{s().name}</h2>
        <Show when={s().paused}>
          <span class="badge badge-awaiting_action" data-testid="schedule-paused">
            paused
          </span>
        </Show>
      </div>
      <p class="wrap">
        <span data-testid="schedule-spec">Runs {s().specText}</span> · overlap{' '}
        {s().spec.overlap.replace('_', ' ')} · <span class="muted">{s().title}</span>
      </p>
      <Show when={s().note}>
        <p class="muted wrap" data-testid="schedule-note">
          {s().note}
        </p>
      </Show>
      <dl class="facts">
        <dt>Next fire</dt>
        <dd data-testid="schedule-next">
          <Show when={!s().paused && next()} fallback="— (paused)">
            {(t) => (
              <time datetime={t()} title={formatTime(t())}>
                {relativeTime(t())} · {formatTime(t())}
              </time>
            )}
          </Show>
        </dd>
        <dt>Last fire</dt>
        <dd data-testid="schedule-last">
          <Show when={last()} fallback="never">
            {(f) => (
              <>
                <Ago at={f().firedAt} /> ·{' '}
                <Show
                  when={f().started}
                  fallback={
                    <span data-testid="schedule-last-starting">its run is starting (or could not start)</span>
                  }
                >
                  <A href={`/tasks/queue/${f().jobId}`} data-testid="schedule-last-run">
                    its run
                  </A>
                </Show>
              </>
            )}
          </Show>
        </dd>
        <dt>Fired</dt>
        <dd>
          {s().firedCount} · skipped by overlap {s().skippedCount}
        </dd>
      </dl>
      <div class="actions">
        <button
          type="button"
          class="secondary"
          disabled={!canMutate()}
          onClick={props.onPause}
          data-testid="schedule-pause"
        >
          {s().paused ? 'Resume' : 'Pause'}
        </button>
        <button
          type="button"
          class="secondary"
          disabled={!canMutate()}
          onClick={props.onTrigger}
          data-testid="schedule-trigger"
        >
          Trigger now
        </button>
        <Show when={canMutate()}>
          <A
            href={`/tasks/schedules/${encodeURIComponent(s().id)}/edit`}
            class="button secondary"
            data-testid="schedule-edit"
          >
            Edit
          </A>
        </Show>
        <button
          type="button"
          class="danger"
          disabled={!canMutate()}
          onClick={props.onDelete}
          data-testid="schedule-delete"
        >
          Delete…
        </button>
        <a href={s().temporal.url} target="_blank" rel="noopener noreferrer">
          In Temporal
        </a>
      </div>
    </li>
  );
}

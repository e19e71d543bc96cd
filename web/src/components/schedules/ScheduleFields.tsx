import { For, Show } from 'solid-js';
import type { SetStoreFunction } from 'solid-js/store';
import { describeSpec, overlapPolicies } from '../../../../contracts/schedules.ts';
import type { ScheduleForm } from '../../lib/schedule-form.ts';
import type { FieldErrors } from '../../lib/task-form.ts';
import { describedBy, Field } from '../Field.tsx';

const overlapText: Record<string, string> = {
  skip: 'skip: no new run while one is open',
  buffer_one: 'buffer one: run once after the open run ends',
  buffer_all: 'buffer all: run every missed fire, one after another',
  cancel_other: 'cancel other: cancel the open run, start the new one',
  allow_all: 'allow all: runs may overlap',
};

/** When a schedule fires (interval or cron, time zone), what an overlap does, and its note. */
export function ScheduleFields(props: {
  form: ScheduleForm;
  setForm: SetStoreFunction<ScheduleForm>;
  errors: FieldErrors;
  creating: boolean;
}) {
  const e = (key: string) => props.errors[key];
  const words = () => {
    const f = props.form;
    return describeSpec(
      f.kind === 'cron'
        ? { cron: f.cron, timezone: f.timezone }
        : { interval: f.interval, timezone: f.timezone },
    );
  };
  return (
    <fieldset class="stack">
      <legend>Schedule</legend>
      <Field id="schedule-name" label="Name" error={e('name')}>
        <input
          id="schedule-name"
          value={props.form.name}
          disabled={!props.creating}
          onInput={(ev) => props.setForm('name', ev.currentTarget.value)}
          data-testid="field-schedule-name"
          {...describedBy('schedule-name', e('name'))}
        />
      </Field>
      <div class="row">
        <Field id="spec-kind" label="Fires">
          <select
            id="spec-kind"
            value={props.form.kind}
            onChange={(ev) => props.setForm('kind', ev.currentTarget.value as 'interval' | 'cron')}
            data-testid="field-spec-kind"
          >
            <option value="interval" selected={props.form.kind === 'interval'}>
              every interval
            </option>
            <option value="cron" selected={props.form.kind === 'cron'}>
              on a cron spec
            </option>
          </select>
        </Field>
        <Show
          when={props.form.kind === 'cron'}
          fallback={
            <Field id="spec-interval" label="Interval" error={e('spec.interval')} hint="90s, 15m, 2h, 1d">
              <input
                id="spec-interval"
                value={props.form.interval}
                onInput={(ev) => props.setForm('interval', ev.currentTarget.value)}
                data-testid="field-spec-interval"
                {...describedBy('spec-interval', e('spec.interval'))}
              />
            </Field>
          }
        >
          <Field id="spec-cron" label="Cron" error={e('spec.cron')} hint="minute hour day month weekday">
            <input
              id="spec-cron"
              class="mono"
              value={props.form.cron}
              onInput={(ev) => props.setForm('cron', ev.currentTarget.value)}
              data-testid="field-spec-cron"
              {...describedBy('spec-cron', e('spec.cron'))}
            />
          </Field>
          <Field
            id="spec-timezone"
            label="Time zone"
            error={e('spec.timezone')}
            hint="IANA name, e.g. Europe/Paris"
          >
            <input
              id="spec-timezone"
              value={props.form.timezone}
              onInput={(ev) => props.setForm('timezone', ev.currentTarget.value)}
              data-testid="field-spec-timezone"
              {...describedBy('spec-timezone', e('spec.timezone'))}
            />
          </Field>
        </Show>
      </div>
      <p class="muted" data-testid="spec-words">
        Runs {words()}.
      </p>
      <Field id="spec-overlap" label="When the previous run is still open" error={e('spec.overlap')}>
        <select
          id="spec-overlap"
          value={props.form.overlap}
          onChange={(ev) => props.setForm('overlap', ev.currentTarget.value as ScheduleForm['overlap'])}
          data-testid="field-spec-overlap"
        >
          <For each={overlapPolicies}>
            {(p) => (
              <option value={p} selected={p === props.form.overlap}>
                {overlapText[p]}
              </option>
            )}
          </For>
        </select>
      </Field>
      <Field id="schedule-note" label="Note" error={e('note')} hint="optional: why it is paused, who owns it">
        <input
          id="schedule-note"
          value={props.form.note}
          onInput={(ev) => props.setForm('note', ev.currentTarget.value)}
          data-testid="field-schedule-note"
          {...describedBy('schedule-note', e('note'))}
        />
      </Field>
      <Show when={props.creating}>
        <label class="check">
          <input
            type="checkbox"
            checked={props.form.paused}
            onChange={(ev) => props.setForm('paused', ev.currentTarget.checked)}
            data-testid="field-schedule-paused"
          />{' '}
          Start paused
        </label>
      </Show>
    </fieldset>
  );
}

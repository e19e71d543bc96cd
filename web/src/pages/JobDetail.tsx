import { A, useParams } from '@solidjs/router';
import { createMemo, Show } from 'solid-js';
import { ApiError } from '../api/client.ts';
import { ArtifactsTable } from '../components/ArtifactsTable.tsx';
import { EventTimeline } from '../components/EventTimeline.tsx';
import { JobControls } from '../components/JobControls.tsx';
import { JobSummary } from '../components/JobSummary.tsx';
import { LiveOutput } from '../components/LiveOutput.tsx';
import { fillFromJob, StageTimeline } from '../components/StageTimeline.tsx';
import { deriveTimeline, isLog } from '../lib/events.ts';
import { createFilteredView } from '../lib/filtered-view.ts';
import { errorMessage } from '../lib/format.ts';
import { createLiveJob } from '../lib/live-job.ts';

/**
 * One job: summary, stages/steps, controls, live output, events, artifacts, kept current by the job's
 * event stream (lib/live-job.ts).
 */
export function JobDetail() {
  const params = useParams<{ jobId: string }>();
  return (
    <Show when={params.jobId} keyed>
      {(jobId) => <JobDetailFor jobId={jobId} />}
    </Show>
  );
}

function JobDetailFor(props: { jobId: string }) {
  const live = createLiveJob(props.jobId);
  const { job, artifacts, feed } = live;
  // Non-log events, kept incrementally: the timeline never walks 100k log lines.
  const notLog = createFilteredView(
    feed,
    () => (e) => !isLog(e),
    (e) => e,
  );
  const nonLogEvents = createMemo(() => notLog.items().slice());
  const timeline = createMemo(() => {
    const t = deriveTimeline(nonLogEvents());
    const j = job();
    return j ? fillFromJob(t, j, !feed.hasOlder()) : t;
  });
  // The run's live state forgets a cancel request once it has finished; the event keeps it.
  const cancelRequestedAt = () =>
    job()?.cancelRequestedAt ??
    nonLogEvents().find((e) => e.type === 'control.cancel_requested')?.createdAt ??
    null;
  // The jobs that re-ran this one (`job.rerun` events), linked from its controls.
  const reruns = () =>
    nonLogEvents().flatMap((e) =>
      e.type === 'job.rerun' && typeof e.payload.rerunJobId === 'string' ? [e.payload.rerunJobId] : [],
    );
  const notFound = () => {
    const e = live.error();
    return e instanceof ApiError && e.status === 404;
  };

  return (
    <section class="detail" data-testid="job-detail">
      <div class="page-head">
        <h1 class="wrap" data-testid="job-title">
          {job()?.title ?? 'Job'}
        </h1>
        <A href="/tasks/queue" class="muted">
          Back to queue
        </A>
      </div>
      <p class="muted mono wrap">{props.jobId}</p>
      <Show when={notFound()}>
        <p class="form-error" role="alert">
          No job with this id.
        </p>
      </Show>
      <Show when={!notFound() && live.error() && !job()}>
        <p class="form-error" role="alert">
          Could not load the job: {errorMessage(live.error())}
        </p>
      </Show>
      <Show when={job()} fallback={<div class="card placeholder" aria-busy="true" />}>
        {(j) => (
          <div class="detail-grid">
            <JobSummary job={j()} timeline={timeline()} cancelRequestedAt={cancelRequestedAt()} />
            <JobControls job={j()} onChanged={live.update} reruns={reruns()} />
          </div>
        )}
      </Show>
      <StageTimeline stages={timeline().stages} steps={timeline().steps} />
      <LiveOutput feed={feed} artifacts={artifacts()} />
      <div class="detail-grid">
        <EventTimeline feed={feed} events={nonLogEvents()} />
        <ArtifactsTable artifacts={artifacts()} />
      </div>
    </section>
  );
}

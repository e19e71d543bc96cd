import { useParams, useSearchParams } from '@solidjs/router';
import { createMemo, Show } from 'solid-js';
import { ApiError, apiReachable } from '../api/client.ts';
import { ArtifactsTable } from '../components/ArtifactsTable.tsx';
import { EventTimeline } from '../components/EventTimeline.tsx';
import { JobControls } from '../components/JobControls.tsx';
import { JobSummary } from '../components/JobSummary.tsx';
import { LiveOutput } from '../components/LiveOutput.tsx';
import { LiveSessionPanel } from '../components/live/LiveSessionPanel.tsx';
import { ManifestRunFacts } from '../components/manifests/ManifestRunFacts.tsx';
import { RunHeader } from '../components/RunHeader.tsx';
import { fillFromJob, StageTimeline } from '../components/StageTimeline.tsx';
import { deriveTimeline, isLog } from '../lib/events.ts';
import { createFilteredView } from '../lib/filtered-view.ts';
import { errorMessage } from '../lib/format.ts';
import { createLiveJob } from '../lib/live-job.ts';
import { createLiveSession } from '../lib/live-session-store.ts';

/**
 * One run, log first: a sticky header (title, status, stage, step, elapsed, branch/PR, controls), the log,
 * then stages and steps, events, the run's facts and artifacts, kept current by the job's event stream
 * (lib/live-job.ts). `?line=<event id>` opens the log at that line.
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
  const liveSession = createLiveSession(props.jobId, feed);
  const underWay = () => {
    const s = job()?.status;
    return !!s && s !== 'queued' && !live.finished();
  };
  const [search, setSearch] = useSearchParams<{ line?: string }>();
  const line = () => {
    const n = Number(search.line);
    return Number.isSafeInteger(n) && n > 0 ? n : null;
  };
  // Non-log events of the held tail, kept incrementally; the older ones came on their own (exclude=log).
  const tailNotLogs = createFilteredView(
    feed,
    () => (e) => !isLog(e),
    (e) => e,
  );
  const nonLogEvents = createMemo(() => [...feed.notLogs(), ...tailNotLogs.items()]);
  const timeline = createMemo(() => {
    const t = deriveTimeline(nonLogEvents());
    const j = job();
    return j ? fillFromJob(t, j, feed.loaded()) : t;
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
      <Show
        when={!notFound()}
        fallback={
          <p class="form-error" role="alert" data-testid="job-not-found">
            No job with this id.
          </p>
        }
      >
        <Show when={live.error() && !job()}>
          <p class="form-error" role="alert">
            Could not load the job: {errorMessage(live.error())}
          </p>
        </Show>
        <Show when={job()} fallback={<div class="run-header placeholder-head" aria-busy="true" />}>
          {(j) => (
            <RunHeader job={j()} timeline={timeline()}>
              {/* A disabled fieldset disables every control in it: nothing is sent while the API is unreachable. */}
              <fieldset class="bare" disabled={!apiReachable()} data-testid="run-controls">
                <legend class="visually-hidden">Controls</legend>
                <JobControls
                  job={j()}
                  onChanged={live.update}
                  reruns={reruns()}
                  onLiveSession={liveSession.set}
                />
              </fieldset>
            </RunHeader>
          )}
        </Show>
        <div class="run-body">
          <LiveOutput
            jobId={props.jobId}
            feed={feed}
            notLogs={nonLogEvents()}
            artifacts={artifacts()}
            line={line()}
            lineHref={(id) => `?line=${id}`}
            onLeaveLine={() => setSearch({ line: undefined }, { replace: true })}
          />
          <StageTimeline stages={timeline().stages} steps={timeline().steps} />
        </div>
        <LiveSessionPanel
          jobId={props.jobId}
          live={liveSession}
          running={underWay()}
          finished={live.finished()}
          artifacts={artifacts()}
        />
        <Show when={job()?.type === 'manifest'}>
          <ManifestRunFacts events={nonLogEvents()} artifacts={artifacts()} />
        </Show>
        <div class="detail-grid">
          <EventTimeline events={nonLogEvents()} />
          <ArtifactsTable artifacts={artifacts()} />
        </div>
        <Show when={job()}>
          {(j) => <JobSummary job={j()} timeline={timeline()} cancelRequestedAt={cancelRequestedAt()} />}
        </Show>
        <p class="muted mono wrap">{props.jobId}</p>
      </Show>
    </section>
  );
}

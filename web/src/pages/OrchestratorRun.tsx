import { A, useParams } from '@solidjs/router';
import { createMemo, createResource, Show } from 'solid-js';
import { ApiError } from '../api/client.ts';
import { artifactText, listServices } from '../api/orchestrator.ts';
import { ArtifactsTable } from '../components/ArtifactsTable.tsx';
import { ApprovalBanner } from '../components/orchestrator/ApprovalBanner.tsx';
import { DiffView } from '../components/orchestrator/DiffView.tsx';
import { PlanCard } from '../components/orchestrator/PlanCard.tsx';
import { PublishFacts } from '../components/orchestrator/PublishFacts.tsx';
import { RunControls } from '../components/orchestrator/RunControls.tsx';
import { RunStatusBadge } from '../components/orchestrator/RunStatusBadge.tsx';
import { StepTimeline } from '../components/orchestrator/StepTimeline.tsx';
import { errorMessage, formatTime } from '../lib/format.ts';
import { createLiveOrchestratorRun } from '../lib/live-orchestrator-run.ts';
import { createNow } from '../lib/now.ts';
import { stepRows } from '../lib/orchestrator-view.ts';

/**
 * `/tasks/orchestrator/:runId`: the run's status and facts with Cancel or Retry, the approval banner while a
 * protected service waits, where a verified fix was published, the plan, the step timeline with each step's log, the diff, the rollback
 * reason. Kept current by the run's event stream (polling while it is down).
 */
export function OrchestratorRun() {
  const params = useParams<{ runId: string }>();
  return (
    <Show when={params.runId} keyed>
      {(runId) => <RunDetail runId={runId} />}
    </Show>
  );
}

function RunDetail(props: { runId: string }) {
  const live = createLiveOrchestratorRun(props.runId);
  const [services] = createResource(() => listServices().catch(() => []));
  const now = createNow(() => !live.finished());
  const rows = createMemo(() => {
    const run = live.run();
    return run
      ? stepRows(
          run,
          live.artifacts().map((a) => a.name),
          now(),
        )
      : [];
  });
  const patch = () => live.artifacts().find((a) => a.name === 'patch.diff');
  const [diff] = createResource(
    () => patch() && `${patch()!.downloadUrl}#${patch()!.createdAt}`,
    () => artifactText(patch()!.downloadUrl),
  );
  const requiresToken = () =>
    services()?.find((s) => s.name === live.run()?.targetService)?.requiresToken ?? false;
  const notFound = () => {
    const e = live.error();
    return e instanceof ApiError && e.status === 404;
  };

  return (
    <section class="detail" data-testid="orchestrator-run">
      <Show
        when={!notFound()}
        fallback={
          <p class="form-error" role="alert" data-testid="run-not-found">
            No orchestrator run with this id.
          </p>
        }
      >
        <Show when={live.error() && !live.run()}>
          <p class="form-error" role="alert">
            Could not load the run: {errorMessage(live.error())}
          </p>
        </Show>
        <Show when={live.run()} fallback={<p class="muted">Loading…</p>}>
          {(run) => (
            <>
              <div class="card">
                <div class="page-head">
                  <h1 class="wrap">
                    {run().targetService} <RunStatusBadge status={run().status} />
                  </h1>
                  <A href="/tasks/orchestrator" class="muted">
                    All runs
                  </A>
                </div>
                <p class="wrap pre-line" data-testid="run-instruction">
                  {run().instruction}
                </p>
                <dl class="facts">
                  <dt>Priority</dt>
                  <dd>{run().priority}</dd>
                  <dt>Submitted</dt>
                  <dd>
                    {formatTime(run().createdAt)} by {run().submittedBy}
                  </dd>
                  <dt>Started</dt>
                  <dd>{formatTime(run().startedAt)}</dd>
                  <dt>Finished</dt>
                  <dd>{formatTime(run().finishedAt)}</dd>
                  <Show when={run().host}>
                    <dt>Host</dt>
                    <dd class="mono">{run().host}</dd>
                  </Show>
                  <Show when={run().retryOf}>
                    {(of) => (
                      <>
                        <dt>Retry of</dt>
                        <dd>
                          <A href={`/tasks/orchestrator/${of()}`} class="mono" data-testid="retry-of">
                            {of()}
                          </A>
                        </dd>
                      </>
                    )}
                  </Show>
                  <PublishFacts run={run()} />
                </dl>
                <Show when={run().waitingReason}>
                  <p class="chip chip-waiting" data-testid="waiting-reason">
                    waiting: {run().waitingReason}
                  </p>
                </Show>
                <Show when={run().rollbackReason}>
                  <p class="notice wrap" data-testid="rollback-reason">
                    <strong>Rolled back:</strong> {run().rollbackReason}
                  </p>
                </Show>
                <Show when={run().error}>
                  <p class="job-error wrap" role="status" data-testid="run-error">
                    {run().error}
                  </p>
                </Show>
                <RunControls run={run()} onChanged={live.refresh} />
              </div>
              <ApprovalBanner run={run()} requiresToken={requiresToken()} onApproved={live.refresh} />
              <div class="detail-grid">
                <PlanCard plan={run().plan} reused={!!run().retryOf} />
                <StepTimeline
                  rows={rows()}
                  artifacts={live.artifacts()}
                  events={live.feed.events()}
                  transport={live.feed.transport()}
                />
              </div>
              <DiffView
                diff={diff() ?? null}
                loading={!!patch() && diff.loading}
                reverted={run().status === 'rolled_back'}
              />
              <ArtifactsTable artifacts={live.artifacts()} />
            </>
          )}
        </Show>
        <p class="muted mono wrap">{props.runId}</p>
      </Show>
    </section>
  );
}

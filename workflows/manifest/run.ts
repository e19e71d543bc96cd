import {
  ApplicationFailure,
  CancellationScope,
  CancelledFailure,
  isCancellation,
  setHandler,
} from '@temporalio/workflow';
import type { RunState } from '../../contracts/controls.ts';
import type { ManifestRunInput, ManifestStage } from '../../contracts/manifest.ts';
import type { ManifestClaim, ManifestStageCounts } from '../../contracts/manifest-activities.ts';
import { failureMessage } from '../failures.ts';
import { controlSignal, controlVerdictQuery, stateQuery } from '../messages.ts';
import { manifestControl, manifestHost } from './activities.ts';
import { waitForManifestHost } from './routing.ts';
import { ManifestRun } from './state.ts';

/** What a manifest run returns: its state and the stage counts (the summary is `run_summary.json`). */
export interface ManifestRunResult {
  state: RunState;
  counts: ManifestStageCounts;
  durationsMs: Partial<Record<ManifestStage, number>>;
}

/**
 * One manifest run (shared/spec/07-manifests.md): routed to a host that claims `manifest` and the derived
 * capabilities, then validate → fetch → transform → embed → upsert on that host. `plan` and `dryRun` stop
 * after transform and write nothing (no store writes, no checkpoint). Checkpoints are saved only when the
 * whole run succeeded, so a cancelled or failed run leaves the next run's starting point as it was.
 */
export async function manifestRun(input: ManifestRunInput): Promise<ManifestRunResult> {
  const run = new ManifestRun(input);
  setHandler(controlSignal, (signal) => run.control(signal));
  setHandler(stateQuery, () => ({ ...run.state }));
  setHandler(controlVerdictQuery, (requestId) => run.verdict(requestId));
  CancellationScope.current().cancelRequested.catch(() => run.cancelledFromTemporal());
  run.events.emit('run.submitted', `manifest ${input.job.action} of ${input.job.name} submitted`, {
    manifest: input.job.name,
    action: input.job.action,
  });

  const durationsMs: Partial<Record<ManifestStage, number>> = {};
  const counts: ManifestStageCounts = {};
  const writesNothing =
    input.job.action === 'plan' || input.job.options.dryRun === true || input.job.manifest.run.dryRun;
  let claim: ManifestClaim | null = null;
  let error: string | null = null;
  try {
    await run.work.run(async () => {
      claim = await waitForManifestHost(run);
      run.tracker.enter('running', { host: claim.hostId, attempt: 1 });
      await manifestControl.recordManifestRun({
        name: input.job.name,
        jobId: input.jobId,
        status: 'running',
        startedAt: run.state.startedAt,
      });
      const host = (stage: string) => manifestHost((claim as ManifestClaim).hostQueue, stage);
      const { jobId } = input;
      const add = (r: { counts: ManifestStageCounts }) => Object.assign(counts, r.counts);
      add(await run.stage('validate', durationsMs, () => host('validate').manifestValidate({ jobId })));
      const checkpoints = await manifestControl.loadManifestCheckpoints({
        manifestName: input.job.name,
        dataSourceIds: input.job.manifest.dataSources.map((s) => s.id),
      });
      add(await run.stage('fetch', durationsMs, () => host('fetch').manifestFetch({ jobId, checkpoints })));
      add(await run.stage('transform', durationsMs, () => host('transform').manifestTransform({ jobId })));
      if (writesNothing) return;
      add(await run.stage('embed', durationsMs, () => host('embed').manifestEmbed({ jobId })));
      const upserted = await run.stage('upsert', durationsMs, () => host('upsert').manifestUpsert({ jobId }));
      add(upserted);
      await manifestControl.saveManifestCheckpoints({
        manifestName: input.job.name,
        jobId,
        checkpoints: upserted.checkpoints,
      });
    });
  } catch (err) {
    error = isCancellation(err) && run.cancelledBy ? `cancelled by ${run.cancelledBy}` : failureMessage(err);
  }

  const status = error === null ? 'succeeded' : run.cancelledBy ? 'cancelled' : 'failed';
  await CancellationScope.nonCancellable(async () => {
    if (claim) {
      await manifestHost((claim as ManifestClaim).hostQueue, 'finish')
        .finishManifest({ jobId: input.jobId })
        .catch(() => {
          // The host is gone: its workspace sweep removes what is left.
        });
    }
    run.tracker.enter(status, { waitingReason: null, error, stage: null });
    await manifestControl
      .recordManifestRun({
        name: input.job.name,
        jobId: input.jobId,
        status,
        startedAt: run.state.startedAt,
        finishedAt: run.state.finishedAt,
      })
      .catch(() => {
        // The registry's last-run columns are a convenience; the run's own record is the job.
      });
    run.events.emit(
      'run.finished',
      `run ${status}${error ? `: ${error}` : ''}`,
      { status, ...counts },
      status === 'failed' ? 'error' : 'info',
    );
    await run.events.close();
  });
  const result: ManifestRunResult = { state: { ...run.state }, counts, durationsMs };
  // Only a Temporal cancellation can end as Canceled there (a workflow may not cancel itself): a cancel
  // signal ends the run failed with type `cancelled`; the product status says cancelled either way.
  if (run.cancelledBy === 'temporal') throw new CancelledFailure(error ?? 'cancelled');
  if (status !== 'succeeded')
    throw ApplicationFailure.create({
      message: error ?? 'failed',
      type: status,
      nonRetryable: true,
      details: [result],
    });
  return result;
}

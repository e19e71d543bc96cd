import { setCurrentDetails, upsertSearchAttributes } from '@temporalio/workflow';
import type { RunState } from '../contracts/controls.ts';
import { searchAttributes } from '../contracts/search-attributes.ts';
import type { JobStatus } from '../contracts/status.ts';
import { ListMemoSync } from './list-memo.ts';

/** Where the run is, apart from a pause (which overlays `awaiting_action` on a non-final phase). */
type Phase = 'queued' | 'running' | 'succeeded' | 'failed' | 'cancelled' | 'dead_letter';
const finalPhases: Phase[] = ['succeeded', 'failed', 'cancelled', 'dead_letter'];

/**
 * The run's live state, answered by the `state` query. Every change goes through `set`/`enter`, which keep
 * the MoonMindStatus search attribute and the Web UI's current details in step with it.
 */
export class RunTracker {
  readonly state: RunState;
  private phase: Phase = 'queued';
  // The start options set MoonMindStatus=queued, so only later changes are upserted.
  private indexedStatus: JobStatus = 'queued';
  private readonly listMemo: ListMemoSync;

  constructor(maxAttempts: number) {
    this.state = {
      status: 'queued',
      stage: null,
      stepIndex: null,
      stepCount: null,
      stepId: null,
      stepTitle: null,
      attempt: 0,
      maxAttempts,
      host: null,
      paused: false,
      pauseMode: null,
      pausing: false,
      cancelRequestedAt: null,
      waitingReason: null,
      startedAt: null,
      finishedAt: null,
      takeoverRequested: false,
      pendingMessages: 0,
      branch: null,
      prUrl: null,
      error: null,
    };
    this.listMemo = new ListMemoSync(this.state);
    this.sync();
  }

  get finished(): boolean {
    return finalPhases.includes(this.phase);
  }

  get queued(): boolean {
    return this.phase === 'queued';
  }

  set(patch: Partial<Omit<RunState, 'status'>>): void {
    Object.assign(this.state, patch);
    this.sync();
  }

  enter(phase: Phase, patch: Partial<Omit<RunState, 'status'>> = {}): void {
    const now = new Date().toISOString();
    this.phase = phase;
    if (phase === 'running' && !this.state.startedAt) this.state.startedAt = now;
    if (finalPhases.includes(phase)) {
      Object.assign(this.state, {
        finishedAt: now,
        paused: false,
        pauseMode: null,
        pausing: false,
        takeoverRequested: false,
      });
    }
    this.set(phase === 'running' ? { waitingReason: null, ...patch } : patch);
  }

  private sync(): void {
    // A pending soft pause is not a pause yet: the agent is still working.
    const paused = this.state.paused && !this.state.pausing;
    const status: JobStatus = this.finished ? this.phase : paused ? 'awaiting_action' : this.phase;
    this.state.status = status;
    if (status !== this.indexedStatus) {
      upsertSearchAttributes([{ key: searchAttributes.status, value: status }]);
      this.indexedStatus = status;
    }
    setCurrentDetails(describe(this.state));
    this.listMemo.sync(this.state);
  }
}

/** Short Markdown for the Temporal Web UI's "current details". */
function describe(s: RunState): string {
  const lines = [
    `**${s.status}** · attempt ${s.attempt}/${s.maxAttempts}${s.host ? ` · host \`${s.host}\`` : ''}`,
  ];
  if (s.stepIndex !== null && s.stepCount !== null) {
    lines.push(`step ${s.stepIndex + 1}/${s.stepCount}: ${s.stepTitle ?? s.stepId}`);
  } else if (s.stage) lines.push(`stage: ${s.stage}`);
  if (s.waitingReason) lines.push(`waiting: ${s.waitingReason}`);
  if (s.pausing) lines.push(`pausing after this step${s.takeoverRequested ? ', takeover requested' : ''}`);
  else if (s.paused)
    lines.push(`paused (${s.pauseMode})${s.takeoverRequested ? ', takeover requested' : ''}`);
  if (s.cancelRequestedAt && !s.finishedAt) lines.push(`cancel requested at ${s.cancelRequestedAt}`);
  if (s.prUrl) lines.push(`PR: ${s.prUrl}`);
  if (s.error) lines.push(`error: ${s.error}`);
  return lines.join('\n\n');
}

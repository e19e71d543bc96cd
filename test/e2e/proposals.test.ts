import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createGitRemote, type GitRemote } from '../support/git.ts';
import { listEvents, submitJob, waitForStatus } from '../support/jobs.ts';
import { type Stack, startStack } from '../support/stack.ts';

describe('proposals written by a run (real Temporal, PostgreSQL, git, the fake agent)', () => {
  let stack: Stack;
  let remote: GitRemote;
  beforeAll(async () => {
    remote = await createGitRemote(['octo/followups']);
    stack = await startStack({
      workers: [
        { pool: 'proposals', capabilities: ['codex', 'git'], env: { MOONMIND_GIT_BASE_URL: remote.baseUrl } },
      ],
    });
  });
  afterAll(() => stack?.stop());

  it('submits the two proposals the agent wrote, linked to the run and its branch, and never commits the file', async () => {
    const job = await submitJob(stack, {
      repository: 'octo/followups',
      task: { instructions: 'Fix the parser FAKE_PROPOSALS=2', publish: { mode: 'branch' } },
    });
    const done = await waitForStatus(stack, job.id, ['succeeded', 'failed', 'dead_letter']);
    expect(done.status).toBe('succeeded');

    const events = await listEvents(stack, job.id);
    const submitted = events.find((e) => e.type === 'task.proposals.submitted');
    const branch = done.branch as string;
    expect(submitted?.payload).toMatchObject({ ids: [expect.any(String), expect.any(String)], branch });
    const ids = submitted?.payload.ids as string[];

    const list = await (
      await stack.api('/api/proposals?originSource=queue&repository=octo/followups')
    ).json();
    expect(list.items.map((p: { id: string }) => p.id).sort()).toEqual([...ids].sort());
    for (const id of ids) {
      const p = await (await stack.api(`/api/proposals/${id}`)).json();
      expect(p).toMatchObject({
        status: 'open',
        category: 'tests',
        tags: ['fake', 'follow-up'],
        repository: 'octo/followups',
        origin: { source: 'queue', id: job.id, metadata: { branch, attempt: 1 } },
        preview: { repository: 'octo/followups' },
      });
      expect(p.proposedByWorkerId).toEqual(expect.any(String));
      expect(p.taskCreateRequest.payload.task.git).toEqual({ startingBranch: branch });
    }
    // The run's work was pushed; the proposals file was not.
    expect(await remote.branchFile('octo/followups', branch, 'AGENT_NOTES.md')).toContain('STEP');
    expect(await remote.branchFile('octo/followups', branch, '.moonmind/proposals.json')).toBeNull();

    // Promoting one starts a job from the run's branch, linked back to the proposal.
    const promoted = await stack.api(`/api/proposals/${ids[0]}/promote`, { method: 'POST', json: {} });
    expect(promoted.status).toBe(201);
    const { jobId } = await promoted.json();
    const next = await waitForStatus(stack, jobId, ['succeeded', 'failed', 'dead_letter']);
    expect(next.status).toBe('succeeded');
    const linked = (await listEvents(stack, jobId)).find((e) => e.type === 'proposal.promoted');
    expect(linked?.payload).toMatchObject({ proposalId: ids[0] });
  });
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FakeGitHub, startFakeGitHub } from '../fakes/fake-github.ts';
import { createGitRemote, type GitRemote } from '../support/git.ts';
import { downloadArtifact, listEvents, submitJob, waitForStatus } from '../support/jobs.ts';
import { type Stack, startStack } from '../support/stack.ts';

describe('publish mode pr against a (fake) GitHub API', () => {
  let stack: Stack;
  let remote: GitRemote;
  let github: FakeGitHub;
  beforeAll(async () => {
    remote = await createGitRemote(['octo/web']);
    github = await startFakeGitHub();
    stack = await startStack({
      workers: [
        {
          pool: 'pr',
          capabilities: ['claude', 'git', 'gh'],
          env: {
            MOONMIND_GIT_BASE_URL: remote.baseUrl,
            MOONMIND_GITHUB_API_URL: github.url,
            MOONMIND_GIT_TOKEN: 'fake-forge-token-123',
          },
        },
      ],
    });
  });
  afterAll(async () => {
    await stack?.stop();
    await github?.close();
  });

  it('opens one PR with base, head, title and the metadata footer, even when publish is retried', async () => {
    github.loseNextCreateResponse();
    const job = await submitJob(stack, {
      repository: 'octo/web',
      targetRuntime: 'claude',
      task: {
        instructions: 'Fix the header layout on small screens.\nDetails follow.',
        steps: [{ title: 'Fix header layout', instructions: 'Do it' }],
      },
    });
    const done = await waitForStatus(stack, job.id, ['succeeded', 'failed', 'dead_letter']);
    expect(done.status).toBe('succeeded');

    const creates = github.requests.filter((r) => r.method === 'POST');
    expect(creates.length).toBe(1);
    // The lost response made publish retry: it looked the PR up again instead of creating another.
    expect(github.requests.filter((r) => r.method === 'GET').length).toBeGreaterThanOrEqual(2);
    expect(github.pulls).toHaveLength(1);
    const pr = github.pulls[0];
    expect(pr.base).toBe('main');
    expect(pr.head).toBe(done.branch);
    expect(pr.title).toContain('Fix header layout');
    expect(pr.title.length).toBeLessThanOrEqual(90);
    expect(pr.title).not.toContain(job.id);
    expect(pr.body).toContain('<!-- moonmind:begin -->');
    expect(pr.body).toContain(`MoonMind Job: ${job.id}`);
    expect(pr.body).toContain('Runtime: claude');
    expect(pr.body).toContain('Base: main');
    expect(pr.body).toContain(`Head: ${done.branch}`);
    expect(pr.body).not.toContain('fake-forge-token');
    expect(creates[0].authorization).toContain('fake-forge-token-123');

    expect(done.prUrl).toBe(pr.html_url);
    expect(done.attempt).toBe(1);
    expect(await remote.branchFile('octo/web', done.branch!, 'AGENT_NOTES.md')).toContain(
      'Fix header layout',
    );
    const events = await listEvents(stack, job.id);
    expect(events.find((e) => e.type === 'task.publish.pr')?.payload).toMatchObject({ url: pr.html_url });
    expect(JSON.parse(await downloadArtifact(stack, job.id, 'publish_result.json'))).toMatchObject({
      prUrl: pr.html_url,
    });
    for (const e of events) expect(JSON.stringify(e)).not.toContain('fake-forge-token-123');
  });
});

import { afterAll, describe, expect, it } from 'vitest';
import { startTestApi, type TestApi } from './harness.ts';

const submit = (t: TestApi, repository: string) =>
  t.call('/api/queue/jobs', {
    method: 'POST',
    as: 'operator',
    json: {
      type: 'task',
      payload: { repository, task: { instructions: 'Tidy up', publish: { mode: 'none' } } },
    },
  });

describe('the default forge must not be an internal address unless listed', () => {
  const apis: TestApi[] = [];
  afterAll(() => Promise.all(apis.map((t) => t.close())));

  it('refuses owner/repo when the default forge resolves to loopback, and accepts it once the host is listed', async () => {
    const unlisted = await startTestApi({ MOONMIND_GIT_BASE_URL: 'https://localhost:9' });
    apis.push(unlisted);
    const res = await submit(unlisted, 'acme/widgets');
    expect(res.status).toBe(400);
    const body = await res.json();
    expect(body.error.issues).toEqual([
      { path: 'payload.repository', message: expect.stringContaining('resolves to an internal address') },
    ]);

    const listed = await startTestApi({
      MOONMIND_GIT_BASE_URL: 'https://localhost:9',
      MOONMIND_GIT_HOSTS: 'localhost:9',
    });
    apis.push(listed);
    const ok = await submit(listed, 'https://localhost:9/acme/widgets.git');
    expect(ok.status).toBe(201);
    expect((await ok.json()).repository).toBe('acme/widgets');
  });
});

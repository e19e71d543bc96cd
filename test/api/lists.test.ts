import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { envelope, startQueuedRun, startTestApi, type TestApi, until } from './harness.ts';

let t: TestApi;
beforeAll(async () => {
  t = await startTestApi();
});
afterAll(async () => {
  await t?.close();
});

interface Item {
  id: string;
  status: string;
  title: string;
  repository: string;
  waitingReason: string | null;
  finishedAt: string | null;
}
const list = async (query: string) => {
  const res = await t.call(`/api/queue/jobs?${query}`, { as: 'viewer' });
  expect(res.status).toBe(200);
  return (await res.json()) as { items: Item[]; nextCursor: string | null };
};
const submit = async (repository: string, instructions: string) => {
  const json = envelope(repository);
  json.payload.task.instructions = instructions;
  const res = await t.call('/api/queue/jobs', { method: 'POST', as: 'operator', json });
  expect(res.status).toBe(201);
  return (await res.json()).id as string;
};
const cancel = async (id: string) => {
  await t.call(`/api/queue/jobs/${id}/cancel`, { method: 'POST', as: 'operator', json: {} });
  await until('cancelled', async () => (await detail(id)) === 'cancelled');
};
const detail = async (id: string) =>
  ((await (await t.call(`/api/queue/jobs/${id}`, { as: 'viewer' })).json()) as Item).status;

describe('job lists', () => {
  test('newest first whether finished or not; active-first pins open runs, paging across both', async () => {
    const repo = `lists-${crypto.randomUUID().slice(0, 8)}/order`;
    const open = await submit(repo, 'Older open run');
    const done = await submit(repo, 'Newer finished run');
    await cancel(done);
    const newest = await until('both listed', async () => {
      const page = await list(`repository=${repo}`);
      return page.items.length === 2 && page.items[0].status === 'cancelled' ? page : null;
    });
    expect(newest.items.map((i) => i.id)).toEqual([done, open]);

    const first = await list(`repository=${repo}&order=active-first&limit=1`);
    expect(first.items.map((i) => i.id)).toEqual([open]);
    const second = await list(
      `repository=${repo}&order=active-first&limit=1&cursor=${encodeURIComponent(first.nextCursor!)}`,
    );
    expect(second.items.map((i) => i.id)).toEqual([done]);
    // Open runs alone page in Temporal's own order (newest first for them), cursor and all.
    const another = await submit(repo, 'Newest open run');
    const queued = await until('both open runs', async () => {
      const page = await list('status=queued&limit=200');
      const ids = page.items.map((i) => i.id);
      return ids.includes(open) && ids.includes(another) ? ids : null;
    });
    expect(queued.indexOf(another)).toBeLessThan(queued.indexOf(open));
    const one = await list('status=queued&limit=1');
    expect(one.nextCursor).toEqual(expect.any(String));
    const next = await list(`status=queued&limit=1&cursor=${encodeURIComponent(one.nextCursor!)}`);
    expect(next.items).toHaveLength(1);
    expect(next.items[0].id).not.toBe(one.items[0].id);
    // A cursor belongs to its filters.
    const other = await t.call(`/api/queue/jobs?limit=1&cursor=${encodeURIComponent(first.nextCursor!)}`, {
      as: 'viewer',
    });
    expect(other.status).toBe(400);
  });

  test('search matches a part of the title or the repository, in any case; counts follow the filters', async () => {
    const tag = crypto.randomUUID().slice(0, 8);
    const a = await submit(`acme/search-${tag}-api`, `Fix the Parser ${tag}`);
    const b = await submit(`acme/search-${tag}-web`, 'Polish the dashboard');
    await cancel(b);
    const byTitle = await list(`q=${encodeURIComponent(`parser ${tag.toUpperCase()}`)}`);
    expect(byTitle.items.map((i) => i.id)).toEqual([a]);
    const byRepo = await list(`q=${tag}`);
    expect(byRepo.items.map((i) => i.id)).toEqual([b, a]);
    const repoPart = await list(`repository=${tag}-WEB`);
    expect(repoPart.items.map((i) => i.id)).toEqual([b]);
    expect((await list(`q=${tag}&status=queued`)).items.map((i) => i.id)).toEqual([a]);
    const nul = await t.call('/api/queue/jobs?q=a%00b', { as: 'viewer' });
    expect(nul.status).toBe(400);
    expect((await nul.json()).error.issues).toEqual([{ path: 'q', message: 'must not contain NUL' }]);
    // Wildcards are literal text.
    expect((await list(`q=${encodeURIComponent(`${tag}%`)}`)).items).toEqual([]);

    const counts = await until('counts', async () => {
      const res = await (await t.call(`/api/queue/counts?q=${tag}`, { as: 'viewer' })).json();
      return res.counts.cancelled === 1 ? res.counts : null;
    });
    expect(counts).toEqual({
      queued: 1,
      running: 0,
      awaiting_action: 0,
      succeeded: 0,
      failed: 0,
      cancelled: 1,
      dead_letter: 0,
    });
  });

  test('a queued run lists its waiting reason; a run started on Temporal directly is listed too', async () => {
    const repo = `lists-${crypto.randomUUID().slice(0, 8)}/direct`;
    const id = await startQueuedRun(t, repo);
    const item = await until('listed with its reason', async () => {
      const page = await list(`repository=${repo}`);
      return page.items[0]?.waitingReason ? page.items[0] : null;
    });
    expect(item).toMatchObject({ id, status: 'queued' });
    expect(item.waitingReason).toBe(
      `no worker pool is registered for task jobs on ${repo} (needs codex+git)`,
    );
  });
});

import { randomUUID } from 'node:crypto';
import { proposalCategories, proposalDedupKey, proposalStatuses } from '../contracts/proposals.ts';
import { startStack } from '../test/support/stack.ts';
import { fmt, percentile, type startBenchServices } from './services.ts';

type Services = Awaited<ReturnType<typeof startBenchServices>>;
const INBOX = 10_000;
const repos = Array.from({ length: 20 }, (_, i) => `acme/repo-${i}`);
const words = ['parser', 'cache', 'session', 'retry', 'docs', 'tests', 'auth', 'metrics', 'queue', 'cli'];

/**
 * Proposal costs through the API with 10,000 proposals stored: the inbox list with each filter, and a
 * promotion (validation, the compare-and-set, the job start on Temporal, the link event).
 */
export async function benchProposals(services: Services): Promise<Record<string, string>> {
  const results: Record<string, string> = {};
  const stack = await startStack({ services: services.servicesFor('bench') });
  try {
    const sql = stack.db.sql;
    const t0 = performance.now();
    const rows = Array.from({ length: INBOX }, (_, n) => {
      const repository = repos[n % repos.length];
      const title = `Improve ${words[n % 10]} ${words[(n >> 3) % 10]} handling #${n}`;
      return {
        id: randomUUID(),
        status: n % 10 < 6 ? 'open' : proposalStatuses[(n % 4) + 1],
        title,
        summary: `While running job ${n} the agent noticed the ${words[(n >> 2) % 10]} code lacks coverage.`,
        category: proposalCategories[n % proposalCategories.length],
        tags: [words[n % 10], words[(n >> 4) % 10]],
        repository,
        origin: { source: n % 3 ? 'queue' : 'manual', id: null, metadata: {} },
        task_create_request: {
          type: 'task',
          payload: {
            repository,
            task: { instructions: `Add tests for ${title}`, publish: { mode: 'none' } },
          },
        },
        priority: n % 7,
        snoozed_until: n % 50 === 0 ? new Date(Date.now() + 86_400_000) : null,
        dedup_key: proposalDedupKey(repository, title),
      };
    });
    for (let i = 0; i < rows.length; i += 1000)
      await sql`INSERT INTO proposals ${sql(rows.slice(i, i + 1000) as never)}`;
    await sql`ANALYZE proposals`;
    results[`inbox: ${INBOX} proposals inserted in`] = fmt(performance.now() - t0);

    let worst = 0;
    const measure = async (label: string, query: string) => {
      const times: number[] = [];
      let count = 0;
      for (let i = 0; i < 220; i++) {
        const t = performance.now();
        const body = (await (await stack.api(`/api/proposals${query}`)).json()) as { items: unknown[] };
        if (i >= 20) times.push(performance.now() - t);
        count = body.items.length;
      }
      worst = Math.max(worst, percentile(times, 95));
      results[`list ${label} (${count} on the page) p50 / p95`] =
        `${fmt(percentile(times, 50))} / ${fmt(percentile(times, 95))}`;
    };
    await measure('open, first page of 50', '?status=open');
    await measure('all, a page of 200', '?limit=200');
    await measure('by repository', '?status=open&repository=acme/repo-3');
    await measure('by category + origin', '?category=security&originSource=queue');
    await measure('by tag', '?tag=cache');
    await measure('text search', '?q=session');
    await measure('with snoozed', '?status=open&includeSnoozed=true');
    const page1 = (await (await stack.api('/api/proposals?status=open')).json()) as { nextCursor: string };
    await measure('second page (cursor)', `?status=open&cursor=${page1.nextCursor}`);
    results['list target: p95 ≤ 50 ms'] =
      worst <= 50 ? `met (worst p95 ${fmt(worst)})` : `MISSED (${fmt(worst)})`;

    const open = await sql<{ id: string }[]>`SELECT id FROM proposals WHERE status = 'open' LIMIT 120`;
    const promote = async (id: string) => {
      const t = performance.now();
      const res = await stack.api(`/api/proposals/${id}/promote`, { method: 'POST', json: {} });
      await res.arrayBuffer();
      if (res.status !== 201) throw new Error(`promote answered ${res.status}`);
      return performance.now() - t;
    };
    for (const { id } of open.slice(0, 20)) await promote(id);
    const times: number[] = [];
    for (const { id } of open.slice(20)) times.push(await promote(id));
    const p95 = percentile(times, 95);
    results['promote (new job) p50 / p95 (target p95 ≤ 150 ms)'] =
      `${fmt(percentile(times, 50))} / ${fmt(p95)}`;
    const again: number[] = [];
    for (const { id } of open.slice(20, 120)) {
      const t = performance.now();
      await (await stack.api(`/api/proposals/${id}/promote`, { method: 'POST', json: {} })).arrayBuffer();
      again.push(performance.now() - t);
    }
    results['promote again (the same job) p50 / p95'] =
      `${fmt(percentile(again, 50))} / ${fmt(percentile(again, 95))}`;
    if (p95 > 150) results.WARNING = 'promote p95 over its 150 ms target';
  } finally {
    await stack.stop();
  }
  return results;
}

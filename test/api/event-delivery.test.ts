import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WorkerApiClient } from '../../activities/reporting/api-client.ts';
import { EventReporter } from '../../activities/reporting/event-reporter.ts';
import type { JobEvent } from '../../contracts/events.ts';
import { startQueuedRun, startTestApi, type TestApi } from './harness.ts';

let t: TestApi;
beforeAll(async () => {
  t = await startTestApi();
});
afterAll(() => t?.close());

const newJob = () => startQueuedRun(t, 'acme/delivery');
const stored = async (jobId: string): Promise<JobEvent[]> =>
  (await (await t.call(`/api/queue/jobs/${jobId}/events?limit=1000`, { as: 'viewer' })).json()).items;

describe('no event is ever dropped silently (worker reporter → real API → PostgreSQL)', () => {
  it('stores NUL, lone surrogates, ANSI escapes and 1 MB of output; a refused event is set aside with the reason', async () => {
    const jobId = await newJob();
    const drops: string[] = [];
    const reporter = new EventReporter({
      client: new WorkerApiClient(t.url, t.tokens.workerIn),
      jobId,
      producer: `host:${jobId}:1`,
      onDrop: (err, n) => drops.push(`${n}: ${err.message}`),
    });
    const lines = [
      'before',
      'nul \u0000 inside',
      'lone high \uD800 and low \uDC00 surrogates',
      '\u001b[31mred\u001b[0m ansi',
      // The reporter splits requests under the API's 1 MB body limit.
      ...Array.from({ length: 64 }, (_, i) => `${i}:${'é'.repeat(16_000)}`),
      'after',
    ];
    lines.forEach((message, i) => {
      reporter.emit({ type: 'log', message, payload: { i } });
      // One event the API's contract refuses (a type over 100 characters): only it may be set aside.
      if (i === 2) reporter.emit({ type: `x${'y'.repeat(150)}`, message: 'refused', payload: {} });
    });
    expect(await reporter.flush(60_000)).toBe(true);
    await reporter.close();

    const events = (await stored(jobId)).filter((e) => e.type === 'log' || e.type === 'event.rejected');
    expect(events.filter((e) => e.type === 'log').map((e) => e.payload.i)).toEqual(lines.map((_, i) => i));
    const byIndex = new Map(events.filter((e) => e.type === 'log').map((e) => [e.payload.i as number, e]));
    expect(byIndex.get(1)?.message).toBe('nul \uFFFD inside');
    expect(byIndex.get(1)?.payload.replacedCharacters).toBe(1);
    expect(byIndex.get(2)?.message).toBe('lone high \uFFFD and low \uFFFD surrogates');
    expect(byIndex.get(3)?.message).toBe('\u001b[31mred\u001b[0m ansi');
    expect(byIndex.get(4 + 63)?.message).toBe(lines[4 + 63]);
    const rejected = events.filter((e) => e.type === 'event.rejected');
    expect(rejected).toHaveLength(1);
    expect(rejected[0]).toMatchObject({ level: 'warn', payload: { status: 400 } });
    expect(rejected[0].message).toMatch(/refused by the API and set aside: .*HTTP 400/);
    // In place: right after the event it followed.
    const order = events.map((e) => (e.type === 'log' ? e.payload.i : 'rejected'));
    expect(order.slice(0, 5)).toEqual([0, 1, 2, 'rejected', 3]);
    expect(drops).toHaveLength(1);
  });
});

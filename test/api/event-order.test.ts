import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { JobEvent } from '../../contracts/events.ts';
import { startQueuedRun, startTestApi, type TestApi } from './harness.ts';
import { openSse } from './sse-client.ts';

const PRODUCERS = 8;
const PER_PRODUCER = 1_000;
const TOTAL = PRODUCERS * PER_PRODUCER;

let t: TestApi;
beforeAll(async () => {
  t = await startTestApi({}, { sseHeartbeatMs: 500 });
  // A random pause inside every producer's transaction, after the row is numbered and before it commits:
  // with ids handed out before commit, a reader following `id > cursor` would skip late committers.
  await t.db.sql.unsafe(`
    CREATE FUNCTION test_jitter() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN PERFORM pg_sleep(random() * 0.001); RETURN NEW; END $$;
    CREATE TRIGGER test_jitter BEFORE INSERT ON job_events FOR EACH ROW WHEN (NEW.type = 'test.order')
      EXECUTE FUNCTION test_jitter();`);
});
afterAll(() => t?.close());

const newJob = () => startQueuedRun(t, 'acme/order');

/** One producer: its 1,000 events in batches of random size, sent one after another. */
async function produce(jobId: string, producer: number) {
  let seq = 0;
  while (seq < PER_PRODUCER) {
    const size = Math.min(PER_PRODUCER - seq, 1 + Math.floor(Math.random() * 40));
    const events = Array.from({ length: size }, () => {
      seq += 1;
      return { seq, type: 'test.order', message: `p${producer}#${seq}`, payload: {} };
    });
    const res = await t.call(`/api/worker/jobs/${jobId}/events`, {
      method: 'POST',
      as: 'workerIn',
      json: { producer: `producer-${producer}`, events },
    });
    if (res.status !== 202) throw new Error(`producer ${producer}: ${res.status} ${await res.text()}`);
  }
}

const mine = (events: JobEvent[]) => events.filter((e) => e.type === 'test.order').map((e) => e.message);
const auth = () => ({ authorization: `Bearer ${t.tokens.viewer}` });

describe('events are never skipped, whatever order producers commit in', () => {
  it('8 concurrent producers × 1,000 events: SSE, polling and a reconnecting SSE reader each see all 8,000 once', async () => {
    const jobId = await newJob();
    const streamUrl = `${t.url}/api/queue/jobs/${jobId}/events/stream`;

    const sse = await openSse(streamUrl, auth());

    const polled: JobEvent[] = [];
    let polling = true;
    const poller = (async () => {
      let cursor = 0;
      while (polling || mine(polled).length < TOTAL) {
        const res = await t.call(`/api/queue/jobs/${jobId}/events?afterEventId=${cursor}&limit=1000`, {
          as: 'viewer',
        });
        const { items } = (await res.json()) as { items: JobEvent[] };
        polled.push(...items);
        if (items.length) cursor = items[items.length - 1].id;
        else await new Promise((r) => setTimeout(r, 20));
        if (!polling && items.length === 0 && mine(polled).length >= TOTAL) break;
      }
    })();

    const resumed: JobEvent[] = [];
    const reconnecting = (async () => {
      let lastId = 0;
      while (mine(resumed).length < TOTAL) {
        const stream = await openSse(streamUrl, { ...auth(), 'last-event-id': String(lastId) });
        const target = resumed.length + 200;
        try {
          await stream.waitFor(200, 3_000).catch(() => stream.events);
        } finally {
          stream.close();
        }
        const got = stream.events.slice(0, Math.max(0, target - resumed.length));
        resumed.push(...got);
        if (got.length) lastId = got[got.length - 1].id;
      }
    })();

    await Promise.all(Array.from({ length: PRODUCERS }, (_, p) => produce(jobId, p)));
    polling = false;
    await sse.waitFor(TOTAL, 120_000).catch(() => sse.events);
    await poller;
    await reconnecting;
    sse.close();

    const expected = new Set(
      Array.from({ length: PRODUCERS }, (_, p) =>
        Array.from({ length: PER_PRODUCER }, (_, i) => `p${p}#${i + 1}`),
      ).flat(),
    );
    for (const [name, events] of [
      ['SSE', sse.events],
      ['polling', polled],
      ['reconnecting SSE', resumed],
    ] as const) {
      const seen = mine(events);
      expect(seen.length, name).toBe(TOTAL);
      expect(new Set(seen).size, `${name}: no event twice`).toBe(TOTAL);
      expect(
        seen.every((m) => expected.has(m)),
        name,
      ).toBe(true);
      const ids = events.map((e) => e.id);
      expect(ids, `${name}: one order`).toEqual([...ids].sort((a, b) => a - b));
      // Each producer's own events stay in the order it sent them.
      for (let p = 0; p < PRODUCERS; p++) {
        const own = seen.filter((m) => m.startsWith(`p${p}#`)).map((m) => Number(m.split('#')[1]));
        expect(own, `${name}: producer ${p} in order`).toEqual([...own].sort((a, b) => a - b));
      }
    }
  }, 240_000);
});

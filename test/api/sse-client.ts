import type { JobEvent } from '../../contracts/events.ts';

export interface SseStream {
  status: number;
  events: JobEvent[];
  pings: number;
  /** Resolves with the `end` event's data when the server ends the stream, or null if it just closed. */
  ended: Promise<{ status: string } | null>;
  /** Wait until at least `n` events arrived. */
  waitFor(n: number, ms?: number): Promise<JobEvent[]>;
  close(): void;
}

/** A small Server-Sent Events reader over fetch, as a browser's EventSource would see the stream. */
export async function openSse(url: string, headers: Record<string, string>): Promise<SseStream> {
  const controller = new AbortController();
  const res = await fetch(url, {
    headers: { accept: 'text/event-stream', ...headers },
    signal: controller.signal,
  });
  const stream: SseStream = {
    status: res.status,
    events: [],
    pings: 0,
    ended: Promise.resolve(null),
    async waitFor(n, ms = 10_000) {
      const deadline = Date.now() + ms;
      while (stream.events.length < n) {
        if (Date.now() > deadline) throw new Error(`got ${stream.events.length} of ${n} events`);
        await new Promise((r) => setTimeout(r, 25));
      }
      return stream.events;
    },
    close: () => controller.abort(),
  };
  stream.ended = (async () => {
    if (!res.body) return null;
    const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
    let buffer = '';
    for (;;) {
      const chunk = await reader.read().catch(() => ({ done: true, value: undefined }));
      if (chunk.done) return null;
      buffer += chunk.value;
      let cut = buffer.indexOf('\n\n');
      while (cut >= 0) {
        const block = buffer.slice(0, cut);
        buffer = buffer.slice(cut + 2);
        cut = buffer.indexOf('\n\n');
        const fields: Record<string, string> = {};
        for (const line of block.split('\n')) {
          if (line.startsWith(':')) {
            if (line.includes('ping')) stream.pings++;
            continue;
          }
          const i = line.indexOf(':');
          fields[line.slice(0, i)] = line.slice(i + 1).trimStart();
        }
        if (fields.event === 'job_event') {
          const event = JSON.parse(fields.data) as JobEvent;
          if (String(event.id) !== fields.id) throw new Error('SSE id does not match the event id');
          stream.events.push(event);
        } else if (fields.event === 'end') {
          return JSON.parse(fields.data) as { status: string };
        }
      }
    }
  })();
  return stream;
}

import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { MAX_HEADER_BYTES } from '../../api/client-errors.ts';
import { JSON_MAX_DEPTH } from '../../api/middleware/json-body.ts';
import { envelope, startTestApi, type TestApi } from './harness.ts';

let t: TestApi;
beforeAll(async () => {
  t = await startTestApi();
});
afterAll(async () => {
  await t?.close();
});

/** A request fetch refuses to send (TRACE, QUERY, PROPFIND): status, headers and parsed body. */
function raw(method: string, pathname: string) {
  return new Promise<{ status: number; headers: Record<string, unknown>; body: unknown }>(
    (resolve, reject) => {
      const req = request(`${t.url}${pathname}`, { method }, (res) => {
        let text = '';
        res.on('data', (c) => {
          text += c;
        });
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, headers: res.headers, body: JSON.parse(text) }),
        );
      });
      req.on('error', reject);
      req.end();
    },
  );
}

const postJson = (text: string) =>
  t.call('/api/queue/jobs', {
    method: 'POST',
    as: 'operator',
    headers: { 'content-type': 'application/json' },
    body: text,
  });

describe('JSON bodies', () => {
  test('a body nested 10,000 levels deep is a 400 naming the depth limit', async () => {
    const res = await postJson(`${'['.repeat(10_000)}${']'.repeat(10_000)}`);
    expect(res.status).toBe(400);
    const { error } = await res.json();
    expect(error.code).toBe('validation_failed');
    expect(error.message).toContain(`at most ${JSON_MAX_DEPTH} levels`);
  });

  test('nesting up to the limit passes the parser; brackets inside strings do not count', async () => {
    const deep = (n: number) => `${'{"a":'.repeat(n - 1)}{}${'}'.repeat(n - 1)}`;
    const atLimit = await postJson(
      JSON.stringify({ ...envelope(), nested: JSON.parse(deep(JSON_MAX_DEPTH - 1)) }),
    );
    // The envelope refuses the unknown field or accepts it, but the parser let it through.
    expect((await atLimit.json()).error?.message ?? '').not.toContain('levels');
    const overLimit = await postJson(deep(JSON_MAX_DEPTH + 1));
    expect(overLimit.status).toBe(400);
    const quoted = envelope('acme/widgets');
    quoted.payload.task.instructions = `${'[{'.repeat(500)} "\\"[ brackets in a string`;
    const res = await postJson(JSON.stringify(quoted));
    expect(res.status).toBe(201);
  });

  test('a body over the size limit is a 413 naming the limit', async () => {
    const res = await postJson(JSON.stringify({ ...envelope(), pad: 'x'.repeat(1_100_000) }));
    expect(res.status).toBe(413);
    const { error } = await res.json();
    expect(error).toMatchObject({ code: 'payload_too_large' });
    expect(error.message).toContain('1 MB');
  });
});

describe('headers', () => {
  test('request headers over the limit are a 431 in the error format', async () => {
    const res = await t.call('/api/queue/jobs', {
      as: 'viewer',
      headers: { 'x-padding': 'x'.repeat(MAX_HEADER_BYTES + 1) },
    });
    expect(res.status).toBe(431);
    expect((await res.json()).error).toMatchObject({
      code: 'headers_too_large',
      message: `request headers are limited to ${MAX_HEADER_BYTES} bytes`,
    });
  });
});

describe('methods', () => {
  test('PROPFIND, a method the server does not know, is a 501 in the error format', async () => {
    for (const path of ['/api/queue/jobs', '/healthz', '/tasks']) {
      const res = await raw('PROPFIND', path);
      expect(res.status, path).toBe(501);
      expect(res.headers['content-type']).toMatch(/application\/json/);
      expect(res.body).toMatchObject({ error: { code: 'not_implemented', requestId: expect.any(String) } });
    }
  });

  test('TRACE and QUERY, which no route supports, are a 405 with Allow in the error format', async () => {
    for (const [method, path] of [
      ['TRACE', '/api/queue/jobs'],
      ['TRACE', '/healthz'],
      ['QUERY', '/api/queue/jobs'],
    ]) {
      const res = await raw(method, path);
      expect(res.status, `${method} ${path}`).toBe(405);
      expect(res.headers.allow).toContain('GET');
      expect(res.body).toMatchObject({
        error: { code: 'method_not_allowed', requestId: expect.any(String) },
      });
    }
  });

  test('a known method on a path without it is a 405 with Allow, in the error format', async () => {
    const res = await t.call('/api/queue/jobs', { method: 'DELETE', as: 'operator' });
    expect(res.status).toBe(405);
    expect(res.headers.get('allow')).toContain('POST');
    expect((await res.json()).error.code).toBe('method_not_allowed');
    const health = await t.call('/healthz', { method: 'POST' });
    expect(health.status).toBe(405);
    expect((await health.json()).error.code).toBe('method_not_allowed');
  });
});

describe('ids, names, cursors and headers', () => {
  const someJob = '00000000-0000-4000-8000-000000000000';
  const issuesOf = async (res: Response) => {
    expect(res.status).toBe(400);
    return (await res.json()).error.issues as { path: string; message: string }[];
  };

  test('a Last-Event-ID or event cursor beyond a bigint is a 400 naming it', async () => {
    const huge = '99999999999999999999999';
    const stream = await t.call(`/api/queue/jobs/${someJob}/events/stream`, {
      as: 'viewer',
      headers: { 'Last-Event-ID': huge },
    });
    expect(await issuesOf(stream)).toEqual([
      { path: 'Last-Event-ID', message: expect.stringMatching(/event id/) },
    ]);
    for (const param of ['after', 'afterEventId', 'before', 'beforeEventId']) {
      const res = await t.call(`/api/queue/jobs/${someJob}/events?${param}=${huge}`, { as: 'viewer' });
      expect((await issuesOf(res)).map((i) => i.path)).toEqual([param]);
    }
    const viaQuery = await t.call(`/api/queue/jobs/${someJob}/events/stream?lastEventId=-1`, {
      as: 'viewer',
    });
    expect((await issuesOf(viaQuery)).map((i) => i.path)).toEqual(['lastEventId']);
  });

  test('a timestamp PostgreSQL cannot store (year 0000) is a 400 naming it', async () => {
    const zero = '0000-01-01T00:00:00Z';
    const list = await t.call(`/api/queue/jobs/${someJob}/events?after=${zero}`, { as: 'viewer' });
    expect((await issuesOf(list)).map((i) => i.path)).toEqual(['after']);
    const batch = await t.call(`/api/worker/jobs/${someJob}/events`, {
      method: 'POST',
      as: 'workerIn',
      json: { producer: 'p', events: [{ seq: 1, type: 'log', message: 'x', createdAt: zero }] },
    });
    expect((await issuesOf(batch)).map((i) => i.path)).toEqual(['events.0.createdAt']);
  });

  test('NUL characters: stored as U+FFFD in events, a 400 where a name cannot hold one', async () => {
    const submitted = await t.call('/api/queue/jobs', { method: 'POST', as: 'operator', json: envelope() });
    const { id } = await submitted.json();
    const batch = await t.call(`/api/worker/jobs/${id}/events`, {
      method: 'POST',
      as: 'workerIn',
      json: {
        producer: 'p',
        events: [{ seq: 1, type: 'log', message: 'a\u0000b', payload: { 'k\u0000': 'v\u0000' } }],
      },
    });
    expect(batch.status).toBe(202);
    const events = await (await t.call(`/api/queue/jobs/${id}/events`, { as: 'viewer' })).json();
    const logs = events.items.filter((e: { type: string }) => e.type === 'log');
    expect(logs).toMatchObject([{ message: 'a\uFFFDb', payload: { 'k\uFFFD': 'v\uFFFD' } }]);
    const user = await t.call('/api/admin/users', {
      method: 'POST',
      as: 'admin',
      json: { name: 'nul\u0000user', role: 'viewer' },
    });
    expect(user.status).toBe(400);
    expect((await user.json()).error.message).toContain('NUL');
  });

  test('a garbage list cursor is a 400 at once', async () => {
    for (const cursor of ['garbage!', 'AAAA.AAAAAAAAAAAAAAAA']) {
      const started = performance.now();
      const res = await t.call(`/api/queue/jobs?cursor=${encodeURIComponent(cursor)}`, { as: 'viewer' });
      expect((await issuesOf(res)).map((i) => i.path)).toEqual(['cursor']);
      expect(performance.now() - started).toBeLessThan(1_000);
    }
  });

  test('ids in paths must be UUIDs', async () => {
    const job = await t.call('/api/queue/jobs/12345/events', { as: 'viewer' });
    expect(await issuesOf(job)).toEqual([{ path: 'jobId', message: 'must be a job id (a UUID)' }]);
    const artifact = await t.call(`/api/queue/jobs/${someJob}/artifacts/${'-'.repeat(36)}/download`, {
      as: 'viewer',
    });
    expect((await issuesOf(artifact)).map((i) => i.path)).toEqual(['artifactId']);
    const token = await t.call('/api/admin/tokens/not-a-token', { method: 'DELETE', as: 'admin' });
    expect((await issuesOf(token)).map((i) => i.path)).toEqual(['tokenId']);
  });

  test('an artifact name is percent-decoded once; a malformed encoding is a 400 naming it', async () => {
    const submitted = await t.call('/api/queue/jobs', { method: 'POST', as: 'operator', json: envelope() });
    const { id } = await submitted.json();
    const put = (name: string) =>
      t.call(`/api/worker/jobs/${id}/artifacts/${name}`, {
        method: 'PUT',
        as: 'workerIn',
        headers: { 'content-type': 'text/plain' },
        body: 'hello',
      });
    for (const bad of ['logs/%E0%A4%A.log', 'logs/%zz', 'logs/a%252Db.log']) {
      expect(
        (await issuesOf(await put(bad))).map((i) => i.path),
        bad,
      ).toEqual(['name']);
    }
    const ok = await put('logs/a%2Db.log');
    expect(ok.status).toBe(201);
    expect((await ok.json()).name).toBe('logs/a-b.log');
  });
});

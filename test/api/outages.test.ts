import { createServer } from 'node:http';
import net from 'node:net';
import { Client, Connection } from '@temporalio/client';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createApp } from '../../api/app.ts';
import type { ApiDeps } from '../../api/context.ts';
import { apiSqlOptions, TEMPORAL_CALL_DEADLINE_MS, temporalConnectionOptions } from '../../api/deadlines.ts';
import { jobMetaCache } from '../../api/jobs/meta.ts';
import { UNAVAILABLE_RETRY_AFTER_S } from '../../api/middleware/errors.ts';
import { createSql } from '../../db/client.ts';
import { freePort } from '../../scripts/ports.ts';
import { envelope, startTestApi, type TestApi } from './harness.ts';

let t: TestApi;
const cleanups: (() => Promise<unknown>)[] = [];
beforeAll(async () => {
  t = await startTestApi();
});
afterAll(async () => {
  for (const c of cleanups.reverse()) await c().catch(() => {});
  await t?.close();
});

/** The real API app over `deps` (the test API's, with one dependency swapped), on a free port. */
async function serve(deps: ApiDeps): Promise<string> {
  const server = createServer(createApp(deps).callback());
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  cleanups.push(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });
  return `http://127.0.0.1:${(server.address() as net.AddressInfo).port}`;
}

/** A Temporal client whose server does not answer (nothing listens on the port). */
function unreachableTemporal(port: number): Client {
  const connection = Connection.lazy(temporalConnectionOptions(`127.0.0.1:${port}`));
  cleanups.push(() => connection.close());
  return new Client({ connection, namespace: t.client.options.namespace });
}

/** A TCP server that accepts connections and never answers (a hung dependency). */
async function silentServer(): Promise<number> {
  const sockets = new Set<net.Socket>();
  const server = net.createServer((s) => sockets.add(s));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  cleanups.push(async () => {
    for (const s of sockets) s.destroy();
    await new Promise((resolve) => server.close(resolve));
  });
  return (server.address() as net.AddressInfo).port;
}

/** A TCP proxy to Temporal that can start dropping everything Temporal answers (requests still arrive). */
async function droppingProxy(target: string) {
  const [host, port] = [target.slice(0, target.lastIndexOf(':')), Number(target.split(':').pop())];
  let dropping = false;
  const sockets = new Set<net.Socket>();
  const server = net.createServer((client) => {
    const upstream = net.connect(port, host);
    sockets.add(client).add(upstream);
    client.pipe(upstream);
    upstream.on('data', (chunk) => {
      if (!dropping) client.write(chunk);
    });
    const end = () => {
      client.destroy();
      upstream.destroy();
    };
    for (const s of [client, upstream]) s.on('error', end).on('close', end);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  cleanups.push(async () => {
    for (const s of sockets) s.destroy();
    await new Promise((resolve) => server.close(resolve));
  });
  return {
    address: `127.0.0.1:${(server.address() as net.AddressInfo).port}`,
    drop: () => {
      dropping = true;
    },
  };
}

const as = (token: string, init: RequestInit = {}) => ({
  ...init,
  headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', ...init.headers },
});

async function timed(p: Promise<Response>) {
  const started = performance.now();
  const res = await p;
  return { res, ms: performance.now() - started, body: await res.json() };
}

describe('Temporal unreachable', () => {
  test('reads and submissions are a 503 with Retry-After within the call deadline; /readyz names temporal', async () => {
    const client = unreachableTemporal(await freePort());
    const url = await serve({ ...t.api.deps, client, jobMeta: jobMetaCache(client) });
    const submit = await timed(
      fetch(
        `${url}/api/queue/jobs`,
        as(t.tokens.operator, { method: 'POST', body: JSON.stringify(envelope()) }),
      ),
    );
    const read = await timed(fetch(`${url}/api/queue/jobs/${crypto.randomUUID()}`, as(t.tokens.viewer)));
    for (const { res, ms, body } of [submit, read]) {
      expect(res.status).toBe(503);
      expect(res.headers.get('retry-after')).toBe(String(UNAVAILABLE_RETRY_AFTER_S));
      expect(body.error.code).toBe('unavailable');
      expect(ms).toBeLessThan(TEMPORAL_CALL_DEADLINE_MS + 3_000);
    }
    const ready = await timed(fetch(`${url}/readyz`));
    expect(ready.res.status).toBe(503);
    expect(ready.body.checks.temporal.detail).toMatch(/^temporal unreachable: /);
    expect(ready.body.checks.postgres).toEqual({ ok: true });
    expect(ready.body.checks.workers.detail).toBe('not checked: temporal unreachable');
  });

  test('a submission whose start timed out is a 503; a retry with its Idempotency-Key lands on the same run', async () => {
    const proxy = await droppingProxy(t.api.deps.config.TEMPORAL_ADDRESS as string);
    const connection = await Connection.connect(temporalConnectionOptions(proxy.address));
    cleanups.push(() => connection.close());
    const client = new Client({ connection, namespace: t.client.options.namespace });
    const url = await serve({ ...t.api.deps, client, jobMeta: jobMetaCache(client) });
    const key = `timeout-${crypto.randomUUID()}`;
    const request = as(t.tokens.operator, {
      method: 'POST',
      body: JSON.stringify(envelope('acme/timeout')),
      headers: { 'idempotency-key': key },
    });
    proxy.drop();
    const timedOut = await timed(fetch(`${url}/api/queue/jobs`, request));
    expect(timedOut.res.status).toBe(503);
    expect(timedOut.res.headers.get('retry-after')).toBe(String(UNAVAILABLE_RETRY_AFTER_S));
    expect(timedOut.ms).toBeLessThan(TEMPORAL_CALL_DEADLINE_MS + 3_000);

    // The start reached Temporal although its answer did not: the retry finds that run (200, not 201).
    const retry = await timed(fetch(`${t.url}/api/queue/jobs`, request));
    expect(retry.res.status).toBe(200);
    const runs = await t.client.workflow.count(`WorkflowId = 'job-${retry.body.id}'`);
    expect(runs.count).toBe(1);
  });
});

describe('PostgreSQL unreachable', () => {
  test('refused connections: a 503 with Retry-After at once; /readyz names postgres, not migrations', async () => {
    const sql = createSql(`postgres://postgres@127.0.0.1:${await freePort()}/none`, apiSqlOptions);
    cleanups.push(() => sql.end({ timeout: 1 }));
    const url = await serve({ ...t.api.deps, sql });
    const list = await timed(fetch(`${url}/api/queue/jobs`, as(t.tokens.viewer)));
    expect(list.res.status).toBe(503);
    expect(list.res.headers.get('retry-after')).toBe(String(UNAVAILABLE_RETRY_AFTER_S));
    expect(list.ms).toBeLessThan(3_000);
    const ready = await timed(fetch(`${url}/readyz`));
    expect(ready.res.status).toBe(503);
    expect(ready.body.checks.postgres.detail).toMatch(/^postgres unreachable: /);
    expect(ready.body.checks.migrations).toEqual({ ok: false, detail: 'not checked: postgres unreachable' });
    expect(JSON.stringify(ready.body)).not.toContain('pending');
  });

  test('a long outage: every request still answers 503 at once (the reconnect backoff stays short)', async () => {
    const sql = createSql(`postgres://postgres@127.0.0.1:${await freePort()}/none`, apiSqlOptions);
    cleanups.push(() => sql.end({ timeout: 1 }));
    const url = await serve({ ...t.api.deps, sql });
    const times: number[] = [];
    // The client's own reconnect delay grows with every failed connect of the pool, to 10–20 s by the
    // seventh, and a request waits out its connection's delay before trying.
    for (let i = 0; i < 30; i++) {
      const list = await timed(fetch(`${url}/api/queue/jobs`, as(t.tokens.viewer)));
      expect(list.res.status).toBe(503);
      times.push(list.ms);
    }
    expect(Math.max(...times)).toBeLessThan(3_000);
  });

  test('a server that never answers: a 503 after the connect timeout, not a hang', async () => {
    const sql = createSql(`postgres://postgres@127.0.0.1:${await silentServer()}/none`, apiSqlOptions);
    cleanups.push(() => sql.end({ timeout: 1 }));
    const url = await serve({ ...t.api.deps, sql });
    const list = await timed(fetch(`${url}/api/queue/jobs`, as(t.tokens.viewer)));
    expect(list.res.status).toBe(503);
    expect(list.ms).toBeLessThan(apiSqlOptions.connectTimeoutS * 1_000 + 3_000);
  });
});

describe('clients that hang up', () => {
  test('are logged as aborted by the client, not as a server error', async () => {
    const lines: { level: number; msg: string; clientClosed?: boolean; path?: string }[] = [];
    const logger = pino({ level: 'debug' }, { write: (line: string) => lines.push(JSON.parse(line)) });
    const url = new URL(await serve({ ...t.api.deps, logger }));
    const socket = net.connect(Number(url.port), url.hostname);
    await new Promise((resolve) => socket.once('connect', resolve));
    // A body announced as 1,000 bytes of which 10 arrive before the client goes away.
    socket.write(
      `POST /api/queue/jobs HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${t.tokens.operator}\r\n` +
        'Content-Type: application/json\r\nContent-Length: 1000\r\n\r\n{"type":"t',
    );
    await new Promise((resolve) => setTimeout(resolve, 300));
    socket.destroy();
    const deadline = Date.now() + 5_000;
    while (!lines.some((l) => l.path === '/api/queue/jobs') && Date.now() < deadline)
      await new Promise((resolve) => setTimeout(resolve, 50));
    const entry = lines.find((l) => l.path === '/api/queue/jobs');
    expect(entry).toMatchObject({ msg: 'request aborted by client', clientClosed: true });
    expect(lines.filter((l) => l.level >= 50)).toEqual([]);
  });
});

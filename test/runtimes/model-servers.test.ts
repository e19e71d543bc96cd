import { afterEach, describe, expect, it } from 'vitest';
import { startGeminiServer } from '../fakes/model-servers/gemini-server.ts';
import { startMessagesServer } from '../fakes/model-servers/messages-server.ts';
import { startResponsesServer } from '../fakes/model-servers/responses-server.ts';
import type { ModelServer } from '../fakes/model-servers/scripted-model.ts';

/** The doubles' own contract, without a CLI: the side routes the CLIs may call, errors, the request log. */

let server: ModelServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

const post = (url: string, body: unknown, headers: Record<string, string> = {}) =>
  fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
  });

describe('scripted model servers', () => {
  it('the Messages double answers HEAD /, count_tokens and the tool-less title request outside the conversation', async () => {
    server = await startMessagesServer([{ answer: 'done' }]);
    expect((await fetch(`${server.url}/`, { method: 'HEAD' })).status).toBe(200);
    const count = await post(`${server.url}/v1/messages/count_tokens?beta=true`, {
      model: 'm',
      messages: [],
    });
    expect(await count.json()).toEqual({ input_tokens: 10 });
    const title = await post(`${server.url}/v1/messages?beta=true`, {
      model: 'm',
      messages: [],
      stream: false,
    });
    expect(((await title.json()) as { content: { text: string }[] }).content[0].text).toBeTruthy();
    expect(server.requests.map((r) => r.turn)).toEqual([null, null, null]);
  });

  it('picks the turn from the tool results a request holds, and ends with a closing answer', async () => {
    server = await startResponsesServer([{ shell: 'ls' }, { answer: 'done' }]);
    const input = (results: number) =>
      Array.from({ length: results }, (_, i) => ({
        type: 'function_call_output',
        call_id: `c${i}`,
        output: `r${i}`,
      }));
    for (const results of [0, 1, 2]) {
      const res = await post(`${server.url}/v1/responses`, { model: 'm', input: input(results) });
      expect(res.headers.get('content-type')).toBe('text/event-stream');
      await res.text();
    }
    expect(server.requests.map((r) => r.turn)).toEqual([0, 1, 2]);
    expect(server.requests[2].toolResults).toEqual(['r0', 'r1']);
  });

  it('fail answers with the API error shape and the request log drops credentials', async () => {
    server = await startGeminiServer([{ answer: 'done' }], { fail: 500 });
    const res = await post(
      `${server.url}/v1beta/models/gemini-x:streamGenerateContent?alt=sse`,
      { contents: [] },
      { 'x-goog-api-key': 'secret' },
    );
    expect(res.status).toBe(500);
    expect(await res.json()).toMatchObject({ error: { code: 500, status: 'INTERNAL' } });
    expect(server.requests[0].model).toBe('gemini-x');
    expect(server.requests[0].headers['x-goog-api-key']).toBeUndefined();
    expect(JSON.stringify(server.requests)).not.toContain('secret');
  });

  it('unknown routes answer 404', async () => {
    server = await startResponsesServer([]);
    expect((await post(`${server.url}/v1/chat/completions`, {})).status).toBe(404);
  });
});

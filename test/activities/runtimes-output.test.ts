import { describe, expect, it } from 'vitest';
import { readAgentLine } from '../../activities/runtimes/agent-events.ts';
import { createStepOutput } from '../../activities/runtimes/summary.ts';
import type { Runtime } from '../../contracts/task.ts';

/** What the output panel shows for each line: `kind text`, or null where the raw line is shown. */
const show = (runtime: Runtime, lines: object[]) =>
  lines.map((l) => {
    const r = readAgentLine(runtime, JSON.stringify(l));
    return r && `${r.kind} ${r.text}`;
  });

describe('codex --json lines', () => {
  it('renders messages, reasoning, commands, file changes, tools, turns and errors', () => {
    expect(
      show('codex', [
        { type: 'thread.started', thread_id: '0199a213-81c0-7800-8aa1-bbab2a035a53' },
        { type: 'turn.started' },
        { type: 'item.completed', item: { id: 'item_0', type: 'reasoning', text: '**Reading the tests**' } },
        {
          type: 'item.started',
          item: {
            id: 'item_1',
            type: 'command_execution',
            command: "bash -lc 'npm test'",
            aggregated_output: '',
            status: 'in_progress',
          },
        },
        {
          type: 'item.completed',
          item: {
            id: 'item_1',
            type: 'command_execution',
            command: "bash -lc 'npm test'",
            aggregated_output: '\n> test\nFAIL src/a.test.ts\n1 failed\n',
            exit_code: 1,
            status: 'failed',
          },
        },
        {
          type: 'item.completed',
          item: {
            id: 'item_2',
            type: 'file_change',
            changes: [
              { path: 'src/a.ts', kind: 'update' },
              { path: 'src/b.ts', kind: 'add' },
            ],
            status: 'completed',
          },
        },
        {
          type: 'item.completed',
          item: {
            id: 'item_3',
            type: 'mcp_tool_call',
            server: 'docs',
            tool: 'search',
            arguments: { query: 'zod' },
            status: 'failed',
            error: { message: 'timed out' },
          },
        },
        {
          type: 'item.updated',
          item: {
            id: 'item_4',
            type: 'todo_list',
            items: [
              { text: 'fix a', completed: true },
              { text: 'add test', completed: false },
            ],
          },
        },
        {
          type: 'item.completed',
          item: { id: 'item_5', type: 'agent_message', text: 'Fixed.\n\nAll green.' },
        },
        {
          type: 'turn.completed',
          usage: { input_tokens: 24763, cached_input_tokens: 24448, output_tokens: 122 },
        },
        { type: 'error', message: 'stream disconnected before completion' },
        { type: 'turn.failed', error: { message: 'model overloaded' } },
      ]),
    ).toEqual([
      'status session started',
      'status turn started',
      'reasoning **Reading the tests**',
      "command $ bash -lc 'npm test'",
      "command $ bash -lc 'npm test' → exit 1: > test (+2 lines)",
      'file_change update src/a.ts, add src/b.ts',
      'tool docs.search(zod) failed: timed out',
      'status to-do 1/2 done · next: add test',
      'message Fixed. ⏎ All green.',
      'status turn completed · 24,763 in / 122 out tokens',
      'error stream disconnected before completion',
      'error turn failed: model overloaded',
    ]);
  });
});

describe('claude stream-json lines', () => {
  const assistant = (content: object[]) => ({
    type: 'assistant',
    message: {
      id: 'msg_01',
      type: 'message',
      role: 'assistant',
      model: 'claude-sonnet-4-5',
      content,
      stop_reason: null,
      usage: { input_tokens: 4, output_tokens: 60 },
    },
    parent_tool_use_id: null,
    session_id: 'f18f49de-5b8f-4261-99c4-dbbaa6ae0e24',
  });
  const toolResult = (content: unknown, isError = false) => ({
    type: 'user',
    message: {
      role: 'user',
      content: [{ tool_use_id: 'toolu_01', type: 'tool_result', content, is_error: isError }],
    },
    parent_tool_use_id: null,
    session_id: 'f18f49de-5b8f-4261-99c4-dbbaa6ae0e24',
  });

  it('renders text, thinking, tool calls by tool, tool results and the result', () => {
    expect(
      show('claude', [
        {
          type: 'system',
          subtype: 'init',
          cwd: '/ws/repo',
          session_id: 's',
          tools: ['Bash', 'Edit'],
          model: 'claude-sonnet-4-5',
          permissionMode: 'bypassPermissions',
        },
        assistant([{ type: 'thinking', thinking: 'Look at the failing test first.', signature: 'x' }]),
        assistant([{ type: 'text', text: "I'll run the tests." }]),
        assistant([
          {
            type: 'tool_use',
            id: 'toolu_01',
            name: 'Bash',
            input: { command: 'npm test', description: 'Run tests' },
          },
        ]),
        toolResult('> test\n\n3 passed'),
        assistant([
          {
            type: 'tool_use',
            id: 'toolu_02',
            name: 'Edit',
            input: { file_path: '/ws/repo/src/a.ts', old_string: 'a', new_string: 'b' },
          },
        ]),
        toolResult([{ type: 'text', text: 'File does not exist.' }], true),
        assistant([
          { type: 'tool_use', id: 'toolu_03', name: 'Grep', input: { pattern: 'TODO', path: 'src' } },
        ]),
        {
          type: 'result',
          subtype: 'success',
          is_error: false,
          duration_ms: 16049,
          num_turns: 8,
          result: 'Done: tests pass.',
          session_id: 's',
          total_cost_usd: 0.3464,
        },
        {
          type: 'result',
          subtype: 'error_max_turns',
          is_error: true,
          num_turns: 30,
          session_id: 's',
          errors: ['Reached maximum number of turns (30)'],
        },
      ]),
    ).toEqual([
      'status session started · claude-sonnet-4-5',
      'reasoning Look at the failing test first.',
      "message I'll run the tests.",
      'command $ npm test',
      'tool_result → > test (+1 lines)',
      'file_change Edit /ws/repo/src/a.ts',
      'tool_result → error: File does not exist.',
      'tool Grep TODO',
      'status finished · 8 turns · 16.0 s · $0.3464',
      'error error_max_turns: Reached maximum number of turns (30)',
    ]);
  });
});

describe('gemini stream-json lines', () => {
  const t = '2025-10-10T12:00:00.000Z';
  it('renders the prompt, streamed chunks, tool calls and results, errors and the result', () => {
    expect(
      show('gemini', [
        { type: 'init', timestamp: t, session_id: 's', model: 'gemini-2.5-pro' },
        { type: 'message', timestamp: t, role: 'user', content: 'Fix the bug' },
        { type: 'message', timestamp: t, role: 'assistant', content: 'I will ', delta: true },
        {
          type: 'tool_use',
          timestamp: t,
          tool_name: 'run_shell_command',
          tool_id: 'run_shell_command-1',
          parameters: { command: 'npm test', description: 'Run the tests' },
        },
        {
          type: 'tool_result',
          timestamp: t,
          tool_id: 'run_shell_command-1',
          status: 'success',
          output: 'ok',
        },
        {
          type: 'tool_use',
          timestamp: t,
          tool_name: 'write_file',
          tool_id: 'write_file-2',
          parameters: { file_path: 'src/a.ts', content: 'x' },
        },
        {
          type: 'tool_result',
          timestamp: t,
          tool_id: 'write_file-2',
          status: 'error',
          error: { type: 'permission_denied', message: 'not allowed' },
        },
        { type: 'error', timestamp: t, severity: 'warning', message: 'Loop detected' },
        {
          type: 'result',
          timestamp: t,
          status: 'success',
          stats: {
            total_tokens: 300,
            input_tokens: 200,
            output_tokens: 100,
            cached: 0,
            input: 200,
            duration_ms: 2500,
            tool_calls: 2,
          },
        },
        {
          type: 'result',
          timestamp: t,
          status: 'error',
          error: { type: 'FatalError', message: 'quota exceeded' },
        },
      ]),
    ).toEqual([
      'status session started · gemini-2.5-pro',
      'status prompt sent (11 characters)',
      'message I will',
      'command $ npm test',
      'tool_result → ok',
      'file_change write_file src/a.ts',
      'tool_result → error: not allowed',
      'error warning: Loop detected',
      'status finished · 2 tool calls · 200 in / 100 out tokens · 2.5 s',
      'error failed: quota exceeded',
    ]);
  });
});

describe('lines shown as they came', () => {
  it('leaves plain text, broken JSON and unknown event types alone', () => {
    expect(readAgentLine('codex', 'plain words')).toBeNull();
    expect(readAgentLine('codex', '{"type":"item.completed","item":')).toBeNull();
    expect(readAgentLine('claude', '{"type":"stream_event","event":{}}')).toBeNull();
    expect(readAgentLine('gemini', '[1,2]')).toBeNull();
  });

  it('caps a long message to one row', () => {
    const text = 'x'.repeat(5000);
    const line = JSON.stringify({ type: 'item.completed', item: { type: 'agent_message', text } });
    expect(readAgentLine('codex', line)?.text).toHaveLength(2000);
  });
});

describe('step summaries', () => {
  const summary = (runtime: Runtime, lines: (object | string)[]) => {
    const out = createStepOutput(runtime);
    for (const l of lines) out.read(typeof l === 'string' ? l : JSON.stringify(l));
    return out.summary();
  };

  it("keep each CLI's last agent message", () => {
    expect(
      summary('codex', [
        { type: 'item.completed', item: { type: 'agent_message', text: 'Looking' } },
        { type: 'item.completed', item: { type: 'agent_message', text: 'All done' } },
        { type: 'turn.completed', usage: {} },
      ]),
    ).toBe('All done');
    expect(
      summary('claude', [
        { type: 'assistant', message: { content: [{ type: 'text', text: 'Working' }] } },
        { type: 'result', subtype: 'success', is_error: false, result: 'Fixed the bug' },
      ]),
    ).toBe('Fixed the bug');
  });

  it("join gemini's streamed chunks into one message, starting over after a tool call", () => {
    const chunk = (content: string) => ({ type: 'message', role: 'assistant', content, delta: true });
    expect(
      summary('gemini', [
        chunk('Checking '),
        chunk('first.'),
        { type: 'tool_use', tool_name: 'read_file', tool_id: 'r', parameters: { file_path: 'a' } },
        chunk('Added '),
        chunk('tests.'),
        { type: 'result', status: 'success' },
      ]),
    ).toBe('Added tests.');
  });

  it('count plain lines, not unknown JSON, and say nothing for silence', () => {
    expect(summary('codex', ['plain words', '{"type":"new.event"}', '   '])).toBe('plain words');
    expect(summary('codex', [])).toBeNull();
  });

  it('add up the tokens each CLI reports: codex per turn, claude and gemini for the run', () => {
    const usage = (runtime: Runtime, lines: object[]) => {
      const out = createStepOutput(runtime);
      for (const l of lines) out.read(JSON.stringify(l));
      return out.usage();
    };
    expect(
      usage('codex', [
        { type: 'turn.completed', usage: { input_tokens: 100, cached_input_tokens: 80, output_tokens: 7 } },
        { type: 'turn.completed', usage: { input_tokens: 50, output_tokens: 3 } },
      ]),
    ).toEqual({ inputTokens: 150, outputTokens: 10 });
    expect(
      usage('claude', [
        {
          type: 'result',
          subtype: 'success',
          is_error: true,
          result: 'API Error',
          usage: { input_tokens: 9, output_tokens: 0 },
        },
      ]),
    ).toEqual({ inputTokens: 9, outputTokens: 0 });
    expect(
      usage('gemini', [
        { type: 'result', status: 'success', stats: { input_tokens: 200, output_tokens: 100 } },
      ]),
    ).toEqual({ inputTokens: 200, outputTokens: 100 });
    expect(usage('codex', [{ type: 'turn.completed', usage: {} }])).toBeNull();
  });
});

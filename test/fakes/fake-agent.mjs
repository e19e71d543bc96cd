#!/usr/bin/env node
/**
 * A stand-in for the codex, claude and gemini CLIs in tests. It accepts each CLI's argument shape (the
 * prompt is the value of -p/--prompt when that has one, else the last positional argument), prints
 * agent-like output (each CLI's own JSON event lines for codex --json and claude/gemini stream-json), appends a line derived from the STEP header to
 * AGENT_NOTES.md in its cwd, and obeys directives written in the prompt:
 *   FAKE_SLEEP=<seconds>  keep printing a line every ~0.5 s for that long
 *   FAKE_WAIT_FILE=<path> before any other output, wait until the file exists (a benchmark starts the output)
 *   FAKE_FAIL             exit 3
 *   FAKE_LINES=<n>        print n numbered lines
 *   FAKE_SPAWN_CHILD      spawn a long-lived grandchild; write both pids to the $FAKE_AGENT_PIDS file
 *   FAKE_NOOP             exit 0 at once, changing nothing
 *   FAKE_ECHO=<text>      print <text> (e.g. a token-like string, to check redaction)
 *   FAKE_CHILD_IGNORES_SIGINT  the grandchild of FAKE_SPAWN_CHILD ignores SIGINT (only SIGKILL stops it)
 *   FAKE_SILENT=<seconds> print nothing at all for that long, then finish
 *   FAKE_WATCH_INBOX      while FAKE_SLEEP runs, print `inbox: <message>` for each new line of ../operator_inbox.jsonl
 *   FAKE_AGENT_ERROR=<word> fail the way the CLI does: its own error event (codex turn.failed, a claude result
 *                         with is_error true and exit 0, a gemini error result) naming <word>
 *   FAKE_HOSTILE_OUTPUT   print NUL, lone surrogates, invalid UTF-8, ANSI escapes and a 1 MB line between markers
 *   FAKE_GIT_TRAPS=<dir>  plant hooks, filters, fsmonitor, includes and helpers in .git (git-traps.mjs)
 *   FAKE_PRINT_FILE=<path> print the file's lines as they are, then each again as an agent message
 *   FAKE_PROBE=<list>     try to read each path of a URI-encoded JSON list (`{ppid}` is its parent's
 *                         pid; a `write:` prefix appends to the path instead) and write PROBE.json in its
 *                         cwd: its uid, gid, groups, environment names, whether `git status` works and,
 *                         per path, "read" / "written" or the error code (a sandbox test's attacker)
 *   FAKE_PROPOSALS=<n>    write n follow-up proposals to .moonmind/proposals.json in its cwd (the worker
 *                         submits them after the run)
 * Orchestrator steps (the prompt starts with `ORCHESTRATOR STEP: analyze|patch`; no AGENT_NOTES.md then):
 *   FAKE_PLAN=<json>      analyze writes this URI-encoded JSON as .moonmind/plan.json (default: a plan for the
 *                         prompt's `Service:` naming the FAKE_EDITS paths)
 *   FAKE_EDITS=<json>     patch writes each `{path: content}` of this URI-encoded JSON (null removes the file)
 * FAKE_AGENT_PROMPT_LOG, when set, is a file the full prompt is appended to.
 */
import { spawn, spawnSync } from 'node:child_process';
import {
  appendFileSync,
  existsSync,
  lstatSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { dirname } from 'node:path';
import { plantGitTraps } from './git-traps.mjs';

const argv = process.argv.slice(2);
if (argv.includes('--version')) {
  console.log('fake-agent 1.0.0');
  process.exit(0);
}

// Flags that take a value, across the three CLIs.
const valued = new Set([
  '-C',
  '-m',
  '-c',
  '--disable',
  '--model',
  '--output-format',
  '-o',
  '--color',
  '-s',
  '--approval-mode',
]);
let prompt = null;
const positional = [];
for (let i = 0; i < argv.length; i++) {
  const a = argv[i];
  if ((a === '-p' || a === '--prompt') && i + 1 < argv.length && !argv[i + 1].startsWith('-')) {
    prompt = argv[++i];
  } else if (valued.has(a)) i++;
  else if (!a.startsWith('-')) positional.push(a);
}
prompt ??= positional.filter((p) => p !== 'exec').at(-1) ?? '';
// Like the real CLIs: no prompt argument (codex `-`, claude none, gemini `-p ""`) means read standard input.
const promptArgs = prompt;
if (!prompt) prompt = readFileSync(0, 'utf8');
// Which CLI's JSON events to print: codex `--json`, claude `--output-format stream-json`, gemini `-o stream-json`.
const cli = argv.includes('--json')
  ? 'codex'
  : argv.includes('--output-format')
    ? 'claude'
    : argv.includes('-o')
      ? 'gemini'
      : null;

if (process.env.FAKE_AGENT_PROMPT_LOG) {
  appendFileSync(process.env.FAKE_AGENT_PROMPT_LOG, `${prompt}\n----- end of prompt -----\n`);
}
const emit = (event) => console.log(JSON.stringify(event));
const timestamp = () => new Date().toISOString();
let items = 0;
/** One agent message, in the shape each CLI prints it (gemini streams replies as delta chunks). */
const say = (text) => {
  if (cli === 'codex')
    emit({ type: 'item.completed', item: { id: `item_${items++}`, type: 'agent_message', text } });
  else if (cli === 'claude')
    emit({
      type: 'assistant',
      message: {
        id: `msg_${items++}`,
        type: 'message',
        role: 'assistant',
        content: [{ type: 'text', text }],
      },
      parent_tool_use_id: null,
      session_id: 'fake-session',
    });
  else if (cli === 'gemini')
    emit({ type: 'message', timestamp: timestamp(), role: 'assistant', content: `${text}\n`, delta: true });
  else console.log(text);
};
/** The CLI's session start and its closing event (claude's result carries the final message). */
const begin = () => {
  if (cli === 'codex') {
    emit({ type: 'thread.started', thread_id: 'fake-thread' });
    emit({ type: 'turn.started' });
  } else if (cli === 'claude')
    emit({ type: 'system', subtype: 'init', session_id: 'fake-session', model: 'fake', tools: [] });
  else if (cli === 'gemini')
    emit({ type: 'init', timestamp: timestamp(), session_id: 'fake-session', model: 'fake' });
};
const finish = (last) => {
  if (cli === 'codex')
    emit({ type: 'turn.completed', usage: { input_tokens: 10, cached_input_tokens: 0, output_tokens: 5 } });
  else if (cli === 'claude')
    emit({
      type: 'result',
      subtype: 'success',
      is_error: false,
      num_turns: 1,
      result: last,
      session_id: 'fake-session',
    });
  else if (cli === 'gemini')
    emit({ type: 'result', timestamp: timestamp(), status: 'success', stats: { tool_calls: 0 } });
};
const directive = (name) => new RegExp(`\\b${name}(?:=(\\S+))?`).exec(prompt);

if (directive('FAKE_NOOP')) process.exit(0);
// What this process's argv held besides flags (the test checks the prompt never travels there).
if (directive('FAKE_SHOW_ARGV'))
  console.log(`argv prompt: ${JSON.stringify(promptArgs)} (${process.argv.join(' ').length} chars)`);
const waitFile = directive('FAKE_WAIT_FILE');
while (waitFile?.[1] && !existsSync(waitFile[1]))
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 10);
begin();
say('fake agent: reading the task');
const echo = directive('FAKE_ECHO');
if (echo?.[1]) say(echo[1]);
if (directive('FAKE_HOSTILE_OUTPUT')) {
  console.log('hostile 1: nul \u0000 here');
  console.log('hostile 2: lone \uD800 surrogate');
  process.stdout.write(
    Buffer.concat([Buffer.from('hostile 3: bad utf-8 '), Buffer.from([0xff, 0xfe, 0xc3]), Buffer.from('\n')]),
  );
  console.log('hostile 4: \u001b[1;31mbold red\u001b[0m');
  console.log(`hostile 5: ${'x'.repeat(1024 * 1024)}`);
  console.log('hostile 6: end');
}
const printFile = directive('FAKE_PRINT_FILE');
if (printFile?.[1]) {
  const text = readFileSync(printFile[1], 'utf8').split('\n');
  for (const line of text) console.log(line);
  for (const line of text) say(line);
}
const lines = directive('FAKE_LINES');
if (lines) for (let i = 1; i <= Number(lines[1]); i++) say(`line ${i}`);
const header = /^#?\s*(STEP \d+\/\d+ .*)$/m.exec(prompt)?.[1] ?? 'STEP ?';
const orchestratorStep = /^ORCHESTRATOR STEP: (\w+)/m.exec(prompt)?.[1];
const uriJson = (name) => {
  const d = directive(name);
  return d?.[1] ? JSON.parse(decodeURIComponent(d[1])) : null;
};
if (orchestratorStep === 'analyze') {
  const edits = uriJson('FAKE_EDITS') ?? {};
  const plan = directive('FAKE_PLAN')?.[1]
    ? decodeURIComponent(directive('FAKE_PLAN')[1])
    : JSON.stringify({
        targetService: /^Service: (\S+)/m.exec(prompt)?.[1] ?? 'unknown',
        healthUrl: null,
        composeProject: null,
        steps: ['patch', 'build', 'restart', 'verify'].map((name) => ({ name, description: `fake ${name}` })),
        files: Object.keys(edits),
        rationale: 'fake agent: the config needs the edits asked for',
      });
  mkdirSync('.moonmind', { recursive: true });
  writeFileSync('.moonmind/plan.json', plan);
  say(`fake agent: plan written`);
} else if (orchestratorStep === 'patch') {
  for (const [file, content] of Object.entries(uriJson('FAKE_EDITS') ?? {})) {
    if (content === null) rmSync(file, { force: true });
    else {
      mkdirSync(dirname(file), { recursive: true });
      writeFileSync(file, content);
    }
    say(`fake agent: edited ${file}`);
  }
} else appendFileSync('AGENT_NOTES.md', `- ${header}\n`);
const proposals = directive('FAKE_PROPOSALS');
if (proposals) {
  mkdirSync('.moonmind', { recursive: true });
  const items = Array.from({ length: Number(proposals[1] ?? 1) }, (_, i) => ({
    title: `Follow-up ${i + 1}: cover the edge cases`,
    summary: `Found while working on: ${header}`,
    category: 'tests',
    tags: ['Fake', 'follow-up'],
    instructions: `Add tests for edge case ${i + 1}`,
  }));
  writeFileSync('.moonmind/proposals.json', JSON.stringify(items, null, 2));
}
console.error('fake agent: wrote AGENT_NOTES.md');
const traps = directive('FAKE_GIT_TRAPS');
if (traps?.[1]) plantGitTraps(process.cwd(), traps[1]);

const probe = directive('FAKE_PROBE');
if (probe?.[1]) {
  const results = {};
  for (const raw of JSON.parse(decodeURIComponent(probe[1]))) {
    const path = raw.replace(/^write:/, '').replaceAll('{ppid}', String(process.ppid));
    try {
      if (raw.startsWith('write:')) {
        appendFileSync(path, 'planted by the agent\n');
        results[raw] = 'written';
        continue;
      }
      const st = lstatSync(path);
      if (st.isSymbolicLink()) readlinkSync(path);
      else if (st.isDirectory()) readdirSync(path);
      else readFileSync(path);
      results[raw] = 'read';
    } catch (err) {
      results[raw] = err.code ?? String(err);
    }
  }
  // The agent's own checkout must stay usable by it (its objects live in the worker's git directory).
  const status = spawnSync('git', ['status', '--porcelain'], { encoding: 'utf8' });
  const report = {
    uid: process.getuid(),
    gid: process.getgid(),
    groups: process.getgroups(),
    env: Object.keys(process.env).sort(),
    home: process.env.HOME,
    tmpdir: process.env.TMPDIR,
    gitStatus: status.status === 0 ? 'ok' : `${status.status}: ${status.stderr.trim()}`,
    results,
  };
  writeFileSync('PROBE.json', `${JSON.stringify(report, null, 2)}\n`);
}

if (directive('FAKE_SPAWN_CHILD')) {
  const ignore = directive('FAKE_CHILD_IGNORES_SIGINT') ? "process.on('SIGINT', () => {});" : '';
  const child = spawn(process.execPath, ['-e', `${ignore} setInterval(() => {}, 1000)`], { stdio: 'ignore' });
  child.unref(); // left running behind, like a dev server an agent started
  if (process.env.FAKE_AGENT_PIDS)
    writeFileSync(process.env.FAKE_AGENT_PIDS, `${process.pid}\n${child.pid}\n`);
}
const agentError = directive('FAKE_AGENT_ERROR');
if (agentError?.[1]) {
  const message = `model endpoint said no: ${agentError[1]}`;
  if (cli === 'codex') emit({ type: 'turn.failed', error: { message } });
  else if (cli === 'claude')
    emit({
      type: 'result',
      subtype: 'success',
      is_error: true,
      result: `API Error: ${message}`,
      session_id: 'fake-session',
    });
  else if (cli === 'gemini') {
    emit({ type: 'error', timestamp: timestamp(), severity: 'error', message });
    emit({ type: 'result', timestamp: timestamp(), status: 'error', error: { type: 'api', message } });
  } else console.error(message);
  process.exit(cli === 'claude' ? 0 : 1);
}
if (directive('FAKE_FAIL')) {
  console.error('fake agent: failing as asked');
  process.exit(3);
}
const silent = directive('FAKE_SILENT');
if (silent) await new Promise((r) => setTimeout(r, Number(silent[1]) * 1000));
const watchInbox = directive('FAKE_WATCH_INBOX');
let inboxLines = 0;
const readInbox = () => {
  const lines = (() => {
    try {
      return readFileSync('../operator_inbox.jsonl', 'utf8').split('\n').filter(Boolean);
    } catch {
      return [];
    }
  })();
  for (const line of lines.slice(inboxLines)) say(`inbox: ${JSON.parse(line).message}`);
  inboxLines = lines.length;
};
const sleep = directive('FAKE_SLEEP');
if (sleep) {
  const until = Date.now() + Number(sleep[1]) * 1000;
  let n = 0;
  const timer = setInterval(() => {
    if (watchInbox) readInbox();
    say(`working ${++n}`);
    if (Date.now() >= until) {
      clearInterval(timer);
      say('fake agent: done');
      finish('fake agent: done');
    }
  }, 500);
} else {
  say('fake agent: done');
  finish('fake agent: done');
}

#!/usr/bin/env node
/**
 * A stand-in for the codex, claude and gemini CLIs in tests. It accepts each CLI's argument shape (the
 * prompt is the value of -p/--prompt when that has one, else the last positional argument), prints
 * agent-like output (JSON lines for codex --json), appends a line derived from the STEP header to
 * AGENT_NOTES.md in its cwd, and obeys directives written in the prompt:
 *   FAKE_SLEEP=<seconds>  keep printing a line every ~0.5 s for that long
 *   FAKE_FAIL             exit 3
 *   FAKE_LINES=<n>        print n numbered lines
 *   FAKE_SPAWN_CHILD      spawn a long-lived grandchild; write both pids to the $FAKE_AGENT_PIDS file
 *   FAKE_NOOP             exit 0 at once, changing nothing
 *   FAKE_ECHO=<text>      print <text> (e.g. a token-like string, to check redaction)
 * FAKE_AGENT_PROMPT_LOG, when set, is a file the full prompt is appended to.
 */
import { spawn } from 'node:child_process';
import { appendFileSync, writeFileSync } from 'node:fs';

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
const json = argv.includes('--json') || argv.includes('stream-json');

if (process.env.FAKE_AGENT_PROMPT_LOG) {
  appendFileSync(process.env.FAKE_AGENT_PROMPT_LOG, `${prompt}\n----- end of prompt -----\n`);
}
const say = (text) =>
  console.log(
    json ? JSON.stringify({ type: 'item.completed', item: { type: 'agent_message', text } }) : text,
  );
const directive = (name) => new RegExp(`\\b${name}(?:=(\\S+))?`).exec(prompt);

if (directive('FAKE_NOOP')) process.exit(0);
say('fake agent: reading the task');
const echo = directive('FAKE_ECHO');
if (echo?.[1]) say(echo[1]);
const lines = directive('FAKE_LINES');
if (lines) for (let i = 1; i <= Number(lines[1]); i++) say(`line ${i}`);
const header = /^#?\s*(STEP \d+\/\d+ .*)$/m.exec(prompt)?.[1] ?? 'STEP ?';
appendFileSync('AGENT_NOTES.md', `- ${header}\n`);
console.error('fake agent: wrote AGENT_NOTES.md');

if (directive('FAKE_SPAWN_CHILD')) {
  const child = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { stdio: 'ignore' });
  child.unref(); // left running behind, like a dev server an agent started
  if (process.env.FAKE_AGENT_PIDS)
    writeFileSync(process.env.FAKE_AGENT_PIDS, `${process.pid}\n${child.pid}\n`);
}
if (directive('FAKE_FAIL')) {
  console.error('fake agent: failing as asked');
  process.exit(3);
}
const sleep = directive('FAKE_SLEEP');
if (sleep) {
  const until = Date.now() + Number(sleep[1]) * 1000;
  let n = 0;
  const timer = setInterval(() => {
    say(`working ${++n}`);
    if (Date.now() >= until) {
      clearInterval(timer);
      say('fake agent: done');
    }
  }, 500);
} else {
  say('fake agent: done');
}

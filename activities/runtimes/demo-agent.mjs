#!/usr/bin/env node
/**
 * The `demo` runtime: a scripted agent for the first run (MOONMIND_DEMO), so a newcomer sees a whole run —
 * live transcript, a change, a pushed branch — without a model or a forge. It reads the step prompt from
 * standard input like the real CLIs, prints a short transcript, and appends the step's objective to
 * DEMO.md in its working directory (the repository). It calls no network and runs nothing else.
 */
import { appendFileSync, existsSync, readFileSync } from 'node:fs';

if (process.argv.includes('--version')) {
  console.log('moonmind demo agent 1.0.0 (scripted, no model)');
  process.exit(0);
}

const prompt = readFileSync(0, 'utf8');
const section = (title) => new RegExp(`^# ${title}\\n\\n([^\\n]*)`, 'm').exec(prompt)?.[1]?.trim() ?? '';
const objective = section('Task objective') || 'the task';
const step = /^# (STEP \d+\/\d+[^\n]*)$/m.exec(prompt)?.[1] ?? 'STEP';
const pause = () => new Promise((resolve) => setTimeout(resolve, 400));

const say = async (line) => {
  console.log(`demo agent: ${line}`);
  await pause();
};

await say(`this is the scripted demo runtime: no model is called (see docs/runtimes.md for real agents)`);
await say(`read the prompt (${prompt.length} characters): ${step}`);
await say(`objective: ${objective.slice(0, 200)}`);
const file = 'DEMO.md';
const created = !existsSync(file);
appendFileSync(
  file,
  `${created ? '# Demo runs\n\nEach run of the demo runtime adds a line here.\n\n' : ''}- ${new Date().toISOString()} ${step}: ${objective.slice(0, 200)}\n`,
);
await say(`${created ? 'created' : 'edited'} ${file}`);
await say('done: 1 file changed; MoonMind commits and publishes it');

#!/usr/bin/env node
// A double of the docker CLI for the compose runner's tests (docker is not installed where they run): it
// records its argv as one JSON line in $DOCKER_DOUBLE_DIR/calls.jsonl and answers from canned files there:
// `ps` prints ps.out, `logs` prints logs.out, and a subcommand named in fail.txt exits 1.
import { appendFileSync, existsSync, readFileSync } from 'node:fs';
import path from 'node:path';

const dir = process.env.DOCKER_DOUBLE_DIR;
if (!dir) {
  console.error('docker-double: DOCKER_DOUBLE_DIR is not set');
  process.exit(2);
}
const argv = process.argv.slice(2);
appendFileSync(path.join(dir, 'calls.jsonl'), `${JSON.stringify({ argv, cwd: process.cwd() })}\n`);
const read = (name) => (existsSync(path.join(dir, name)) ? readFileSync(path.join(dir, name), 'utf8') : '');
const sub = argv.find((a) => ['build', 'up', 'ps', 'logs'].includes(a));
if (read('fail.txt').trim() === sub) {
  console.error(`docker-double: ${sub} failed as asked`);
  process.exit(1);
}
if (sub === 'ps') process.stdout.write(read('ps.out'));
else if (sub === 'logs') process.stdout.write(read('logs.out'));
else console.log(`docker-double: ${sub} done`);

/** `.ci/run` step: install the pinned schemathesis the API fuzz test runs, and print its version. */
import { execFileSync } from 'node:child_process';
import { ensureSchemathesis } from './schemathesis.ts';

const st = await ensureSchemathesis();
console.log(
  execFileSync(st.command, ['--version'], { env: { ...process.env, ...st.env } })
    .toString()
    .trim(),
);

/** `.ci/run` step: find or install the Temporal CLI the way `npm start` does, and print its version. */
import { execFileSync } from 'node:child_process';
import { findTemporalCli } from './temporal-cli.ts';

const cli = await findTemporalCli();
console.log(execFileSync(cli.path, ['--version']).toString().trim());

import { execFile } from 'node:child_process';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { findSchemathesis } from '../../scripts/schemathesis.ts';

const run = promisify(execFile);

export interface FuzzOptions {
  apiUrl: string;
  /** An admin user token: every user route is reachable with it. */
  token: string;
  /** At least this many generated cases (rounds repeat with new seeds until they add up). */
  cases: number;
  /** Reports, the config file and schemathesis's own files go here. */
  workdir: string;
  /** A worker token for the worker routes; without it they are fuzzed with the admin token (403s). */
  workerToken?: string;
  /** Path parameter name → ids that exist: half its values are drawn from these, so routes get past 404. */
  knownIds?: Record<string, string[]>;
  /** The first round's seed (later rounds add to it); a failure's seed is printed to replay it. */
  seed?: number;
  /** Only the paths matching this regex (all by default), to dwell on one operation. */
  pathRegex?: string;
}

export interface FuzzResult {
  cases: number;
  serverErrors: number;
  conformanceFailures: number;
  operations: number;
  /** Schemathesis's own errors (a generator crash leaves an operation untested). */
  errors: number;
  details: string[];
}

/**
 * Every check schemathesis has, less these (each about something the API deliberately does not do):
 * - positive_data_acceptance: the API refuses some schema-valid requests by rules no JSON Schema can state,
 *   and means to: a list cursor its own list did not issue (it is signed), a submission naming no repository
 *   where none is configured, text with a NUL (PostgreSQL cannot store it), a timestamp outside 1970-9999.
 *   Those 400s are in the document; every other check, negative_data_rejection included, runs.
 */
const EXCLUDED_CHECKS = ['positive_data_acceptance'];

/** What the pinned release's JSON report (`--report json`) holds that we read. */
interface JsonReport {
  operations: { tested: number };
  test_cases: { generated: number };
  failures: { type: string; code: string; title: string; count: number; operations: string[] }[];
  errors: { title: string; count: number }[];
}

/** A `${NAME}` placeholder schemathesis fills from the environment. */
const fromEnv = (name: string) => `"\${${name}}"`;

// The config file names the environment variables, so no token is written to disk.
function config(opts: FuzzOptions): string {
  const lines = [
    '[auth.openapi.bearer]',
    `bearer = ${fromEnv('MM_FUZZ_ADMIN_TOKEN')}`,
    '[auth.openapi.workerBearer]',
    `bearer = ${fromEnv(opts.workerToken ? 'MM_FUZZ_WORKER_TOKEN' : 'MM_FUZZ_ADMIN_TOKEN')}`,
  ];
  const known = Object.entries(opts.knownIds ?? {}).filter(([, ids]) => ids.length > 0);
  for (const [name, ids] of known) lines.push(`[dictionaries.${name}]`, `values = ${JSON.stringify(ids)}`);
  if (known.length) lines.push('[parameters]');
  for (const [name] of known) lines.push(`"path.${name}" = { dictionary = "${name}", probability = 0.5 }`);
  return `${lines.join('\n')}\n`;
}

/**
 * Run schemathesis (all phases: examples, coverage, fuzzing, stateful) against the API's own OpenAPI
 * document, authenticated, and count from its JSON report the cases, the 5xx answers and every other failed
 * check (status, content type, headers, schema of a response; invalid input accepted; method handling).
 */
export async function runFuzz(opts: FuzzOptions): Promise<FuzzResult> {
  const st = await findSchemathesis();
  if (!st) throw new Error('schemathesis is not installed: run `npx tsx scripts/ensure-schemathesis.ts`');
  await mkdir(opts.workdir, { recursive: true });
  const configFile = path.join(opts.workdir, 'schemathesis.toml');
  await writeFile(configFile, config(opts));
  const document = (await (await fetch(`${opts.apiUrl}/api/openapi.json`)).json()) as {
    paths: Record<string, Record<string, unknown>>;
  };
  const declared = Object.values(document.paths).reduce((n, p) => n + Object.keys(p).length, 0);
  const total: FuzzResult = {
    cases: 0,
    serverErrors: 0,
    conformanceFailures: 0,
    operations: 0,
    errors: 0,
    details: [],
  };
  for (let round = 1; total.cases < opts.cases; round++) {
    const reportFile = path.join(opts.workdir, `report-${round}.json`);
    const perOperation = Math.max(1, Math.ceil((opts.cases - total.cases) / declared));
    const args = [
      '--config-file',
      configFile,
      'run',
      `${opts.apiUrl}/api/openapi.json`,
      '--checks',
      'all',
      '--exclude-checks',
      EXCLUDED_CHECKS.join(','),
      // Selects every path: without a filter schemathesis leaves out the operation that served the document.
      '--include-path-regex',
      opts.pathRegex ?? '^/',
      '--max-examples',
      String(perOperation),
      '--seed',
      String((opts.seed ?? 0) + round * 7919),
      // One worker: CPython 3.11's ast.parse (hypothesis describes its lambdas with it) is not thread-safe.
      '--workers',
      '1',
      // An event stream of a job that runs stays open: cut it, it is not an answer being late.
      '--request-timeout',
      '15',
      '--generation-database',
      'none',
      '--report',
      'json',
      '--report-json-path',
      reportFile,
      '--no-color',
    ];
    const env = {
      ...process.env,
      ...st.env,
      MM_FUZZ_ADMIN_TOKEN: opts.token,
      MM_FUZZ_WORKER_TOKEN: opts.workerToken ?? '',
    };
    // Exit status 1 means failures were found; the report says which, so only a missing report is fatal.
    const out = await run(st.command, args, {
      cwd: opts.workdir,
      env,
      maxBuffer: 256 * 1024 * 1024,
      timeout: 60 * 60_000,
    }).catch((err: { stdout?: string; stderr?: string }) => err);
    await writeFile(path.join(opts.workdir, `output-${round}.txt`), `${out.stdout ?? ''}${out.stderr ?? ''}`);
    const report = JSON.parse(await readFile(reportFile, 'utf8').catch(() => 'null')) as JsonReport | null;
    if (!report) throw new Error(`schemathesis wrote no report: ${(out.stderr ?? '').slice(-2000)}`);
    total.cases += report.test_cases.generated;
    total.operations = Math.max(total.operations, report.operations.tested);
    for (const f of report.failures) {
      if (f.type === 'ServerError') total.serverErrors += f.count;
      else total.conformanceFailures += f.count;
      total.details.push(`${f.code} ${f.title} (${f.count}): ${f.operations.join(', ')}`);
    }
    for (const e of report.errors) {
      total.errors += e.count;
      total.details.push(`error ${e.title} (${e.count})`);
    }
    // The failing requests themselves (schemathesis prints each with a curl line), so a CI log can be replayed.
    if (report.failures.length || report.errors.length) total.details.push(failureSection(out.stdout ?? ''));
    // A round that generated nothing would loop forever.
    if (report.test_cases.generated === 0) break;
  }
  return total;
}

/** The FAILURES/ERRORS part of schemathesis's console output (between its banner and the summary), capped. */
function failureSection(stdout: string): string {
  const start = stdout.search(/^=+ (FAILURES|ERRORS) =+$/m);
  const end = stdout.search(/^=+ SUMMARY =+$/m);
  if (start < 0) return '';
  return stdout.slice(start, end > start ? end : undefined).slice(0, 8000);
}

import { execFile } from 'node:child_process';
import { access, constants, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { delimiter, join, resolve } from 'node:path';
import { splitCommand } from '../activities/runtimes/command.ts';
import { modelEndpoint, vendorBaseUrls } from '../activities/runtimes/endpoint.ts';
import { runtimeCommand } from '../activities/runtimes/resolve.ts';
import { secretResolver } from '../activities/secrets/references.ts';
import type { WorkerConfig } from '../contracts/config.ts';
import { type ModelRuntime, modelRuntimes } from '../contracts/task.ts';
import { modelRoundTrip } from './model-round-trip.ts';

/** Each runtime's whole check (version, key, round trip) ends within this. */
const BUDGET_MS = 10_000;

/** Keys a CLI finds in the worker's environment when no key reference is configured (adapters.ts passes them). */
const vendorKeys: Record<ModelRuntime, string[]> = {
  codex: ['OPENAI_API_KEY', 'CODEX_API_KEY'],
  claude: ['ANTHROPIC_API_KEY'],
  gemini: ['GEMINI_API_KEY', 'GOOGLE_API_KEY'],
};

async function which(file: string, path: string | undefined): Promise<string | null> {
  const candidates = file.includes('/')
    ? [resolve(file)]
    : (path ?? '').split(delimiter).map((dir) => join(dir || '.', file));
  for (const candidate of candidates) {
    if (
      await access(candidate, constants.X_OK).then(
        () => true,
        () => false,
      )
    )
      return candidate;
  }
  return null;
}

/**
 * `<command> --version` with a scratch HOME and TMPDIR: some CLIs create files there even for that
 * (codex its `tmp/`), and doctor must leave nothing in the operator's home.
 */
function version(file: string, args: string[], env: NodeJS.ProcessEnv, scratch: string, timeoutMs: number) {
  return new Promise<{ ok: boolean; text: string }>((done) => {
    execFile(
      file,
      [...args, '--version'],
      { timeout: timeoutMs, env: { PATH: env.PATH, HOME: scratch, TMPDIR: scratch } },
      (err, stdout, stderr) => {
        const first = (s: string) => String(s).trim().split('\n')[0];
        if (err) done({ ok: false, text: first(stderr) || err.message });
        else done({ ok: true, text: first(stdout) });
      },
    );
  });
}

async function checkRuntime(runtime: ModelRuntime, config: WorkerConfig, env: NodeJS.ProcessEnv) {
  const deadline = Date.now() + BUDGET_MS;
  const lines: string[] = [runtime];
  let ok = true;
  const fail = (line: string) => {
    ok = false;
    lines.push(line);
  };

  const command = runtimeCommand(runtime, config);
  const { file, args } = splitCommand(command);
  const path = await which(file, env.PATH);
  const scratch = await mkdtemp(join(tmpdir(), 'mm-doctor-'));
  try {
    const v = await version(file, args, env, scratch, 4_000);
    const where = [path ?? file, ...args].join(' ');
    if (v.ok) lines.push(`  cli:        ${where} (${v.text})`);
    else fail(`  cli:        FAILED: ${command} --version: ${v.text}`);
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }

  const endpoint = modelEndpoint(runtime, config);
  const baseUrl = endpoint.baseUrl ?? vendorBaseUrls[runtime];
  const setting = `MOONMIND_${runtime.toUpperCase()}_BASE_URL`;
  const vendorKey = vendorKeys[runtime].find((n) => env[n]);
  const keySource = endpoint.keyRef
    ? `key from ${endpoint.keyRef}`
    : endpoint.baseUrl
      ? 'no key'
      : vendorKey
        ? `key from ${vendorKey}`
        : "the CLI's own login";
  lines.push(
    `  endpoint:   ${baseUrl} (${endpoint.baseUrl ? setting : `vendor default; ${setting} unset`}), ${keySource}`,
  );
  let key = endpoint.keyRef || endpoint.baseUrl || !vendorKey ? undefined : env[vendorKey];
  if (endpoint.keyRef) {
    try {
      key = await secretResolver(env, {
        addr: config.MOONMIND_VAULT_ADDR,
        token: config.MOONMIND_VAULT_TOKEN,
        tokenFile: config.MOONMIND_VAULT_TOKEN_FILE,
        namespace: config.MOONMIND_VAULT_NAMESPACE,
      }).resolve(endpoint.keyRef);
    } catch (err) {
      fail(`  key:        FAILED: ${(err as Error).message}`);
    }
  }
  const model = {
    codex: config.MOONMIND_CODEX_MODEL,
    claude: config.MOONMIND_CLAUDE_MODEL,
    gemini: config.MOONMIND_GEMINI_MODEL,
  }[runtime];
  if (endpoint.keyRef && key === undefined) {
    fail('  round trip: not tried (no key)');
  } else if (!endpoint.baseUrl && key === undefined) {
    // A login (OAuth) is the CLI's to use against its vendor's own backend; a direct request cannot prove it.
    lines.push(
      `  round trip: skipped: no API key to call ${baseUrl} with; set MOONMIND_${runtime.toUpperCase()}_API_KEY_REF to check`,
    );
  } else {
    const trip = await modelRoundTrip(runtime, baseUrl, model, key, Math.max(deadline - Date.now(), 1_000));
    if (trip.ok) lines.push(`  round trip: ok, ${model}, ${trip.detail}`);
    else fail(`  round trip: FAILED: ${model}: ${trip.detail}`);
  }
  return { ok, lines };
}

/**
 * `moonmind doctor`: for each runtime this worker would claim, the CLI it runs, the endpoint and key source
 * it would use, and a live one-token request to that endpoint. True when every check passed.
 */
export async function runDoctor(
  config: WorkerConfig,
  env: NodeJS.ProcessEnv,
  print: (line: string) => void,
): Promise<boolean> {
  // The scripted demo agent has no model to check.
  const claimed = modelRuntimes.filter((r) => config.MOONMIND_WORKER_CAPABILITIES.includes(r));
  if (!claimed.length) {
    print(
      `no runtime claimed (MOONMIND_WORKER_CAPABILITIES=${config.MOONMIND_WORKER_CAPABILITIES.join(',')})`,
    );
    return true;
  }
  // In parallel: the whole check takes as long as the slowest runtime, at most about 10 s.
  const results = await Promise.all(claimed.map((r) => checkRuntime(r, config, env)));
  for (const r of results) for (const line of r.lines) print(line);
  const failed = claimed.filter((_, i) => !results[i].ok);
  print(failed.length ? `FAILED: ${failed.join(', ')}` : 'all runtimes ok');
  return failed.length === 0;
}

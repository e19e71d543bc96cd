/**
 * The `moonmind` CLI (`npm run moonmind -- …`, or the `moonmind` bin): the user commands speak the public
 * REST API with a token (cli/settings.ts); the admin commands (worker-token, user, doctor) work on the
 * database or the worker's settings directly. docs/cli.md documents both and the exit codes.
 */
import { parseArgs } from 'node:util';
import type { Command, Values } from './command.ts';
import { artifacts, download } from './commands/artifacts.ts';
import { cancel, message, pause, resume } from './commands/controls.ts';
import { list, show } from './commands/jobs.ts';
import { logs } from './commands/logs.ts';
import { manifest } from './commands/manifest.ts';
import { orchestrator } from './commands/orchestrator.ts';
import { submit } from './commands/submit.ts';
import { CliError, exitCodes } from './exit-codes.ts';
import { ApiClient } from './http.ts';
import { loadSettings } from './settings.ts';

const commands: Record<string, Command> = {
  submit,
  list,
  show,
  logs,
  cancel,
  pause,
  resume,
  message,
  artifacts,
  download,
  orchestrator,
  manifest,
};
// Loaded only when used: they bring the database client and the worker's settings.
const adminNouns = ['worker-token', 'user', 'doctor'];

async function usage(): Promise<string> {
  const { adminUsage } = await import('./commands/admin.ts');
  return [
    'usage:',
    ...Object.values(commands).map((c) => `  ${c.usage}`),
    adminUsage,
    '',
    'The API and token: MOONMIND_URL and MOONMIND_TOKEN, or {"url", "token"} in $MOONMIND_CONFIG',
    '(default ~/.config/moonmind/config.json, mode 600). Exit codes: 0 ok or succeeded, 1 failed, 2 usage,',
    '3 cancelled, 4 dead-lettered, 5 API unreachable or refused, 6 conflict (docs/cli.md).',
  ].join('\n');
}

async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name && adminNouns.includes(name)) {
    const { runAdmin } = await import('./commands/admin.ts');
    return runAdmin(argv);
  }
  if (!name || name === 'help' || name === '--help' || name === '-h') {
    (name ? process.stdout : process.stderr).write(`${await usage()}\n`);
    return name ? exitCodes.ok : exitCodes.usage;
  }
  const command = commands[name];
  if (!command) throw new CliError(`unknown command ${name}\n${await usage()}`, exitCodes.usage);
  let parsed: ReturnType<typeof parseArgs>;
  try {
    parsed = parseArgs({
      args: rest,
      allowPositionals: true,
      options: { ...command.options, help: { type: 'boolean', short: 'h' } },
    });
  } catch (err) {
    throw new CliError(`${(err as Error).message}\nusage: ${command.usage}`, exitCodes.usage);
  }
  if (parsed.values.help) {
    process.stdout.write(`usage: ${command.usage}\n`);
    return exitCodes.ok;
  }
  let client: ApiClient | undefined;
  const code = await command.run({
    positionals: parsed.positionals,
    values: parsed.values as Values,
    api: () => {
      client ??= new ApiClient(loadSettings());
      return client;
    },
  });
  return code ?? exitCodes.ok;
}

// A reader that stops early (`moonmind logs … | head`) is not an error.
process.stdout.on('error', (err: NodeJS.ErrnoException) => {
  if (err.code === 'EPIPE') process.exit(exitCodes.ok);
  throw err;
});

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err) => {
    process.stderr.write(`moonmind: ${err instanceof CliError ? err.message : (err as Error).stack}\n`);
    process.exitCode = err instanceof CliError ? err.code : exitCodes.failed;
  },
);

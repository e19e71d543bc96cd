/**
 * Admin commands of the CLI, straight on the database named by DATABASE_URL:
 *   worker-token create --name N --job-types task --repositories 'owner/*' --capabilities codex,git [--scopes proposals_write]
 *   worker-token revoke ID
 *   worker-token list
 *   user create --name N --role viewer|operator|admin
 *   doctor   (worker settings, no database: each claimed runtime's CLI, endpoint and a live round trip)
 * Tokens are printed once and stored only hashed. `--help` (anywhere) prints the usage without touching the
 * database. Exit codes: 2 for a usage mistake, 1 for any other failure.
 */

import { randomUUID } from 'node:crypto';
import { parseArgs } from 'node:util';
import { createWorkerToken } from '../../api/auth/bootstrap.ts';
import { roles } from '../../api/auth/identity.ts';
import { insertUserToken } from '../../api/auth/tokens.ts';
import { ConfigError, loadConfig, loadWorkerConfig } from '../../contracts/config.ts';
import { createSql, type Sql } from '../../db/client.ts';
import { migrate } from '../../db/migrate.ts';
import { runDoctor } from '../../scripts/doctor.ts';

export const adminUsage = `  moonmind worker-token create --name NAME --job-types task --repositories 'owner/*' --capabilities codex,git [--scopes proposals_write]
  moonmind worker-token revoke TOKEN_ID
  moonmind worker-token list
  moonmind user create --name NAME --role viewer|operator|admin
  moonmind doctor      check each runtime this worker claims: its CLI, endpoint and a live round trip`;

class UsageError extends Error {}
const csv = (v: string | undefined, flag: string) => {
  const list = (v ?? '')
    .split(',')
    .map((x) => x.trim())
    .filter(Boolean);
  if (!list.length) throw new UsageError(`--${flag} is required (comma-separated)`);
  return list;
};

type Args = ReturnType<typeof parse>;
function parse(argv: string[]) {
  try {
    return parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        help: { type: 'boolean', short: 'h' },
        name: { type: 'string' },
        role: { type: 'string' },
        'job-types': { type: 'string' },
        repositories: { type: 'string' },
        capabilities: { type: 'string' },
        scopes: { type: 'string' },
      },
    });
  } catch (err) {
    // An unknown or malformed option is a usage mistake: say which, then how to call.
    throw new UsageError(`${(err as Error).message}\nusage:\n${adminUsage}`);
  }
}

async function run(sql: Sql, { positionals, values }: Args): Promise<void> {
  const [noun, verb, arg] = positionals;
  if (noun === 'worker-token' && verb === 'create') {
    if (!values.name) throw new UsageError('--name is required');
    const token = await createWorkerToken(sql, {
      name: values.name,
      jobTypes: csv(values['job-types'] ?? 'task', 'job-types'),
      repositories: csv(values.repositories, 'repositories'),
      capabilities: csv(values.capabilities, 'capabilities'),
      scopes: values.scopes ? csv(values.scopes, 'scopes') : [],
    });
    console.log(`worker token for ${values.name} (shown once; set it as MOONMIND_WORKER_TOKEN):\n${token}`);
  } else if (noun === 'worker-token' && verb === 'revoke') {
    if (!arg || !/^[0-9a-f-]{36}$/i.test(arg))
      throw new UsageError('give the token id (see worker-token list)');
    const rows =
      await sql`UPDATE api_tokens SET revoked_at = coalesce(revoked_at, now()) WHERE id = ${arg} AND kind = 'worker' RETURNING id`;
    if (!rows.length) throw new UsageError(`no worker token ${arg}`);
    console.log(`revoked ${arg}`);
  } else if (noun === 'worker-token' && verb === 'list') {
    const rows =
      await sql`SELECT id, name, token_prefix, scope, revoked_at FROM api_tokens WHERE kind = 'worker' ORDER BY created_at`;
    for (const r of rows)
      console.log(
        `${r.id}  ${r.name}  ${r.token_prefix}…  ${JSON.stringify(r.scope)}${r.revoked_at ? '  (revoked)' : ''}`,
      );
  } else if (noun === 'user' && verb === 'create') {
    if (!values.name) throw new UsageError('--name is required');
    const role = values.role ?? 'viewer';
    if (!(roles as readonly string[]).includes(role))
      throw new UsageError(`--role must be one of ${roles.join(', ')}`);
    const id = randomUUID();
    const [created] =
      await sql`INSERT INTO users (id, name, role) VALUES (${id}, ${values.name}, ${role}) ON CONFLICT (name) DO NOTHING RETURNING id`;
    if (!created) throw new UsageError(`a user named ${values.name} exists`);
    const { token } = await insertUserToken(sql, { userId: id, name: 'cli' });
    console.log(`user ${values.name} (${role}) created; API token (shown once):\n${token}`);
  } else {
    throw new UsageError(`usage:\n${adminUsage}`);
  }
}

/** Run an admin command; the exit code it ends with. */
export async function runAdmin(argv: string[]): Promise<number> {
  try {
    const args = parse(argv);
    if (args.values.help) {
      console.log(`usage:\n${adminUsage}`);
      return 0;
    }
    if (args.positionals[0] === 'doctor')
      return (await runDoctor(loadWorkerConfig(), process.env, (line) => console.log(line))) ? 0 : 1;
    const config = loadConfig();
    if (!config.DATABASE_URL)
      throw new ConfigError('DATABASE_URL is required (the database `npm start` uses)');
    const sql = createSql(config.DATABASE_URL, { max: 1 });
    try {
      await migrate(sql);
      await run(sql, args);
    } finally {
      await sql.end({ timeout: 2 });
    }
    return 0;
  } catch (err) {
    console.error(
      err instanceof UsageError || err instanceof ConfigError
        ? err.message
        : `moonmind: ${(err as Error).message}`,
    );
    return err instanceof UsageError ? 2 : 1;
  }
}

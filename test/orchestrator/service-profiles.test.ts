import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApi } from '../../api/main.ts';
import { ConfigError, loadConfig, loadWorkerConfig } from '../../contracts/config.ts';
import { loadServiceProfiles, serviceSummaries } from '../../lib/service-profiles.ts';
import { startCapabilityWorker } from '../../workers/main.ts';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'mm-profiles-'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

/** A profiles file with `yaml` as its text; returns its path. */
async function profilesFile(name: string, yaml: string): Promise<string> {
  const file = path.join(dir, name);
  await writeFile(file, yaml);
  return file;
}

const processService = (extra = '') => `services:
  api:
    runner: process
    root: ./api
    editable: ["config.json", "src/**"]
    build: { command: "node build.mjs" }
    start: { command: "node server.mjs" }
    health: { url: "http://127.0.0.1:4010/health" }
${extra}`;

/** The error message loading `file` throws. */
function loadError(file: string): string {
  try {
    loadServiceProfiles(file);
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return (err as Error).message;
  }
  throw new Error(`${file} loaded without an error`);
}

describe('service profiles', () => {
  it('resolve root next to the YAML file, default the pid and log files, and fill the defaults', async () => {
    const file = await profilesFile(
      'ok.yaml',
      `${processService()}  web:
    root: /srv/web
    editable: [Dockerfile, package.json]
    protected: true
    approvalToken: env://WEB_APPROVAL_TOKEN
    compose: { project: shop }
    health: { url: "http://web.internal:3000/healthz", expectStatus: 204 }
`,
    );
    const profiles = loadServiceProfiles(file);
    const api = profiles.get('api')!;
    expect(api.root).toBe(path.join(dir, 'api'));
    expect(api.pidFile).toBe(path.join(dir, 'api', '.moonmind', 'api.pid'));
    expect(api.logFile).toBe(path.join(dir, 'api', '.moonmind', 'api.log'));
    expect(api.build).toEqual({ command: 'node build.mjs', timeoutSeconds: 600 });
    expect(api.health).toMatchObject({ expectStatus: 200, initialBackoffMs: 25, maxBackoffMs: 100 });
    const web = profiles.get('web')!;
    expect(web.runner).toBe('compose');
    expect(web.compose).toEqual({ file: '/srv/web/docker-compose.yml', project: 'shop', service: 'web' });

    const summaries = serviceSummaries(profiles);
    expect(summaries).toEqual([
      { name: 'api', runner: 'process', protected: false, requiresToken: false, healthUrl: api.health.url },
      {
        name: 'web',
        runner: 'compose',
        protected: true,
        requiresToken: true,
        healthUrl: 'http://web.internal:3000/healthz',
      },
    ]);
    // What the API shows holds no paths, commands or token references.
    expect(JSON.stringify(summaries)).not.toMatch(/srv|node |env:\/\//);
  });

  it('unset: no services', () => {
    expect(loadServiceProfiles(undefined).size).toBe(0);
  });

  it('name the file and the dotted path of each problem', async () => {
    const badUrl = await profilesFile(
      'bad-url.yaml',
      processService().replace('http://127.0.0.1:4010/health', 'nope'),
    );
    const message = loadError(badUrl);
    expect(message).toContain(badUrl);
    expect(message).toContain('services.api.health.url: Invalid URL');

    const noStart = await profilesFile('no-start.yaml', processService().replace(/ {4}start:.*\n/, ''));
    expect(loadError(noStart)).toContain('services.api.start: the process runner needs a start command');

    const outside = await profilesFile('outside.yaml', processService().replace('"src/**"', '"../other/**"'));
    expect(loadError(outside)).toContain('services.api.editable.1: must be relative to root, without ..');

    const unknown = await profilesFile('unknown.yaml', processService('    restartPolicy: always\n'));
    expect(loadError(unknown)).toMatch(/services\.api: Unrecognized key.*restartPolicy/);

    const credentials = await profilesFile(
      'credentials.yaml',
      processService().replace('http://127.0.0.1', `http://probe:${'x'.repeat(3)}@127.0.0.1`),
    );
    expect(loadError(credentials)).toContain('services.api.health.url: must not hold credentials');
  });

  it('take an approval token only as a secret reference, never its value', async () => {
    const literal = await profilesFile('literal.yaml', processService('    approvalToken: letmein-please\n'));
    const message = loadError(literal);
    expect(message).toContain('services.api.approvalToken: must be a secret reference');
    expect(message).not.toContain('letmein-please');
    for (const ref of ['env://API_APPROVAL', 'vault://secret/orchestrator#api']) {
      const file = await profilesFile('ref.yaml', processService(`    approvalToken: "${ref}"\n`));
      expect(loadServiceProfiles(file).get('api')?.approvalToken).toBe(ref);
    }
  });

  it('publish settings: the remote defaults to origin, the credential is a secret reference only', async () => {
    const plain = await profilesFile('git.yaml', processService('    git: { baseBranch: main }\n'));
    expect(loadServiceProfiles(plain).get('api')?.git).toEqual({ remote: 'origin', baseBranch: 'main' });
    const literal = await profilesFile(
      'git-token.yaml',
      processService('    git: { authRef: ghp-letmein }\n'),
    );
    const message = loadError(literal);
    expect(message).toContain('services.api.git.authRef: must be a secret reference');
    expect(message).not.toContain('ghp-letmein');
    const option = await profilesFile(
      'git-remote.yaml',
      processService('    git: { remote: "--upload-pack=x" }\n'),
    );
    expect(loadError(option)).toContain('services.api.git.remote: a git remote name');
  });

  it('report YAML syntax errors and unreadable files with the file name', async () => {
    const broken = await profilesFile('broken.yaml', 'services:\n  api: [unclosed\n');
    expect(loadError(broken)).toMatch(new RegExp(`${broken}[^]*YAML: `));
    const missing = path.join(dir, 'missing.yaml');
    expect(loadError(missing)).toContain(
      `${missing} (MOONMIND_SERVICE_PROFILES):\n  cannot read the file: ENOENT`,
    );
  });

  it('stop the API and a worker at start with that message', async () => {
    const bad = await profilesFile(
      'start.yaml',
      processService().replace('http://127.0.0.1:4010/health', 'nope'),
    );
    const env = { MOONMIND_SERVICE_PROFILES: bad };
    const config = loadConfig({
      ...env,
      TEMPORAL_ADDRESS: '127.0.0.1:1',
      DATABASE_URL: process.env.MOONMIND_TEST_DATABASE_URL ?? 'postgres://127.0.0.1:1/none',
    });
    await expect(startApi({ config, controlWorker: false })).rejects.toThrow(
      /services\.api\.health\.url: Invalid URL/,
    );
    await expect(startCapabilityWorker({ env, config: loadWorkerConfig(env) })).rejects.toThrow(
      /services\.api\.health\.url: Invalid URL/,
    );
  });
});

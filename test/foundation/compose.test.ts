import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { configSchema, workerConfigSchema } from '../../contracts/config.ts';

/** No Docker engine here: check the deployment file against what the app really reads. */
const compose = parse(readFileSync('docker-compose.yml', 'utf8')) as {
  services: Record<
    string,
    {
      build?: string;
      command?: string[];
      environment?: Record<string, string>;
      ports?: string[];
      depends_on?: string[] | Record<string, unknown>;
      profiles?: string[];
      configs?: { source: string; target: string }[];
    }
  >;
  configs?: Record<string, { file?: string; environment?: string }>;
};
const services = compose.services;
const appServices = Object.entries(services).filter(([, s]) => s.build === '.');
const readSettings = new Set([...Object.keys(configSchema.shape), ...Object.keys(workerConfigSchema.shape)]);
const dependsOn = (s: (typeof services)[string]) =>
  Array.isArray(s.depends_on) ? s.depends_on : Object.keys(s.depends_on ?? {});
const hostPort = (value: string) => {
  const url = new URL(value.includes('://') ? value : `tcp://${value}`);
  return { host: url.hostname, port: url.port };
};

describe('docker-compose.yml', () => {
  it('has the API, Temporal, its Web UI, PostgreSQL and at least two worker pools', () => {
    expect(Object.keys(services)).toEqual(
      expect.arrayContaining(['api', 'temporal', 'temporal-ui', 'postgresql']),
    );
    expect(appServices.filter(([, s]) => s.command?.includes('worker')).length).toBeGreaterThanOrEqual(2);
  });

  it('sets only settings the app reads on its own services', () => {
    for (const [name, service] of appServices) {
      const unknown = Object.keys(service.environment ?? {}).filter((k) => !readSettings.has(k));
      expect(unknown, `${name} sets settings nothing reads`).toEqual([]);
    }
  });

  it('gives every worker its capabilities and a way to reach the API', () => {
    for (const [name, service] of appServices.filter(([, s]) => s.command?.includes('worker'))) {
      const env = service.environment ?? {};
      expect(env.MOONMIND_WORKER_CAPABILITIES, name).toMatch(/git/);
      const api = hostPort(env.MOONMIND_API_URL);
      expect(api.host).toBe('api');
      expect(api.port).toBe(services.api.environment?.PORT);
      expect(dependsOn(service)).toEqual(expect.arrayContaining(['api', 'temporal']));
    }
  });

  it('lines up addresses, ports and dependencies', () => {
    for (const [name, service] of appServices) {
      const env = service.environment ?? {};
      const temporal = hostPort(env.TEMPORAL_ADDRESS);
      expect(temporal.host, name).toBe('temporal');
      expect(services.temporal.ports?.some((p) => p.endsWith(`:${temporal.port}`))).toBe(true);
      expect(dependsOn(service)).toContain('temporal');
      if (env.DATABASE_URL) {
        expect(hostPort(env.DATABASE_URL).host).toBe('postgresql');
        expect(dependsOn(service)).toContain('postgresql');
      }
    }
    const apiPort = services.api.environment?.PORT;
    expect(services.api.ports).toContain(`${apiPort}:${apiPort}`);
    expect(services['temporal-ui'].environment?.TEMPORAL_ADDRESS).toBe('temporal:7233');
    for (const [name, service] of Object.entries(services)) {
      for (const dep of dependsOn(service))
        expect(Object.keys(services), `${name} depends on ${dep}`).toContain(dep);
    }
  });

  it('scrapes the API and every worker with the committed Prometheus config, under an optional profile', () => {
    const prometheus = services.prometheus;
    expect(prometheus.profiles).toEqual(['observability']);
    const mounted = Object.fromEntries((prometheus.configs ?? []).map((c) => [c.target, c.source]));
    const configFile = compose.configs?.[mounted['/etc/prometheus/prometheus.yml']]?.file;
    expect(configFile).toBe('./deploy/prometheus.yml');
    const scrape = parse(readFileSync(configFile!, 'utf8')) as {
      scrape_configs: {
        authorization?: { credentials_file?: string };
        static_configs: { targets: string[] }[];
      }[];
    };
    // The token file Prometheus presents is the deployment's MOONMIND_METRICS_TOKEN.
    const tokenFile = scrape.scrape_configs[0].authorization?.credentials_file;
    expect(compose.configs?.[mounted[tokenFile!]]?.environment).toBe('MOONMIND_METRICS_TOKEN');
    const targets = scrape.scrape_configs.flatMap((c) => c.static_configs.flatMap((s) => s.targets));
    const expected = appServices.map(([name, service]) => {
      const env = service.environment ?? {};
      const port = env.MOONMIND_WORKER_METRICS_PORT ?? env.PORT;
      expect(port, `${name} serves metrics`).toBeTruthy();
      if (env.MOONMIND_WORKER_METRICS_PORT) expect(env.MOONMIND_WORKER_METRICS_HOST, name).toBe('0.0.0.0');
      expect(env.MOONMIND_METRICS_TOKEN, name).toMatch(/^\$\{MOONMIND_METRICS_TOKEN(:-)?\}$/);
      return `${name}:${port}`;
    });
    expect(targets.sort()).toEqual(expected.sort());
    expect(dependsOn(prometheus).sort()).toEqual(appServices.map(([name]) => name).sort());
  });
});

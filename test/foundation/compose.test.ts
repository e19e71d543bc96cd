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
    }
  >;
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
});

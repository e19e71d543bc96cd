import { readFileSync } from 'node:fs';
import { trace } from '@opentelemetry/api';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { ConfigError, loadConfig, loadWorkerConfig } from '../../contracts/config.ts';
import {
  activityInterceptors,
  clientInterceptors,
  workflowInterceptorModules,
  workflowSinks,
} from '../../lib/temporal-tracing.ts';
import {
  otlpTracesUrl,
  startTracing,
  traced,
  traceHeaders,
  traceLogFields,
  tracingOn,
} from '../../lib/tracing.ts';

/** This file runs in a process of its own (vitest forks), so nothing else registered a provider here. */
describe('tracing off (no OTEL endpoint)', () => {
  it('registers no provider and no interceptor, and traced work runs without a span', async () => {
    expect(startTracing('moonmind-api', loadConfig({}))).toBe(false);
    expect(startTracing('moonmind-worker', loadWorkerConfig({}))).toBe(false);
    expect(tracingOn()).toBe(false);
    // The global provider is still the API's no-op one: a span from it records nothing.
    expect(trace.getTracer('probe').startSpan('probe').isRecording()).toBe(false);
    expect(clientInterceptors()).toBeUndefined();
    expect(activityInterceptors()).toBeUndefined();
    expect(workflowSinks()).toBeUndefined();
    expect(workflowInterceptorModules()).toEqual([]);
    expect(await traced('git clone', {}, async (span) => span)).toBeNull();
    expect(traceHeaders()).toEqual({});
    expect(traceLogFields()).toEqual({});
  });
});

describe('the OTEL settings', () => {
  it('derive the traces URL from the endpoint, or take the traces endpoint as it is', () => {
    expect(otlpTracesUrl({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318/' })).toBe(
      'http://collector:4318/v1/traces',
    );
    expect(
      otlpTracesUrl({
        OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318',
        OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'https://traces.example/otlp',
      }),
    ).toBe('https://traces.example/otlp');
    expect(otlpTracesUrl({})).toBeNull();
  });

  it('refuse an endpoint that is not an http(s) URL, naming the variable', () => {
    expect(() => loadConfig({ OTEL_EXPORTER_OTLP_ENDPOINT: 'collector:4318' })).toThrow(ConfigError);
    expect(() => loadWorkerConfig({ OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'grpc://collector:4317' })).toThrow(
      /OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: must be an http/,
    );
    // Empty (compose's `${OTEL_EXPORTER_OTLP_ENDPOINT:-}` without the profile) is unset: tracing stays off.
    expect(loadConfig({ OTEL_EXPORTER_OTLP_ENDPOINT: '' }).OTEL_EXPORTER_OTLP_ENDPOINT).toBeUndefined();
  });

  it('turn tracing on with an endpoint: a provider, the interceptors, spans with the trace in log fields', async () => {
    expect(
      startTracing('moonmind-api', loadConfig({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:9' })),
    ).toBe(true);
    expect(clientInterceptors()?.workflow).toHaveLength(1);
    expect(workflowInterceptorModules()).toHaveLength(1);
    await traced('probe', {}, async (span) => {
      expect(span?.isRecording()).toBe(true);
      expect(traceHeaders().traceparent).toContain(span?.spanContext().traceId);
      expect(traceLogFields()).toEqual({
        trace_id: span?.spanContext().traceId,
        span_id: span?.spanContext().spanId,
      });
    });
  });
});

describe("the deployment's collector (docker-compose.yml, deploy/otel-collector.yaml)", () => {
  interface Service {
    build?: string;
    profiles?: string[];
    volumes?: string[];
    ports?: string[];
    environment?: Record<string, string>;
    depends_on?: string[] | Record<string, unknown>;
  }
  const compose = parse(readFileSync('docker-compose.yml', 'utf8')) as { services: Record<string, Service> };
  const collector = compose.services['otel-collector'];

  it('is optional: only in the observability profile, nothing depends on it, tracing off unless the endpoint is set', () => {
    expect(collector.profiles).toEqual(['observability']);
    for (const [name, service] of Object.entries(compose.services)) {
      const deps = Array.isArray(service.depends_on)
        ? service.depends_on
        : Object.keys(service.depends_on ?? {});
      expect(deps, name).not.toContain('otel-collector');
      if (service.build === '.')
        expect(service.environment?.OTEL_EXPORTER_OTLP_ENDPOINT, name).toBe(
          // Compose's substitution, empty when unset.
          `\${OTEL_EXPORTER_OTLP_ENDPOINT:-}`,
        );
    }
  });

  it('runs the committed config, which takes OTLP/HTTP traces on the published port', () => {
    const mount = collector.volumes?.find((v) => v.startsWith('./deploy/otel-collector.yaml:'));
    expect(mount).toBeDefined();
    const config = parse(readFileSync('deploy/otel-collector.yaml', 'utf8'));
    expect(config.receivers.otlp.protocols.http.endpoint).toBe('0.0.0.0:4318');
    expect(collector.ports).toContain('4318:4318');
    expect(config.service.pipelines.traces.receivers).toContain('otlp');
    for (const exporter of config.service.pipelines.traces.exporters)
      expect(Object.keys(config.exporters)).toContain(exporter);
  });
});

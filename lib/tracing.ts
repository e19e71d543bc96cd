import {
  type Attributes,
  context,
  propagation,
  type Span,
  SpanKind,
  SpanStatusCode,
  trace,
} from '@opentelemetry/api';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { Resource } from '@opentelemetry/resources';
import {
  BatchSpanProcessor,
  SimpleSpanProcessor,
  type SpanExporter,
  type SpanProcessor,
} from '@opentelemetry/sdk-trace-base';
import { NodeTracerProvider } from '@opentelemetry/sdk-trace-node';

/**
 * Traces (docs/observability.md): one provider per process, registered only when an OTLP endpoint is set
 * (the standard OTEL_* variables) or a test hands in its exporter. Without either nothing is registered:
 * no provider, no interceptors, no middleware, and `traced` calls its function straight away.
 */
export interface TraceSettings {
  OTEL_EXPORTER_OTLP_ENDPOINT?: string;
  OTEL_EXPORTER_OTLP_TRACES_ENDPOINT?: string;
  OTEL_SERVICE_NAME?: string;
}

interface Tracing {
  provider: NodeTracerProvider;
  processor: SpanProcessor;
  resource: Resource;
}

let active: Tracing | null = null;

/** The OTLP/HTTP traces URL the settings name, or null when tracing is off. */
export function otlpTracesUrl(settings: TraceSettings): string | null {
  if (settings.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT) return settings.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT;
  if (settings.OTEL_EXPORTER_OTLP_ENDPOINT)
    return `${settings.OTEL_EXPORTER_OTLP_ENDPOINT.replace(/\/+$/, '')}/v1/traces`;
  return null;
}

/**
 * Turn tracing on for this process if the settings ask for it (or `exporter` is given: tests), once; later
 * calls keep the first setup (the API and a worker may share a process in tests). True when tracing is on.
 */
export function startTracing(service: string, settings: TraceSettings, exporter?: SpanExporter): boolean {
  if (active) return true;
  const url = otlpTracesUrl(settings);
  if (!exporter && !url) return false;
  // A test's exporter sees each span as it ends; the OTLP one gets batches off the request path.
  const processor = exporter
    ? new SimpleSpanProcessor(exporter)
    : new BatchSpanProcessor(new OTLPTraceExporter({ url: url ?? undefined }));
  const resource = new Resource({ 'service.name': settings.OTEL_SERVICE_NAME ?? service });
  const provider = new NodeTracerProvider({ resource, spanProcessors: [processor] });
  // The AsyncLocalStorage context manager and the W3C traceparent propagator.
  provider.register();
  active = { provider, processor, resource };
  return true;
}

export const tracingOn = () => active !== null;

/** The processor and resource the workflow span sink exports through (lib/temporal-tracing.ts). */
export function tracingPipeline(): { processor: SpanProcessor; resource: Resource } | null {
  return active && { processor: active.processor, resource: active.resource };
}

/** Send what is buffered (before a process exits). */
export async function flushTracing(): Promise<void> {
  await active?.provider.forceFlush();
}

export const tracer = () => trace.getTracer('moonmind');

/**
 * `fn` inside a span named `name`, ended when it settles (an error marks it failed). Attributes must never
 * carry secrets, prompts or tokens.
 */
export function traced<T>(
  name: string,
  attributes: Attributes,
  fn: (span: Span | null) => Promise<T>,
  kind: SpanKind = SpanKind.INTERNAL,
): Promise<T> {
  if (!active) return fn(null);
  return tracer().startActiveSpan(name, { attributes, kind }, async (span) => {
    try {
      return await fn(span);
    } catch (err) {
      span.setStatus({ code: SpanStatusCode.ERROR, message: (err as Error).message });
      throw err;
    } finally {
      span.end();
    }
  });
}

/** A child of the active span that the caller ends (for work that outlives one call); null when off. */
export function startSpan(name: string, attributes: Attributes): Span | null {
  return active && tracer().startSpan(name, { attributes });
}

/** `traceparent` (and `tracestate`) of the active span, for a request to another MoonMind process. */
export function traceHeaders(): Record<string, string> {
  const carrier: Record<string, string> = {};
  if (active) propagation.inject(context.active(), carrier);
  return carrier;
}

/** pino `mixin`: the active span's ids on every log line written inside it. */
export function traceLogFields(): { trace_id?: string; span_id?: string } {
  const span = active && trace.getActiveSpan();
  if (!span) return {};
  const { traceId, spanId } = span.spanContext();
  return { trace_id: traceId, span_id: spanId };
}

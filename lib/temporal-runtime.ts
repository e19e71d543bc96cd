import { type LogLevel, type LogMetadata, Runtime, type TelemetryOptions } from '@temporalio/worker';
import type { Logger } from 'pino';
import { freePort } from '../scripts/ports.ts';

/**
 * The one `Runtime.install` of a process (it must run before any worker or native connection):
 * - `logger`: the Temporal SDK's own logs (worker lifecycle, core warnings) go into the process's pino
 *   logger as JSON, at warn and above unless it logs at debug; without one the SDK's default logger stays.
 * - `metrics`: the SDK's runtime metrics (polls, task latencies, slots, sticky cache) on a Prometheus
 *   exporter bound to a free loopback port; its URL is returned so the process's /metrics merges it in.
 */
export async function installTemporalRuntime(opts: {
  logger?: Logger;
  metrics?: boolean;
}): Promise<{ metricsUrl?: string }> {
  let telemetryOptions: TelemetryOptions | undefined;
  let metricsUrl: string | undefined;
  if (opts.metrics) {
    const bindAddress = `127.0.0.1:${await freePort()}`;
    metricsUrl = `http://${bindAddress}/metrics`;
    // Prometheus conventions: counters end in _total, durations are in seconds and say so.
    telemetryOptions = {
      metrics: {
        prometheus: {
          bindAddress,
          countersTotalSuffix: true,
          unitSuffix: true,
          useSecondsForDurations: true,
        },
      },
    };
  }
  Runtime.install({ ...(opts.logger ? { logger: sdkLogger(opts.logger) } : {}), telemetryOptions });
  return { metricsUrl };
}

function sdkLogger(logger: Logger) {
  const sdk = logger.child(
    { component: 'temporal-sdk' },
    { level: ['debug', 'trace'].includes(logger.level) ? logger.level : 'warn' },
  );
  const map: Record<LogLevel, 'trace' | 'debug' | 'info' | 'warn' | 'error'> = {
    TRACE: 'trace',
    DEBUG: 'debug',
    INFO: 'info',
    WARN: 'warn',
    ERROR: 'error',
  };
  const log = (level: LogLevel, message: string, meta?: LogMetadata) => sdk[map[level]]({ ...meta }, message);
  return {
    log,
    trace: (m: string, meta?: LogMetadata) => log('TRACE', m, meta),
    debug: (m: string, meta?: LogMetadata) => log('DEBUG', m, meta),
    info: (m: string, meta?: LogMetadata) => log('INFO', m, meta),
    warn: (m: string, meta?: LogMetadata) => log('WARN', m, meta),
    error: (m: string, meta?: LogMetadata) => log('ERROR', m, meta),
  };
}

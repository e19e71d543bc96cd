import { type LogLevel, type LogMetadata, Runtime } from '@temporalio/worker';
import type { Logger } from 'pino';

/**
 * Route the Temporal SDK's own logs (worker lifecycle, core warnings) into the process's pino logger as
 * JSON, at warn and above unless the API logs at debug. Must run before any worker or native connection.
 */
export function installSdkLogger(logger: Logger): void {
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
  Runtime.install({
    logger: {
      log,
      trace: (m, meta) => log('TRACE', m, meta),
      debug: (m, meta) => log('DEBUG', m, meta),
      info: (m, meta) => log('INFO', m, meta),
      warn: (m, meta) => log('WARN', m, meta),
      error: (m, meta) => log('ERROR', m, meta),
    },
  });
}

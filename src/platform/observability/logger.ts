import { AsyncLocalStorage } from 'node:async_hooks';
import type { LoggerService } from '@nestjs/common';

/** Per-request values every log line of that request carries. */
export const logContext = new AsyncLocalStorage<{ correlationId: string }>();

type Level = 'debug' | 'info' | 'warn' | 'error';
const LEVELS: Record<Level, number> = { debug: 10, info: 20, warn: 30, error: 40 };
const threshold = LEVELS[(process.env.LOG_LEVEL as Level) ?? 'info'] ?? LEVELS.info;

/** One JSON object per line on stdout: time, level, message, the request's correlation id, and fields. */
function write(level: Level, message: string, fields: Record<string, unknown> = {}): void {
  if (LEVELS[level] < threshold || process.env.LOG_LEVEL === 'silent') return;
  const correlationId = logContext.getStore()?.correlationId;
  process.stdout.write(
    `${JSON.stringify({ time: new Date().toISOString(), level, message, ...(correlationId ? { correlationId } : {}), ...fields })}\n`,
  );
}

export const logger = {
  debug: (message: string, fields?: Record<string, unknown>) => write('debug', message, fields),
  info: (message: string, fields?: Record<string, unknown>) => write('info', message, fields),
  warn: (message: string, fields?: Record<string, unknown>) => write('warn', message, fields),
  error: (message: string, fields?: Record<string, unknown>) => write('error', message, fields),
};

/** Nest's own log lines, in the same JSON form. */
export class JsonLogger implements LoggerService {
  log(message: unknown, context?: string) {
    write('info', String(message), context ? { context } : {});
  }
  warn(message: unknown, context?: string) {
    write('warn', String(message), context ? { context } : {});
  }
  error(message: unknown, trace?: string, context?: string) {
    write('error', String(message), { ...(context ? { context } : {}), ...(trace ? { trace } : {}) });
  }
  debug(message: unknown, context?: string) {
    write('debug', String(message), context ? { context } : {});
  }
  verbose(message: unknown, context?: string) {
    write('debug', String(message), context ? { context } : {});
  }
}

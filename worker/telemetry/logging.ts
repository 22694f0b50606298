/**
 * The Temporal Runtime's logger as pino JSON lines: SDK, Core (forwarded), workflow and activity logs alike, one
 * object per line with the ids Temporal attaches (workflowId, runId, activityType, …) plus `run` (the Gauntlet run:
 * its workflow id) and whatever the caller adds (runJob: stage, jobId).
 */
import type { LogLevel, LogMetadata, Logger } from '@temporalio/common';
import { pino, type DestinationStream, type Logger as Pino } from 'pino';

const PINO_LEVEL = { TRACE: 'trace', DEBUG: 'debug', INFO: 'info', WARN: 'warn', ERROR: 'error' } as const;

export class PinoTemporalLogger implements Logger {
  constructor(readonly pino: Pino) {}

  log(level: LogLevel, message: string, meta?: LogMetadata): void {
    this.pino[PINO_LEVEL[level]](fields(meta), message);
  }
  trace(message: string, meta?: LogMetadata): void {
    this.log('TRACE', message, meta);
  }
  debug(message: string, meta?: LogMetadata): void {
    this.log('DEBUG', message, meta);
  }
  info(message: string, meta?: LogMetadata): void {
    this.log('INFO', message, meta);
  }
  warn(message: string, meta?: LogMetadata): void {
    this.log('WARN', message, meta);
  }
  error(message: string, meta?: LogMetadata): void {
    this.log('ERROR', message, meta);
  }
}

/** String keys only (Temporal keeps its timestamp under a symbol; pino stamps its own), errors as pino's `err`. */
function fields(meta: LogMetadata | undefined): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if (!meta) return out;
  for (const [key, value] of Object.entries(meta)) {
    if (value === undefined) continue;
    if (value instanceof Error) out[key === 'error' ? 'err' : key] = pino.stdSerializers.err(value);
    else out[key] = value;
  }
  if (typeof out.workflowId === 'string' && out.run === undefined) out.run = out.workflowId;
  return out;
}

export function createPinoLogger(level: LogLevel, destination?: DestinationStream): PinoTemporalLogger {
  const options = { level: PINO_LEVEL[level], base: { service: 'gauntlet-worker' } };
  return new PinoTemporalLogger(destination ? pino(options, destination) : pino(options));
}

/**
 * Observability settings from the environment: the standard OpenTelemetry variables for traces, and Gauntlet's own
 * for metrics and logs. Light on purpose (zod only): the CLI reads it on every command, and loads the
 * OpenTelemetry SDK only when tracing is on.
 */
import { z } from 'zod';

const blankIsUnset = (value: unknown) => (typeof value === 'string' && value.trim() === '' ? undefined : value);

export const TracingEnv = z.object({
  OTEL_EXPORTER_OTLP_ENDPOINT: z.preprocess(blankIsUnset, z.url().optional()),
  OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: z.preprocess(blankIsUnset, z.url().optional()),
  OTEL_SDK_DISABLED: z.preprocess(blankIsUnset, z.enum(['true', 'false']).optional()),
  OTEL_TRACES_EXPORTER: z.preprocess(blankIsUnset, z.string().optional()),
  OTEL_SERVICE_NAME: z.preprocess(blankIsUnset, z.string().optional()),
});

export const TelemetryEnv = TracingEnv.extend({
  GAUNTLET_METRICS_PORT: z.preprocess(blankIsUnset, z.coerce.number<unknown>().int().min(0).max(65535).optional()),
  /** Where the metrics endpoint listens. @default 0.0.0.0 (Prometheus scrapes the pod IP) */
  GAUNTLET_METRICS_HOST: z.preprocess(blankIsUnset, z.string().optional()),
  GAUNTLET_LOG_LEVEL: z.preprocess(blankIsUnset, z.enum(['TRACE', 'DEBUG', 'INFO', 'WARN', 'ERROR']).optional()),
});

export interface TelemetryConfig {
  /** Null when nothing is to be exported: no tracer is installed at all, so tracing costs nothing. */
  tracing: { serviceName: string } | null;
  /** Null when GAUNTLET_METRICS_PORT is unset. */
  metrics: { port: number; host: string } | null;
  logLevel: 'TRACE' | 'DEBUG' | 'INFO' | 'WARN' | 'ERROR';
}

export class TelemetryConfigError extends Error {
  constructor(problems: string[]) {
    super(`invalid observability settings:\n  ${problems.join('\n  ')}`);
    this.name = 'TelemetryConfigError';
  }
}

function parse<T extends z.ZodType>(schema: T, env: NodeJS.ProcessEnv): z.infer<T> {
  const parsed = schema.safeParse(env);
  if (parsed.success) return parsed.data;
  throw new TelemetryConfigError(parsed.error.issues.map((issue) => `${String(issue.path[0])}: ${issue.message} (got ${JSON.stringify(env[String(issue.path[0])])})`));
}

/** Tracing alone (the CLI): on when an OTLP endpoint is set, unless the SDK or the traces exporter is turned off. */
export function tracingConfig(defaultService: string, env: NodeJS.ProcessEnv = process.env): TelemetryConfig['tracing'] {
  const e = parse(TracingEnv, env);
  const endpoint = e.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT ?? e.OTEL_EXPORTER_OTLP_ENDPOINT;
  const off = e.OTEL_SDK_DISABLED === 'true' || e.OTEL_TRACES_EXPORTER === 'none';
  return endpoint && !off ? { serviceName: e.OTEL_SERVICE_NAME ?? defaultService } : null;
}

export function telemetryConfig(defaultService: string, env: NodeJS.ProcessEnv = process.env): TelemetryConfig {
  const e = parse(TelemetryEnv, env);
  return {
    tracing: tracingConfig(defaultService, env),
    metrics: e.GAUNTLET_METRICS_PORT === undefined ? null : { port: e.GAUNTLET_METRICS_PORT, host: e.GAUNTLET_METRICS_HOST ?? '0.0.0.0' },
    logLevel: e.GAUNTLET_LOG_LEVEL ?? 'INFO',
  };
}

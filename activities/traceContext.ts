/**
 * The W3C trace context a job runs under: the active span's (the job activity's, when the worker traces) as
 * TRACEPARENT / TRACESTATE, for the trainer to hang its own spans under. Empty when tracing is off: the global
 * propagator is then the API's no-op, so this costs nothing.
 */
import { context, propagation } from '@opentelemetry/api';

/** OTLP settings a job needs to export its spans where the worker does (a pod does not inherit the worker's env). */
const FORWARDED = ['OTEL_EXPORTER_OTLP_ENDPOINT', 'OTEL_EXPORTER_OTLP_TRACES_ENDPOINT', 'OTEL_EXPORTER_OTLP_PROTOCOL', 'OTEL_EXPORTER_OTLP_TRACES_PROTOCOL'] as const;

export function jobTraceEnv(env: NodeJS.ProcessEnv = process.env): Record<string, string> {
  const carrier: Record<string, string> = {};
  propagation.inject(context.active(), carrier);
  if (!carrier.traceparent) return {};
  const out: Record<string, string> = { TRACEPARENT: carrier.traceparent };
  if (carrier.tracestate) out.TRACESTATE = carrier.tracestate;
  for (const key of FORWARDED) {
    const value = env[key];
    if (value) out[key] = value;
  }
  return out;
}

/**
 * OpenTelemetry tracing through Temporal's interceptors: a client span when the CLI starts a run, a workflow span
 * (exported from the workflow sandbox through a sink), an activity span, and the activity's trace context handed to
 * each job as TRACEPARENT. Only loaded when an OTLP endpoint is set (worker/telemetry/config.ts).
 *
 * The exporter is OTLP/HTTP with JSON bodies; it reads OTEL_EXPORTER_OTLP_(TRACES_)ENDPOINT, _HEADERS and
 * OTEL_BSP_* itself.
 */
import { createRequire } from 'node:module';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { Resource } from '@opentelemetry/resources';
import { BatchSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { NodeTracerProvider } from '@opentelemetry/sdk-trace-node';
import type { ClientInterceptors } from '@temporalio/client';
import {
  makeWorkflowExporter,
  OpenTelemetryActivityInboundInterceptor,
  OpenTelemetryActivityOutboundInterceptor,
  OpenTelemetryWorkflowClientInterceptor,
} from '@temporalio/interceptors-opentelemetry';
import type { WorkerOptions } from '@temporalio/worker';

export interface Tracing {
  clientInterceptors(): ClientInterceptors;
  workerOptions(): Pick<WorkerOptions, 'interceptors' | 'sinks'>;
  /** Exports what is still buffered; later spans are dropped. */
  shutdown(): Promise<void>;
}

let installed: Tracing | null = null;

/** Installs the global tracer provider (async-local context, W3C propagation) once per process. */
export function installTracing(serviceName: string): Tracing {
  if (installed) return installed;
  const resource = Resource.default().merge(new Resource({ 'service.name': serviceName }));
  const spanProcessor = new BatchSpanProcessor(new OTLPTraceExporter());
  const provider = new NodeTracerProvider({ resource, spanProcessors: [spanProcessor] });
  provider.register();
  let closing: Promise<void> | null = null;
  const shutdown = () => (closing ??= provider.shutdown().catch(() => undefined));
  // The CLI ends by running out of work, not by exit(): export the buffered spans then (once more work is queued,
  // the loop goes on until the export answers).
  process.once('beforeExit', () => void shutdown());
  const workflowInterceptors = createRequire(import.meta.url).resolve('@temporalio/interceptors-opentelemetry/lib/workflow-interceptors');
  installed = {
    clientInterceptors: () => ({ workflow: [new OpenTelemetryWorkflowClientInterceptor()] }),
    workerOptions: () => ({
      interceptors: {
        workflowModules: [workflowInterceptors],
        activity: [(ctx) => ({ inbound: new OpenTelemetryActivityInboundInterceptor(ctx), outbound: new OpenTelemetryActivityOutboundInterceptor(ctx) })],
      },
      sinks: { exporter: makeWorkflowExporter(spanProcessor, resource) },
    }),
    shutdown,
  };
  return installed;
}

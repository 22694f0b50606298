/**
 * The worker's observability, set up before any Temporal connection (the Runtime is installed once, first):
 * JSON logs through the Runtime logger, the Temporal SDK's and Gauntlet's metrics on GAUNTLET_METRICS_PORT, and
 * OpenTelemetry tracing when an OTLP endpoint is set. What is off costs nothing.
 */
import { createServer } from 'node:net';
import { Runtime, type WorkerOptions } from '@temporalio/worker';
import { GauntletMetrics } from '../../activities/metrics.js';
import { telemetryConfig } from './config.js';
import { createPinoLogger } from './logging.js';
import { startMetricsServer, type MetricsServer } from './metricsServer.js';

export interface WorkerTelemetry {
  /** For createActivities; null when no endpoint would show them. */
  metrics: GauntletMetrics | null;
  /** Spread into Worker.create: the tracing interceptors and the workflow span sink, or nothing. */
  workerOptions: Pick<WorkerOptions, 'interceptors' | 'sinks'>;
  /** The metrics endpoint's port, when there is one. */
  metricsPort: number | null;
  close(): Promise<void>;
}

export async function startWorkerTelemetry(env: NodeJS.ProcessEnv = process.env): Promise<WorkerTelemetry> {
  const config = telemetryConfig('gauntlet-worker', env);
  const logger = createPinoLogger(config.logLevel);
  // Core serves the SDK's metrics on loopback; our endpoint appends them to Gauntlet's own.
  const temporalMetricsPort = config.metrics ? await freeLoopbackPort() : null;
  Runtime.install({
    logger,
    telemetryOptions: {
      logging: { forward: {} },
      ...(temporalMetricsPort ? { metrics: { prometheus: { bindAddress: `127.0.0.1:${temporalMetricsPort}` } } } : {}),
    },
  });
  const metrics = config.metrics ? new GauntletMetrics() : null;
  let server: MetricsServer | null = null;
  if (config.metrics && metrics) {
    server = await startMetricsServer({ ...config.metrics, registry: metrics.registry, upstream: `http://127.0.0.1:${temporalMetricsPort}/metrics` });
    logger.info('metrics endpoint listening', { port: server.port, path: '/metrics' });
  }
  let workerOptions: WorkerTelemetry['workerOptions'] = {};
  let shutdownTracing = async () => undefined;
  if (config.tracing) {
    const { installTracing } = await import('./tracing.js');
    const tracing = installTracing(config.tracing.serviceName);
    workerOptions = tracing.workerOptions();
    shutdownTracing = async () => void (await tracing.shutdown());
    logger.info('tracing on: spans go to the OTLP endpoint', { service: config.tracing.serviceName });
  }
  return {
    metrics,
    workerOptions,
    metricsPort: server?.port ?? null,
    close: async () => {
      await server?.close();
      await shutdownTracing();
    },
  };
}

/** A port free right now, for Core's exporter (it takes an address, not a listening socket). */
function freeLoopbackPort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      probe.close(() => resolvePort(port));
    });
  });
}

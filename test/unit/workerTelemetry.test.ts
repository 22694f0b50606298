/**
 * The worker's observability plumbing: which settings turn what on (worker/telemetry/config.ts), the metrics
 * endpoint that serves Gauntlet's metrics followed by the Temporal SDK's (over real HTTP on loopback), and the pino
 * adapter behind the Temporal Runtime logger.
 */
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import { after, describe, test } from 'node:test';
import { GauntletMetrics } from '../../activities/metrics.js';
import { TelemetryConfigError, telemetryConfig, tracingConfig } from '../../worker/telemetry/config.js';
import { createPinoLogger } from '../../worker/telemetry/logging.js';
import { startMetricsServer, type MetricsServer } from '../../worker/telemetry/metricsServer.js';

describe('observability settings', () => {
  test('everything is off by default; logs at INFO', () => {
    assert.deepEqual(telemetryConfig('gauntlet-worker', {}), { tracing: null, metrics: null, logLevel: 'INFO' });
  });

  test('an OTLP endpoint turns tracing on, unless the SDK or the traces exporter is turned off', () => {
    assert.deepEqual(tracingConfig('gauntlet-cli', { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:4318' }), { serviceName: 'gauntlet-cli' });
    assert.deepEqual(tracingConfig('gauntlet-cli', { OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'http://c:4318/v1/traces', OTEL_SERVICE_NAME: 'ci' }), { serviceName: 'ci' });
    assert.equal(tracingConfig('x', { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://c:4318', OTEL_SDK_DISABLED: 'true' }), null);
    assert.equal(tracingConfig('x', { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://c:4318', OTEL_TRACES_EXPORTER: 'none' }), null);
    assert.equal(tracingConfig('x', { OTEL_EXPORTER_OTLP_ENDPOINT: '' }), null);
  });

  test('GAUNTLET_METRICS_PORT turns the endpoint on; a bad value names the variable', () => {
    assert.deepEqual(telemetryConfig('w', { GAUNTLET_METRICS_PORT: '9464' }).metrics, { port: 9464, host: '0.0.0.0' });
    assert.deepEqual(telemetryConfig('w', { GAUNTLET_METRICS_PORT: '0', GAUNTLET_METRICS_HOST: '127.0.0.1' }).metrics, { port: 0, host: '127.0.0.1' });
    assert.throws(() => telemetryConfig('w', { GAUNTLET_METRICS_PORT: 'ninety' }), (error: unknown) => error instanceof TelemetryConfigError && /GAUNTLET_METRICS_PORT.*"ninety"/.test(error.message));
    assert.throws(() => telemetryConfig('w', { GAUNTLET_LOG_LEVEL: 'loud' }), /GAUNTLET_LOG_LEVEL/);
  });
});

async function listen(server: Server): Promise<number> {
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  return (server.address() as AddressInfo).port;
}

async function scrape(port: number, path = '/metrics'): Promise<{ status: number; type: string | null; body: string }> {
  const answer = await fetch(`http://127.0.0.1:${port}${path}`);
  return { status: answer.status, type: answer.headers.get('content-type'), body: await answer.text() };
}

describe('metrics endpoint', () => {
  const closing: Array<() => Promise<void>> = [];
  after(async () => {
    for (const close of closing) await close();
  });

  test('serves Gauntlet metrics and the Temporal SDK metrics in one Prometheus text answer', async () => {
    const upstream = createServer((_req, res) => res.end('# TYPE temporal_worker_task_slots_available gauge\ntemporal_worker_task_slots_available{worker_type="ActivityWorker"} 100\n'));
    const upstreamPort = await listen(upstream);
    closing.push(() => new Promise((done) => upstream.close(() => done())));
    const metrics = new GauntletMetrics();
    metrics.jobOutcomes.inc({ outcome: 'succeeded', executor: 'local', mode: 'train' });
    const server: MetricsServer = await startMetricsServer({ port: 0, host: '127.0.0.1', registry: metrics.registry, upstream: `http://127.0.0.1:${upstreamPort}/metrics` });
    closing.push(() => server.close());
    const answer = await scrape(server.port);
    assert.equal(answer.status, 200);
    assert.match(answer.type ?? '', /^text\/plain/);
    assert.match(answer.body, /^gauntlet_job_outcomes_total\{outcome="succeeded",executor="local",mode="train"\} 1$/m);
    assert.match(answer.body, /^temporal_worker_task_slots_available\{worker_type="ActivityWorker"\} 100$/m);
    assert.equal((await scrape(server.port, '/other')).status, 404);
  });

  test('still serves Gauntlet metrics, with a comment, when the SDK endpoint does not answer', async () => {
    const metrics = new GauntletMetrics();
    const gone = createServer();
    const deadPort = await listen(gone);
    await new Promise<void>((done) => gone.close(() => done()));
    const server = await startMetricsServer({ port: 0, host: '127.0.0.1', registry: metrics.registry, upstream: `http://127.0.0.1:${deadPort}/metrics` });
    closing.push(() => server.close());
    const answer = await scrape(server.port);
    assert.equal(answer.status, 200);
    assert.match(answer.body, /^# HELP gauntlet_jobs_running /m);
    assert.match(answer.body, /^# temporal sdk metrics unavailable: /m);
  });
});

describe('Runtime logger', () => {
  function capture(): { stream: Writable; lines: () => Array<Record<string, unknown>> } {
    let text = '';
    const stream = new Writable({
      write(chunk: Buffer, _encoding, done) {
        text += chunk.toString();
        done();
      },
    });
    return { stream, lines: () => text.trim().split('\n').filter(Boolean).map((line) => JSON.parse(line) as Record<string, unknown>) };
  }

  test('one JSON object per line, with the run (workflow id), stage and job id, errors serialized, below-level dropped', () => {
    const out = capture();
    const logger = createPinoLogger('INFO', out.stream);
    logger.debug('not shown');
    logger.info('job started', { workflowId: 'digits-20261130T100000Z', activityType: 'runJob', stage: 'train', jobId: 'digits-train-1a2b', [Symbol('ts')]: 1n });
    logger.log('ERROR', 'job ended', { workflowId: 'w', error: new Error('exit 1') });
    const [started, ended, extra] = out.lines();
    assert.equal(extra, undefined);
    assert.equal(started?.level, 30);
    assert.equal(started?.msg, 'job started');
    assert.equal(started?.run, 'digits-20261130T100000Z');
    assert.equal(started?.stage, 'train');
    assert.equal(started?.jobId, 'digits-train-1a2b');
    assert.equal(started?.service, 'gauntlet-worker');
    assert.equal(ended?.level, 50);
    assert.equal((ended?.err as { message?: string } | undefined)?.message, 'exit 1');
  });
});

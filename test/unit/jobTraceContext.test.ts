/**
 * The trace context a job runs under: the job activity's span (Temporal's OpenTelemetry activity interceptor) as
 * W3C TRACEPARENT, nothing while no tracer is installed, and both executors handing it to the trainer: the local
 * one in the process environment, the Kubernetes one in the container's env.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { NodeTracerProvider } from '@opentelemetry/sdk-trace-node';
import { OpenTelemetryActivityInboundInterceptor } from '@temporalio/interceptors-opentelemetry';
import { MockActivityEnvironment } from '@temporalio/testing';
import { buildJobManifest } from '../../activities/executor/kubernetes/manifest.js';
import { LocalExecutor } from '../../activities/executor/local.js';
import type { ExecutionHooks } from '../../activities/executor/types.js';
import { jobTraceEnv } from '../../activities/traceContext.js';
import { Job } from '../../core/spec/job.js';
import { KubernetesSpec } from '../../core/spec/kubernetes.js';
import { loadPipelineYaml } from '../../core/spec/parse.js';

const SPEC = `
apiVersion: gauntlet.dev/v1
kind: Pipeline
name: traced
data: { source: "sklearn:digits" }
train: { epochs: 1, schedule: { kind: one_cycle, maxLr: 0.1 } }`;
const TRACEPARENT = /^00-([0-9a-f]{32})-([0-9a-f]{16})-01$/;

const JOB = Job.parse({
  contract: 'gauntlet.job/v1',
  jobId: 'traced-train',
  mode: 'train',
  seed: 0,
  data: { uri: 's3://gauntlet/d.csv', sha256: 'a'.repeat(64), splitUri: 's3://gauntlet/s.json', numClasses: 10 },
  output: { prefix: 's3://gauntlet/runs/traced/train/' },
  epochs: 1,
  schedule: { kind: 'constant', lr: 0.1 },
});

/** Runs `fn` as activity `runJob` behind Temporal's OpenTelemetry activity interceptor, as the traced worker does. */
async function inTracedActivity<R>(fn: () => Promise<R>): Promise<R> {
  const env = new MockActivityEnvironment({ activityType: 'runJob' }, { interceptors: [(ctx) => ({ inbound: new OpenTelemetryActivityInboundInterceptor(ctx) })] });
  return (await env.run(fn)) as R;
}

describe('job trace context', () => {
  // In this order: the first test runs before any tracer provider is installed in this process.
  test('without a tracer provider a job gets no trace variables', async () => {
    assert.deepEqual(await inTracedActivity(async () => jobTraceEnv({})), {});
  });

  test('with one, TRACEPARENT names the activity span, and the OTLP endpoint is forwarded', async () => {
    const exporter = new InMemorySpanExporter();
    new NodeTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] }).register();
    const env = await inTracedActivity(async () => jobTraceEnv({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318', HOME: '/root' }));
    const [span] = exporter.getFinishedSpans();
    assert.equal(span?.name, 'RunActivity:runJob');
    const match = TRACEPARENT.exec(env.TRACEPARENT ?? '');
    assert.ok(match, `TRACEPARENT ${env.TRACEPARENT}`);
    assert.equal(match[1], span.spanContext().traceId);
    assert.equal(match[2], span.spanContext().spanId);
    assert.deepEqual(Object.keys(env).sort(), ['OTEL_EXPORTER_OTLP_ENDPOINT', 'TRACEPARENT']);
  });

  test('the local executor puts it in the trainer process environment', async () => {
    const jobsDir = mkdtempSync(join(tmpdir(), 'gauntlet-trace-'));
    const seen = join(jobsDir, 'traceparent.txt');
    const executor = new LocalExecutor({
      jobsDir,
      command: () => ['/bin/sh', '-c', `printf %s "$TRACEPARENT" > ${seen}`],
      env: {},
      cwd: jobsDir,
      pollMs: 20,
    });
    const hooks: ExecutionHooks = {
      onEvent: () => undefined,
      heartbeat: () => undefined,
      signal: new AbortController().signal,
      isWorkerShutdown: () => false,
      resumeFrom: (job) => job,
      previous: null,
    };
    const trainer = loadPipelineYaml(SPEC).trainer;
    const traceparent = '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01';
    const result = await executor.run(
      { job: JOB, trainer, executor: 'local', identity: { pipeline: 'traced', run: 'traced', stage: 'train' }, deadlineSeconds: 60, env: { TRACEPARENT: traceparent } },
      hooks,
    );
    assert.equal(result.exitCode, 0);
    assert.equal(readFileSync(seen, 'utf8'), traceparent);
  });

  test('the Kubernetes Job carries it in the trainer container env, and has no such entry without it', () => {
    const spec = KubernetesSpec.parse({ image: 'trainer:1', namespace: 'ml' });
    const identity = { pipeline: 'traced', run: 'traced', stage: 'train' };
    const traced = buildJobManifest(JOB, spec, identity, { launch: 1, deadlineSeconds: 60, env: { TRACEPARENT: 'tp' } });
    const plain = buildJobManifest(JOB, spec, identity, { launch: 1, deadlineSeconds: 60 });
    const envOf = (job: typeof traced) => job.spec?.template.spec?.containers[0]?.env ?? [];
    assert.deepEqual(envOf(traced).find((e) => e.name === 'TRACEPARENT'), { name: 'TRACEPARENT', value: 'tp' });
    assert.equal(envOf(plain).find((e) => e.name === 'TRACEPARENT'), undefined);
    assert.equal(envOf(traced).length, envOf(plain).length + 1);
  });
});

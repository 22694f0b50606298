/**
 * Observability on the real stack: one run through the CLI with tracing on, against an in-process OTLP collector,
 * and the worker's metrics endpoint scraped afterwards.
 *
 * Traces: the CLI's StartWorkflow span → the workflow's RunWorkflow span → StartActivity → RunActivity:runJob, and
 * the TRACEPARENT each job process got (recorded by a python wrapper) names a runJob activity span. When the trainer's
 * python has the OpenTelemetry SDK (optional, not a Debian package), its epoch spans must carry the same trace id.
 * Metrics: Gauntlet's own (job outcomes, gate verdicts, running jobs) and the Temporal SDK's, in one answer.
 */
import assert from 'node:assert/strict';
import { chmodSync, existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { z } from 'zod';
import { freePorts } from '../../deploy/dev/net.js';
import { runCapture } from '../../deploy/dev/exec.js';
import { startTestStack, type TestStack } from '../../deploy/dev/testStack.js';
import { detectPython } from '../../deploy/dev/worker.js';
import { runCli } from '../support/cli.js';
import { startOtlpCollector, type CollectedSpan, type OtlpCollector } from '../support/otlpCollector.js';
import { startWorkerProcess, type WorkerProcess } from '../support/workerProcess.js';

const PIPELINE = `
apiVersion: gauntlet.dev/v1
kind: Pipeline
name: traced
data: { source: "sklearn:digits" }
checks: { preprocessing: { enabled: false } }
gates: { overfit: { enabled: false } }
train:
  epochs: 2
  hyperparameters: { hidden: 32 }
  schedule: { kind: one_cycle, maxLr: 0.1 }
`;

const TRACEPARENT = /^00-([0-9a-f]{32})-([0-9a-f]{16})-01$/;

async function waitFor<T>(probe: () => T | undefined, timeoutMs: number, what: string): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const found = probe();
    if (found !== undefined) return found;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

describe('observability on the real stack', () => {
  let stack: TestStack;
  let worker: WorkerProcess;
  let collector: OtlpCollector;
  let metricsPort: number;
  let pythonHasOtel = false;
  const dir = mkdtempSync(join(tmpdir(), 'gauntlet-observability-'));
  const traceparents = join(dir, 'traceparents.txt');

  before(async () => {
    collector = await startOtlpCollector();
    const python = await detectPython();
    pythonHasOtel = (await runCapture(python, ['-c', 'import opentelemetry.sdk.trace; from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter'], { timeoutMs: 60_000 })).code === 0;
    // The job's python, through a wrapper that records the TRACEPARENT each process was started with.
    const wrapper = join(dir, 'python');
    writeFileSync(wrapper, `#!/bin/sh\n[ -n "$TRACEPARENT" ] && printf '%s\\n' "$TRACEPARENT" >> '${traceparents}'\nexec '${python}' "$@"\n`);
    chmodSync(wrapper, 0o755);
    stack = await startTestStack({ worker: false, python });
    [metricsPort] = (await freePorts(1)) as [number];
    worker = await startWorkerProcess({
      ...stack.env,
      GAUNTLET_PYTHON: wrapper,
      OTEL_EXPORTER_OTLP_ENDPOINT: collector.url,
      OTEL_BSP_SCHEDULE_DELAY: '100', // export within 0.1 s instead of 5 s: the test waits less, never races
      GAUNTLET_METRICS_PORT: String(metricsPort),
      GAUNTLET_METRICS_HOST: '127.0.0.1',
    });
  });
  after(async () => {
    await worker?.kill('SIGTERM');
    await stack?.stop();
    await collector?.close();
  });

  test('GIVEN tracing on WHEN a run is started from the CLI THEN its spans form one tree from the CLI to the jobs', async () => {
    const file = join(dir, 'traced.yaml');
    writeFileSync(file, PIPELINE);
    const run = await runCli(['run', file, '--json', '--no-cache'], { ...stack.env, OTEL_EXPORTER_OTLP_ENDPOINT: collector.url });
    assert.equal(run.code, 0, `${run.stderr}\n${worker.output().slice(-3000)}`);
    const runId = z.object({ runId: z.string(), status: z.literal('succeeded') }).parse(JSON.parse(run.stdout)).runId;

    const find = (name: string, service?: string) => collector.spans().find((s) => s.name === name && (!service || s.service === service));
    const client = await waitFor(() => find('StartWorkflow:pipelineWorkflow', 'gauntlet-cli'), 30_000, 'the CLI span (exported as the CLI exits)');
    const workflow = await waitFor(() => find('RunWorkflow:pipelineWorkflow', 'gauntlet-worker'), 30_000, 'the workflow span');
    assert.equal(workflow.traceId, client.traceId);
    assert.equal(workflow.parentSpanId, client.spanId, 'the workflow span is the CLI span\'s child');

    const byId = (): Map<string, CollectedSpan> => new Map(collector.spans().map((s) => [s.spanId, s]));
    const ancestors = (span: CollectedSpan, spans: Map<string, CollectedSpan>): string[] => {
      const names: string[] = [];
      for (let parent = spans.get(span.parentSpanId); parent; parent = spans.get(parent.parentSpanId)) names.push(parent.name);
      return names;
    };
    // Each job's TRACEPARENT is a runJob activity span of this trace, itself under the workflow span.
    const lines = await waitFor(() => (existsSync(traceparents) ? readFileSync(traceparents, 'utf8').trim().split('\n') : undefined), 5_000, 'a job TRACEPARENT');
    assert.ok(lines.length >= 2, `train and evaluate jobs, got ${lines.length} TRACEPARENT(s)`);
    for (const line of lines) {
      const [, traceId, spanId] = TRACEPARENT.exec(line) ?? assert.fail(`not a W3C traceparent: ${line}`);
      assert.equal(traceId, client.traceId, 'the job runs in the CLI\'s trace');
      const activity = await waitFor(() => byId().get(spanId!), 30_000, `the activity span ${spanId}`);
      assert.equal(activity.name, 'RunActivity:runJob');
      assert.equal(activity.attributes.temporalWorkflowId, runId);
      assert.deepEqual(ancestors(activity, byId()).slice(0, 3), ['StartActivity:runJob', 'RunWorkflow:pipelineWorkflow', 'StartWorkflow:pipelineWorkflow']);
    }

    if (pythonHasOtel) {
      // Python's exporter sends protobuf: the trace id travels as its 16 raw bytes, the span name as text.
      const trainerSpans = await waitFor(
        () => collector.protobufBodies().filter((body) => body.includes(Buffer.from(client.traceId, 'hex')) && body.includes('epoch 2')).at(0),
        30_000,
        'the trainer\'s epoch spans',
      );
      assert.ok(trainerSpans.includes('gauntlet-trainer'));
    }
  });

  test('GIVEN GAUNTLET_METRICS_PORT WHEN scraped after a run THEN Gauntlet\'s and the Temporal SDK\'s metrics are there', async () => {
    const answer = await fetch(`http://127.0.0.1:${metricsPort}/metrics`);
    assert.equal(answer.status, 200);
    const text = await answer.text();
    const value = (pattern: RegExp) => Number(pattern.exec(text)?.[1] ?? Number.NaN);
    assert.ok(value(/^gauntlet_job_outcomes_total\{outcome="succeeded",executor="local",mode="train"\} (\d+)$/m) >= 1, text);
    assert.ok(value(/^gauntlet_job_outcomes_total\{outcome="succeeded",executor="local",mode="evaluate"\} (\d+)$/m) >= 1);
    assert.equal(value(/^gauntlet_jobs_running\{executor="local",mode="train"\} (\d+)$/m), 0);
    assert.ok(value(/^gauntlet_job_queue_wait_seconds_count\{executor="local"\} (\d+)$/m) >= 2);
    assert.match(text, /^gauntlet_gate_verdicts_total\{gate="[^"]+",passed="(true|false)"\} \d+$/m);
    // The SDK's own, from Core's exporter: e.g. activity and workflow task counters, slots, poll latencies.
    assert.match(text, /^temporal_\w+(\{[^}]*\})? \d/m);
  });
});

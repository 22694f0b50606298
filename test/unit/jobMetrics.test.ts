/**
 * Gauntlet's own metrics (activities/metrics.ts): how a job attempt is classified, and what the job activity and
 * the manifest writer count, read back in Prometheus' text format as a scrape would.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ApplicationFailure, CancelledFailure } from '@temporalio/common';
import { MockActivityEnvironment } from '@temporalio/testing';
import { JobDetachedError } from '../../activities/executor/types.js';
import { classifyJobEnd, GauntletMetrics, gpusOf, withGateMetrics, withJobMetrics } from '../../activities/metrics.js';
import type { JobOutcome, JobRequest, ManifestRequest } from '../../activities/types.js';
import { loadPipelineYaml } from '../../core/spec/parse.js';

const spec = loadPipelineYaml(`
apiVersion: gauntlet.dev/v1
kind: Pipeline
name: observed
data: { source: "sklearn:digits" }
train: { epochs: 2, schedule: { kind: one_cycle, maxLr: 0.1 } }`);

const request: JobRequest = {
  stage: 'train',
  pipeline: 'observed',
  executor: 'local',
  mode: 'train',
  trainer: spec.trainer,
  data: { uri: 's3://b/d.csv', sha256: 'a'.repeat(64), format: 'csv', labelColumn: 'label', splitUri: 's3://b/s.json', numClasses: 10, ignoreColumns: [] },
  seed: 0,
};

const SCHEDULED_MS = Date.parse('2026-11-30T10:00:00Z');

function outcome(changes: Partial<JobOutcome> = {}, device = 'cpu'): JobOutcome {
  return {
    jobId: 'observed-train',
    resultUri: 's3://b/runs/r/train/result.json',
    result: {
      contract: 'gauntlet.job/v1',
      jobId: 'observed-train',
      mode: 'train',
      status: 'succeeded',
      metrics: {},
      artifacts: {},
      details: {},
      device,
      startedAt: '2026-11-30T10:00:07Z',
      finishedAt: '2026-11-30T10:01:07Z',
      trainer: { name: 'reference', version: '1' },
      resumedFromEpoch: null,
    },
    launches: 1,
    adopted: false,
    trainerSeconds: 60,
    epochs: [],
    ...changes,
  };
}

/** Runs the observed job activity once in a mock activity context; returns the error it threw, if any. */
async function runOnce(metrics: GauntletMetrics, job: JobRequest, body: () => Promise<JobOutcome>): Promise<unknown> {
  const env = new MockActivityEnvironment({ currentAttemptScheduledTimestampMs: SCHEDULED_MS });
  try {
    await env.run(withJobMetrics(body, metrics), job);
    return undefined;
  } catch (error) {
    return error;
  }
}

async function sample(metrics: GauntletMetrics, name: string, labels: Record<string, string>): Promise<number | undefined> {
  // A histogram's _sum and _count are values of the histogram, named by metricName.
  const values = (await metrics.registry.getMetricsAsJSON()).flatMap((m) => m.values.map((v) => ({ ...v, name: 'metricName' in v && typeof v.metricName === 'string' ? v.metricName : m.name })));
  return values.find((v) => v.name === name && Object.entries(labels).every(([k, l]) => String(v.labels[k]) === l))?.value;
}

describe('job outcome classes', () => {
  test('success, cache hit, bad input, cancellation, failure, and a detached job (no end)', () => {
    assert.equal(classifyJobEnd({ outcome: outcome() }), 'succeeded');
    assert.equal(classifyJobEnd({ outcome: outcome({ cachedFrom: { run: 'r0', stage: 'train' } }) }), 'cached');
    assert.equal(classifyJobEnd({ error: ApplicationFailure.nonRetryable('exit 2', 'BadInput'), cancelled: false }), 'bad-input');
    assert.equal(classifyJobEnd({ error: new CancelledFailure('stop'), cancelled: false }), 'cancelled');
    assert.equal(classifyJobEnd({ error: new Error('aborted'), cancelled: true }), 'cancelled');
    assert.equal(classifyJobEnd({ error: ApplicationFailure.retryable('exit 1', 'TrainerFailed'), cancelled: false }), 'failed');
    assert.equal(classifyJobEnd({ error: new JobDetachedError('j'), cancelled: true }), null);
  });

  test('GPUs: the Kubernetes limit, or one for a local job that ran on CUDA', () => {
    assert.equal(gpusOf({ ...request, executor: 'kubernetes', kubernetes: { gpus: 4 } as JobRequest['kubernetes'] }), 4);
    assert.equal(gpusOf(request, outcome({}, 'cuda:0')), 1);
    assert.equal(gpusOf(request, outcome({}, 'cpu')), 0);
  });
});

describe('the observed job activity', () => {
  test('a finished job counts its outcome, its queue wait and, on CUDA, its GPU-seconds; the running gauge returns to 0', async () => {
    const metrics = new GauntletMetrics();
    let runningDuringJob: number | undefined;
    const error = await runOnce(metrics, request, async () => {
      runningDuringJob = await sample(metrics, 'gauntlet_jobs_running', { executor: 'local', mode: 'train' });
      return outcome({}, 'cuda:0');
    });
    assert.equal(error, undefined);
    assert.equal(runningDuringJob, 1);
    assert.equal(await sample(metrics, 'gauntlet_jobs_running', { executor: 'local' }), 0);
    assert.equal(await sample(metrics, 'gauntlet_job_outcomes_total', { outcome: 'succeeded', executor: 'local', mode: 'train' }), 1);
    assert.equal(await sample(metrics, 'gauntlet_gpu_seconds_total', { executor: 'local' }), 60);
    // Scheduled 10:00:00, the trainer started 10:00:07: 7 s in the queue.
    assert.equal(await sample(metrics, 'gauntlet_job_queue_wait_seconds_sum', { executor: 'local' }), 7);
    assert.equal(await sample(metrics, 'gauntlet_job_queue_wait_seconds_count', { executor: 'local' }), 1);
  });

  test('a cache hit and an adopted job add no queue wait; a trial counts as a trial too', async () => {
    const metrics = new GauntletMetrics();
    await runOnce(metrics, request, async () => outcome({ cachedFrom: { run: 'r0', stage: 'train' } }));
    await runOnce(metrics, { ...request, stage: 'trial-3' }, async () => outcome({ adopted: true }));
    assert.equal(await sample(metrics, 'gauntlet_job_outcomes_total', { outcome: 'cached' }), 1);
    assert.equal(await sample(metrics, 'gauntlet_trials_total', { outcome: 'succeeded' }), 1);
    assert.equal(await sample(metrics, 'gauntlet_job_queue_wait_seconds_count', { executor: 'local' }), undefined);
    assert.equal(await sample(metrics, 'gauntlet_gpu_seconds_total', { executor: 'local' }), undefined);
  });

  test('failures are counted by class and rethrown unchanged; a detached job is not counted', async () => {
    const metrics = new GauntletMetrics();
    const badInput = ApplicationFailure.nonRetryable('job rejected its input (exit 2)', 'BadInput');
    assert.equal(await runOnce(metrics, request, async () => Promise.reject(badInput)), badInput);
    await runOnce(metrics, request, async () => Promise.reject(ApplicationFailure.retryable('killed', 'TrainerFailed')));
    await runOnce(metrics, { ...request, stage: 'trial-1' }, async () => Promise.reject(new CancelledFailure('asha')));
    await runOnce(metrics, request, async () => Promise.reject(new JobDetachedError('observed-train')));
    assert.equal(await sample(metrics, 'gauntlet_job_outcomes_total', { outcome: 'bad-input' }), 1);
    assert.equal(await sample(metrics, 'gauntlet_job_outcomes_total', { outcome: 'failed' }), 1);
    assert.equal(await sample(metrics, 'gauntlet_job_outcomes_total', { outcome: 'cancelled' }), 1);
    assert.equal(await sample(metrics, 'gauntlet_trials_total', { outcome: 'cancelled' }), 1);
    assert.equal(await sample(metrics, 'gauntlet_jobs_running', { executor: 'local' }), 0);
    const text = await metrics.registry.metrics();
    assert.match(text, /^gauntlet_job_outcomes_total\{outcome="bad-input",executor="local",mode="train"\} 1$/m);
  });
});

describe('gate verdicts', () => {
  test('counted by gate and verdict once the manifest is written, not when the write fails', async () => {
    const metrics = new GauntletMetrics();
    const gates = [
      { gate: 'overfit', passed: true, explanation: 'loss 0.01 < 0.05' },
      { gate: 'leakage', passed: false, explanation: 'column id predicts the label' },
    ];
    const manifest = { gates } as unknown as ManifestRequest;
    const written = withGateMetrics(async () => 's3://b/runs/r/manifest.json', metrics);
    assert.equal(await written(manifest), 's3://b/runs/r/manifest.json');
    await assert.rejects(withGateMetrics(async () => Promise.reject(new Error('store down')), metrics)(manifest));
    assert.equal(await sample(metrics, 'gauntlet_gate_verdicts_total', { gate: 'overfit', passed: 'true' }), 1);
    assert.equal(await sample(metrics, 'gauntlet_gate_verdicts_total', { gate: 'leakage', passed: 'false' }), 1);
  });
});

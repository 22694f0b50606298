/**
 * The pipeline workflow against a real Temporal dev server, with activities replaced by plain functions:
 * stage order, the job requests each stage sends, search attributes, the progress query, and failure paths.
 */
import { ApplicationFailure, WorkflowFailedError } from '@temporalio/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker } from '@temporalio/worker';
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Activities } from '../../activities/index.js';
import type { IngestResult, JobOutcome, JobRequest } from '../../activities/types.js';
import type { JobResult } from '../../core/spec/job.js';
import { loadPipelineYaml } from '../../core/spec/parse.js';
import { pipelineWorkflow } from '../../workflows/index.js';
import { progressQuery, searchAttributes, type PipelineResult } from '../../workflows/definitions.js';
import { workflowsPath } from '../support/paths.js';
import { createLocalTemporal } from '../support/temporalEnv.js';

const SPEC = loadPipelineYaml(`
apiVersion: gauntlet.dev/v1
kind: Pipeline
name: wf-test
data: { source: "sklearn:digits" }
trainer: { retry: { maximumAttempts: 2, initialInterval: 100ms } }
train: { epochs: 3, schedule: { kind: one_cycle, maxLr: 0.05 } }
goal: { metric: accuracy, min: 0.9 }
`);

const INGEST: IngestResult = {
  data: { uri: 's3://gauntlet/datasets/x.csv', sha256: 'a'.repeat(64), format: 'csv', labelColumn: 'label', splitUri: 's3://gauntlet/datasets/x/splits/y.json', numClasses: 10 },
  rows: 100,
  classes: ['0', '1'],
  counts: { train: 70, valid: 15, test: 15 },
  splitSha256: 'b'.repeat(64),
};

function outcome(request: JobRequest, metrics: Record<string, number>, artifacts: Record<string, string> = {}): JobOutcome {
  const result: JobResult = {
    contract: 'gauntlet.job/v1',
    jobId: `job-${request.stage}`,
    mode: request.mode,
    status: 'succeeded',
    metrics,
    artifacts,
    details: {},
    device: 'cpu',
    startedAt: '2026-01-01T00:00:00Z',
    finishedAt: '2026-01-01T00:00:02Z',
    trainer: { name: 'fake', version: '0' },
    resumedFromEpoch: null,
  };
  return { jobId: result.jobId, resultUri: `s3://gauntlet/runs/r/${request.stage}/result.json`, result, launches: 1, adopted: false, trainerSeconds: 2 };
}

function fakeActivities(overrides: Partial<Activities> = {}, log: JobRequest[] = []): Activities {
  return {
    ingestDataset: async () => INGEST,
    runJob: async (request) => {
      log.push(request);
      if (request.mode === 'train') return outcome(request, { val_accuracy: 0.95 }, { checkpoint: 's3://gauntlet/runs/r/train/checkpoints/epoch-0003.pt' });
      return outcome(request, { accuracy: 0.93, loss: 0.2, n: 15 });
    },
    writeRunManifest: async () => 's3://gauntlet/runs/r/manifest.json',
    ...overrides,
  };
}

describe('pipeline workflow (real dev server, fake activities)', () => {
  let env: TestWorkflowEnvironment;
  before(async () => {
    env = await createLocalTemporal();
  });
  after(async () => {
    await env?.teardown();
  });

  async function runWith(activities: Activities, taskQueue: string, workflowId: string) {
    const worker = await Worker.create({ connection: env.nativeConnection, taskQueue, workflowsPath, activities });
    return worker.runUntil(async () => {
      const handle = await env.client.workflow.start(pipelineWorkflow, { taskQueue, workflowId, args: [{ spec: SPEC, specFile: 'inline.yaml' }] });
      const result = await handle.result().then(
        (value: PipelineResult) => ({ ok: true as const, value }),
        (error: unknown) => ({ ok: false as const, error }),
      );
      const progress = await handle.query(progressQuery);
      const description = await handle.describe();
      return { result, progress, description };
    });
  }

  test('GIVEN working activities WHEN the pipeline runs THEN it trains, evaluates the checkpoint on test and records', async () => {
    const requests: JobRequest[] = [];
    const { result, progress, description } = await runWith(fakeActivities({}, requests), 'wf-ok', 'wf-test-ok');
    assert.ok(result.ok);
    assert.equal(result.value.metrics.test_accuracy, 0.93);
    assert.equal(result.value.metrics.val_accuracy, 0.95);
    assert.equal(result.value.goalMet, true);
    assert.equal(result.value.manifestUri, 's3://gauntlet/runs/r/manifest.json');
    assert.deepEqual(requests.map((request) => [request.stage, request.mode]), [['train', 'train'], ['evaluate-test', 'evaluate']]);
    assert.equal(requests[1]?.checkpoint, 's3://gauntlet/runs/r/train/checkpoints/epoch-0003.pt');
    assert.equal(requests[1]?.split, 'test');
    assert.deepEqual(requests[0]?.schedule, SPEC.train.schedule);
    assert.equal(progress.status, 'succeeded');
    assert.deepEqual(progress.stages.map((stage) => stage.status), ['succeeded', 'succeeded', 'succeeded', 'succeeded']);
    assert.equal(description.typedSearchAttributes.get(searchAttributes.pipeline), 'wf-test');
    assert.equal(description.typedSearchAttributes.get(searchAttributes.status), 'succeeded');
    assert.equal(description.typedSearchAttributes.get(searchAttributes.stage), 'record');
    assert.equal(description.typedSearchAttributes.get(searchAttributes.bestMetric), 0.93);
  });

  test('GIVEN a trainer that rejects its input WHEN the pipeline runs THEN it fails once, without retries, and says so', async () => {
    let calls = 0;
    const activities = fakeActivities({
      runJob: async () => {
        calls++;
        throw ApplicationFailure.nonRetryable('job rejected its input (exit 2): data.labelColumn missing', 'BadInput');
      },
    });
    const { result, progress, description } = await runWith(activities, 'wf-bad', 'wf-test-bad');
    assert.equal(result.ok, false);
    assert.ok(!result.ok && result.error instanceof WorkflowFailedError);
    assert.equal(calls, 1);
    assert.equal(progress.status, 'failed');
    assert.match(progress.error ?? '', /exit 2/);
    assert.deepEqual(progress.stages.map((stage) => stage.status), ['succeeded', 'failed', 'skipped', 'skipped']);
    assert.equal(description.typedSearchAttributes.get(searchAttributes.status), 'failed');
  });

  test('GIVEN a retryable trainer failure WHEN the retry succeeds THEN the run succeeds', async () => {
    let calls = 0;
    const base = fakeActivities();
    const activities = fakeActivities({
      runJob: async (request) => {
        calls++;
        if (calls === 1) throw ApplicationFailure.retryable('job exited with 1', 'TrainerFailed');
        return base.runJob(request);
      },
    });
    const { result } = await runWith(activities, 'wf-retry', 'wf-test-retry');
    assert.ok(result.ok);
    assert.equal(calls, 3); // train twice, evaluate once
  });

  test('GIVEN a goal the model misses WHEN the pipeline ends THEN the run records the goal as not met', async () => {
    const base = fakeActivities();
    const activities = fakeActivities({
      runJob: async (request) => (request.mode === 'evaluate' ? outcome(request, { accuracy: 0.5 }) : base.runJob(request)),
    });
    const { result } = await runWith(activities, 'wf-goal', 'wf-test-goal');
    assert.ok(result.ok);
    assert.equal(result.value.goalMet, false);
  });
});

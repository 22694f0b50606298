/**
 * How the workflows tell the infrastructure's failures (retried within trainer.infraRetryWindow, never counted)
 * from the trainer's (counted against trainer.retry.maximumAttempts), against a real dev server with plain-function
 * activities: outages, a worker that stops heartbeating, a window that runs out, and a sweep that really exceeds
 * budget.maxFailedTrials.
 */
import { ApplicationFailure, WorkflowFailedError } from '@temporalio/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { Context } from '@temporalio/activity';
import { Worker } from '@temporalio/worker';
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Activities } from '../../activities/index.js';
import type { JobRequest } from '../../activities/types.js';
import { rootCauseMessage } from '../../core/errors.js';
import { INFRASTRUCTURE_UNAVAILABLE } from '../../core/failures.js';
import { loadPipelineYaml } from '../../core/spec/parse.js';
import { progressQuery, searchAttributes, type PipelineResult } from '../../contracts/pipeline.js';
import { pipelineWorkflow } from '../../workflows/index.js';
import { fakeActivities } from '../support/fakeActivities.js';
import { workflowsPath } from '../support/paths.js';
import { createLocalTemporal } from '../support/temporalEnv.js';

const spec = (trainer: string, extra = '') =>
  loadPipelineYaml(`
apiVersion: gauntlet.dev/v1
kind: Pipeline
name: faults
data: { source: "sklearn:digits" }
gates: { oracle: { enabled: false } }
trainer: ${trainer}
train: { epochs: 2, schedule: { kind: one_cycle, maxLr: 0.05 } }
${extra}`);

const storageDown = () =>
  ApplicationFailure.create({ message: 'storage at http://127.0.0.1:9 unreachable: connect ECONNREFUSED 127.0.0.1:9', type: INFRASTRUCTURE_UNAVAILABLE, details: [{ service: 'storage', endpoint: 'http://127.0.0.1:9' }] });

describe('infrastructure faults vs trainer failures (real dev server, fake activities)', () => {
  let env: TestWorkflowEnvironment;
  before(async () => {
    env = await createLocalTemporal();
  });
  after(async () => {
    await env?.teardown();
  });

  async function run(activities: Activities, id: string, pipeline: ReturnType<typeof spec>) {
    const worker = await Worker.create({ connection: env.nativeConnection, taskQueue: id, workflowsPath, activities });
    return worker.runUntil(async () => {
      const handle = await env.client.workflow.start(pipelineWorkflow, { taskQueue: id, workflowId: id, args: [{ spec: pipeline }] });
      const result = await handle.result().then(
        (value: PipelineResult) => ({ ok: true as const, value }),
        (error: unknown) => ({ ok: false as const, error }),
      );
      return { result, progress: await handle.query(progressQuery), description: await handle.describe() };
    });
  }

  test('GIVEN storage unreachable for a while during training WHEN the trainer may not be retried at all THEN the stage waits the outage out and the run succeeds', async () => {
    let trainCalls = 0;
    const activities = fakeActivities({
      runJob: async (request: JobRequest) => {
        if (request.mode === 'train' && ++trainCalls <= 3) throw storageDown();
        return fakeActivities().runJob(request);
      },
      // The record stage meets the same outage once.
      writeRunManifest: (() => {
        let calls = 0;
        return async () => {
          if (++calls === 1) throw storageDown();
          return 's3://gauntlet/runs/r/manifest.json';
        };
      })(),
    });
    const { result } = await run(activities, 'faults-outage', spec('{ retry: { maximumAttempts: 1 }, infraRetryWindow: 5m }'));
    assert.ok(result.ok, result.ok ? '' : rootCauseMessage(result.error));
    assert.equal(result.value.status, 'succeeded');
    assert.equal(trainCalls, 4, 'three outages, then the job that the fourth call adopted');
  });

  test('GIVEN storage down while a stage runs WHEN it is retried THEN the progress query shows the retry on that stage, naming the service', async () => {
    let trainCalls = 0;
    let release: () => void = () => undefined;
    const released = new Promise<void>((resolve) => (release = resolve));
    const activities = fakeActivities({
      runJob: async (request: JobRequest) => {
        if (request.mode === 'train' && ++trainCalls === 1) throw storageDown();
        // The retry waits here until the test has read the progress.
        if (request.mode === 'train') await released;
        return fakeActivities().runJob(request);
      },
    });
    const id = 'faults-visible';
    const worker = await Worker.create({ connection: env.nativeConnection, taskQueue: id, workflowsPath, activities });
    await worker.runUntil(async () => {
      const handle = await env.client.workflow.start(pipelineWorkflow, { taskQueue: id, workflowId: id, args: [{ spec: spec('{ retry: { maximumAttempts: 1 } }') }] });
      let retrying: string | undefined;
      for (let tries = 0; tries < 300 && !retrying; tries++) {
        retrying = (await handle.query(progressQuery)).stages.find((stage) => stage.stage === 'train')?.retrying;
        if (!retrying) await new Promise((resolve) => setTimeout(resolve, 100));
      }
      release();
      assert.match(retrying ?? '', /^storage at http:\/\/127\.0\.0\.1:9 unavailable \(.*\); retry 1 in 1 s, not counted against the trainer$/);
      await handle.result();
      const progress = await handle.query(progressQuery);
      assert.equal(progress.stages.find((stage) => stage.stage === 'train')?.retrying, undefined, 'cleared when the stage ends');
    });
  });

  test('GIVEN a worker that stops heartbeating mid-job WHEN the heartbeat times out THEN the job is attached again, not counted as a trainer failure', async () => {
    let trainCalls = 0;
    const activities = fakeActivities({
      runJob: async (request: JobRequest) => {
        // A worker that went silent: no heartbeat, no answer (until the test's worker shuts down).
        if (request.mode === 'train' && ++trainCalls === 1) return Context.current().cancelled.then(() => fakeActivities().runJob(request));
        return fakeActivities().runJob(request);
      },
    });
    const { result } = await run(activities, 'faults-heartbeat', spec('{ retry: { maximumAttempts: 1 }, heartbeatTimeout: 1s }'));
    assert.ok(result.ok, result.ok ? '' : rootCauseMessage(result.error));
    assert.equal(trainCalls, 2);
  });

  test('GIVEN storage that never comes back WHEN the retry window passes THEN the run fails naming the service, and never says succeeded', async () => {
    const activities = fakeActivities({
      runJob: async (request: JobRequest) => {
        if (request.mode === 'train') throw storageDown();
        return fakeActivities().runJob(request);
      },
    });
    const { result, progress, description } = await run(activities, 'faults-window', spec('{ infraRetryWindow: 3s }'));
    assert.ok(!result.ok);
    assert.ok(result.error instanceof WorkflowFailedError);
    assert.match(rootCauseMessage(result.error), /storage at http:\/\/127\.0\.0\.1:9 could not be reached for \d+ s \(trainer\.infraRetryWindow 3 s\)/);
    assert.equal(progress.status, 'failed');
    assert.equal(description.typedSearchAttributes.get(searchAttributes.status), 'failed');
  });

  test('GIVEN a trainer that keeps exiting 1 WHEN retry.maximumAttempts is 2 THEN it is launched twice and the stage fails with its error', async () => {
    let trainCalls = 0;
    const activities = fakeActivities({
      runJob: async (request: JobRequest) => {
        if (request.mode === 'train') {
          trainCalls += 1;
          throw ApplicationFailure.retryable('job faults-train exited with 1', 'TrainerFailed');
        }
        return fakeActivities().runJob(request);
      },
    });
    const { result } = await run(activities, 'faults-trainer', spec('{ retry: { maximumAttempts: 2, initialInterval: 100ms } }'));
    assert.ok(!result.ok);
    assert.match(rootCauseMessage(result.error), /exited with 1/);
    assert.equal(trainCalls, 2);
  });

  test('GIVEN a sweep whose trials really fail WHEN they pass budget.maxFailedTrials THEN it says stoppedBecause maxFailedTrials and the run is incomplete, not succeeded', async () => {
    const activities = fakeActivities(
      {
        runJob: async (request: JobRequest) => {
          // Wide models crash (a bug in the user's model, say); narrow ones train.
          if (request.stage.startsWith('trial-') && request.hyperparameters?.hidden === 256) throw ApplicationFailure.retryable('job exited with 1: CUDA error', 'TrainerFailed');
          return fakeActivities().runJob(request);
        },
      },
      [],
      'faults-sweep-sweep',
    );
    const pipeline = spec(
      '{ retry: { maximumAttempts: 1 } }',
      `sweep:
  space: { hidden: { choice: [16, 256] } }
  strategy: { kind: grid }
  repeats: 3
  budget: { maxTrials: 6, maxFailedTrials: 1, gpuBudget: 1 }`,
    );
    const { result, progress, description } = await run(activities, 'faults-sweep', pipeline);
    assert.ok(result.ok, result.ok ? '' : rootCauseMessage(result.error));
    assert.equal(result.value.status, 'incomplete');
    assert.equal(result.value.sweep?.stoppedBecause, 'maxFailedTrials');
    assert.match(result.value.sweep?.endReason ?? '', /budget\.maxFailedTrials 1/);
    assert.ok((result.value.sweep?.trials ?? 0) < 6, 'the sweep stopped short of its plan');
    assert.equal(progress.status, 'incomplete');
    assert.equal(progress.sweep?.stoppedBecause, 'maxFailedTrials');
    assert.equal((description.memo as Record<string, unknown> | undefined)?.sweepStoppedBecause, 'maxFailedTrials');
    assert.match(progress.stages.find((stage) => stage.stage === 'sweep')?.detail ?? '', /stopped: maxFailedTrials/);
    assert.equal(description.typedSearchAttributes.get(searchAttributes.status), 'incomplete');
  });
});

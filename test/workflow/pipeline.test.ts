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
import type { JobRequest } from '../../activities/types.js';
import { loadPipelineYaml } from '../../core/spec/parse.js';
import { pipelineWorkflow } from '../../workflows/index.js';
import { progressQuery, searchAttributes, type PipelineResult } from '../../contracts/pipeline.js';
import { fakeActivities, outcome, SUGGESTIONS } from '../support/fakeActivities.js';
import { workflowsPath } from '../support/paths.js';
import { createLocalTemporal } from '../support/temporalEnv.js';

const specWith = (train: string, extra = '') =>
  loadPipelineYaml(`
apiVersion: gauntlet.dev/v1
kind: Pipeline
name: wf-test
data: { source: "sklearn:digits" }
trainer: { retry: { maximumAttempts: 2, initialInterval: 100ms } }
train: ${train}
goal: { metric: accuracy, min: 0.9 }
checks: { preprocessing: { enabled: false } }   # its inspect job has its own tests (checks.test.ts)
${extra}`);
const SPEC = specWith('{ epochs: 3, schedule: { kind: one_cycle } }');
const FIXED_LR_SPEC = specWith('{ epochs: 3, schedule: { kind: one_cycle, maxLr: 0.05 } }');
const FALLBACK_SPEC = specWith('{ epochs: 3, schedule: { kind: one_cycle }, lrFind: { policy: steep, fallbackMaxLr: 0.02 } }');
describe('pipeline workflow (real dev server, fake activities)', () => {
  let env: TestWorkflowEnvironment;
  before(async () => {
    env = await createLocalTemporal();
  });
  after(async () => {
    await env?.teardown();
  });

  async function runWith(activities: Activities, taskQueue: string, workflowId: string, spec = SPEC) {
    const worker = await Worker.create({ connection: env.nativeConnection, taskQueue, workflowsPath, activities });
    return worker.runUntil(async () => {
      const handle = await env.client.workflow.start(pipelineWorkflow, { taskQueue, workflowId, args: [{ spec, specFile: 'inline.yaml' }] });
      const result = await handle.result().then(
        (value: PipelineResult) => ({ ok: true as const, value }),
        (error: unknown) => ({ ok: false as const, error }),
      );
      const progress = await handle.query(progressQuery);
      const description = await handle.describe();
      return { result, progress, description };
    });
  }

  test('GIVEN working activities WHEN the pipeline runs THEN gates pass, the range test picks max LR, it trains one-cycle, evaluates and records', async () => {
    const requests: JobRequest[] = [];
    const { result, progress, description } = await runWith(fakeActivities({}, requests), 'wf-ok', 'wf-test-ok');
    assert.ok(result.ok);
    assert.equal(result.value.metrics.test_accuracy, 0.93);
    assert.equal(result.value.metrics.val_accuracy, 0.95);
    assert.equal(result.value.metrics.oracle_final_accuracy, 1);
    assert.equal(result.value.goalMet, true);
    assert.equal(result.value.manifestUri, 's3://gauntlet/runs/r/manifest.json');
    assert.deepEqual(requests.map((request) => [request.stage, request.mode]), [
      ['overfit', 'overfit_check'], ['lr-find', 'lr_range_test'], ['train', 'train'], ['evaluate', 'evaluate'],
    ]);
    assert.deepEqual(requests[0]?.overfit, { batchSize: 32, lossThreshold: 0.05, maxSteps: 300 });
    assert.deepEqual(requests[1]?.schedule, { kind: 'range_test', startLr: 1e-7, endLr: 10, numSteps: 100, divergeFactor: 4 });
    assert.equal(requests[2]?.schedule?.kind === 'one_cycle' && requests[2].schedule.maxLr, SUGGESTIONS.valley);
    assert.equal(requests[3]?.checkpoint, 's3://gauntlet/runs/r/train/checkpoints/epoch-0003.pt');
    assert.equal(requests[3]?.split, 'test');
    assert.equal(progress.status, 'succeeded');
    assert.deepEqual(progress.stages.map((stage) => [stage.stage, stage.status]), [
      ['ingest', 'succeeded'], ['label', 'skipped'], ['checks', 'succeeded'], ['oracle', 'succeeded'], ['overfit', 'succeeded'], ['lr-find', 'succeeded'],
      ['train', 'succeeded'], ['sweep', 'skipped'], ['evaluate', 'succeeded'], ['promote', 'skipped'], ['approve', 'skipped'], ['record', 'succeeded'],
    ]);
    assert.deepEqual(progress.gates.map((gate) => [gate.gate, gate.passed]), [['schema', true], ['duplicates', true], ['leakage', true], ['splits', true], ['oracle', true], ['overfit', true]]);
    assert.equal(progress.lr?.source, 'range_test');
    assert.equal(progress.lr?.maxLr, SUGGESTIONS.valley);
    const memo = description.memo as { lrFinder?: { maxLr: number; curveUri: string; trustworthy: boolean } } | undefined;
    assert.equal(memo?.lrFinder?.maxLr, SUGGESTIONS.valley);
    assert.equal(memo?.lrFinder?.curveUri, 's3://gauntlet/runs/r/lr-find/lr_curve.json');
    assert.equal(memo?.lrFinder?.trustworthy, true);
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
    assert.deepEqual(progress.stages.map((stage) => stage.status), ['succeeded', 'skipped', 'succeeded', 'succeeded', 'failed', 'skipped', 'skipped', 'skipped', 'skipped', 'skipped', 'skipped', 'skipped']);
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
    assert.equal(calls, 5); // overfit gate twice, then lr-find, train, evaluate
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

  test('GIVEN a model that cannot memorise one batch WHEN the overfit gate runs THEN the run stops there with the reason and nothing else trains', async () => {
    const requests: JobRequest[] = [];
    const base = fakeActivities({}, requests);
    const activities = fakeActivities({
      runJob: async (request) => {
        if (request.mode !== 'overfit_check') return base.runJob(request);
        requests.push(request);
        const result = outcome(request, { final_loss: 2.1, steps: 300 });
        return { ...result, result: { ...result.result, details: { passed: false } } };
      },
    });
    const { result, progress, description } = await runWith(activities, 'wf-overfit', 'wf-test-overfit');
    assert.equal(result.ok, false);
    assert.deepEqual(requests.map((request) => request.mode), ['overfit_check']);
    assert.equal(progress.status, 'stopped_by_gate');
    assert.match(progress.error ?? '', /overfit gate failed: after 300 steps .* loss is 2\.10 \(threshold 0\.05\)/);
    assert.match(progress.error ?? '', /labels line up with inputs/);
    assert.deepEqual(progress.gates.map((gate) => [gate.gate, gate.passed]), [['schema', true], ['duplicates', true], ['leakage', true], ['splits', true], ['oracle', true], ['overfit', false]]);
    assert.equal(description.typedSearchAttributes.get(searchAttributes.status), 'stopped_by_gate');
  });

  test('GIVEN an oracle bound below the goal WHEN the run starts THEN it stops before any job runs', async () => {
    const requests: JobRequest[] = [];
    const activities = fakeActivities({ computeOracleBound: async () => ({ accuracy: 0.5, n: 270, errors: 135 }) }, requests);
    const { result, progress } = await runWith(activities, 'wf-oracle', 'wf-test-oracle');
    assert.equal(result.ok, false);
    assert.equal(requests.length, 0, 'no training job may run');
    assert.equal(progress.status, 'stopped_by_gate');
    assert.match(progress.error ?? '', /oracle upper bound 0\.5000 is below the goal accuracy ≥ 0\.9/);
    assert.equal(progress.metrics.oracle_final_accuracy, 0.5);
  });

  test('GIVEN a fixed maxLr WHEN the pipeline runs THEN the range test is skipped and training uses it', async () => {
    const requests: JobRequest[] = [];
    const { result, progress } = await runWith(fakeActivities({}, requests), 'wf-fixed', 'wf-test-fixed', FIXED_LR_SPEC);
    assert.ok(result.ok);
    assert.deepEqual(requests.map((request) => request.mode), ['overfit_check', 'train', 'evaluate']);
    assert.equal(requests[1]?.schedule?.kind === 'one_cycle' && requests[1].schedule.maxLr, 0.05);
    assert.equal(progress.stages.find((stage) => stage.stage === 'lr-find')?.status, 'skipped');
    assert.deepEqual(progress.lr, { source: 'fixed', maxLr: 0.05 });
  });

  test('GIVEN an untrustworthy range test WHEN no fallback is declared THEN the run stops; WHEN one is THEN it is used, visibly', async () => {
    const untrustworthy = {
      analyzeRangeTest: async () => ({
        suggestions: SUGGESTIONS, trustworthy: false, reasons: ['the loss never falls by 10%'], points: 90,
        analysisUri: 's3://gauntlet/a.json', plotUri: 's3://gauntlet/a.svg',
      }),
    };
    const stopped = await runWith(fakeActivities(untrustworthy), 'wf-untrusted', 'wf-test-untrusted');
    assert.equal(stopped.result.ok, false);
    assert.equal(stopped.progress.status, 'stopped_by_gate');
    assert.match(stopped.progress.error ?? '', /not trustworthy \(the loss never falls by 10%\)/);

    const requests: JobRequest[] = [];
    const fallback = await runWith(fakeActivities(untrustworthy, requests), 'wf-fallback', 'wf-test-fallback', FALLBACK_SPEC);
    assert.ok(fallback.result.ok);
    const trained = requests.find((request) => request.mode === 'train');
    assert.equal(trained?.schedule?.kind === 'one_cycle' && trained.schedule.maxLr, 0.02);
    assert.equal(fallback.progress.lr?.source, 'fallback');
    assert.equal(fallback.progress.lr?.policy, 'steep');
    assert.deepEqual(fallback.progress.lr?.reasons, ['the loss never falls by 10%']);
  });
});

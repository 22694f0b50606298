/**
 * A chain of two models (real dev server, fake activities): the order of work (ingest, checks, the upstream model
 * cross-fitted in its child workflow, the hand-off, the downstream model evaluated end to end and on true inputs,
 * the attribution), what each job is asked, and the attribution in the result.
 */
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker } from '@temporalio/worker';
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Activities } from '../../activities/index.js';
import type { JobRequest } from '../../activities/types.js';
import { loadPipelineYaml } from '../../core/spec/parse.js';
import { progressQuery, type PipelineResult } from '../../contracts/pipeline.js';
import { pipelineWorkflow } from '../../workflows/index.js';
import { fakeActivities, NO_DATA_CHECKS } from '../support/fakeActivities.js';
import { workflowsPath } from '../support/paths.js';
import { createLocalTemporal } from '../support/temporalEnv.js';

const spec = (name: string, handoff: string) =>
  loadPipelineYaml(`
apiVersion: gauntlet.dev/v1
kind: Pipeline
name: ${name}
data: { source: "demo:digits-canvas", labelColumn: digit, split: { groupColumn: image } }
${NO_DATA_CHECKS}
gates: { overfit: { enabled: false } }
train: { epochs: 2, schedule: { kind: one_cycle, maxLr: 0.1 } }
models:
  locator: { labelColumn: cell }
  reader:
    labelColumn: digit
    inputs: { from: locator, as: cell_pred }
    train: { hyperparameters: { cellColumn: cell_pred } }
handoff: ${handoff}
crossFit: { folds: 3 }`);

describe('a chain of two models (real dev server, fake activities)', () => {
  let env: TestWorkflowEnvironment;
  before(async () => {
    env = await createLocalTemporal();
  });
  after(async () => {
    await env?.teardown();
  });

  async function run(id: string, handoff: string, overrides: Partial<Activities> = {}) {
    const jobs: JobRequest[] = [];
    const handoffs: Array<Parameters<Activities['buildHandoff']>[0]> = [];
    const base = fakeActivities();
    const activities = fakeActivities(
      {
        buildHandoff: async (request) => {
          handoffs.push(request);
          return base.buildHandoff(request);
        },
        ...overrides,
      },
      jobs,
    );
    const worker = await Worker.create({ connection: env.nativeConnection, taskQueue: id, workflowsPath, activities });
    return worker.runUntil(async () => {
      const handle = await env.client.workflow.start(pipelineWorkflow, { taskQueue: id, workflowId: id, args: [{ spec: spec(id, handoff) }] });
      const result: PipelineResult = await handle.result();
      return { result, jobs, handoffs, progress: await handle.query(progressQuery) };
    });
  }

  test('GIVEN handoff oof THEN the locator is cross-fitted (3 fold models, each predicting its own fold), the reader trains on the hand-off and is evaluated end to end and on true cells', async () => {
    const { result, jobs, handoffs, progress } = await run('chain-oof', 'oof');
    assert.equal(result.status, 'succeeded');
    assert.deepEqual(result.attribution, { correct: 12, stage1: 2, stage2: 1 });
    assert.equal(result.metrics.test_accuracy, 0.8);
    assert.deepEqual(progress.stages.map((stage) => [stage.stage, stage.status]), [
      ['ingest', 'succeeded'], ['checks', 'skipped'], ['locator', 'succeeded'], ['handoff-reader', 'succeeded'], ['reader', 'succeeded'], ['attribution', 'succeeded'], ['record', 'succeeded'],
    ]);
    const locator = jobs.filter((request) => request.data.labelColumn === 'cell');
    const reader = jobs.filter((request) => request.data.labelColumn === 'digit');
    assert.deepEqual(locator.map((request) => request.stage).sort(), ['evaluate-test', 'evaluate-valid', 'fold-1', 'fold-1-predict', 'fold-2', 'fold-2-predict', 'fold-3', 'fold-3-predict', 'train'].sort());
    for (let k = 0; k < 3; k++) {
      const foldJobs = locator.filter((request) => request.stage.startsWith(`fold-${k + 1}`));
      assert.ok(foldJobs.every((request) => request.data.splitUri.endsWith(`fold-${k}.json`)), 'a fold model trains and predicts on its own fold manifest');
      assert.equal(foldJobs.find((request) => request.stage.endsWith('-predict'))?.split, 'valid');
    }
    assert.ok(locator.every((request) => request.data.ignoreColumns.includes('digit') && request.data.ignoreColumns.includes('image')), 'the locator never reads the digit or the group');
    assert.deepEqual(reader.map((request) => [request.stage, request.data.uri]).sort(), [
      ['evaluate-oracle', 's3://gauntlet/datasets/cd.csv'],
      ['evaluate-test', 's3://gauntlet/datasets/ab.csv'],
      ['train', 's3://gauntlet/datasets/ab.csv'],
    ]);
    assert.ok(reader.every((request) => request.data.ignoreColumns.includes('cell')), 'the reader never reads the true cell');
    assert.equal(reader.find((request) => request.stage === 'train')?.hyperparameters?.cellColumn, 'cell_pred');
    assert.equal(handoffs.length, 1);
    assert.equal(handoffs[0]!.outOfFold?.predictionsUris.length, 3);
    assert.equal(handoffs[0]!.finalPredictionsUris.length, 2);
  });

  test('GIVEN the locator’s train job answered by the cache THEN the chain’s locator stage says whose outputs it reused', async () => {
    const base = fakeActivities();
    const { progress } = await run('chain-cached', 'groundTruth', {
      runJob: async (request) => {
        const outcome = await base.runJob(request);
        return request.mode === 'train' && request.data.labelColumn === 'cell' ? { ...outcome, launches: 0, cachedFrom: { run: 'chain-earlier', stage: 'train' } } : outcome;
      },
    });
    assert.match(progress.stages.find((stage) => stage.stage === 'locator')?.detail ?? '', / · cached from chain-earlier$/);
    assert.doesNotMatch(progress.stages.find((stage) => stage.stage === 'reader')?.detail ?? '', /cached/);
  });

  test('GIVEN handoff groundTruth THEN nothing is cross-fitted and the hand-off gets no predictions', async () => {
    const { jobs, handoffs, result } = await run('chain-truth', 'groundTruth');
    assert.equal(result.status, 'succeeded');
    assert.ok(!jobs.some((request) => request.stage.startsWith('fold-')));
    assert.equal(handoffs[0]!.outOfFold, null);
    assert.deepEqual(handoffs[0]!.finalPredictionsUris, []);
  });
});

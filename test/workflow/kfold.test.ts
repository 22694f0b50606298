/**
 * K-fold mode against a real dev server with plain-function activities: one job per fold (never more at once than
 * train.kfold.concurrency), metrics as mean ± sd with every fold's value, and the final model retrained on every
 * non-test row or taken from the best fold.
 */
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker } from '@temporalio/worker';
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { JobRequest } from '../../activities/types.js';
import { rootCauseMessage } from '../../core/errors.js';
import { loadPipelineYaml } from '../../core/spec/parse.js';
import { pipelineWorkflow } from '../../workflows/index.js';
import { fakeActivities, INGEST, outcome } from '../support/fakeActivities.js';
import { workflowsPath } from '../support/paths.js';
import { createLocalTemporal } from '../support/temporalEnv.js';

const spec = (final: string) =>
  loadPipelineYaml(`
apiVersion: gauntlet.dev/v1
kind: Pipeline
name: kfold
data: { source: "sklearn:digits", split: { kind: kfold, folds: 4, test: 0.2 } }
gates: { oracle: { enabled: false }, overfit: { enabled: false } }
checks: { preprocessing: { enabled: false } }
train: { epochs: 2, schedule: { kind: one_cycle, maxLr: 0.05 }, kfold: { concurrency: 2, final: ${final} } }`);

const FOLDS = [0.9, 0.96, 0.93, 0.91];

describe('k-fold mode (real dev server, fake activities)', () => {
  let env: TestWorkflowEnvironment;
  before(async () => {
    env = await createLocalTemporal();
  });
  after(async () => {
    await env?.teardown();
  });

  async function run(id: string, final: 'retrain' | 'bestFold') {
    const requests: JobRequest[] = [];
    let inFlight = 0;
    let most = 0;
    const activities = fakeActivities({
      ingestDataset: async () => ({
        ...INGEST,
        folds: FOLDS.map((_, i) => ({ splitUri: `s3://gauntlet/datasets/x/splits/fold-${i + 1}.json`, splitSha256: String(i).repeat(64), counts: { train: 60, valid: 20, test: 20 } })),
      }),
      runJob: async (request: JobRequest) => {
        requests.push(request);
        const fold = /^fold-(\d+)$/.exec(request.stage);
        if (!fold) return fakeActivities().runJob(request);
        inFlight += 1;
        most = Math.max(most, inFlight);
        await new Promise((resolve) => setTimeout(resolve, 100));
        inFlight -= 1;
        return outcome(request, { val_accuracy: FOLDS[Number(fold[1]) - 1]! }, { checkpoint: `s3://gauntlet/runs/r/${request.stage}/checkpoints/epoch-0002.pt` });
      },
    });
    const worker = await Worker.create({ connection: env.nativeConnection, taskQueue: id, workflowsPath, activities });
    const result = await worker.runUntil(env.client.workflow.execute(pipelineWorkflow, { taskQueue: id, workflowId: id, args: [{ spec: spec(final) }] })).catch((error: unknown) => assert.fail(rootCauseMessage(error)));
    return { result, requests, most };
  }

  test('GIVEN 4 folds and final retrain WHEN the run trains THEN each fold trains on its own split, at most 2 at once, and the retrained model is evaluated', async () => {
    const { result, requests, most } = await run('kfold-retrain', 'retrain');
    const folds = requests.filter((request) => request.stage.startsWith('fold-'));
    assert.deepEqual(folds.map((request) => request.data.splitUri).sort(), FOLDS.map((_, i) => `s3://gauntlet/datasets/x/splits/fold-${i + 1}.json`));
    assert.ok(most <= 2, `${most} fold jobs at once`);
    const retrain = requests.find((request) => request.stage === 'train');
    assert.equal(retrain?.data.splitUri, INGEST.data.splitUri, 'the final model trains on every non-test row');
    const evaluation = requests.find((request) => request.mode === 'evaluate');
    assert.equal(evaluation?.checkpoint, 's3://gauntlet/runs/r/train/checkpoints/epoch-0003.pt');
    assert.ok(Math.abs(result.metrics.cv_val_accuracy_mean! - 0.925) < 1e-12);
    assert.equal(result.metrics.cv_val_accuracy_fold2, 0.96);
    assert.ok(result.metrics.cv_val_accuracy_sd! > 0);
  });

  test('GIVEN final bestFold WHEN the folds are done THEN the best fold\'s model is evaluated and nothing is retrained', async () => {
    const { requests } = await run('kfold-best', 'bestFold');
    assert.equal(requests.filter((request) => request.stage === 'train').length, 0);
    assert.equal(requests.find((request) => request.mode === 'evaluate')?.checkpoint, 's3://gauntlet/runs/r/fold-2/checkpoints/epoch-0002.pt');
  });
});

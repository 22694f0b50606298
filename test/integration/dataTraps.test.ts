/**
 * The demo data that must be caught, through the CLI on the real stack: a planted leak column, augmented copies
 * split at random (and the same data split by source image, which passes and trains), labels shifted one row
 * against their inputs; and k-fold cross-validation on small data. Each trap stops the run before training, with
 * the check's verdict naming what it found.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { z } from 'zod';
import { startTestStack, type TestStack } from '../../deploy/dev/testStack.js';
import { detectPython } from '../../deploy/dev/worker.js';
import { runCli } from '../support/cli.js';
import { repoRoot } from '../support/paths.js';
import { startWorkerProcess, type WorkerProcess } from '../support/workerProcess.js';

const RunJson = z.object({
  status: z.string(),
  error: z.string().optional(),
  metrics: z.record(z.string(), z.number().nullable()),
  gates: z.array(z.object({ gate: z.string(), passed: z.boolean(), warning: z.boolean().optional() })).optional(),
});

describe('data traps on the real stack', () => {
  let stack: TestStack;
  let worker: WorkerProcess;

  before(async () => {
    stack = await startTestStack({ worker: false, python: await detectPython() });
    worker = await startWorkerProcess(stack.env);
  });
  after(async () => {
    await worker?.kill('SIGTERM');
    await stack?.stop();
  });

  const run = async (example: string) => {
    const result = await runCli(['run', join(repoRoot, 'examples/digits-traps', example), '--json'], stack.env, 900_000);
    return { code: result.code, run: RunJson.parse(JSON.parse(result.stdout)), stderr: result.stderr };
  };

  test('GIVEN digits with a planted leak column WHEN run THEN the leakage check stops the run before training and names the column', async () => {
    const { code, run: result } = await run('leak.yaml');
    assert.notEqual(code, 0);
    assert.match(result.error ?? '', /^data checks failed: leakage: Column ink_code predicts the label with cross-validated accuracy 0\.9\d/);
  });

  test('GIVEN augmented copies split at random WHEN run THEN the duplicate check fails on the pairs across splits', async () => {
    const { code, run: result } = await run('augmented-random.yaml');
    assert.notEqual(code, 0);
    assert.match(result.error ?? '', /^data checks failed: duplicates: \d+ duplicate pairs across splits/);
  });

  test('GIVEN the same copies split by source image WHEN run THEN no duplicate crosses splits and the run trains', async () => {
    const { code, run: result, stderr } = await run('augmented-grouped.yaml');
    assert.equal(code, 0, stderr + JSON.stringify(result));
    assert.equal(result.status, 'succeeded');
    assert.deepEqual(result.gates?.find((gate) => gate.gate === 'duplicates'), { gate: 'duplicates', passed: true });
    assert.ok((result.metrics.test_accuracy ?? 0) > 0.9);
  });

  test('GIVEN labels shifted one row against their inputs WHEN run THEN the preprocessing check stops the run', async () => {
    const { code, run: result } = await run('shifted.yaml');
    assert.notEqual(code, 0);
    assert.match(result.error ?? '', /^data checks failed: preprocessing: Labels look shifted by 1 row against their inputs/);
  });

  test('GIVEN small data in k-fold mode WHEN run THEN each fold reports, the metric is mean ± sd over folds, and the retrained model is evaluated', async () => {
    const { code, run: result, stderr } = await run('kfold.yaml');
    assert.equal(code, 0, stderr + JSON.stringify(result));
    for (let fold = 1; fold <= 5; fold++) assert.ok((result.metrics[`cv_val_accuracy_fold${fold}`] ?? 0) > 0.85, `fold ${fold}`);
    assert.ok((result.metrics.cv_val_accuracy_mean ?? 0) > 0.9);
    assert.ok((result.metrics.cv_val_accuracy_sd ?? -1) >= 0);
    assert.ok((result.metrics.test_accuracy ?? 0) > 0.9);
    assert.ok(result.gates?.some((gate) => gate.gate === 'test-size' && gate.passed));
  });
});

/**
 * Bring your own model, through the CLI on the real stack: users' models written against gauntlet_trainer's Learner
 * (examples/breast-cancer/model.py on a different data set, trainer/examples/user_script.py on digits) pass every
 * gate, the LR range test, training or a sweep, and evaluation; a trainer that lacks a mode fails that stage saying
 * so, never with a misleading gate verdict.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { z } from 'zod';
import { startTestStack, type TestStack } from '../../deploy/dev/testStack.js';
import { detectPython } from '../../deploy/dev/worker.js';
import { runCli } from '../support/cli.js';
import { repoRoot } from '../support/paths.js';
import { startWorkerProcess, type WorkerProcess } from '../support/workerProcess.js';

const RunJson = z.object({
  runId: z.string(),
  status: z.string(),
  metrics: z.record(z.string(), z.number().nullable()),
  goalMet: z.boolean().nullable(),
  gates: z.array(z.object({ gate: z.string(), passed: z.boolean() })),
  lr: z.object({ source: z.string(), maxLr: z.number() }).nullable(),
});

describe('users\' own models on the real stack', () => {
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

  const run = async (file: string) => {
    const result = await runCli(['run', file, '--json'], stack.env, 900_000);
    assert.equal(result.code, 0, result.stderr + result.stdout);
    return RunJson.parse(JSON.parse(result.stdout));
  };

  test('GIVEN the breast-cancer example (a Learner next to its pipeline file) WHEN run through the CLI THEN every gate passes, it trains one-cycle and meets its goal on the test split', async () => {
    const result = await run(join(repoRoot, 'examples/breast-cancer/pipeline.yaml'));
    assert.deepEqual(result.gates.filter((gate) => gate.gate === 'oracle' || gate.gate === 'overfit').map((gate) => [gate.gate, gate.passed]), [['oracle', true], ['overfit', true]]);
    assert.ok(result.gates.every((gate) => gate.passed), 'every data check passed too');
    assert.ok(result.lr && result.lr.maxLr > 0, 'the LR range test ran and a max LR was chosen');
    assert.ok((result.metrics.test_accuracy ?? 0) >= 0.93, `test accuracy ${result.metrics.test_accuracy}`);
    assert.ok((result.metrics.test_auc ?? 0) > 0.9, 'the model\'s own extra metric reaches evaluation');
    assert.equal(result.goalMet, true);
  });

  test('GIVEN the breast-cancer sweep WHEN run through the CLI THEN its 8 trials run and the best is evaluated', async () => {
    const result = await run(join(repoRoot, 'examples/breast-cancer/sweep.yaml'));
    assert.equal(result.metrics.sweep_trials, 8);
    assert.ok((result.metrics.test_accuracy ?? 0) >= 0.9, `test accuracy ${result.metrics.test_accuracy}`);
  });

  test('GIVEN the digits user model (trainer/examples/user_script.py, a conv net) WHEN run through the CLI THEN it passes every gate, the range test picks its max LR, and it reaches the goal', async () => {
    const result = await run(join(repoRoot, 'examples/digits/user-model.yaml'));
    assert.deepEqual(result.gates.filter((gate) => gate.gate === 'oracle' || gate.gate === 'overfit').map((gate) => [gate.gate, gate.passed]), [['oracle', true], ['overfit', true]]);
    assert.ok(result.gates.every((gate) => gate.passed), 'every data check passed too');
    assert.equal(result.lr?.source, 'range_test');
    assert.ok((result.metrics.test_accuracy ?? 0) >= 0.9, `test accuracy ${result.metrics.test_accuracy}`);
  });

  test('GIVEN a hand-written trainer that only trains and does not declare modes WHEN the overfit gate asks it for overfit_check THEN that stage fails naming the mode, not as a failed gate', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'gauntlet-byom-'));
    const file = join(dir, 'low-level.yaml');
    writeFileSync(file, `
apiVersion: gauntlet.dev/v1
kind: Pipeline
name: low-level
data: { source: "sklearn:digits" }
trainer: { kind: command, command: ["{python}", "${join(repoRoot, 'trainer/examples/low_level_script.py')}"] }
train: { epochs: 2, schedule: { kind: one_cycle, maxLr: 0.1 } }
`);
    const result = await runCli(['run', file, '--json'], stack.env, 600_000);
    assert.equal(result.code, 1, result.stderr + result.stdout);
    const failed = z.object({ runId: z.string(), status: z.literal('failed'), error: z.string() }).parse(JSON.parse(result.stdout));
    assert.match(failed.error, /mode: 'overfit_check' is not implemented by this trainer .*it implements train/);
    const status = await runCli(['status', failed.runId, '--json'], stack.env);
    const progress = (JSON.parse(status.stdout) as { progress: { status: string; gates: unknown[] } }).progress;
    assert.equal(progress.status, 'failed', 'a failed stage, not stopped_by_gate');
    assert.deepEqual(progress.gates.filter((gate) => (gate as { gate: string }).gate === 'overfit'), [], 'no overfit verdict was recorded');
  });
});

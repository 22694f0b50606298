/**
 * Sweeps end to end on the real stack (Temporal, MinIO, worker process, reference trainer): the example TPE + ASHA
 * sweep through the CLI; a sweep that continues as new while its trials train, which keep their processes; and a
 * random-search sweep that survives three kill -9s of its worker with exactly the trials, configurations and best
 * trial of an undisturbed run.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { Client, Connection } from '@temporalio/client';
import { z } from 'zod';
import { startTestStack, type TestStack } from '../../deploy/dev/testStack.js';
import { detectPython } from '../../deploy/dev/worker.js';
import { configKey } from '../../core/sweep/config.js';
import { seededRandom } from '../../core/random.js';
import type { TrialRecord } from '../../contracts/sweep.js';
import { runCli } from '../support/cli.js';
import { repoRoot } from '../support/paths.js';
import { trainerPids } from '../support/trainerProcesses.js';
import { startWorkerProcess, type WorkerProcess } from '../support/workerProcess.js';

const RunJson = z.object({ runId: z.string(), status: z.string(), metrics: z.record(z.string(), z.number().nullable()) });

describe('sweeps on the real stack', () => {
  let stack: TestStack;
  let worker: WorkerProcess;
  const specDir = mkdtempSync(join(tmpdir(), 'gauntlet-sweep-specs-'));

  before(async () => {
    stack = await startTestStack({ worker: false, python: await detectPython() });
    worker = await startWorkerProcess(stack.env);
  });
  after(async () => {
    await worker?.kill('SIGTERM');
    await stack?.stop();
  });

  const trialsOf = async (runId: string): Promise<TrialRecord[]> => {
    const status = await runCli(['sweep', 'status', runId, '--json'], stack.env);
    assert.equal(status.code, 0, status.stderr);
    return JSON.parse(status.stdout) as TrialRecord[];
  };

  test('GIVEN the example TPE + ASHA sweep WHEN run through the CLI THEN 12 trials run, never more than 2 at once, and the best is evaluated', async () => {
    let maxTrainers = 0;
    const sampler = setInterval(() => (maxTrainers = Math.max(maxTrainers, trainerPids(stack.stateDir).length)), 100);
    let run;
    try {
      run = await runCli(['run', join(repoRoot, 'examples/digits/sweep.yaml'), '--json'], stack.env, 600_000);
    } finally {
      clearInterval(sampler);
    }
    assert.equal(run.code, 0, run.stderr + run.stdout);
    const result = RunJson.parse(JSON.parse(run.stdout));
    assert.equal(result.metrics.sweep_trials, 12);
    assert.ok((result.metrics.test_accuracy ?? 0) >= 0.9, `test accuracy ${result.metrics.test_accuracy}`);
    assert.ok(maxTrainers <= 2, `the GPU budget allows 2 trials at once, saw ${maxTrainers} trainer processes`);
    const trials = await trialsOf(result.runId);
    assert.equal(trials.length, 12);
    assert.equal(new Set(trials.map((trial) => configKey(trial.config))).size, 12, 'no duplicate configurations');
    assert.ok(trials.every((trial) => trial.status === 'completed' || trial.status === 'stopped'), trials.map((t) => `${t.trial}:${t.status}:${t.error ?? ''}`).join('\n'));
    assert.ok(trials.every((trial) => trial.decisions.length > 0), 'every trial has its early-stopping decisions recorded');
    const best = trials.filter((trial) => trial.status === 'completed').sort((a, b) => (b.objective ?? 0) - (a.objective ?? 0))[0];
    assert.equal(result.metrics.sweep_best_trial, best?.trial);
    assert.equal(result.metrics.val_accuracy, best?.objective);

    const compare = await runCli(['runs', 'compare', `${result.runId}:0`, `${result.runId}:1`, '--json'], stack.env);
    assert.equal(compare.code, 0, compare.stderr);
    const diff = JSON.parse(compare.stdout) as { config: { key: string }[] };
    assert.ok(diff.config.length > 0, 'two trials of a sweep differ in configuration');
  });

  test('GIVEN a sweep whose history passes its limit while trials train WHEN it continues as new THEN the running trials keep their processes (adopted, one launch each)', async () => {
    const path = join(specDir, 'sweep-handover.yaml');
    // One trial holds after its first epoch until this file exists: it is training when the sweep hands over,
    // on any machine, because the test releases it only after it has seen the hand-over.
    const release = join(specDir, 'handover-release');
    writeFileSync(path, `
apiVersion: gauntlet.dev/v1
kind: Pipeline
name: sweep-handover
data: { source: "sklearn:digits" }
gates: { overfit: { enabled: false }, oracle: { enabled: false } }
train: { epochs: 4, hyperparameters: { slowdownSeconds: 0.2, holdFile: "${release}" }, schedule: { kind: one_cycle, maxLr: 0.3 } }
sweep:
  space: { hidden: { choice: [32, 64, 128] }, dropout: { uniform: [0, 0.3] } }
  strategy: { kind: random, seed: 4 }
  budget: { maxTrials: 6, gpuBudget: 2 }
  continueAsNewEvents: 30
`);
    const connection = await Connection.connect({ address: stack.temporalAddress });
    try {
      const client = new Client({ connection, namespace: stack.namespace });
      const running = runCli(['run', path, '--json'], stack.env, 600_000);
      const handedOver = async (): Promise<boolean> => {
        for await (const execution of client.workflow.list({ query: `ExecutionStatus = 'ContinuedAsNew'` })) {
          if (execution.workflowId.startsWith('sweep-handover-')) return true;
        }
        return false;
      };
      // Released once a hand-over happened (or after 3 minutes, so that a sweep that never hands over fails below).
      const giveUpAt = Date.now() + 180_000;
      while (!(await handedOver()) && Date.now() < giveUpAt) await new Promise((resolve) => setTimeout(resolve, 500));
      writeFileSync(release, 'go');
      const run = await running;
      assert.equal(run.code, 0, run.stderr + run.stdout);
      const result = RunJson.parse(JSON.parse(run.stdout));
      const trials = await trialsOf(result.runId);
      assert.equal(trials.length, 6);
      assert.ok(trials.every((trial) => trial.status === 'completed' && trial.launches === 1), trials.map((t) => `${t.trial}:${t.status}:${t.launches} launches:${t.error ?? ''}`).join('\n'));
      assert.ok(trials.every((trial) => trial.curve.length === 4 && trial.curve.every((value) => typeof value === 'number')), 'every epoch of every trial is on its curve');

      const closes: number[] = [];
      for await (const execution of client.workflow.list({ query: `WorkflowId = '${result.runId}-sweep'` })) {
        if (execution.status.name === 'CONTINUED_AS_NEW' && execution.closeTime) closes.push(execution.closeTime.getTime());
      }
      assert.ok(closes.length >= 1, 'the sweep continued as new');
      const spanning = trials.filter((trial) => closes.some((at) => Date.parse(trial.startedAt) < at && at < Date.parse(trial.finishedAt ?? '')));
      assert.ok(spanning.length >= 1, 'at least one trial was training across a hand-over (the sweep did not drain first)');
    } finally {
      await connection.close();
    }
  });

  test('GIVEN a random-search sweep WHEN its worker is killed -9 three times THEN it completes with the same trials, configurations and best trial as an undisturbed run', async () => {
    const pipeline = (name: string) => `
apiVersion: gauntlet.dev/v1
kind: Pipeline
name: ${name}
data: { source: "sklearn:digits" }
gates: { overfit: { enabled: false }, oracle: { enabled: false } }
trainer: { heartbeatTimeout: 5s, retry: { maximumAttempts: 5, initialInterval: 500ms } }
train: { epochs: 4, hyperparameters: { slowdownSeconds: 0.5 }, schedule: { kind: one_cycle, maxLr: 0.3 } }
sweep:
  space: { hidden: { choice: [32, 64, 128, 256] }, dropout: { uniform: [0, 0.3] }, weightDecay: { loguniform: [1.0e-6, 1.0e-3] } }
  strategy: { kind: random, seed: 11 }
  budget: { maxTrials: 8, gpuBudget: 2 }
`;
    const file = (name: string) => {
      const path = join(specDir, `${name}.yaml`);
      writeFileSync(path, pipeline(name));
      return path;
    };
    const calm = await runCli(['run', file('sweep-calm'), '--json'], stack.env, 600_000);
    assert.equal(calm.code, 0, calm.stderr + calm.stdout);
    const calmTrials = await trialsOf(RunJson.parse(JSON.parse(calm.stdout)).runId);

    const run = runCli(['run', file('sweep-crash'), '--json'], stack.env, 600_000);
    const random = seededRandom(7);
    for (let kill = 0; kill < 3; kill++) {
      await new Promise((resolve) => setTimeout(resolve, 3000 + random() * 5000));
      await worker.kill('SIGKILL');
      worker = await startWorkerProcess(stack.env);
    }
    const crashed = await run;
    assert.equal(crashed.code, 0, crashed.stderr + crashed.stdout);
    const crashedResult = RunJson.parse(JSON.parse(crashed.stdout));
    const crashedTrials = await trialsOf(crashedResult.runId);

    assert.equal(crashedTrials.length, 8, 'exactly the configured number of trials: none lost, none duplicated');
    assert.equal(new Set(crashedTrials.map((trial) => configKey(trial.config))).size, 8);
    assert.deepEqual(crashedTrials.map((trial) => configKey(trial.config)), calmTrials.map((trial) => configKey(trial.config)), 'the same configurations in the same order');
    assert.ok(crashedTrials.every((trial) => trial.status === 'completed'), crashedTrials.map((t) => `${t.trial}:${t.status}:${t.error ?? ''}`).join('\n'));
    const bestOf = (trials: TrialRecord[]) => trials.reduce((top, trial) => ((trial.objective ?? 0) > (top.objective ?? 0) ? trial : top));
    assert.equal(bestOf(crashedTrials).trial, bestOf(calmTrials).trial, 'the same best trial');
    assert.equal(bestOf(crashedTrials).objective, bestOf(calmTrials).objective, 'with the same objective (training is deterministic and resumes exactly)');
  });
});

/**
 * Infrastructure faults mid-sweep on the real stack (Temporal, MinIO, worker process, reference trainer): the
 * worker is killed -9 twice, the Temporal dev server once (restarted on the same database) and MinIO once (back
 * after 10 s). None of it may cost a trial: every trial completes, none fails, none is launched twice, and the
 * configurations and best trial are those of an undisturbed run of the same spec.
 *
 * The faults are forced into the sweep, not timed: one trial holds after its first epoch (holdFile) until the test
 * has injected every fault, so the sweep is mid-flight through all of them on any machine.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { z } from 'zod';
import { startTestStack, type TestStack } from '../../deploy/dev/testStack.js';
import { detectPython } from '../../deploy/dev/worker.js';
import { configKey } from '../../core/sweep/config.js';
import type { TrialRecord } from '../../contracts/sweep.js';
import { killService, restartServices, until } from '../support/chaos.js';
import { runCli } from '../support/cli.js';
import { trainerPids } from '../support/trainerProcesses.js';
import { startWorkerProcess, type WorkerProcess } from '../support/workerProcess.js';

const RunJson = z.object({ runId: z.string(), status: z.string(), sweep: z.object({ stoppedBecause: z.string() }).optional() });
const TRIALS = 16;

describe('infrastructure faults mid-sweep on the real stack', () => {
  let stack: TestStack;
  let worker: WorkerProcess;
  const specDir = mkdtempSync(join(tmpdir(), 'gauntlet-chaos-'));

  before(async () => {
    stack = await startTestStack({ worker: false, python: await detectPython() });
    worker = await startWorkerProcess(stack.env);
  });
  after(async () => {
    await worker?.kill('SIGTERM');
    await stack?.stop();
  });

  const pipeline = (name: string, release: string) => `
apiVersion: gauntlet.dev/v1
kind: Pipeline
name: ${name}
data: { source: "sklearn:digits" }
checks: { preprocessing: { enabled: false } }   # its inspect job would change the job counts asserted here
gates: { overfit: { enabled: false }, oracle: { enabled: false } }
trainer: { heartbeatTimeout: 5s, retry: { maximumAttempts: 1 } }
train: { epochs: 4, hyperparameters: { slowdownSeconds: 1.25, holdFile: "${release}" }, schedule: { kind: one_cycle, maxLr: 0.3 } }
sweep:
  space: { hidden: { choice: [16, 32, 64, 128] }, dropout: { uniform: [0, 0.3] }, weightDecay: { loguniform: [1.0e-6, 1.0e-3] } }
  strategy: { kind: random, seed: 23 }
  budget: { maxTrials: ${TRIALS}, maxFailedTrials: 0, gpuBudget: 2 }
`;
  const file = (name: string, release: string) => {
    const path = join(specDir, `${name}.yaml`);
    writeFileSync(path, pipeline(name, release));
    return path;
  };
  const trialsOf = async (runId: string): Promise<TrialRecord[]> => {
    const status = await runCli(['sweep', 'status', runId, '--json'], stack.env);
    assert.equal(status.code, 0, status.stderr);
    return JSON.parse(status.stdout) as TrialRecord[];
  };
  const jobDirs = () => (existsSync(join(stack.stateDir, 'jobs')) ? readdirSync(join(stack.stateDir, 'jobs')) : []);

  test('GIVEN a 16-trial random sweep WHEN the worker is killed twice, Temporal restarted and MinIO down for 10 s THEN no trial fails, none is launched twice, and it matches an undisturbed run', async () => {
    // The undisturbed run: its hold is released before it starts, so nothing waits.
    const calmRelease = join(specDir, 'calm-release');
    writeFileSync(calmRelease, 'go');
    const calm = await runCli(['run', file('chaos-calm', calmRelease), '--json'], stack.env, 900_000);
    assert.equal(calm.code, 0, calm.stderr + calm.stdout);
    const calmTrials = await trialsOf(RunJson.parse(JSON.parse(calm.stdout)).runId);
    const calmJobs = new Set(jobDirs());

    const release = join(specDir, 'chaos-release');
    const run = runCli(['run', file('chaos-run', release), '--json'], stack.env, 1_500_000);
    const newJobs = () => jobDirs().filter((dir) => !calmJobs.has(dir)).length;
    const trainersRunning = () => trainerPids(stack.stateDir).length > 0;
    const faults: string[] = [];

    await until('the held trial and another are training', () => existsSync(`${release}.claim`) && trainerPids(stack.stateDir).length >= 2);
    await worker.kill('SIGKILL');
    faults.push('worker -9');
    worker = await startWorkerProcess(stack.env);

    await until('a trial launched after the first worker kill is training', () => newJobs() >= 4 && trainersRunning());
    await killService(stack.stateDir, 'temporal');
    faults.push('temporal -9');
    await new Promise((resolve) => setTimeout(resolve, 3000));
    await restartServices(stack.stateDir);

    await until('trials launch again after the Temporal restart', () => newJobs() >= 6 && trainersRunning());
    await killService(stack.stateDir, 'minio');
    faults.push('minio -9');
    await new Promise((resolve) => setTimeout(resolve, 10_000));
    await restartServices(stack.stateDir);

    await until('trials launch again after the MinIO restart', () => newJobs() >= 8 && trainersRunning());
    await worker.kill('SIGKILL');
    faults.push('worker -9');
    worker = await startWorkerProcess(stack.env);
    writeFileSync(release, 'go');

    const result = await run;
    assert.equal(result.code, 0, `${faults.join(', ')}\n${result.stderr}${result.stdout}\n${worker.output().slice(-3000)}`);
    const parsed = RunJson.parse(JSON.parse(result.stdout));
    assert.equal(parsed.status, 'succeeded');
    assert.equal(parsed.sweep?.stoppedBecause, 'completed');
    const trials = await trialsOf(parsed.runId);

    assert.equal(trials.length, TRIALS, 'every planned trial ran: none lost');
    assert.ok(trials.every((trial) => trial.status === 'completed'), trials.map((t) => `${t.trial}:${t.status}:${t.error ?? ''}`).join('\n'));
    assert.ok(trials.every((trial) => trial.launches === 1), `no trial was launched twice: ${trials.map((t) => `${t.trial}:${t.launches}`).join(' ')}`);
    assert.equal(newJobs(), TRIALS + 1, 'one job per trial (and the evaluation): no duplicate launches');
    assert.deepEqual(trials.map((trial) => configKey(trial.config)), calmTrials.map((trial) => configKey(trial.config)), 'the same configurations in the same order');
    const bestOf = (all: TrialRecord[]) => all.reduce((top, trial) => ((trial.objective ?? 0) > (top.objective ?? 0) ? trial : top));
    assert.equal(bestOf(trials).trial, bestOf(calmTrials).trial, 'the same best trial');
    assert.equal(bestOf(trials).objective, bestOf(calmTrials).objective, 'with the same objective');
  });
});

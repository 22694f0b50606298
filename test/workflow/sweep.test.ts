/**
 * The sweep inside the pipeline, on a real Temporal dev server with fake activities: trials planned by the strategy,
 * never more running than the GPU budget allows, ASHA stopping trials from the per-epoch metrics their jobs signal
 * (the stopped job is really cancelled), the best trial evaluated, and the leaderboard query.
 */
import { Context } from '@temporalio/activity';
import { CancelledFailure } from '@temporalio/common';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker } from '@temporalio/worker';
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Activities } from '../../activities/index.js';
import type { IngestResult, JobOutcome, JobRequest } from '../../activities/types.js';
import { loadPipelineYaml } from '../../core/spec/parse.js';
import { jobProgressSignal } from '../../contracts/pipeline.js';
import { pipelineWorkflow } from '../../workflows/index.js';
import { leaderboardQuery, sweepWorkflowId } from '../../contracts/sweep.js';
import { readLiveProgress } from '../../cli/commands/sweep.js';
import { memorySweepTable } from '../support/sweepTableFake.js';
import { workflowsPath } from '../support/paths.js';
import { NO_DATA_CHECKS } from '../support/fakeActivities.js';
import { createLocalTemporal } from '../support/temporalEnv.js';

const SPEC = loadPipelineYaml(`
apiVersion: gauntlet.dev/v1
kind: Pipeline
name: sweep-test
data: { source: "sklearn:digits" }
${NO_DATA_CHECKS}
gates: { overfit: { enabled: false }, oracle: { enabled: false } }
train: { epochs: 9, schedule: { kind: one_cycle } }
sweep:
  space: { lrFactor: { loguniform: [0.1, 3] }, hidden: { choice: [32, 64, 128] } }
  strategy: { kind: random, seed: 3 }
  earlyStopping: { kind: asha, gracePeriod: 1, reductionFactor: 3 }
  budget: { maxTrials: 8, gpuBudget: 2 }
`);

const INGEST: IngestResult = {
  data: { uri: 's3://gauntlet/d.csv', sha256: 'a'.repeat(64), format: 'csv', labelColumn: 'label', splitUri: 's3://gauntlet/s.json', numClasses: 10, ignoreColumns: [] },
  rows: 100,
  classes: ['0', '1'],
  counts: { train: 70, valid: 15, test: 15 },
  splitSha256: 'b'.repeat(64),
};

describe('sweep (real dev server, fake activities)', () => {
  let env: TestWorkflowEnvironment;
  before(async () => {
    env = await createLocalTemporal();
  });
  after(async () => {
    await env?.teardown();
  });

  test('GIVEN random search with ASHA and a 2-GPU budget WHEN the sweep runs THEN ≤ 2 trials run at once, weak trials are stopped and cancelled, and the best trial is evaluated', async () => {
    let running = 0;
    let maxRunning = 0;
    const cancelled: string[] = [];
    const trialRequests: JobRequest[] = [];
    let evaluated: string | null | undefined;
    const table = memorySweepTable('sweep-test-1-sweep');
    const liveSeen: { stage: string; epoch: number }[] = [];

    /** A trial whose accuracy grows with its lr factor: ASHA should stop the low ones. */
    async function fakeTrial(request: JobRequest): Promise<JobOutcome> {
      trialRequests.push(request);
      running++;
      maxRunning = Math.max(maxRunning, running);
      const context = Context.current();
      const { workflowId, runId } = context.info.workflowExecution ?? { workflowId: '', runId: '' };
      const maxLr = request.schedule?.kind === 'one_cycle' ? request.schedule.maxLr : 0;
      const quality = Math.min(0.99, 0.5 + maxLr * 1.5);
      try {
        for (let epoch = 1; epoch <= (request.epochs ?? 1); epoch++) {
          await context.sleep(150);
          const value = quality * (1 - 0.5 / (epoch + 1));
          // As the real job activity does: the latest progress rides in the heartbeat.
          context.heartbeat({ offset: 0, lastCheckpoint: null, progress: { stage: request.stage, epoch, metrics: { val_accuracy: value }, detail: '' } });
          // As the real job activity does: only the epochs the request asks for are signalled.
          const wanted = request.progress?.epochs ?? 'all';
          if (wanted !== 'all' && !wanted.includes(epoch)) continue;
          await env.client.workflow.getHandle(workflowId, runId).signal(jobProgressSignal, { stage: request.stage, epoch, metrics: { val_accuracy: value }, detail: '', completedEpoch: { epoch, metrics: { val_accuracy: value } } });
        }
      } catch (error) {
        if (error instanceof CancelledFailure) cancelled.push(request.stage);
        throw error;
      } finally {
        running--;
      }
      const metrics = { val_accuracy: quality * (1 - 0.5 / ((request.epochs ?? 1) + 1)) };
      return outcome(request, metrics, { checkpoint: `s3://gauntlet/runs/x/${request.stage}/checkpoints/last.pt` });
    }

    const activities = {
      ingestDataset: async () => INGEST,
      runJob: async (request: JobRequest) => {
        if (request.mode === 'lr_range_test') return outcome(request, { steps: 90 }, { curve: 's3://gauntlet/runs/x/lr-find/lr_curve.json' });
        if (request.mode === 'evaluate') {
          evaluated = request.checkpoint;
          return outcome(request, { accuracy: 0.95, loss: 0.1, n: 15 });
        }
        return fakeTrial(request);
      },
      writeRunManifest: async () => 's3://gauntlet/runs/x/manifest.json',
      ...table.activities,
      computeOracleBound: async () => ({ accuracy: 1, n: 1, errors: 0 }),
      scoreFinalOutputs: async () => ({ accuracy: 1, n: 1, errors: 0 }),
      analyzeRangeTest: async () => ({
        suggestions: { valley: 0.1, steep: 0.3, minimum: 0.05, slide: 0.08 }, trustworthy: true, reasons: [], points: 90,
        analysisUri: 's3://gauntlet/a.json', plotUri: 's3://gauntlet/a.svg',
      }),
    } as unknown as Activities;

    const worker = await Worker.create({ connection: env.nativeConnection, taskQueue: 'sweep', workflowsPath, activities, maxHeartbeatThrottleInterval: '50ms' });
    const { result, board } = await worker.runUntil(async () => {
      const handle = await env.client.workflow.start(pipelineWorkflow, { taskQueue: 'sweep', workflowId: 'sweep-test-1', args: [{ spec: SPEC }] });
      // What `gauntlet sweep status` shows between rungs: each running trial's latest epoch, from its heartbeat.
      const sampler = setInterval(() => {
        void readLiveProgress(env.client, 'sweep-test-1').then((live) => live.forEach((progress, stage) => liveSeen.push({ stage, epoch: progress.epoch ?? 0 })), () => undefined);
      }, 100);
      const result = await handle.result().finally(() => clearInterval(sampler));
      const board = await env.client.workflow.getHandle(sweepWorkflowId('sweep-test-1')).query(leaderboardQuery);
      return { result, board };
    });

    assert.equal(board.trials.length, 8);
    assert.ok(liveSeen.some(({ stage, epoch }) => /^trial-\d+$/.test(stage) && epoch >= 2), `running trials' live epochs are readable: ${JSON.stringify(liveSeen.slice(0, 5))}`);
    assert.deepEqual(board.counts, { running: 0, completed: 8 - board.counts.stopped, stopped: board.counts.stopped, failed: 0 });
    assert.ok(trialRequests.every((request) => JSON.stringify(request.progress) === JSON.stringify({ live: false, epochs: [1, 3, 9] })), 'trials signal only the rung epochs ASHA judges');
    assert.equal(table.records.size, 8, 'the table in the store has every trial');
    for (const record of table.records.values()) {
      assert.ok(record.decisions.length >= 1, `trial ${record.trial} keeps its stopping decisions in the store`);
      if (record.status === 'completed') assert.equal(record.curve.length, 9, 'a completed trial has its whole curve from the job');
    }
    assert.ok(maxRunning <= 2, `never more than the GPU budget: saw ${maxRunning} trials at once`);
    assert.equal(maxRunning, 2, 'the budget is used');
    const stopped = board.trials.filter((trial) => trial.status === 'stopped');
    assert.ok(stopped.length >= 1, 'ASHA stopped at least one weak trial');
    assert.ok(stopped.every((trial) => /cutoff/.test(trial.stopReason ?? '')), stopped.map((t) => t.stopReason).join('; '));
    assert.deepEqual(cancelled.sort(), stopped.map((trial) => `trial-${trial.trial}`).sort(), 'a stopped trial is cancelled through its job');
    const keys = new Set(board.trials.map((trial) => JSON.stringify(trial.config)));
    assert.equal(keys.size, 8, 'no two trials share a configuration');
    assert.ok(board.best && board.best.status === 'completed');
    const completed = board.trials.filter((trial) => trial.status === 'completed');
    assert.equal(board.best?.objective, Math.max(...completed.map((trial) => trial.objective ?? 0)));
    assert.equal(evaluated, board.best?.checkpoint, 'the best trial is evaluated on the test split');
    assert.equal(result.metrics.sweep_trials, 8);
    // Each trial's max LR is 0.1 × its lrFactor.
    for (const trial of board.trials) assert.ok(Math.abs((trial.maxLr ?? 0) - 0.1 * Number(trial.config.lrFactor)) < 1e-12);
  });
});

function outcome(request: JobRequest, metrics: Record<string, number>, artifacts: Record<string, string> = {}): JobOutcome {
  return {
    jobId: `job-${request.stage}`,
    resultUri: `s3://gauntlet/runs/x/${request.stage}/result.json`,
    result: {
      contract: 'gauntlet.job/v1', jobId: `job-${request.stage}`, mode: request.mode, status: 'succeeded', metrics, artifacts, details: {},
      device: 'cpu', startedAt: '2026-01-01T00:00:00Z', finishedAt: '2026-01-01T00:00:01Z', trainer: { name: 'fake', version: '0' }, resumedFromEpoch: null,
    },
    launches: 1,
    adopted: false,
    trainerSeconds: 1,
    epochs: Array.from({ length: request.epochs ?? 0 }, (_, i) => ({ epoch: i + 1, metrics })),
  };
}

describe('sweep continue-as-new (real dev server, fake activities)', () => {
  let env: TestWorkflowEnvironment;
  before(async () => {
    env = await createLocalTemporal();
  });
  after(async () => {
    await env?.teardown();
  });

  test('GIVEN a history limit WHEN the sweep passes it THEN it continues as new with its trials still running, the next run adopts their jobs, and every trial runs exactly once', async () => {
    const spec = loadPipelineYaml(`
apiVersion: gauntlet.dev/v1
kind: Pipeline
name: can-test
data: { source: "sklearn:digits" }
${NO_DATA_CHECKS}
train: { epochs: 2, schedule: { kind: one_cycle, maxLr: 0.1 } }
sweep:
  space: { hidden: { choice: [8, 16, 32, 64, 128, 256] }, dropout: { uniform: [0, 0.5] } }
  strategy: { kind: random, seed: 5 }
  budget: { maxTrials: 12, gpuBudget: 3 }
`);
    // Jobs outlive activities, as processes and Kubernetes Jobs do: an activity for a stage that already has a job adopts it.
    // Trial 0's job runs until a later run of the sweep has adopted it (or 60 s pass, and the assertions below fail):
    // a hand-over with a trial still training is forced, not hoped for. The others take 100–300 ms.
    const jobs = new Map<string, Promise<JobOutcome>>();
    const launched: string[] = [];
    const adoptedBy = new Map<string, string[]>();
    const table = memorySweepTable('can-test-sweep');
    let releaseHeld: () => void = () => undefined;
    const held = new Promise<void>((resolve) => {
      releaseHeld = resolve;
      setTimeout(resolve, 60_000);
    });
    const activities = {
      runJob: async (request: JobRequest) => {
        const runId = Context.current().info.workflowExecution?.runId ?? '';
        let running = jobs.get(request.stage);
        if (running) {
          adoptedBy.set(request.stage, [...(adoptedBy.get(request.stage) ?? []), runId]);
          if (request.stage === 'trial-0') releaseHeld();
        } else {
          launched.push(request.stage);
          const done = () => outcome(request, { val_accuracy: 0.5 + Number(request.hyperparameters?.dropout ?? 0) });
          running = request.stage === 'trial-0'
            ? held.then(done)
            : new Promise<JobOutcome>((resolve) => setTimeout(() => resolve(done()), 100 + (Number(request.stage.slice('trial-'.length)) % 3) * 100));
          jobs.set(request.stage, running);
        }
        return running;
      },
      ...table.activities,
    } as unknown as Activities;
    const worker = await Worker.create({ connection: env.nativeConnection, taskQueue: 'can', workflowsPath, activities });
    const result = await worker.runUntil(
      env.client.workflow.execute('sweepWorkflow', {
        taskQueue: 'can',
        workflowId: 'can-test-sweep',
        args: [{ spec, data: INGEST.data, maxLrByGroup: {}, historyLimit: 40 }],
      }),
    ) as { trials: number; completed: number; runs: number; best: { trial: number; objective: number } | null };
    assert.equal(result.trials, 12);
    assert.equal(result.completed, 12);
    assert.ok(result.runs > 1, `the sweep continued as new (${result.runs} runs)`);
    assert.deepEqual([...launched].sort(), Array.from({ length: 12 }, (_, i) => `trial-${i}`).sort(), 'each trial launched exactly once across runs');
    assert.ok(adoptedBy.has('trial-0'), `the trial still running at a hand-over was adopted by the next run, not drained (${result.runs} runs)`);
    assert.ok(table.chunks.size >= result.runs - 1, 'each hand-over left its state in the store');
    const executions = [];
    for await (const execution of env.client.workflow.list({ query: `WorkflowId = 'can-test-sweep'` })) executions.push(execution);
    assert.equal(executions.length, result.runs);
    assert.ok(executions.every((execution) => execution.historyLength < 200), executions.map((e) => e.historyLength).join(', '));
    // The table in the store is whole: every trial once, completed, with its objective.
    assert.deepEqual([...table.records.keys()].sort((a, b) => a - b), Array.from({ length: 12 }, (_, i) => i));
    assert.ok([...table.records.values()].every((record) => record.status === 'completed' && record.objective !== null));
    const bestInTable = Math.max(...[...table.records.values()].map((record) => record.objective ?? 0));
    assert.equal(result.best?.objective, bestInTable);
  });
});

describe('sweep OOM fallback (real dev server, fake activities)', () => {
  let env: TestWorkflowEnvironment;
  before(async () => {
    env = await createLocalTemporal();
  });
  after(async () => {
    await env?.teardown();
  });

  test('GIVEN a trial killed for memory WHEN the spec has an OOM fallback THEN it is retried once with half the batch size, recorded on the trial', async () => {
    const spec = loadPipelineYaml(`
apiVersion: gauntlet.dev/v1
kind: Pipeline
name: oom-test
data: { source: "sklearn:digits" }
${NO_DATA_CHECKS}
train: { epochs: 2, batchSize: 128, schedule: { kind: one_cycle, maxLr: 0.1 } }
sweep:
  space: { hidden: { choice: [64, 512] } }
  strategy: { kind: grid }
  budget: { maxTrials: 2, gpuBudget: 1 }
  oomFallback: { batchSizeFactor: 0.5 }
`);
    const requests: JobRequest[] = [];
    const activities = {
      runJob: async (request: JobRequest) => {
        requests.push(request);
        // The wide model does not fit at batch 128, as the Kubernetes executor would report it.
        if (request.hyperparameters?.hidden === 512 && request.batchSize === 128) {
          const { ApplicationFailure } = await import('@temporalio/common');
          throw ApplicationFailure.nonRetryable('job failed: OOMKilled: the trainer ran out of memory (OOM killed)', 'OOMKilled');
        }
        return outcome(request, { val_accuracy: 0.9 });
      },
      ...memorySweepTable('oom-test-sweep').activities,
    } as unknown as Activities;
    const worker = await Worker.create({ connection: env.nativeConnection, taskQueue: 'oom', workflowsPath, activities });
    const { result, board } = await worker.runUntil(async () => {
      const result = (await env.client.workflow.execute('sweepWorkflow', { taskQueue: 'oom', workflowId: 'oom-test-sweep', args: [{ spec, data: INGEST.data, maxLrByGroup: {} }] })) as { completed: number; failed: number };
      return { result, board: await env.client.workflow.getHandle('oom-test-sweep').query(leaderboardQuery) };
    });
    assert.equal(result.completed, 2);
    assert.equal(result.failed, 0);
    const wide = board.trials.find((trial) => trial.config.hidden === 512);
    assert.equal(wide?.fallback, 'OOM killed: batchSize 128 → 64');
    assert.equal(wide?.batchSize, 64);
    assert.deepEqual(requests.filter((r) => r.hyperparameters?.hidden === 512).map((r) => [r.stage, r.batchSize]), [[`trial-${wide?.trial}`, 128], [`trial-${wide?.trial}-oom`, 64]]);
    assert.ok(requests.every((r) => r.failFastOn?.includes('OOMKilled')), 'OOM is not retried with the same batch size');
  });
});

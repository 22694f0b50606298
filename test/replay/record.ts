/**
 * Records the workflow histories that test/replay/replay.test.ts replays against the current workflow code, so a
 * change that would break runs already in flight (a non-deterministic change) fails CI instead of production.
 *
 *   npm run build && node dist/test/replay/record.js [SCENARIO…]   (writes test/replay/histories/*.history)
 *
 * Name scenarios to record only those (a new scenario), leaving the others' histories as they were recorded.
 *
 * Re-record only when a change is meant to be incompatible AND no run of the old code can still be in flight (see
 * README "Changing workflow code"); otherwise use `patched()`. The scenarios run on a real dev server with the
 * activities replaced by plain functions (a history records their results, not how they were computed).
 */
import { ApplicationFailure } from '@temporalio/common';
import proto from '@temporalio/proto';

const { temporal } = proto;
import type { WorkflowHandle } from '@temporalio/client';
import { Worker, type WorkerOptions } from '@temporalio/worker';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Activities } from '../../activities/index.js';
import type { JobRequest } from '../../activities/types.js';
import { INFRASTRUCTURE_UNAVAILABLE } from '../../core/failures.js';
import { loadPipelineYaml } from '../../core/spec/parse.js';
import { leaderboardQuery, stopSweepUpdate, sweepBudgetUpdate } from '../../contracts/sweep.js';
import { pipelineWorkflow } from '../../workflows/index.js';
import { heldSweepJobs } from './sweepControlJobs.js';
import { fakeActivities, INGEST, outcome } from '../support/fakeActivities.js';
import { repoRoot, workflowsPath } from '../support/paths.js';
import { createLocalTemporal } from '../support/temporalEnv.js';

const INGEST_DATA = INGEST.data;
const out = join(repoRoot, 'test', 'replay', 'histories');
mkdirSync(out, { recursive: true });
const env = await createLocalTemporal();

const spec = (extra: string, train = '{ epochs: 3, schedule: { kind: one_cycle } }') =>
  loadPipelineYaml(`
apiVersion: gauntlet.dev/v1
kind: Pipeline
name: replay
data: { source: "sklearn:digits" }
trainer: { retry: { maximumAttempts: 2, initialInterval: 100ms } }
train: ${train}
goal: { metric: accuracy, min: 0.9 }
${extra}`);

async function save(name: string, handle: WorkflowHandle): Promise<void> {
  // Every run of the workflow id (a sweep that continued as new has several), oldest first.
  const runs: string[] = [];
  for await (const execution of env.client.workflow.list({ query: `WorkflowId = '${handle.workflowId}'` })) runs.push(execution.runId);
  runs.reverse();
  for (const [index, runId] of runs.entries()) {
    const history = await env.client.workflow.getHandle(handle.workflowId, runId).fetchHistory();
    // Protobuf bytes, base64: exactly what the server sent (this SDK's JSON writer refuses its own History objects).
    const file = join(out, runs.length > 1 ? `${name}.run-${index + 1}.history` : `${name}.history`);
    writeFileSync(file, `${Buffer.from(temporal.api.history.v1.History.encode(history).finish()).toString('base64')}\n`);
    console.log(`${file}: ${history.events?.length ?? 0} events`);
  }
}

const only = process.argv.slice(2);

async function scenario(
  name: string,
  activities: Activities,
  start: (taskQueue: string) => Promise<WorkflowHandle>,
  extraIds: string[] = [],
  options: Partial<WorkerOptions> = {},
): Promise<void> {
  if (only.length > 0 && !only.includes(name)) return;
  const worker = await Worker.create({ connection: env.nativeConnection, taskQueue: name, workflowsPath, activities, ...options });
  await worker.runUntil(async () => {
    const handle = await start(name);
    await handle.result().catch(() => undefined);
    await save(name, handle);
    for (const id of extraIds) await save(`${name}.${id.slice(name.length + 1)}`, env.client.workflow.getHandle(id));
  });
}

const startPipeline = (workflowId: string, pipeline: ReturnType<typeof spec>) => (taskQueue: string) =>
  env.client.workflow.start(pipelineWorkflow, { taskQueue, workflowId, args: [{ spec: pipeline, specFile: 'replay.yaml' }] });

try {
  // The whole checklist: gates, range test, one-cycle training, evaluation, record.
  await scenario('pipeline', fakeActivities(), startPipeline('pipeline', spec('')));

  // A failed overfit gate stops the run.
  await scenario(
    'gate-stop',
    fakeActivities({
      runJob: async (request: JobRequest) => {
        const result = outcome(request, { final_loss: 2.3, steps: 300 });
        return { ...result, result: { ...result.result, details: { passed: false } } };
      },
    }),
    startPipeline('gate-stop', spec('')),
  );

  // Outages and a trainer failure on the way: retried by the workflow, the run succeeds.
  let trainCalls = 0;
  await scenario(
    'faults',
    fakeActivities({
      runJob: async (request: JobRequest) => {
        if (request.mode === 'train') {
          trainCalls += 1;
          if (trainCalls === 1) throw ApplicationFailure.create({ message: 'storage unreachable', type: INFRASTRUCTURE_UNAVAILABLE, details: [{ service: 'storage' }] });
          if (trainCalls === 2) throw ApplicationFailure.retryable('job exited with 1', 'TrainerFailed');
        }
        return fakeActivities().runJob(request);
      },
    }),
    startPipeline('faults', spec('', '{ epochs: 3, schedule: { kind: one_cycle, maxLr: 0.05 } }')),
  );

  // A cancelled run.
  await scenario(
    'cancelled',
    fakeActivities({
      runJob: async (request: JobRequest) => {
        if (request.mode === 'train') {
          const { Context } = await import('@temporalio/activity');
          await Context.current().cancelled;
        }
        return fakeActivities().runJob(request);
      },
    }),
    async (taskQueue) => {
      const handle = await startPipeline('cancelled', spec('', '{ epochs: 3, schedule: { kind: one_cycle, maxLr: 0.05 } }'))(taskQueue);
      await new Promise((resolve) => setTimeout(resolve, 2000));
      await handle.cancel();
      return handle;
    },
  );

  // A sweep (child workflow) that hands over to a new run while trials still train.
  const sweepSpec = spec(`sweep:
  space: { hidden: { choice: [8, 16, 32, 64] }, dropout: { uniform: [0, 0.5] } }
  strategy: { kind: random, seed: 5 }
  budget: { maxTrials: 8, gpuBudget: 2 }
  continueAsNewEvents: 40`, '{ epochs: 2, schedule: { kind: one_cycle, maxLr: 0.05 } }');
  const jobs = new Map<string, Promise<ReturnType<typeof outcome>>>();
  await scenario(
    'sweep',
    fakeActivities(
      {
        runJob: async (request: JobRequest) => {
          if (!request.stage.startsWith('trial-')) return fakeActivities().runJob(request);
          let running = jobs.get(request.stage);
          if (!running) {
            const lasts = 200 + (Number(request.stage.slice('trial-'.length)) % 3) * 600;
            running = new Promise((resolve) => setTimeout(() => resolve(outcome(request, { val_accuracy: 0.5 + Number(request.hyperparameters?.dropout ?? 0) }, { checkpoint: 's3://gauntlet/x.pt' })), lasts));
            jobs.set(request.stage, running);
          }
          return running;
        },
      },
      [],
      'sweep-sweep',
    ),
    startPipeline('sweep', sweepSpec),
    ['sweep-sweep'],
  );

  // The sweep workflow alone, every path of its state machine: TPE (the planner's version protocol), ASHA stops that
  // cancel jobs, an OOM fallback, a trial that fails after a trainer retry, a budget change and a stop --now by a
  // person, and hand-overs with trials running (a job outlives its run and the next run adopts it).
  const controlSpec = spec(`sweep:
  space: { hidden: { choice: [8, 16, 32, 64] }, dropout: { uniform: [0, 0.5] } }
  strategy: { kind: tpe, seed: 11, nStartupTrials: 3 }
  earlyStopping: { kind: asha, gracePeriod: 1, reductionFactor: 2 }
  budget: { maxTrials: 16, gpuBudget: 2, maxFailedTrials: 3 }
  oomFallback: { batchSizeFactor: 0.5 }
  continueAsNewEvents: 90`, '{ epochs: 4, batchSize: 64, schedule: { kind: one_cycle, maxLr: 0.05 } }');
  const held = heldSweepJobs(env.client, 'sweep-control');
  await scenario(
    'sweep-control',
    fakeActivities({ runJob: (request: JobRequest) => held.run(request) }, [], 'sweep-control'),
    async (taskQueue) => {
      const handle = await env.client.workflow.start('sweepWorkflow', { taskQueue, workflowId: 'sweep-control', args: [{ spec: controlSpec, data: INGEST_DATA, maxLrByGroup: {} }] });
      const launched = async () => (await handle.query(leaderboardQuery).catch(() => null))?.counts;
      const until = async (trials: number) => {
        for (let tries = 0; tries < 600; tries++) {
          const counts = await launched();
          if (counts && Object.values(counts).reduce((a, b) => a + b, 0) >= trials) return;
          await new Promise((resolve) => setTimeout(resolve, 50));
        }
        throw new Error(`fewer than ${trials} trials after 30 s`);
      };
      // An update that arrives during a hand-over is refused ("try again in a moment"): as a person would, try again.
      const persist = async (send: () => Promise<unknown>) => {
        for (let tries = 0; ; tries++) {
          try {
            return await send();
          } catch (error) {
            if (tries > 40) throw error;
            await new Promise((resolve) => setTimeout(resolve, 100));
          }
        }
      };
      await until(5);
      await persist(() => handle.executeUpdate(sweepBudgetUpdate, { args: [{ gpuBudget: 3 }] }));
      await until(11);
      await persist(() => handle.executeUpdate(stopSweepUpdate, { args: [{ now: true, reason: 'recorded' }] }));
      return handle;
    },
    [],
    { maxHeartbeatThrottleInterval: '50ms' },
  );

  // Labeling by annotator jobs: a malformed batch retried by someone else, a dispute settled by a third annotator.
  const malformed = new Set<string>();
  await scenario(
    'labeling',
    fakeActivities({
      runJob: async (request: JobRequest) => {
        if (request.mode !== 'label') return fakeActivities().runJob(request);
        return outcome(request, { items: 1 }, { labels: `s3://gauntlet/runs/labeling-label/${request.stage}/labels.json#${request.label?.annotator}` });
      },
      readJobLabels: async ({ labelsUri, items, batch }) => {
        const annotator = labelsUri.split('#')[1] ?? '';
        if (annotator === 'flaky' && !malformed.has(labelsUri)) {
          malformed.add(labelsUri);
          throw ApplicationFailure.nonRetryable(`batch ${batch}: malformed labels:\nitem ${items[0]}: not a class (got "sevn")`, 'MalformedLabels');
        }
        return items.map((item) => ({ item, label: String(annotator === 'sloppy' && item % 7 === 0 ? (item + 1) % 10 : item % 10) }));
      },
    }),
    startPipeline(
      'labeling',
      spec(`label:
  items: all
  batchSize: 25
  annotators: [ { name: careful, kind: job }, { name: sloppy, kind: job }, { name: flaky, kind: job } ]
  overlap: { fraction: 0.5 }
  retry: { initialInterval: 100ms }
  gate: { min: 0.5 }`, '{ epochs: 2, schedule: { kind: one_cycle, maxLr: 0.05 } }'),
    ),
    ['labeling-label'],
  );
} finally {
  await env.teardown();
}

/**
 * A person acting on a running sweep (real dev server, fake activities): `stop` ends it with the trials it has
 * (the running ones finish, or with --now are stopped), a budget change takes effect at once, and what cannot be
 * done (a budget below what has already run, a second stop) is refused with the reason. Trials here hold until the
 * test releases them, so every situation is forced, not timed.
 */
import { CancelledFailure, Context } from '@temporalio/activity';
import { WorkflowUpdateFailedError } from '@temporalio/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker } from '@temporalio/worker';
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { JobOutcome, JobRequest } from '../../activities/types.js';
import { rootCauseMessage } from '../../core/errors.js';
import { loadPipelineYaml } from '../../core/spec/parse.js';
import type { PipelineResult } from '../../contracts/pipeline.js';
import { leaderboardQuery, stopSweepUpdate, sweepBudgetUpdate, sweepWorkflowId } from '../../contracts/sweep.js';
import { pipelineWorkflow } from '../../workflows/index.js';
import { fakeActivities, NO_DATA_CHECKS, outcome } from '../support/fakeActivities.js';
import { workflowsPath } from '../support/paths.js';
import { createLocalTemporal } from '../support/temporalEnv.js';
import { memorySweepTable } from '../support/sweepTableFake.js';

const spec = (name: string, budget: string) =>
  loadPipelineYaml(`
apiVersion: gauntlet.dev/v1
kind: Pipeline
name: ${name}
data: { source: "sklearn:digits" }
${NO_DATA_CHECKS}
gates: { overfit: { enabled: false }, oracle: { enabled: false } }
train: { epochs: 2, schedule: { kind: one_cycle, maxLr: 0.1 } }
sweep:
  space: { hidden: { choice: [8, 16, 32, 64, 128, 256, 512, 1024] } }
  strategy: { kind: grid }
  budget: ${budget}
`);

/** Trials that run until released (or cancelled), then complete with accuracy growing with the trial number. */
class HeldTrials {
  private releases = new Map<string, () => void>();
  readonly started: string[] = [];
  readonly cancelled: string[] = [];
  running = 0;

  async run(request: JobRequest): Promise<JobOutcome> {
    this.started.push(request.stage);
    this.running += 1;
    const context = Context.current();
    const released = new Promise<void>((resolve) => this.releases.set(request.stage, resolve));
    // Heartbeats carry cancellation to the activity.
    const beat = setInterval(() => context.heartbeat(), 50);
    try {
      await Promise.race([released, context.cancelled]);
    } catch (error) {
      if (error instanceof CancelledFailure) this.cancelled.push(request.stage);
      throw error;
    } finally {
      clearInterval(beat);
      this.running -= 1;
    }
    const trial = Number(request.stage.slice('trial-'.length));
    return outcome(request, { val_accuracy: 0.5 + trial / 100 }, { checkpoint: `s3://gauntlet/runs/x/${request.stage}/last.pt` });
  }

  release(stage: string): void {
    this.releases.get(stage)?.();
  }

  releaseAll(): void {
    for (const release of this.releases.values()) release();
  }
}

describe('sweep stop and budget (real dev server, fake activities)', () => {
  let env: TestWorkflowEnvironment;
  before(async () => {
    env = await createLocalTemporal();
  });
  after(async () => {
    await env?.teardown();
  });

  async function withSweep(id: string, budget: string, drive: (held: HeldTrials, sweepId: string) => Promise<void>): Promise<PipelineResult> {
    const held = new HeldTrials();
    const activities = fakeActivities(
      { runJob: async (request: JobRequest) => (request.stage.startsWith('trial-') ? held.run(request) : fakeActivities().runJob(request)) },
      [],
      sweepWorkflowId(id),
    );
    Object.assign(activities, memorySweepTable(sweepWorkflowId(id)).activities);
    const worker = await Worker.create({ connection: env.nativeConnection, taskQueue: id, workflowsPath, activities, maxHeartbeatThrottleInterval: '50ms' });
    return worker.runUntil(async () => {
      const handle = await env.client.workflow.start(pipelineWorkflow, { taskQueue: id, workflowId: id, args: [{ spec: spec(id, budget) }] });
      await drive(held, sweepWorkflowId(id));
      return handle.result().catch((error: unknown) => assert.fail(rootCauseMessage(error)));
    });
  }

  const until = async (check: () => boolean | Promise<boolean>) => {
    for (let tries = 0; tries < 600 && !(await check()); tries++) await new Promise((resolve) => setTimeout(resolve, 50));
    assert.ok(await check(), 'condition not reached within 30 s');
  };

  test('GIVEN a running sweep WHEN a person changes its budget THEN more trials run at once and in all, and a budget below what already ran is refused', async () => {
    const result = await withSweep('sweep-budget', '{ maxTrials: 8, gpuBudget: 1 }', async (held, sweepId) => {
      const sweep = env.client.workflow.getHandle(sweepId);
      await until(() => held.started.length === 1);
      const refused = await sweep.executeUpdate(sweepBudgetUpdate, { args: [{ maxTrials: 0 }] }).catch((e: unknown) => e);
      assert.ok(refused instanceof WorkflowUpdateFailedError);
      assert.match(rootCauseMessage(refused), /--max-trials 0: 1 trials have already been launched/);
      const changed = await sweep.executeUpdate(sweepBudgetUpdate, { args: [{ maxTrials: 3, gpuBudget: 2 }] });
      assert.deepEqual(changed, { maxTrials: 3, gpuBudget: 2, concurrency: 2 });
      await until(() => held.running === 2);
      const tooFew = await sweep.executeUpdate(sweepBudgetUpdate, { args: [{ gpuBudget: 1 }] }).catch((e: unknown) => e);
      assert.match(rootCauseMessage(tooFew), /2 trials are running on 2 GPUs now/);
      held.releaseAll();
      await until(() => held.started.length === 3);
      held.releaseAll();
    });
    assert.equal(result.sweep?.trials, 3);
    assert.equal(result.sweep?.stoppedBecause, 'completed');
  });

  test('GIVEN a running sweep WHEN a person stops it THEN no trial is launched after, the running ones finish, and it ends as stopped by the user', async () => {
    const result = await withSweep('sweep-stop', '{ maxTrials: 8, gpuBudget: 2 }', async (held, sweepId) => {
      const sweep = env.client.workflow.getHandle(sweepId);
      await until(() => held.running === 2);
      const stopped = await sweep.executeUpdate(stopSweepUpdate, { args: [{ now: false, reason: 'enough for today' }] });
      assert.deepEqual(stopped, { running: 2, trials: 2 });
      const again = await sweep.executeUpdate(stopSweepUpdate, { args: [{ now: false }] }).catch((e: unknown) => e);
      assert.match(rootCauseMessage(again), /the sweep is already ending: stopped by a person: enough for today after 2 trials/);
      held.releaseAll();
      const board = await sweep.query(leaderboardQuery);
      assert.ok(board.counts.running <= 2);
    });
    assert.equal(result.sweep?.trials, 2);
    assert.equal(result.sweep?.completed, 2);
    assert.equal(result.sweep?.stoppedBecause, 'user');
    assert.match(result.sweep?.endReason ?? '', /stopped by a person: enough for today/);
  });

  test('GIVEN a sweep with a finished trial WHEN a person stops it --now THEN the running trials are cancelled and it ends with the best it has', async () => {
    let cancelled: string[] = [];
    const result = await withSweep('sweep-stop-now', '{ maxTrials: 8, gpuBudget: 2 }', async (held, sweepId) => {
      const sweep = env.client.workflow.getHandle(sweepId);
      await until(() => held.running === 2);
      held.release('trial-0');
      await until(() => held.started.length === 3 && held.running === 2);
      await sweep.executeUpdate(stopSweepUpdate, { args: [{ now: true }] });
      await until(() => held.running === 0);
      cancelled = held.cancelled;
    });
    assert.deepEqual(cancelled.sort(), ['trial-1', 'trial-2']);
    assert.equal(result.sweep?.stoppedBecause, 'user');
    assert.equal(result.sweep?.completed, 1);
    assert.equal(result.sweep?.stopped, 2);
    assert.equal(result.status, 'succeeded');
  });
});

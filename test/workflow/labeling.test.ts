/**
 * The labeling workflow against a real dev server with plain-function activities: annotator jobs that crash and write
 * malformed labels, the agreement gate, and the human path (lease, rejected and accepted submissions, an expired lease).
 */
import { ApplicationFailure, WorkflowFailedError, WorkflowUpdateFailedError } from '@temporalio/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker } from '@temporalio/worker';
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { JobRequest } from '../../activities/types.js';
import { rootCauseMessage } from '../../core/errors.js';
import type { SettledItem } from '../../core/labeling/settle.js';
import type { SubmittedLabel } from '../../core/labeling/queue.js';
import { loadPipelineYaml } from '../../core/spec/parse.js';
import { labelingStatusQuery, labelingWorkflowId, leaseBatchUpdate, submitLabelsUpdate } from '../../contracts/labeling.js';
import { progressQuery } from '../../contracts/pipeline.js';
import { pipelineWorkflow } from '../../workflows/index.js';
import { fakeActivities } from '../support/fakeActivities.js';
import { workflowsPath } from '../support/paths.js';
import { createLocalTemporal } from '../support/temporalEnv.js';

const truth = (item: number) => String(item % 10);

const spec = (label: string) =>
  loadPipelineYaml(`
apiVersion: gauntlet.dev/v1
kind: Pipeline
name: labeling
data: { source: "sklearn:digits" }
gates: { oracle: { enabled: false } }
train: { epochs: 2, schedule: { kind: one_cycle, maxLr: 0.05 } }
label: ${label}`);

/** Fake annotator jobs: `behaviour` careful (truth), noisy (a fixed wrong answer on most items) or flaky (crash, then garbage, then truth). */
function annotatorActivities(settled: SettledItem[][]) {
  const written = new Map<string, SubmittedLabel[] | 'garbage'>();
  // Forced, not timed: the sound annotators hold their first batches until flaky has crashed once and written garbage once.
  let flakyAttempts = 0;
  let flakyDone: () => void = () => undefined;
  const flakyFailedTwice = new Promise<void>((resolve) => (flakyDone = resolve));
  return fakeActivities({
    runJob: async (request: JobRequest) => {
      if (request.mode !== 'label') return fakeActivities().runJob(request);
      const { batch, annotator } = request.label!;
      const behaviour = request.hyperparameters?.behaviour;
      const uri0 = `s3://gauntlet/runs/r-label/${request.stage}/labels.json`;
      if (behaviour === 'flaky') {
        flakyAttempts += 1;
        if (flakyAttempts >= 2) flakyDone();
        if (flakyAttempts % 2 === 1) throw ApplicationFailure.retryable(`label job for batch ${batch} exited 1`, 'TrainerFailed');
        written.set(uri0, 'garbage');
        const failed = await fakeActivities().runJob(request);
        return { ...failed, result: { ...failed.result, artifacts: { labels: uri0 } } };
      }
      if (behaviour === 'careful') await flakyFailedTwice;
      const uri = `s3://gauntlet/runs/r-label/${request.stage}/labels.json`;
      const items = published.get(batch)!;
      written.set(uri, items.map((item) => ({ item, label: behaviour === 'noisy' && item % 4 !== 0 ? String((item * 7 + annotator.length) % 10) : truth(item) })));
      const outcome = await fakeActivities().runJob(request);
      return { ...outcome, result: { ...outcome.result, artifacts: { labels: uri } } };
    },
    publishLabelBatches: async ({ batches }) => {
      for (const batch of batches) published.set(batch.id, batch.items);
      return Object.fromEntries(batches.map((batch) => [batch.id, `s3://gauntlet/runs/r-label/labeling/batches/${batch.id}.json`]));
    },
    readJobLabels: async ({ labelsUri, batch }) => {
      const labels = written.get(labelsUri);
      if (labels === 'garbage' || !labels) throw ApplicationFailure.nonRetryable(`batch ${batch}: malformed labels:\nitem 3: not a class (got "sevn")`, 'MalformedLabels');
      return labels;
    },
    applyLabels: async (request) => {
      settled.push(request.settled);
      return fakeActivities().applyLabels(request);
    },
  });
}
/** Batch id → items, as the workflow published them (one workflow at a time per test). */
const published = new Map<number, number[]>();

const annotators = `[
    { name: careful, kind: job, hyperparameters: { behaviour: careful } },
    { name: steady, kind: job, hyperparameters: { behaviour: careful } },
    { name: flaky, kind: job, hyperparameters: { behaviour: flaky } } ]`;

describe('labeling workflow (real dev server, fake activities)', () => {
  let env: TestWorkflowEnvironment;
  before(async () => {
    env = await createLocalTemporal();
  });
  after(async () => {
    await env?.teardown();
  });

  test('GIVEN a flaky annotator job that crashes and writes garbage WHEN labeling runs THEN every batch is retried until labeled, no item is lost and none goes twice to one annotator', async () => {
    const settled: SettledItem[][] = [];
    const id = 'labeling-flaky';
    const worker = await Worker.create({ connection: env.nativeConnection, taskQueue: id, workflowsPath, activities: annotatorActivities(settled) });
    await worker.runUntil(async () => {
      const pipeline = spec(`{ items: all, batchSize: 10, annotators: ${annotators}, overlap: { fraction: 0.2 }, maxAttempts: 5,
        retry: { initialInterval: 10ms, maximumInterval: 50ms }, gate: { metric: krippendorffAlpha, min: 0.8 } }`);
      const handle = await env.client.workflow.start(pipelineWorkflow, { taskQueue: id, workflowId: id, args: [{ spec: pipeline }] });
      const result = await handle.result().catch((error: unknown) => assert.fail(rootCauseMessage(error)));
      assert.equal(result.status, 'succeeded');
      assert.equal(result.gates[0]?.gate, 'agreement');
      assert.equal(result.gates[0]?.passed, true);
      const status = await env.client.workflow.getHandle(labelingWorkflowId(id)).query(labelingStatusQuery);
      assert.ok(status.batches.every((batch) => batch.status === 'done'), JSON.stringify(status.batches.map((b) => [b.id, b.status, b.reason])));
      const attempts = status.batches.flatMap((batch) => batch.attempts);
      assert.ok(attempts.some((attempt) => attempt.outcome === 'failed' && /exited 1/.test(attempt.reason ?? '')), 'a crash was retried');
      assert.ok(attempts.some((attempt) => attempt.outcome === 'failed' && /not a class/.test(attempt.reason ?? '')), 'garbage was retried');
      const items = settled[0]!;
      assert.deepEqual(items.map((item) => item.item), Array.from({ length: 100 }, (_, i) => i), 'every item settled');
      assert.ok(items.every((item) => item.label === truth(item.item)), 'careful copies agree on the truth');
      assert.equal(items.filter((item) => item.doubleLabeled).length, 20);
      for (const item of items) {
        const raters = item.ratings.map((rating) => rating.annotator);
        assert.equal(new Set(raters).size, raters.length, `item ${item.item} rated twice by one annotator: ${raters}`);
      }
      // Every attempt is an activity with a summary a person can read in the Temporal UI.
      const history = await env.client.workflow.getHandle(labelingWorkflowId(id)).fetchHistory();
      const summaries = (history.events ?? []).flatMap((event) => {
        const data = event.userMetadata?.summary?.data;
        return event.activityTaskScheduledEventAttributes && data ? [JSON.parse(Buffer.from(data).toString('utf8')) as string] : [];
      });
      // The lanes start in spec order, so flaky's first batch is 3 (it crashes); someone who has not failed it retries.
      assert.ok(summaries.includes('label · batch 3 · flaky · attempt 1'), summaries.join('\n'));
      assert.ok(summaries.some((summary) => /^label · batch 3 · [a-z]+ · attempt 2$/.test(summary)), summaries.join('\n'));
      const progress = await handle.query(progressQuery);
      assert.match(progress.stages.find((stage) => stage.stage === 'label')?.detail ?? '', /100 of 100 items labeled \(20 twice\)/);
    });
  });

  test('GIVEN annotators who rarely agree WHEN labeling ends THEN the agreement gate stops the run and its reason gives the numbers', async () => {
    const id = 'labeling-noisy';
    const worker = await Worker.create({ connection: env.nativeConnection, taskQueue: id, workflowsPath, activities: annotatorActivities([]) });
    await worker.runUntil(async () => {
      const pipeline = spec(`{ items: all, batchSize: 20, overlap: { fraction: 0.5 }, gate: { min: 0.8 }, annotators: [
        { name: ann-1, kind: job, hyperparameters: { behaviour: noisy } }, { name: ann-22, kind: job, hyperparameters: { behaviour: noisy } },
        { name: ann-333, kind: job, hyperparameters: { behaviour: noisy } } ] }`);
      const handle = await env.client.workflow.start(pipelineWorkflow, { taskQueue: id, workflowId: id, args: [{ spec: pipeline }] });
      const error = await handle.result().then(() => assert.fail('the gate should stop the run'), (e: unknown) => e);
      assert.ok(error instanceof WorkflowFailedError);
      const message = rootCauseMessage(error);
      assert.match(message, /labels not reliable enough: krippendorffAlpha -?0\.\d{3} < 0\.8/);
      assert.match(message, /50 double-labeled items · percent agreement 0\.\d{3} · Krippendorff's alpha/);
      const progress = await handle.query(progressQuery);
      assert.equal(progress.status, 'stopped_by_gate');
      assert.ok(!progress.stages.find((stage) => stage.stage === 'overfit')?.startedAt, 'nothing trained');
    });
  });

  test('GIVEN people WHEN they lease and submit THEN bad submissions are rejected with one line per problem and the batch stays leased; good ones are recorded', async () => {
    const id = 'labeling-humans';
    const worker = await Worker.create({ connection: env.nativeConnection, taskQueue: id, workflowsPath, activities: annotatorActivities([]) });
    await worker.runUntil(async () => {
      const pipeline = spec(`{ items: all, batchSize: 50, annotators: [ { name: alice, kind: human }, { name: bob, kind: human } ] }`);
      const handle = await env.client.workflow.start(pipelineWorkflow, { taskQueue: id, workflowId: id, args: [{ spec: pipeline }] });
      const labeling = env.client.workflow.getHandle(labelingWorkflowId(id));
      await waitFor(async () => (await labeling.query(labelingStatusQuery).catch(() => null)) !== null);
      const refused = await labeling.executeUpdate(leaseBatchUpdate, { args: [{ annotator: 'mallory' }] }).catch((e: unknown) => e);
      assert.ok(refused instanceof WorkflowUpdateFailedError);
      assert.match(rootCauseMessage(refused), /"mallory" is not a human annotator of this run \(label.annotators with kind human: alice, bob\)/);

      const bobs = await labeling.executeUpdate(leaseBatchUpdate, { args: [{ annotator: 'bob' }] });
      const alices = await labeling.executeUpdate(leaseBatchUpdate, { args: [{ annotator: 'alice' }] });
      assert.ok(bobs.granted && alices.granted);
      assert.notEqual(alices.granted.batch, bobs.granted.batch);
      const again = await labeling.executeUpdate(leaseBatchUpdate, { args: [{ annotator: 'alice' }] });
      assert.equal(again.granted?.batch, alices.granted.batch, 'pulling again gives the batch already held');
      const third = await labeling.executeUpdate(leaseBatchUpdate, { args: [{ annotator: 'alice' }] });
      assert.equal(third.granted?.batch, alices.granted.batch);

      const bad = alices.granted.items.map((item, i) => ({ item, label: i === 0 ? 'sevn' : truth(item) })).slice(0, -1);
      const rejected = await labeling.executeUpdate(submitLabelsUpdate, { args: [{ batch: alices.granted.batch, annotator: 'alice', labels: bad }] }).catch((e: unknown) => e);
      assert.ok(rejected instanceof WorkflowUpdateFailedError);
      const lines = rootCauseMessage(rejected).split('\n');
      assert.match(lines[0]!, new RegExp(`^item ${alices.granted.items[0]}: not a class \\(got "sevn"`));
      assert.match(lines[1]!, new RegExp(`^missing label for item ${alices.granted.items.at(-1)}$`));
      const wrongPerson = await labeling.executeUpdate(submitLabelsUpdate, { args: [{ batch: alices.granted.batch, annotator: 'bob', labels: [] }] }).catch((e: unknown) => e);
      assert.match(rootCauseMessage(wrongPerson), /not leased to bob \(it is leased to alice\)/);
      let status = await labeling.query(labelingStatusQuery);
      assert.equal(status.batches.find((batch) => batch.id === alices.granted!.batch)?.holder, 'alice', 'still leased after a rejection');
      assert.equal(status.batches.find((batch) => batch.id === alices.granted!.batch)?.attempts.length, 1, 'a rejection is not an attempt');

      const good = alices.granted.items.map((item) => ({ item, label: truth(item) }));
      const accepted = await labeling.executeUpdate(submitLabelsUpdate, { args: [{ batch: alices.granted.batch, annotator: 'alice', labels: good }] });
      assert.equal(accepted.recorded, 50);
      status = await labeling.query(labelingStatusQuery);
      assert.equal(status.batches.find((batch) => batch.id === alices.granted!.batch)?.status, 'done');
      assert.equal(status.annotators.find((a) => a.annotator === 'alice')?.items, 50);
      await handle.cancel();
    });
  });

  test('GIVEN a person who lets a lease run out WHEN it expires THEN the batch goes to another annotator, never back to them', async () => {
    const id = 'labeling-expiry';
    const worker = await Worker.create({ connection: env.nativeConnection, taskQueue: id, workflowsPath, activities: annotatorActivities([]) });
    await worker.runUntil(async () => {
      const pipeline = spec(`{ items: all, batchSize: 50, leaseTimeout: 1s, annotators: [ { name: alice, kind: human }, { name: bob, kind: human } ] }`);
      const handle = await env.client.workflow.start(pipelineWorkflow, { taskQueue: id, workflowId: id, args: [{ spec: pipeline }] });
      const labeling = env.client.workflow.getHandle(labelingWorkflowId(id));
      await waitFor(async () => (await labeling.query(labelingStatusQuery).catch(() => null)) !== null);
      const bobs = await labeling.executeUpdate(leaseBatchUpdate, { args: [{ annotator: 'bob' }] });
      assert.equal(bobs.granted?.batch, 1);
      // The workflow's own timer ends the lease: nobody has to pull for it to happen.
      await waitFor(async () => (await labeling.query(labelingStatusQuery)).batches[0]!.attempts.some((a) => a.outcome === 'expired'));
      const status = await labeling.query(labelingStatusQuery);
      assert.deepEqual(status.batches[0]!.excluded, ['bob']);
      assert.equal(status.batches[0]!.status, 'open');
      const bobAgain = await labeling.executeUpdate(leaseBatchUpdate, { args: [{ annotator: 'bob' }] });
      assert.equal(bobAgain.granted?.batch, 2, 'bob gets the next batch, not the one he let expire');
      const alices = await labeling.executeUpdate(leaseBatchUpdate, { args: [{ annotator: 'alice' }] });
      assert.equal(alices.granted?.batch, 1);
      assert.equal(alices.granted?.attempt, 2);
      await handle.cancel();
    });
  });
});

async function waitFor(check: () => Promise<boolean>): Promise<void> {
  for (let tries = 0; tries < 600; tries++) {
    if (await check()) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  assert.fail('condition not reached within 60 s');
}

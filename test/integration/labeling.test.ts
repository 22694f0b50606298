/**
 * Labeling on the real stack, through the CLI as people use it: simulated annotator jobs of the reference trainer
 * (one that always crashes, one that always writes garbage) retried without losing an item or giving one item twice
 * to an annotator; people pulling and submitting batches (a bad file rejected with its reasons, the batch still
 * leased; a worker SIGKILLed while batches are leased; a lease that runs out going to someone else); the labeling
 * sheet in a real browser; and the agreement gate stopping a run whose annotators are too noisy.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { z } from 'zod';
import { ArtifactStore } from '../../activities/store.js';
import { startTestStack, type TestStack } from '../../deploy/dev/testStack.js';
import { detectPython } from '../../deploy/dev/worker.js';
import { createMinioClient } from '../../worker/sideEffects.js';
import type { LabelingStatus } from '../../contracts/labeling.js';
import { renderPage } from '../support/browser.js';
import { runCli, startCli, type CliRun } from '../support/cli.js';
import { repoRoot } from '../support/paths.js';
import { startWorkerProcess, type WorkerProcess } from '../support/workerProcess.js';

const fixture = join(repoRoot, 'test/fixtures/labeling/digits-60.csv');
/** The fixture's true labels by row (its `true_label` column); rows 2, 5, 8, … have an empty `label`. */
const truth = readFileSync(fixture, 'utf8').trim().split('\n').slice(1).map((line) => line.split(',').at(-1)!);

const Provenance = z.object({
  items: z.array(z.object({ item: z.number(), label: z.string().nullable(), settlement: z.string(), ratings: z.array(z.object({ annotator: z.string(), label: z.string() })) })),
});
const Manifest = z.object({ labeling: z.object({ humanCeiling: z.number().nullable(), provenanceUri: z.string() }) });

describe('labeling on the real stack', () => {
  let stack: TestStack;
  let worker: WorkerProcess;
  let store: ArtifactStore;
  let dir: string;

  before(async () => {
    stack = await startTestStack({ worker: false, python: await detectPython() });
    worker = await startWorkerProcess(stack.env);
    store = new ArtifactStore(createMinioClient(stack.config), stack.bucket);
    dir = mkdtempSync(join(tmpdir(), 'gauntlet-labeling-'));
  });
  after(async () => {
    await worker?.kill('SIGTERM');
    await stack?.stop();
  });

  const cli = (args: string[], timeoutMs = 120_000) => runCli(args, stack.env, timeoutMs);
  const status = async (run: string): Promise<LabelingStatus> => {
    const result = await cli(['label', 'status', run, '--json']);
    assert.equal(result.code, 0, result.stderr);
    return JSON.parse(result.stdout) as LabelingStatus;
  };
  const writeSpec = (name: string, body: string) => {
    const file = join(dir, `${name}.yaml`);
    writeFileSync(file, `apiVersion: gauntlet.dev/v1\nkind: Pipeline\nname: ${name}\n${body}`);
    return file;
  };
  /** `gauntlet run FILE` in the background: its run id as soon as it has started, and its end. */
  const startRun = async (file: string): Promise<{ runId: string; done: Promise<CliRun> }> => {
    const run = startCli(['run', file], stack.env);
    const [, runId] = await run.waitForStderr(/started (\S+)/);
    return { runId: runId!, done: run.done };
  };
  const waitForLabeling = async (run: string, check: (s: LabelingStatus) => boolean = () => true): Promise<LabelingStatus> => {
    for (let tries = 0; tries < 600; tries++) {
      const result = await cli(['label', 'status', run, '--json']);
      if (result.code === 0) {
        const current = JSON.parse(result.stdout) as LabelingStatus;
        if (check(current)) return current;
      }
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    return assert.fail(`labeling of ${run} never reached the expected state`);
  };
  const labelsCsv = (items: number[], label: (item: number) => string) => `item,label\n${items.map((item) => `${item},${label(item)}`).join('\n')}\n`;

  test('GIVEN annotator jobs of which one always crashes and one always writes garbage WHEN digits are relabeled THEN every batch ends labeled by a sound annotator, no item is lost, and no item is labeled twice by one annotator', async () => {
    const file = writeSpec('label-retries', `
data: { source: "sklearn:digits" }
label:
  items: all
  batchSize: 100
  annotators:
    - { name: careful, kind: job, hyperparameters: { accuracy: 0.99 } }
    - { name: steady, kind: job, hyperparameters: { accuracy: 0.97, confusions: "1:7,3:8,4:9" } }
    - { name: sloppy, kind: job, hyperparameters: { accuracy: 0.93, confusions: "1:7,3:8,4:9" } }
    - { name: crasher, kind: job, hyperparameters: { crashProbability: 1 } }
    - { name: garbler, kind: job, hyperparameters: { malformedProbability: 1 } }
  overlap: { fraction: 0.2 }
  maxAttempts: 5
  retry: { initialInterval: 100ms, maximumInterval: 1s }
  gate: { metric: krippendorffAlpha, min: 0.8 }
gates: { overfit: { enabled: false }, oracle: { enabled: false } }
train: { epochs: 2, schedule: { kind: one_cycle, maxLr: 0.1 } }
`);
    const result = await cli(['run', file, '--json'], 900_000);
    assert.equal(result.code, 0, result.stderr + result.stdout);
    const run = JSON.parse(result.stdout) as { runId: string; status: string; gates: Array<{ gate: string; passed: boolean }>; manifestUri: string };
    assert.equal(run.status, 'succeeded');
    assert.deepEqual(run.gates[0], { ...run.gates[0], gate: 'agreement', passed: true });

    const labeling = await status(run.runId);
    assert.ok(labeling.batches.every((batch) => batch.status === 'done'), JSON.stringify(labeling.batches.map((b) => [b.id, b.status, b.reason])));
    const attempts = labeling.batches.flatMap((batch) => batch.attempts);
    const by = (name: string) => attempts.filter((attempt) => attempt.annotator === name);
    assert.ok(by('crasher').length > 0 && by('garbler').length > 0, 'both broken annotators were given work');
    for (const attempt of by('crasher')) assert.match(`${attempt.outcome}: ${attempt.reason}`, /^failed: .*exit/s);
    for (const attempt of by('garbler')) assert.match(`${attempt.outcome}: ${attempt.reason}`, /^failed: .*malformed labels/s);
    for (const batch of labeling.batches) {
      const failedBy = batch.attempts.filter((attempt) => attempt.outcome === 'failed').map((attempt) => attempt.annotator);
      assert.equal(new Set(failedBy).size, failedBy.length, `batch ${batch.id} went back to an annotator who had failed it: ${failedBy}`);
    }

    const manifest = Manifest.parse(JSON.parse((await store.getBytes(run.manifestUri)).toString('utf8')));
    assert.ok(manifest.labeling.humanCeiling !== null && manifest.labeling.humanCeiling > 0.85 && manifest.labeling.humanCeiling <= 1);
    const provenance = Provenance.parse(JSON.parse((await store.getBytes(manifest.labeling.provenanceUri)).toString('utf8')));
    assert.deepEqual(provenance.items.map((item) => item.item), Array.from({ length: 1797 }, (_, i) => i), 'every item, once');
    assert.ok(provenance.items.every((item) => item.label !== null), 'every item labeled');
    for (const item of provenance.items) {
      const raters = item.ratings.map((rating) => rating.annotator);
      assert.equal(new Set(raters).size, raters.length, `item ${item.item}: ${raters}`);
      assert.ok(!raters.includes('crasher') && !raters.includes('garbler'));
    }
    assert.ok(provenance.items.filter((item) => item.ratings.length >= 2).length >= 359, 'the 20% double-labeled');
  });

  test('GIVEN two people labeling WHEN they pull, submit a bad file, lose their worker to SIGKILL and submit again THEN the bad file is rejected line by line with the batch still leased, nothing is lost, and the run trains on their labels', async () => {
    const file = writeSpec('label-humans', `
data: { source: "file:${fixture}", ignoreColumns: [true_label] }
label:
  batchSize: 10
  annotators: [ { name: alice, kind: human }, { name: bob, kind: human } ]
  view: { kind: image, width: 8, height: 8, maxValue: 16 }
gates: { overfit: { enabled: false }, oracle: { enabled: false } }
train: { epochs: 2, batchSize: 8, schedule: { kind: one_cycle, maxLr: 0.1 } }
`);
    const { runId, done } = await startRun(file);
    await waitForLabeling(runId);

    const out = join(dir, 'alice-batch');
    const pulled = await cli(['label', 'pull', runId, '--annotator', 'alice', '--out', out]);
    assert.equal(pulled.code, 0, pulled.stderr);
    assert.match(pulled.stdout, /batch 1 \(10 items, attempt 1\) is leased to alice until /);
    assert.match(pulled.stdout, new RegExp(`gauntlet label submit ${runId} 1 \\S+labels.csv --annotator alice`));
    const batch = JSON.parse(readFileSync(join(out, 'batch.json'), 'utf8')) as { items: number[] };
    assert.equal(batch.items.length, 10);
    assert.ok(batch.items.every((item) => item % 3 === 2), 'only rows without a label are sent');
    assert.equal(readdirSync(join(out, 'items')).length, 10);
    assert.equal(readFileSync(join(out, 'labels.csv'), 'utf8').trim().split('\n').length, 11);
    const page = await renderPage(join(out, 'sheet.html'), { screenshot: 'label-pull-sheet.png' });
    assert.deepEqual([page.consoleErrors, page.pageErrors, page.failedRequests], [[], [], []]);
    assert.equal(page.images.length, 10);
    assert.ok(page.images.every((image) => image.naturalWidth > 0));

    const bad = join(dir, 'bad.csv');
    writeFileSync(bad, labelsCsv(batch.items.slice(0, -1), (item) => (item === batch.items[0] ? 'sevn' : truth[item]!)));
    const rejected = await cli(['label', 'submit', runId, '1', bad, '--annotator', 'alice']);
    assert.equal(rejected.code, 2);
    assert.match(rejected.stderr, /rejected, nothing recorded/);
    assert.match(rejected.stderr, new RegExp(`item ${batch.items[0]}: not a class \\(got "sevn"`));
    assert.match(rejected.stderr, new RegExp(`missing label for item ${batch.items.at(-1)}`));
    const notYours = await cli(['label', 'submit', runId, '1', bad, '--annotator', 'bob']);
    assert.equal(notYours.code, 2);
    assert.match(notYours.stderr, /batch 1: not leased to bob \(it is leased to alice\)/);
    let labeling = await status(runId);
    assert.equal(labeling.batches[0]!.holder, 'alice');
    assert.equal(labeling.batches[0]!.attempts.length, 1);

    const bobs = await cli(['label', 'pull', runId, '--annotator', 'bob', '--out', join(dir, 'bob-batch')]);
    assert.equal(bobs.code, 0, bobs.stderr);
    const bobBatch = JSON.parse(readFileSync(join(dir, 'bob-batch', 'batch.json'), 'utf8')) as { batch: number; items: number[] };
    assert.equal(bobBatch.batch, 2);

    // The worker dies while both batches are leased; a new one takes over and both submissions land.
    await worker.kill('SIGKILL');
    worker = await startWorkerProcess(stack.env);
    const good = join(dir, 'good.csv');
    writeFileSync(good, labelsCsv(batch.items, (item) => truth[item]!));
    const accepted = await cli(['label', 'submit', runId, '1', good, '--annotator', 'alice']);
    assert.equal(accepted.code, 0, accepted.stderr);
    assert.match(accepted.stdout, /batch 1: 10 labels recorded for alice/);
    const bobGood = join(dir, 'bob-good.csv');
    writeFileSync(bobGood, labelsCsv(bobBatch.items, (item) => truth[item]!));
    const bobAccepted = await cli(['label', 'submit', runId, '2', bobGood, '--annotator', 'bob']);
    assert.equal(bobAccepted.code, 0, bobAccepted.stderr);
    labeling = await status(runId);
    assert.deepEqual(labeling.annotators.map((a) => [a.annotator, a.items]), [['alice', 10], ['bob', 10]]);
    const finished = await done;
    assert.equal(finished.code, 0, finished.stderr + finished.stdout);
    assert.match(finished.stdout, /label_items\s+20/);
  });

  test('GIVEN a person who lets a lease run out WHEN it expires THEN the next pull gives that batch to someone else, never back to them', async () => {
    const file = writeSpec('label-expiry', `
data: { source: "file:${fixture}", ignoreColumns: [true_label] }
label: { batchSize: 10, leaseTimeout: 2s, annotators: [ { name: alice, kind: human }, { name: bob, kind: human } ] }
train: { epochs: 2, schedule: { kind: one_cycle, maxLr: 0.1 } }
`);
    const { runId, done } = await startRun(file);
    await waitForLabeling(runId);
    const bobs = await cli(['label', 'pull', runId, '--annotator', 'bob', '--out', join(dir, 'expiry-bob')]);
    assert.match(bobs.stdout, /batch 1 /);
    const expired = await waitForLabeling(runId, (s) => s.batches[0]!.attempts.some((attempt) => attempt.outcome === 'expired'));
    assert.deepEqual(expired.batches[0]!.excluded, ['bob']);
    const bobAgain = await cli(['label', 'pull', runId, '--annotator', 'bob', '--out', join(dir, 'expiry-bob-2')]);
    assert.match(bobAgain.stdout, /batch 2 /, 'bob gets the other batch');
    const alices = await cli(['label', 'pull', runId, '--annotator', 'alice', '--out', join(dir, 'expiry-alice')]);
    assert.match(alices.stdout, /batch 1 \(10 items, attempt 2\) is leased to alice/);
    const text = await cli(['label', 'status', runId]);
    // alice's 2 s lease may itself have run out by now on a slow machine: either way bob's attempt shows as expired.
    assert.match(text.stdout, /│ 1 .*│ bob expired, alice (running|expired) /);
    assert.equal((await cli(['cancel', runId])).code, 0);
    await done;
  });

  test('GIVEN annotators too noisy to agree (examples/digits/labeling-noisy.yaml) WHEN run THEN the agreement gate stops the run before training and its reason gives the numbers', async () => {
    const result = await cli(['run', join(repoRoot, 'examples/digits/labeling-noisy.yaml'), '--json'], 900_000);
    assert.notEqual(result.code, 0);
    const run = JSON.parse(result.stdout) as { status: string; error: string };
    assert.match(run.error, /labels not reliable enough: krippendorffAlpha 0\.\d{3} < 0\.7 \(\d+ double-labeled items · percent agreement 0\.\d{3}/);
    assert.match(run.error, /human ceiling 0\.\d{3}/);
  });
});

/** Small pure pieces: names, splits, CSV labels, goals, durations, progress folding. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { readCsvLabels } from '../../core/csv.js';
import { durationMs } from '../../core/spec/duration.js';
import { goalMet } from '../../core/goal.js';
import { dnsLabel, runWorkflowId } from '../../core/naming.js';
import { splitRows } from '../../core/split.js';
import { ProgressFolder } from '../../activities/jobProgress.js';
import type { JobProgressUpdate } from '../../core/progress.js';

describe('naming', () => {
  test('run ids are <pipeline>-<UTC timestamp>', () => {
    assert.equal(runWorkflowId('digits', new Date('2026-11-26T12:45:00.123Z')), 'digits-20261126T124500Z');
  });
  test('dns labels are valid, at most 63 characters, stable, and distinct when truncation would collide', () => {
    const long = 'x'.repeat(80);
    const a = dnsLabel([long, 'train'], [long, 'train', '1']);
    const b = dnsLabel([long, 'train'], [long, 'train', '2']);
    for (const label of [a, b, dnsLabel(['Digits_2026', 'Evaluate Test']), dnsLabel(['9lives'])]) {
      assert.match(label, /^[a-z]([a-z0-9-]{0,61}[a-z0-9])?$/, label);
    }
    assert.ok(a.length <= 63);
    assert.notEqual(a, b);
    assert.equal(dnsLabel(['digits', 'train']), dnsLabel(['digits', 'train']));
  });
});

describe('split', () => {
  const labels = Array.from({ length: 1000 }, (_, i) => String(i % 10 === 0 ? 'rare' : i % 3));
  const options = { valid: 0.15, test: 0.15, seed: 7, stratify: true };

  test('every row lands in exactly one split', () => {
    const split = splitRows(labels, options);
    const all = [...split.train, ...split.valid, ...split.test].sort((a, b) => a - b);
    assert.deepEqual(all, labels.map((_, i) => i));
  });
  test('same seed, same split; another seed, another split', () => {
    assert.deepEqual(splitRows(labels, options), splitRows(labels, options));
    assert.notDeepEqual(splitRows(labels, options).test, splitRows(labels, { ...options, seed: 8 }).test);
  });
  test('stratified: each class keeps its proportion in test', () => {
    const split = splitRows(labels, options);
    const rareInTest = split.test.filter((row) => labels[row] === 'rare').length;
    assert.equal(rareInTest, 15); // 100 rare rows × 0.15
  });
});

describe('csv labels', () => {
  test('reads the label column', () => {
    assert.deepEqual(readCsvLabels('a,b,label\n1,2,x\n3,4,y\n', 'label'), { columns: ['a', 'b', 'label'], labels: ['x', 'y'] });
  });
  test('names a missing label column and lists the columns', () => {
    assert.throws(() => readCsvLabels('a,b\n1,2\n', 'label'), /data\.labelColumn: no column "label" \(columns: a, b\)/);
  });
  test('names a ragged row', () => {
    assert.throws(() => readCsvLabels('a,label\n1,x\n2\n', 'label'), /row 3: 1 values, the header has 2/);
  });
  test('rejects an empty file and a header without rows', () => {
    assert.throws(() => readCsvLabels('', 'label'), /empty/);
    assert.throws(() => readCsvLabels('a,label\n', 'label'), /no rows/);
  });
});

describe('goal and duration', () => {
  test('goal bounds', () => {
    assert.equal(goalMet({ metric: 'accuracy', min: 0.9 }, 0.95), true);
    assert.equal(goalMet({ metric: 'accuracy', min: 0.9 }, 0.85), false);
    assert.equal(goalMet({ metric: 'loss', max: 0.3 }, 0.5), false);
    assert.equal(goalMet({ metric: 'accuracy', min: 0.9 }, Number.NaN), null);
    assert.equal(goalMet({ metric: 'accuracy', min: 0.9 }, undefined), null);
  });
  test('durations', () => {
    assert.equal(durationMs('500ms'), 500);
    assert.equal(durationMs('30s'), 30_000);
    assert.equal(durationMs('2h'), 7_200_000);
    assert.throws(() => durationMs('soon'));
  });
});

describe('progress folding', () => {
  test('throttles updates, keeps the latest metrics, and flushes the rest', () => {
    let now = 0;
    const sent: JobProgressUpdate[] = [];
    const folder = new ProgressFolder('train', 10, (update) => sent.push(update), 2000, () => now);
    folder.add({ event: 'metric', name: 'train_loss', value: 1.5, epoch: 1 });
    now = 500;
    folder.add({ event: 'metric', name: 'val_accuracy', value: 0.8, epoch: 1 });
    assert.equal(sent.length, 1);
    now = 2600;
    folder.add({ event: 'metric', name: 'val_accuracy', value: 0.9, epoch: 2 });
    assert.equal(sent.length, 2);
    assert.equal(sent[1]?.detail, 'epoch 2/10 · train_loss 1.5 · val_accuracy 0.9');
    folder.flush();
    assert.equal(sent.length, 2, 'nothing new to flush');
  });

  test('a checkpoint sends its epoch at once, labelled with that epoch and its own metrics; timed updates carry no epoch report', () => {
    let now = 0;
    const sent: JobProgressUpdate[] = [];
    const folder = new ProgressFolder('trial-3', 3, (update) => sent.push(update), 2000, () => now);
    folder.add({ event: 'metric', name: 'val_accuracy', value: 0.5, epoch: 1 });
    folder.add({ event: 'checkpoint', uri: 's3://gauntlet/c/1.pt', epoch: 1 });
    now = 3000; // a slow epoch: the next metric triggers a timed update
    folder.add({ event: 'metric', name: 'train_loss', value: 0.4, epoch: 2 });
    folder.add({ event: 'metric', name: 'val_accuracy', value: 0.7, epoch: 2 });
    folder.add({ event: 'checkpoint', uri: 's3://gauntlet/c/2.pt', epoch: 2 });
    const reports = sent.filter((update) => update.completedEpoch).map((update) => [update.completedEpoch?.epoch, update.completedEpoch?.metrics.val_accuracy]);
    assert.deepEqual(reports, [[1, 0.5], [2, 0.7]]);
    assert.ok(sent.some((update) => !update.completedEpoch), 'the timed update is sent without an epoch report');
  });

  test('a sweep trial signals only the epochs its stopping rule asks for and no timed updates, but keeps every epoch for its curve', () => {
    let now = 0;
    const sent: JobProgressUpdate[] = [];
    const folder = new ProgressFolder('trial-0', 9, (update) => sent.push(update), 2000, () => now, { live: false, epochs: [1, 3, 9] });
    for (let epoch = 1; epoch <= 9; epoch++) {
      now += 5000;
      folder.add({ event: 'metric', name: 'val_accuracy', value: epoch / 10, epoch });
      folder.add({ event: 'checkpoint', uri: `s3://gauntlet/c/${epoch}.pt`, epoch });
    }
    // A resumed job re-reads its log: epochs already closed are not reported again.
    folder.add({ event: 'checkpoint', uri: 's3://gauntlet/c/3.pt', epoch: 3 });
    folder.flush();
    assert.deepEqual(sent.map((update) => update.completedEpoch?.epoch), [1, 3, 9]);
    assert.deepEqual(folder.epochs.map((closed) => [closed.epoch, closed.metrics.val_accuracy]), Array.from({ length: 9 }, (_, i) => [i + 1, (i + 1) / 10]));
  });
});

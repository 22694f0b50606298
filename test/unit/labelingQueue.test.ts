/** The labeling queue's rules, driven directly: batches, copies, leases, attempts, disputes and settlements. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { overlapCount, planBatches } from '../../core/labeling/plan.js';
import { initialQueue, labelProblems, LabelQueue, type QueueRules } from '../../core/labeling/queue.js';
import { settleItems } from '../../core/labeling/settle.js';
import { labelingSummary } from '../../core/labeling/summary.js';
import { agreementVerdict } from '../../core/labeling/gate.js';

const rules = (overrides: Partial<QueueRules> = {}): QueueRules => ({
  annotators: ['a', 'b', 'c'],
  maxAttempts: 3,
  retry: { initialMs: 1000, coefficient: 2, maximumMs: 60_000 },
  adjudicate: 'third-annotator',
  ...overrides,
});
const items = (n: number) => Array.from({ length: n }, (_, i) => i);
const labelsFor = (batchItems: readonly number[], label: (item: number) => string) => batchItems.map((item) => ({ item, label: label(item) }));

describe('batch plan', () => {
  test('GIVEN overlap 20% with a minimum WHEN planned THEN that many items appear in two copies and every item is in a batch', () => {
    assert.equal(overlapCount(100, { fraction: 0.2, min: 0 }), 20);
    assert.equal(overlapCount(100, { fraction: 0.05, min: 30 }), 30);
    assert.equal(overlapCount(10, { fraction: 0.5, min: 100 }), 10);
    const plan = planBatches(items(103), { batchSize: 10, overlap: { fraction: 0.2, min: 0 }, seed: 7 });
    const copies = plan.filter((batch) => batch.role === 'copy');
    assert.equal(copies.flatMap((batch) => batch.items).length, 2 * 21);
    const all = new Set(plan.flatMap((batch) => batch.items));
    assert.equal(all.size, 103);
    assert.deepEqual(plan.map((batch) => batch.id), plan.map((_, i) => i + 1));
    assert.deepEqual(planBatches(items(103), { batchSize: 10, overlap: { fraction: 0.2, min: 0 }, seed: 7 }), plan, 'seeded');
  });
});

describe('label queue', () => {
  test('GIVEN two copies of a batch WHEN annotator a labels one THEN a may not take the other, b may', () => {
    const queue = new LabelQueue(initialQueue(planBatches(items(4), { batchSize: 4, overlap: { fraction: 1, min: 0 }, seed: 1 })), rules());
    const first = queue.nextFor('a', 0)!;
    queue.lease(first.id, 'a', 0, null);
    assert.equal(queue.nextFor('a', 0), null, 'the other copy is refused to a');
    assert.match(queue.refusal(queue.batch(2)!, 'a')!, /already labels these items/);
    queue.complete(first.id, 'a', labelsFor(first.items, String), 1);
    assert.equal(queue.nextFor('a', 1), null);
    assert.equal(queue.nextFor('b', 1)?.id, 2);
  });

  test('GIVEN disagreeing copies WHEN both are done THEN the disputed items go to a third annotator, never to the first two', () => {
    const queue = new LabelQueue(initialQueue(planBatches(items(4), { batchSize: 4, overlap: { fraction: 1, min: 0 }, seed: 1 })), rules());
    queue.lease(1, 'a', 0, null);
    queue.complete(1, 'a', labelsFor(queue.batch(1)!.items, () => 'x'), 1);
    queue.lease(2, 'b', 1, null);
    const adjudication = queue.complete(2, 'b', labelsFor(queue.batch(2)!.items, (item) => (item < 2 ? 'x' : 'y')), 2);
    assert.ok(adjudication);
    assert.deepEqual(adjudication.items, [2, 3]);
    assert.equal(adjudication.role, 'adjudication');
    assert.equal(queue.nextFor('a', 2), null);
    assert.equal(queue.nextFor('b', 2), null);
    assert.equal(queue.nextFor('c', 2)?.id, adjudication.id);
    queue.lease(adjudication.id, 'c', 2, null);
    queue.complete(adjudication.id, 'c', [{ item: 2, label: 'y' }, { item: 3, label: 'x' }], 3);
    assert.ok(queue.finished);
    const settled = settleItems(queue.state, 'third-annotator');
    assert.deepEqual(settled.map((item) => [item.item, item.label, item.settlement]), [
      [0, 'x', 'agreed'],
      [1, 'x', 'agreed'],
      [2, 'y', 'third-annotator'],
      [3, 'x', 'third-annotator'],
    ]);
    const summary = labelingSummary(queue.state, settled, 'nominal');
    // a: 0,1,3 right of 4; b: 0,1,2 right of 4 → ceiling 6/8.
    assert.equal(summary.humanCeiling.accuracy, 0.75);
    assert.equal(summary.agreement?.percentAgreement, 0.5);
    assert.equal(summary.doubleLabeled, 4);
  });

  test('GIVEN majority or drop WHEN two copies disagree THEN a tie is dropped and no adjudication batch is made', () => {
    for (const adjudicate of ['majority', 'drop'] as const) {
      const queue = new LabelQueue(initialQueue(planBatches(items(2), { batchSize: 2, overlap: { fraction: 1, min: 0 }, seed: 1 })), rules({ adjudicate, annotators: ['a', 'b'] }));
      queue.lease(1, 'a', 0, null);
      queue.complete(1, 'a', [{ item: 0, label: 'x' }, { item: 1, label: 'x' }], 1);
      queue.lease(2, 'b', 1, null);
      assert.equal(queue.complete(2, 'b', [{ item: 0, label: 'x' }, { item: 1, label: 'y' }], 2), null);
      assert.ok(queue.finished);
      assert.deepEqual(settleItems(queue.state, adjudicate).map((item) => item.settlement), ['agreed', 'dropped']);
    }
  });

  test('GIVEN a crashing job WHEN it fails THEN the batch returns after a backoff, and after maxAttempts it is unlabelable with the reason', () => {
    const queue = new LabelQueue(initialQueue(planBatches(items(3), { batchSize: 3, overlap: { fraction: 0, min: 0 }, seed: 1 })), rules());
    queue.lease(1, 'a', 0, null);
    queue.fail(1, 'a', 10, 'failed', 'exit 1');
    assert.equal(queue.nextFor('a', 10), null, 'backing off');
    assert.equal(queue.nextWakeAt(10), 1010);
    assert.equal(queue.nextFor('a', 1010), null, 'left to annotators who have not failed it');
    assert.equal(queue.nextFor('b', 1010)?.id, 1);
    queue.lease(1, 'b', 1010, null);
    queue.fail(1, 'b', 1015, 'failed', 'exit 1');
    queue.lease(1, 'c', 4000, null);
    queue.fail(1, 'c', 4005, 'failed', 'malformed labels');
    assert.equal(queue.batch(1)!.status, 'unlabelable');
    assert.match(queue.batch(1)!.reason!, /3 attempts failed \(label.maxAttempts 3\); last: malformed labels/);
  });

  test('GIVEN a single job annotator WHEN it fails a batch THEN it retries that batch itself after the backoff', () => {
    const queue = new LabelQueue(initialQueue(planBatches(items(3), { batchSize: 3, overlap: { fraction: 0, min: 0 }, seed: 1 })), rules({ annotators: ['a', 'b'] }));
    queue.lease(1, 'a', 0, null);
    queue.fail(1, 'a', 10, 'failed', 'exit 1');
    assert.equal(queue.nextFor('a', 1010), null, 'b has not failed it');
    queue.lease(1, 'b', 1010, null);
    queue.fail(1, 'b', 1020, 'failed', 'exit 1');
    assert.equal(queue.nextFor('a', 1020 + 2000)?.id, 1, 'everyone who may take it has failed it: the same annotators retry');
    queue.lease(1, 'a', 1010, null);
    queue.fail(1, 'a', 5010, 'failed', 'exit 1 again');
    assert.equal(queue.batch(1)!.status, 'unlabelable');
    assert.deepEqual(queue.batch(1)!.attempts.map((attempt) => [attempt.attempt, attempt.annotator, attempt.outcome]), [
      [1, 'a', 'failed'],
      [2, 'b', 'failed'],
      [3, 'a', 'failed'],
    ]);
    assert.ok(queue.finished);
    assert.deepEqual(settleItems(queue.state, 'drop').map((item) => item.settlement), ['unlabelable', 'unlabelable', 'unlabelable']);
  });

  test('GIVEN a person lets a lease expire WHEN the time passes THEN the batch goes to someone else, never back to them', () => {
    const queue = new LabelQueue(initialQueue(planBatches(items(3), { batchSize: 3, overlap: { fraction: 0, min: 0 }, seed: 1 })), rules({ annotators: ['a', 'b'] }));
    queue.lease(1, 'a', 0, 100);
    assert.equal(queue.nextWakeAt(0), 100);
    assert.deepEqual(queue.expireLeases(99), []);
    assert.equal(queue.expireLeases(100).length, 1);
    assert.equal(queue.nextFor('a', 100), null);
    assert.equal(queue.nextFor('b', 100)?.id, 1);
    assert.deepEqual(queue.batch(1)!.excluded, ['a']);
    queue.lease(1, 'b', 100, 200);
    queue.expireLeases(200);
    assert.equal(queue.batch(1)!.status, 'unlabelable', 'nobody left who may take it');
    assert.match(queue.batch(1)!.reason!, /no annotator left/);
  });

  test('GIVEN a submission WHEN it has unknown classes, missing, extra or duplicate items, or the wrong holder THEN one line per problem and nothing changes', () => {
    const queue = new LabelQueue(initialQueue(planBatches([10, 17, 20], { batchSize: 3, overlap: { fraction: 0, min: 0 }, seed: 1 })), rules());
    queue.lease(1, 'a', 0, 1000);
    const problems = queue.submissionProblems(1, 'a', [{ item: 17, label: 'sevn' }, { item: 10, label: '1' }, { item: 10, label: '1' }, { item: 99, label: '2' }], ['1', '2', '7'], 5);
    assert.deepEqual(problems, [
      'item 17: not a class (got "sevn"; classes: 1, 2, 7)',
      'item 10: labeled more than once',
      'item 99: not in this batch',
      'missing label for item 20',
    ]);
    assert.match(queue.submissionProblems(1, 'b', [], ['1'], 5)[0]!, /not leased to b \(it is leased to a\)/);
    assert.match(queue.submissionProblems(1, 'a', [], ['1'], 1000)[0]!, /lease of a expired/);
    assert.match(queue.submissionProblems(9, 'a', [], ['1'], 5)[0]!, /no such batch/);
    assert.equal(queue.batch(1)!.status, 'leased');
    assert.deepEqual(labelProblems([1, 2], [{ item: 1, label: '1' }, { item: 2, label: '2' }], ['1', '2']), []);
  });
});

describe('agreement gate', () => {
  test('GIVEN alpha below the minimum WHEN judged THEN it fails and gives the numbers; with onFail warn the verdict is the same', () => {
    const queue = new LabelQueue(initialQueue(planBatches(items(6), { batchSize: 6, overlap: { fraction: 1, min: 0 }, seed: 1 })), rules({ adjudicate: 'drop', annotators: ['a', 'b'] }));
    queue.lease(1, 'a', 0, null);
    queue.complete(1, 'a', labelsFor(queue.batch(1)!.items, (item) => String(item % 2)), 1);
    queue.lease(2, 'b', 1, null);
    queue.complete(2, 'b', labelsFor(queue.batch(2)!.items, (item) => String(item < 3 ? item % 2 : 1 - (item % 2))), 2);
    const summary = labelingSummary(queue.state, settleItems(queue.state, 'drop'), 'nominal');
    const verdict = agreementVerdict(summary, { metric: 'krippendorffAlpha', min: 0.8, maxUnlabeledFraction: 1, onFail: 'stop' });
    assert.equal(verdict.passed, false);
    assert.match(verdict.explanation, /krippendorffAlpha -?\d\.\d{3} < 0\.8/);
    assert.match(verdict.explanation, /6 double-labeled items/);
    assert.match(verdict.explanation, /kappa a\/b/);
    const strictDrop = agreementVerdict(summary, { metric: 'percentAgreement', min: 0.4, maxUnlabeledFraction: 0.1, onFail: 'stop' });
    assert.equal(strictDrop.passed, false);
    assert.match(strictDrop.explanation, /50\.0% of items unlabeled > label.gate.maxUnlabeledFraction 10\.0%/);
  });
});

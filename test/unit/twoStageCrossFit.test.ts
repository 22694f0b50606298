/** Cross-fitting: seeded group folds of the train rows, the fold manifests, and the out-of-fold verification. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { seededRandom } from '../../core/random.js';
import { assignFolds, foldManifests, verifyOutOfFold, type FoldPrediction } from '../../core/twostage/crossFit.js';

/** 300 rows over 120 groups (some of 1, 2 or 4 rows), 9 classes; train = rows not divisible by 5. */
function dataset(seed: number): { labels: string[]; groups: string[]; train: number[] } {
  const random = seededRandom(seed);
  const labels: string[] = [];
  const groups: string[] = [];
  let group = 0;
  while (labels.length < 300) {
    const size = [1, 2, 4][Math.floor(random() * 3)] as number;
    for (let i = 0; i < size && labels.length < 300; i++) {
      labels.push(String(Math.floor(random() * 9)));
      groups.push(`g${group}`);
    }
    group += 1;
  }
  return { labels, groups, train: labels.map((_, row) => row).filter((row) => row % 5 !== 0) };
}

function honestPredictions(manifests: ReturnType<typeof foldManifests>): FoldPrediction[] {
  return manifests.flatMap((manifest, fold) => manifest.valid.map((row) => ({ row, fold })));
}

describe('two-stage cross-fitting', () => {
  test('GIVEN train rows with groups WHEN assigned THEN whole groups per fold, seeded, and every train row once', () => {
    const { labels, groups, train } = dataset(1);
    const assignment = assignFolds(train, labels, groups, { folds: 5, seed: 7 });
    assert.deepEqual(assignment, assignFolds([...train].reverse(), labels, groups, { folds: 5, seed: 7 }), 'same seed, same folds');
    assert.notDeepEqual(assignment.fold, assignFolds(train, labels, groups, { folds: 5, seed: 8 }).fold, 'the seed matters');
    assert.deepEqual(assignment.rows, train);
    const foldOfGroup = new Map<string, number>();
    assignment.rows.forEach((row, i) => {
      const group = groups[row] as string;
      const fold = assignment.fold[i] as number;
      assert.equal(foldOfGroup.get(group) ?? fold, fold, `group ${group} straddles folds`);
      foldOfGroup.set(group, fold);
    });
    const sizes = [0, 1, 2, 3, 4].map((k) => assignment.fold.filter((f) => f === k).length);
    assert.ok(Math.max(...sizes) - Math.min(...sizes) <= 8, `fold sizes ${sizes}`);
  });

  test('GIVEN an assignment WHEN manifests are made THEN fold k trains on the others and predicts its own rows', () => {
    const { labels, groups, train } = dataset(2);
    const assignment = assignFolds(train, labels, groups, { folds: 4, seed: 0 });
    const manifests = foldManifests(assignment);
    assert.equal(manifests.length, 4);
    for (const manifest of manifests) {
      assert.equal(manifest.train.length + manifest.valid.length, train.length);
      assert.ok(manifest.valid.every((row) => !manifest.train.includes(row)));
      assert.deepEqual(manifest.test, []);
    }
    assert.deepEqual(honestPredictions(manifests).map((p) => p.row).sort((a, b) => a - b), train);
    assert.deepEqual(verifyOutOfFold(assignment, honestPredictions(manifests)), []);
  });

  test('GIVEN predictions that break out-of-fold WHEN verified THEN every violation is named with its row and fold', () => {
    const { labels, groups, train } = dataset(3);
    const assignment = assignFolds(train, labels, groups, { folds: 3, seed: 1 });
    const predictions = honestPredictions(foldManifests(assignment));
    const [first, second, third] = predictions as [FoldPrediction, FoldPrediction, FoldPrediction];
    const seenBy = (first.fold + 1) % 3;
    const broken: FoldPrediction[] = [
      { row: first.row, fold: seenBy }, // predicted by a model that trained on it
      ...predictions.slice(3),
      { row: third.row, fold: third.fold },
      { row: third.row, fold: third.fold }, // twice
      { row: 0, fold: 0 }, // row 0 is a test/valid row (0 % 5 === 0)
      { row: second.row, fold: 3 }, // no fold 3
    ];
    const violations = verifyOutOfFold(assignment, broken);
    assert.deepEqual(
      violations.map((v) => [v.kind, v.row, v.fold]),
      [
        ['seen', first.row, seenBy],
        ['duplicate', third.row, third.fold],
        ['notTrain', 0, 0],
        ['unknownFold', second.row, 3],
      ],
    );
    assert.equal(violations[0]?.message, `row ${first.row}: predicted by fold ${seenBy}, which trained on it (the row is in fold ${first.fold})`);
    const missing = verifyOutOfFold(assignment, predictions.slice(1));
    assert.deepEqual(missing.map((v) => [v.kind, v.row]), [['missing', first.row]]);
    assert.match(missing[0]?.message ?? '', /a train row with no out-of-fold prediction/);
  });

  test('GIVEN bad inputs WHEN assigned THEN a clear error', () => {
    const { labels, groups } = dataset(4);
    assert.throws(() => assignFolds([1, 1], labels, groups, { folds: 2, seed: 0 }), /listed twice/);
    assert.throws(() => assignFolds([1, 999], labels, groups, { folds: 2, seed: 0 }), /999 is not a row of the 300-row data set/);
    assert.throws(() => assignFolds([1, 2, 3], labels, null, { folds: 5, seed: 0 }), /5 folds need at least 5 groups \(there are 3\)/);
  });
});

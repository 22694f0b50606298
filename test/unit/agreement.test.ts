/**
 * Inter-annotator agreement against scikit-learn, statsmodels and the krippendorff package
 * (test/fixtures/agreement/generate.py), plus the null rules, input errors and hand-computed small cases.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, test } from 'node:test';

import {
  agreementReport,
  AgreementInputError,
  annotatorAccuracy,
  cohenKappa,
  sortLabels,
  type Level,
  type Rating,
} from '../../core/agreement/index.js';
import { assertClose } from '../support/assertClose.js';

interface Vector {
  name: string;
  level: Level;
  ratings: [string, string, string][];
  expected: unknown;
}

const FIXTURES = new URL('../../../test/fixtures/agreement/', import.meta.url);
const vectors = (JSON.parse(readFileSync(new URL('vectors.json', FIXTURES), 'utf8')) as { cases: Vector[] }).cases;
const ratingsOf = (v: Vector): Rating[] => v.ratings.map(([item, annotator, label]) => ({ item, annotator, label }));

const r = (item: string, annotator: string, label: string): Rating => ({ item, annotator, label });

describe('agreement: reference vectors (sklearn, statsmodels, krippendorff)', () => {
  test('there are many, covering every level and the degenerate cases', () => {
    assert.ok(vectors.length >= 100, `${vectors.length} vectors`);
    for (const level of ['nominal', 'ordinal', 'interval']) assert.ok(vectors.filter((v) => v.level === level).length >= 30);
    const nulls = (key: string) => vectors.filter((v) => (v.expected as Record<string, unknown>)[key] === null).length;
    assert.ok(nulls('krippendorffAlpha') >= 6 && nulls('fleissKappa') >= 20, 'null cases are present');
  });

  for (const vector of vectors) {
    test(vector.name, () => {
      const report = agreementReport(ratingsOf(vector), vector.level);
      assertClose(report, vector.expected);
      // JSON-ready: a NaN or Infinity would come back from JSON as null and fail here.
      assert.deepEqual(JSON.parse(JSON.stringify(report)), report);
    });
  }

  test('the report has exactly the documented keys, in order', () => {
    const report = agreementReport(ratingsOf(vectors[0] as Vector), 'nominal');
    assert.deepEqual(Object.keys(report), [
      'items', 'annotators', 'ratings', 'percentAgreement', 'krippendorffAlpha', 'fleissKappa', 'cohenKappa', 'disagreement', 'mostDisputed',
    ]);
    assert.deepEqual(Object.keys(report.cohenKappa[0] ?? {}), ['a', 'b', 'n', 'kappa', 'linear', 'quadratic']);
  });
});

describe('agreement: hand-computed cases', () => {
  // u1: a=x b=x c=y (2 of 6 ordered pairs agree); u2: a=y b=y (all agree); u3: one rating, no pairs.
  const small = [r('u1', 'a', 'x'), r('u1', 'b', 'x'), r('u1', 'c', 'y'), r('u2', 'a', 'y'), r('u2', 'b', 'y'), r('u3', 'a', 'x')];

  test('percent agreement: the mean share of agreeing pairs over items with 2+ ratings', () => {
    const report = agreementReport(small, 'nominal');
    assert.equal(report.percentAgreement, (2 / 6 + 1) / 2);
    assert.deepEqual([report.items, report.annotators, report.ratings], [3, 3, 6]);
  });

  test('disagreement matrix: ordered pairs, symmetric, agreeing pairs on the diagonal', () => {
    // u1: x-x twice (a,b and b,a), x-y four times split 2/2 across the diagonal; u2: y-y twice. u3 adds nothing.
    assert.deepEqual(agreementReport(small, 'nominal').disagreement, { labels: ['x', 'y'], matrix: [[2, 2], [2, 2]] });
  });

  test('most disputed: least agreeing first, ties by item id, unanimous items left out, at most 10', () => {
    assert.deepEqual(agreementReport(small, 'nominal').mostDisputed, [{ item: 'u1', ratings: { a: 'x', b: 'x', c: 'y' }, agreement: 2 / 6 }]);
    const order = [r('b', 'p', 'x'), r('b', 'q', 'x'), r('b', 's', 'y'), r('c', 'p', 'x'), r('c', 'q', 'y'), r('a', 'p', 'y'), r('a', 'q', 'x')];
    assert.deepEqual(agreementReport(order, 'nominal').mostDisputed.map((d) => [d.item, d.agreement]), [['a', 0], ['c', 0], ['b', 1 / 3]]);
    // 16 disputed items (every n not divisible by 3), all at 0: the first 10 by id, in code-unit order.
    const many = Array.from({ length: 24 }, (_, n) => [r(`q${n}`, 'a', 'x'), r(`q${n}`, 'b', n % 3 ? 'y' : 'x')]).flat();
    assert.deepEqual(agreementReport(many, 'nominal').mostDisputed.map((d) => d.item), ['q1', 'q10', 'q11', 'q13', 'q14', 'q16', 'q17', 'q19', 'q2', 'q20']);
  });

  test("Cohen's kappa: scikit-learn's docstring example is 0.6875", () => {
    const y1 = ['negative', 'positive', 'negative', 'neutral', 'positive'];
    const y2 = ['negative', 'positive', 'negative', 'neutral', 'negative'];
    const ratings = y1.flatMap((label, i) => [r(`s${i}`, 'one', label), r(`s${i}`, 'two', y2[i] as string)]);
    const [pair] = agreementReport(ratings, 'nominal').cohenKappa;
    assert.deepEqual(pair, { a: 'one', b: 'two', n: 5, kappa: 0.6875, linear: null, quadratic: null });
  });

  test('weighted kappa uses ranks among every label in the data, also labels the pair never used', () => {
    // Positions 0,1,3 of [0,1,2,4]: sklearn with labels=[0,1,2,4] gives 0.5757575757575757 (without 2: 0.5116...).
    const y1 = [0, 1, 3, 3, 1, 0, 3];
    const y2 = [1, 1, 3, 1, 0, 0, 3];
    assert.ok(Math.abs((cohenKappa(y1, y2, 4, 'linear') as number) - 0.5757575757575757) < 1e-12);
    assert.equal(cohenKappa([0, 0], [0, 0], 3, 'none'), null);
  });

  test("Krippendorff's alpha: the krippendorff package's docstring examples", () => {
    const data = [
      [null, null, null, null, null, 3, 4, 1, 2, 1, 1, 3, 3, null, 3],
      [1, null, 2, 1, 3, 3, 4, 3, null, null, null, null, null, null, null],
      [null, null, 2, 1, 3, 4, 4, null, 2, 1, 1, 3, 3, null, 4],
    ];
    const ratings = data.flatMap((row, c) => row.flatMap((v, u) => (v === null ? [] : [r(`u${u}`, `c${c}`, String(v))])));
    assert.equal(agreementReport(ratings, 'nominal').krippendorffAlpha?.toFixed(6), '0.691358');
    assert.equal(agreementReport(ratings, 'interval').krippendorffAlpha?.toFixed(6), '0.810845');
  });

  test('labels sort numerically when all are numbers (10 after 9, negatives first), else by text', () => {
    assert.deepEqual(sortLabels(['10', '9', '-2', '1.0', '1']), ['-2', '1', '1.0', '9', '10']);
    assert.deepEqual(sortLabels(['b', '10', 'B', '9']), ['10', '9', 'B', 'b']);
    assert.deepEqual(agreementReport([r('i', 'a', '1.0'), r('i', 'b', '1')], 'ordinal').disagreement, { labels: ['1'], matrix: [[2]] });
    assert.deepEqual(agreementReport([r('i', 'a', '1.0'), r('i', 'b', '1')], 'nominal').disagreement.labels, ['1', '1.0']);
  });
});

describe('agreement: undefined is null, never NaN or a crash', () => {
  test('one class only: alpha, Fleiss and every kappa are null; percent agreement is 1', () => {
    const report = agreementReport([r('i1', 'a', '3'), r('i1', 'b', '3'), r('i2', 'a', '3'), r('i2', 'b', '3')], 'ordinal');
    assert.equal(report.krippendorffAlpha, null);
    assert.equal(report.fleissKappa, null);
    assert.deepEqual(report.cohenKappa, [{ a: 'a', b: 'b', n: 2, kappa: null, linear: null, quadratic: null }]);
    assert.equal(report.percentAgreement, 1);
  });

  test('Fleiss is null unless every item has the same number (2+) of ratings', () => {
    const base = [r('i1', 'a', 'x'), r('i1', 'b', 'y'), r('i2', 'b', 'x'), r('i2', 'c', 'x')];
    assert.equal(typeof agreementReport(base, 'nominal').fleissKappa, 'number');
    assert.equal(agreementReport([...base, r('i2', 'a', 'x')], 'nominal').fleissKappa, null);
    assert.equal(agreementReport([...base, r('i3', 'a', 'x')], 'nominal').fleissKappa, null);
  });

  test('a pair without items in common is not listed; one that used one class is, with null kappa', () => {
    const report = agreementReport(
      [r('i1', 'a', 'x'), r('i1', 'b', 'x'), r('i2', 'a', 'x'), r('i2', 'b', 'x'), r('i3', 'a', 'y'), r('i3', 'c', 'x')],
      'nominal',
    );
    assert.deepEqual(report.cohenKappa.map((p) => [p.a, p.b, p.n, p.kappa]), [['a', 'b', 2, null], ['a', 'c', 1, 0]]);
  });

  test('nothing pairable: percent agreement and alpha are null, no pairs', () => {
    const report = agreementReport([r('i1', 'a', '1'), r('i2', 'b', '2')], 'interval');
    assert.deepEqual([report.percentAgreement, report.krippendorffAlpha, report.fleissKappa, report.cohenKappa], [null, null, null, []]);
  });

  test('no ratings at all: zeros, nulls and empty lists', () => {
    assert.deepEqual(agreementReport([], 'nominal'), {
      items: 0, annotators: 0, ratings: 0, percentAgreement: null, krippendorffAlpha: null, fleissKappa: null,
      cohenKappa: [], disagreement: { labels: [], matrix: [] }, mostDisputed: [],
    });
  });
});

describe('agreement: input errors', () => {
  function rejects(ratings: Rating[], level: Level, expected: Partial<AgreementInputError>, message: RegExp): void {
    assert.throws(() => agreementReport(ratings, level), (error: unknown) => {
      assert.ok(error instanceof AgreementInputError);
      for (const [key, value] of Object.entries(expected)) assert.equal(error[key as keyof AgreementInputError], value, key);
      assert.match(error.message, message);
      return true;
    });
  }

  test('ordinal and interval need numeric labels; the error names the value and the rating', () => {
    const ratings = [r('i1', 'a', '3'), r('i1', 'b', '-2'), r('i2', 'a', 'abc')];
    for (const level of ['ordinal', 'interval'] as const) {
      rejects(ratings, level, { index: 2, field: 'label', value: 'abc', kind: 'not-a-number' },
        new RegExp(`^rating 2: label "abc" is not a number \\(level ${level} needs numeric labels\\)$`));
    }
    assert.equal(agreementReport(ratings, 'nominal').ratings, 3);
    for (const bad of ['', ' 3', '0x10', 'Infinity', 'NaN', '1e999', '1,5']) {
      assert.throws(() => agreementReport([r('i', 'a', bad)], 'interval'), AgreementInputError, JSON.stringify(bad));
    }
    for (const good of ['-3', '+4', '2.5', '.5', '5.', '1e3', '-0']) assert.equal(agreementReport([r('i', 'a', good)], 'interval').ratings, 1);
  });

  test('an annotator rating an item twice is an error naming both ratings', () => {
    rejects([r('i1', 'a', 'x'), r('i2', 'a', 'x'), r('i1', 'a', 'x')], 'nominal',
      { index: 2, firstIndex: 0, field: 'annotator', value: 'a', kind: 'duplicate' },
      /^rating 2: annotator "a" rated item "i1" twice \(first at rating 0\)$/);
  });

  test('empty fields are errors', () => {
    rejects([r('i1', 'a', 'x'), r('', 'a', 'x')], 'nominal', { index: 1, field: 'item', kind: 'empty' }, /item is empty/);
    rejects([r('i1', '', 'x')], 'nominal', { index: 0, field: 'annotator' }, /annotator is empty/);
    rejects([r('i1', 'a', '')], 'nominal', { index: 0, field: 'label' }, /label is empty/);
  });

  test('ids that look like object keys are plain data', () => {
    const report = agreementReport([r('__proto__', 'constructor', 'x'), r('__proto__', '__proto__', 'y')], 'nominal');
    assert.deepEqual(report.mostDisputed[0]?.item, '__proto__');
    assert.deepEqual(Object.keys(report.mostDisputed[0]?.ratings ?? {}), ['__proto__', 'constructor']);
  });
});

describe('annotatorAccuracy', () => {
  const ratings = [
    r('u1', 'a', 'x'), r('u2', 'a', 'y'), r('u3', 'a', 'x'),
    r('u1', 'b', 'x'),
    r('constructor', 'c', 'x'),
  ];
  const expected = [
    { annotator: 'a', n: 2, correct: 1, accuracy: 0.5 },
    { annotator: 'b', n: 1, correct: 1, accuracy: 1 },
    { annotator: 'c', n: 0, correct: 0, accuracy: null },
  ];

  test('per annotator, over the items that have a reference label, from a Map or a record', () => {
    assert.deepEqual(annotatorAccuracy(ratings, new Map([['u1', 'x'], ['u2', 'x']])), expected);
    assert.deepEqual(annotatorAccuracy(ratings, { u1: 'x', u2: 'x' }), expected);
  });

  test('double ratings are errors here too', () => {
    assert.throws(() => annotatorAccuracy([r('u1', 'a', 'x'), r('u1', 'a', 'y')], {}), AgreementInputError);
  });
});

/**
 * Evaluation statistics against statsmodels, scikit-learn, scipy and numpy (test/fixtures/eval/generate.py), plus
 * the bootstrap's determinism and coverage, the report, the comparison, label noise and ceilings.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, test } from 'node:test';

import {
  alignById,
  betaQuantile,
  binomialCdf,
  bootstrapInterval,
  ceilings,
  classificationMetrics,
  compareModels,
  EvalInputError,
  evaluationReport,
  goalValue,
  IdMismatchError,
  labelNoise,
  macroF1Of,
  classScores,
  confusionMatrix,
  encodeClasses,
  mcnemar,
  pairedBootstrap,
  percentile,
  proportionInterval,
  regularizedBeta,
  type ProportionMethod,
} from '../../core/eval/index.js';
import { seededRandom } from '../../core/random.js';
import { assertClose } from '../support/assertClose.js';

interface Vectors {
  proportion: Array<{ correct: number; total: number; confidence: number; method: ProportionMethod; low: number; high: number }>;
  mcnemar: Array<{ b: number; c: number; mode: 'auto' | 'exact' | 'chi-square'; statistic: number; pValue: number; exact: boolean }>;
  binomialCdf: Array<{ k: number; n: number; p: number; cdf: number }>;
  percentile: Array<{ values: number[]; q: number[]; percentile: number[] }>;
  classification: Array<{
    name: string;
    classes: string[];
    labels: string[];
    predictions: string[];
    probabilities: number[][];
    expected: Record<string, unknown> & { auc: number | null };
  }>;
}

const FIXTURES = new URL('../../../test/fixtures/eval/', import.meta.url);
const vectors = JSON.parse(readFileSync(new URL('vectors.json', FIXTURES), 'utf8')) as Vectors;

const close = (actual: number, expected: number, what: string, tolerance = 1e-9): void =>
  assert.ok(Math.abs(actual - expected) <= tolerance, `${what}: ${actual} != ${expected}`);

describe('eval: proportion intervals = statsmodels proportion_confint', () => {
  test('the vectors cover both methods, every confidence and the edges', () => {
    const v = vectors.proportion;
    assert.ok(v.length >= 1000, `${v.length} vectors`);
    for (const method of ['wilson', 'clopper-pearson']) {
      const mine = v.filter((c) => c.method === method);
      assert.ok(mine.some((c) => c.correct === 0) && mine.some((c) => c.correct === c.total) && mine.some((c) => c.total === 1));
      assert.ok(mine.some((c) => c.total >= 1e6));
      assert.equal(new Set(mine.map((c) => c.confidence)).size, 6);
    }
  });

  for (const method of ['wilson', 'clopper-pearson'] as const) {
    test(`${method}: every vector to 1e-9`, () => {
      for (const c of vectors.proportion.filter((x) => x.method === method)) {
        const r = proportionInterval(c.correct, c.total, { method, confidence: c.confidence });
        const what = `${method} ${c.correct}/${c.total} at ${c.confidence}`;
        close(r.low, c.low, `${what} low`);
        close(r.high, c.high, `${what} high`);
        assert.equal(r.estimate, c.correct / c.total);
        assert.equal(r.method, method);
      }
    });
  }

  test('Clopper-Pearson edges: low is exactly 0 at k = 0 and high exactly 1 at k = n; n = 1 is α/2 from the end', () => {
    assert.deepEqual(proportionInterval(0, 1, { method: 'clopper-pearson', confidence: 0.95 }), { estimate: 0, low: 0, high: 0.975, method: 'clopper-pearson' });
    const all = proportionInterval(7, 7, { method: 'clopper-pearson', confidence: 0.9 });
    assert.equal(all.high, 1);
    close(all.low, 0.05 ** (1 / 7), 'k = n low is (α/2)^(1/n)', 1e-14);
  });

  test('bad counts and confidences are RangeErrors', () => {
    const o = { method: 'wilson', confidence: 0.95 } as const;
    assert.throws(() => proportionInterval(1, 0, o), RangeError);
    assert.throws(() => proportionInterval(3, 2, o), RangeError);
    assert.throws(() => proportionInterval(1.5, 2, o), RangeError);
    assert.throws(() => proportionInterval(1, 2, { ...o, confidence: 1 }), RangeError);
  });

  test('the incomplete beta and its inverse agree with each other far into the tails', () => {
    // Quantiles near 0, where x has digits to spare (near 1 the spacing of doubles, times the density, bounds it).
    for (const [p, a, b] of [[1e-12, 1, 1e6], [0.025, 3, 97], [0.5, 0.5, 0.5], [0.975, 2, 1e5], [1e-6, 50, 50], [0.025, 1e6, 1e6]] as const) {
      const x = betaQuantile(p, a, b);
      close(regularizedBeta(x, a, b) / p, 1, `I(ppf(${p}; ${a}, ${b}))/p`, 1e-12);
    }
  });
});

describe('eval: McNemar = statsmodels mcnemar, binomial tail = scipy', () => {
  test('every vector to 1e-9, with the auto rule exact below 25 discordant pairs', () => {
    assert.ok(vectors.mcnemar.length >= 200);
    for (const c of vectors.mcnemar) {
      const r = mcnemar(c.b, c.c, c.mode === 'auto' ? {} : { exact: c.mode === 'exact' });
      const what = `b ${c.b}, c ${c.c}, ${c.mode}`;
      assert.equal(r.exact, c.exact, what);
      close(r.statistic, c.statistic, `${what} statistic`);
      close(r.pValue, c.pValue, `${what} pValue`);
    }
  });

  test('the boundary cases the issue names', () => {
    assert.deepEqual(mcnemar(0, 0), { statistic: 0, pValue: 1, exact: true });
    assert.equal(mcnemar(12, 12).exact, true);
    assert.equal(mcnemar(12, 12).pValue, 1);
    assert.equal(mcnemar(4, 5).pValue, 1, 'b = 4, c = 5: 2·P(X <= 4) = 1 exactly');
    assert.equal(mcnemar(24, 0).exact, true);
    assert.equal(mcnemar(13, 12).exact, false);
    // b = c: (0 - 1)^2 / (b + c), not clamped at 0.
    assert.equal(mcnemar(13, 13).statistic, 1 / 26);
    assert.equal(mcnemar(20, 5).statistic, (15 - 1) ** 2 / 25);
    assert.throws(() => mcnemar(-1, 3), RangeError);
    assert.throws(() => mcnemar(0, 0, { exact: false }), RangeError);
  });

  test('binomialCdf to 1e-9', () => {
    for (const c of vectors.binomialCdf) close(binomialCdf(c.k, c.n, c.p), c.cdf, `cdf(${c.k}; ${c.n}, ${c.p})`);
    assert.equal(binomialCdf(-1, 5, 0.3), 0);
    assert.equal(binomialCdf(5, 5, 0.3), 1);
  });
});

describe('eval: classification metrics = scikit-learn', () => {
  test('the vectors cover binary and multiclass, absent classes, one-class labels and clipping', () => {
    const v = vectors.classification;
    assert.ok(v.length >= 80);
    assert.ok(v.filter((c) => c.expected.auc !== null).length >= 30);
    assert.ok(v.some((c) => c.classes.length === 2 && c.expected.auc === null), 'AUC undefined: one class among the labels');
    assert.ok(v.some((c) => c.name.includes('absent_class')) && v.some((c) => c.name.includes('onehot')));
  });

  for (const c of vectors.classification) {
    test(c.name, () => {
      const m = classificationMetrics({ labels: c.labels, predictions: c.predictions, probabilities: c.probabilities, classes: c.classes });
      const { n: _n, perClass, ...rest } = m;
      const mine = { ...rest, perClass: perClass.map((p) => ({ class: p.class, support: p.support, precision: p.precision, recall: p.recall, f1: p.f1 })) };
      assertClose(mine, c.expected);
    });
  }

  test('zero division is 0: nothing predicted as a class, a class with no rows', () => {
    const m = classificationMetrics({ labels: ['a', 'a', 'b'], predictions: ['a', 'a', 'a'], classes: ['a', 'b', 'c'] });
    assert.deepEqual(m.perClass.map((p) => [p.class, p.precision, p.recall, p.f1]), [['a', 2 / 3, 1, 0.8], ['b', 0, 0, 0], ['c', 0, 0, 0]]);
    assert.equal(m.macroF1, 0.8 / 3, 'absent declared classes count as 0 in the macro average (sklearn labels=)');
    assert.equal(m.balancedAccuracy, 0.5, 'balanced accuracy averages only the classes that have rows');
    assert.equal(m.logLoss, null);
    assert.equal(m.auc, null);
  });

  test('input errors name the row and value', () => {
    assert.throws(() => classificationMetrics({ labels: ['a', 'x'], predictions: ['a', 'a'], classes: ['a', 'b'] }), /row 1: label "x" is not one of the classes \("a", "b"\)/);
    assert.throws(() => classificationMetrics({ labels: ['a'], predictions: ['a', 'b'], classes: ['a', 'b'] }), EvalInputError);
    assert.throws(() => classificationMetrics({ labels: ['a'], predictions: ['a'], probabilities: [[0.5, 0.6]], classes: ['a', 'b'] }), /row 0: probabilities sum to 1\.1/);
    assert.throws(() => classificationMetrics({ labels: ['a'], predictions: ['a'], probabilities: [[1.5, -0.5]], classes: ['a', 'b'] }), /probability 1\.5 is not in \[0, 1\]/);
    assert.throws(() => classificationMetrics({ labels: [], predictions: [], classes: ['a', 'b'] }), /no rows/);
  });
});

describe('eval: seeded bootstrap', () => {
  const options = { resamples: 1000, confidence: 0.95, seed: 7 };
  const accuracy = (rows: readonly boolean[]): number => rows.filter(Boolean).length / rows.length;
  const mean = (xs: readonly number[]): number => xs.reduce((s, x) => s + x, 0) / xs.length;
  const random = seededRandom(1);
  const rows = Array.from({ length: 120 }, () => random() < 0.8);
  const values = Array.from({ length: 60 }, () => random() * 10);

  test('percentile = numpy.percentile (linear)', () => {
    for (const c of vectors.percentile) {
      const sorted = [...c.values].sort((a, b) => a - b);
      c.q.forEach((q, i) => close(percentile(sorted, q), c.percentile[i] as number, `q ${q}`, 1e-12));
    }
  });

  test('same seed, same interval; another seed, another interval; fewer than 1,000 resamples refused', () => {
    const first = bootstrapInterval(values, mean, options);
    assert.deepEqual(bootstrapInterval(values, mean, options), first);
    const other = bootstrapInterval(values, mean, { ...options, seed: 8 });
    assert.ok(other && first && other.low !== first.low && other.high !== first.high);
    assert.equal(first.estimate, mean(values));
    assert.ok(first.low < first.estimate && first.estimate < first.high);
    assert.throws(() => bootstrapInterval(values, mean, { ...options, resamples: 999 }), /resamples must be a whole number >= 1000/);
  });

  test('coverage: about 95% of 95% intervals hold the true accuracy (seeded simulation)', () => {
    const sim = seededRandom(2026);
    let covered = 0;
    let wilson = 0;
    const trials = 150;
    for (let t = 0; t < trials; t++) {
      const sample = Array.from({ length: 80 }, () => sim() < 0.7);
      const interval = bootstrapInterval(sample, accuracy, { ...options, seed: t });
      if (interval && interval.low <= 0.7 && 0.7 <= interval.high) covered++;
      const w = proportionInterval(sample.filter(Boolean).length, sample.length, { method: 'wilson', confidence: 0.95 });
      if (w.low <= 0.7 && 0.7 <= w.high) wilson++;
    }
    assert.ok(covered / trials > 0.88 && covered / trials < 0.99, `bootstrap coverage ${covered / trials}`);
    assert.ok(wilson / trials > 0.9 && wilson / trials < 0.995, `Wilson coverage ${wilson / trials}`);
  });

  test('undefined resamples are left out and counted', () => {
    // 2 positives in 40 rows: some resamples draw none, and a statistic needing both classes is undefined there.
    const labels = Array.from({ length: 40 }, (_, i) => i < 2);
    const needsBoth = (sample: readonly boolean[]): number | null => (sample.some(Boolean) && sample.some((x) => !x) ? 1 : null);
    const r = bootstrapInterval(labels, needsBoth, options);
    assert.ok(r && r.undefinedResamples > 50 && r.undefinedResamples < 300, String(r?.undefinedResamples));
    assert.equal(bootstrapInterval(labels, () => null, options), null);
  });

  test('paired: identical models tie on every resample; a better B wins them all', () => {
    const same = pairedBootstrap(rows, rows, accuracy, options);
    assert.deepEqual([same?.estimate, same?.low, same?.high, same?.shareTied, same?.shareBGreater], [0, 0, 0, 1, 0]);
    const better = rows.map(() => true);
    const r = pairedBootstrap(rows, better, accuracy, options);
    assert.ok(r && r.low > 0 && r.shareBGreater === 1);
    close(r.estimate, 1 - accuracy(rows), 'difference is B − A');
    assert.throws(() => pairedBootstrap(rows, rows.slice(1), accuracy, options), RangeError);
  });
});

describe('eval: the report and the comparison', () => {
  const binary = vectors.classification.find((c) => c.classes.length === 2 && c.expected.auc !== null && c.labels.length > 100);
  const multi = vectors.classification.find((c) => c.classes.length === 4 && c.labels.length > 100);
  assert.ok(binary && multi);
  const base = { resamples: 1000, confidence: 0.9, seed: 11 };

  test('Wilson for accuracy and per-class precision/recall, bootstrap for the rest, estimates = sklearn', () => {
    const r = evaluationReport({ ...binary, headline: 'auc', ...base });
    assert.deepEqual(Object.keys(r), ['n', 'classes', 'confidence', 'headline', 'metrics', 'perClass', 'confusion', 'bootstrap']);
    assert.deepEqual(Object.keys(r.metrics), ['accuracy', 'macroF1', 'balancedAccuracy', 'logLoss', 'auc']);
    close(r.metrics.accuracy.estimate, binary.expected.accuracy as number, 'accuracy');
    close(r.metrics.auc?.estimate as number, binary.expected.auc as number, 'auc');
    close(r.metrics.logLoss?.estimate as number, binary.expected.logLoss as number, 'log loss');
    assert.deepEqual(r.headline, { metric: 'auc', ...r.metrics.auc });
    assert.equal(r.metrics.accuracy.method, 'wilson');
    for (const key of ['macroF1', 'balancedAccuracy', 'logLoss', 'auc'] as const) assert.equal(r.metrics[key]?.method, 'bootstrap');
    const right = r.confusion.reduce((s, row, i) => s + (row[i] as number), 0);
    assert.deepEqual(r.metrics.accuracy, proportionInterval(right, r.n, { method: 'wilson', confidence: 0.9 }));
    const first = r.perClass[0];
    assert.ok(first);
    assert.deepEqual(first.recall, proportionInterval(r.confusion[0]?.[0] as number, first.support, { method: 'wilson', confidence: 0.9 }));
    assert.equal(first.f1.method, 'bootstrap');
    assert.deepEqual(evaluationReport({ ...binary, headline: 'auc', ...base }), r, 'same seed, same report');
  });

  test("the report's bootstrap is bootstrapInterval over the same seeded resamples", () => {
    const r = evaluationReport({ ...multi, headline: 'macroF1', ...base });
    const indices = multi.labels.map((_, i) => i);
    const k = multi.classes.length;
    const truth = encodeClasses(multi.labels, multi.classes, 'label');
    const predicted = encodeClasses(multi.predictions, multi.classes, 'prediction');
    const macro = (sample: readonly number[]): number | null =>
      macroF1Of(classScores(confusionMatrix(Int32Array.from(sample, (i) => truth[i] as number), Int32Array.from(sample, (i) => predicted[i] as number), k)));
    const direct = bootstrapInterval(indices, macro, base);
    assert.ok(direct);
    assert.deepEqual({ estimate: r.metrics.macroF1.estimate, low: r.metrics.macroF1.low, high: r.metrics.macroF1.high }, { estimate: direct.estimate, low: direct.low, high: direct.high });
    assert.equal(r.metrics.auc, null, 'no AUC for 4 classes');
  });

  test('headline problems are input errors; a class never predicted has precision 0 in [0, 1]', () => {
    const input = { labels: ['a', 'b', 'a', 'b'], predictions: ['a', 'a', 'a', 'b'], classes: ['a', 'b', 'c'], ...base };
    assert.throws(() => evaluationReport({ ...input, headline: 'logLoss' }), /headline logLoss needs predicted probabilities/);
    const r = evaluationReport({ ...input, headline: 'balancedAccuracy' });
    assert.deepEqual(r.perClass[2]?.precision, { estimate: 0, low: 0, high: 1, method: 'wilson' });
    assert.equal(r.headline.estimate, 0.75);
    const probabilities = [[0.8, 0.1, 0.1], [0.5, 0.4, 0.1], [0.6, 0.3, 0.1], [0.2, 0.7, 0.1]];
    assert.throws(() => evaluationReport({ ...input, probabilities, headline: 'auc' }), /headline auc needs exactly 2 classes/);
    assert.throws(() => evaluationReport({ ...input, headline: 'accuracy', resamples: 10 }), RangeError);
  });

  test('goal on the lower bound uses the low end of the interval', () => {
    const interval = { estimate: 0.91, low: 0.88, high: 0.93, method: 'wilson' } as const;
    assert.equal(goalValue(interval, 'lowerBound'), 0.88);
    assert.equal(goalValue(interval, 'estimate'), 0.91);
  });

  test('compareModels: McNemar on the discordant rows, paired bootstrap of the headline, direction-aware', () => {
    const labels = binary.labels;
    const flip = (x: string): string => (x === binary.classes[0] ? (binary.classes[1] as string) : (binary.classes[0] as string));
    const worse = binary.predictions.map((p, i) => (i % 7 === 0 ? flip(p) : p));
    const r = compareModels({ labels, predictionsA: worse, predictionsB: binary.predictions, classes: binary.classes, headline: 'accuracy', ...base });
    let b = 0;
    let c = 0;
    labels.forEach((y, i) => {
      if (worse[i] === y && binary.predictions[i] !== y) b++;
      if (worse[i] !== y && binary.predictions[i] === y) c++;
    });
    assert.deepEqual([r.b, r.c], [b, c]);
    assert.deepEqual(r.mcnemar, mcnemar(b, c));
    close(r.headline.difference.estimate, r.accuracyB - r.accuracyA, 'difference');
    assert.equal(r.headline.shareBBetter, r.headline.difference.shareBGreater);
    const sharper = binary.probabilities.map((row) => {
      const p = Math.min(1, Math.max(0, (row[1] as number) > 0.5 ? (row[1] as number) + 0.05 : (row[1] as number) - 0.05));
      return [1 - p, p];
    });
    const loss = compareModels({ labels, predictionsA: binary.predictions, predictionsB: binary.predictions, probabilitiesA: binary.probabilities, probabilitiesB: sharper, classes: binary.classes, headline: 'logLoss', ...base });
    const d = loss.headline.difference;
    close(loss.headline.shareBBetter, 1 - d.shareBGreater - d.shareTied, 'lower log loss is better');
  });
});

describe('eval: label noise, ceilings, ids', () => {
  const item = (...labels: string[]) => ({ ratings: labels.map((label) => ({ label, role: 'copy' })) });

  test('two classes, 18% of pairs disagree: e = (1 − sqrt(1 − 2·0.18)) / 2 = 0.1', () => {
    const items = Array.from({ length: 100 }, (_, i) => (i < 18 ? item('x', 'y') : item('x', 'x')));
    // An adjudication rating is asked only for disputes: it must not count.
    items.push({ ratings: [{ label: 'x', role: 'copy' }, { label: 'x', role: 'copy' }, { label: 'y', role: 'adjudication' }] });
    const noise = labelNoise(items.slice(0, 100));
    assert.ok(noise);
    close(noise.noiseRate, 0.1, 'noise', 1e-15);
    assert.deepEqual(labelNoise(items), { ...noise, items: 101, disagreement: 18 / 101, noiseRate: (1 - Math.sqrt(1 - 36 / 101)) / 2 });
    assert.equal(labelNoise([item('x'), item('y')]), null, 'no item has two ratings');
  });

  test('recovers the simulated noise rate; random labels saturate at (K − 1) / K', () => {
    const random = seededRandom(99);
    const k = 4;
    const e = 0.15;
    const rate = (truth: number): string => String(random() < e ? (truth + 1 + Math.floor(random() * (k - 1))) % k : truth);
    const items = Array.from({ length: 40000 }, () => {
      const truth = Math.floor(random() * k);
      return item(rate(truth), rate(truth));
    });
    const noise = labelNoise(items, { classes: k });
    assert.ok(noise && Math.abs(noise.noiseRate - e) < 0.01, String(noise?.noiseRate));
    const chaos = labelNoise(Array.from({ length: 10 }, (_, i) => item(String(i % 4), String((i + 1) % 4))), { classes: 4 });
    assert.deepEqual([chaos?.noiseRate, chaos?.saturated], [0.75, true]);
    assert.throws(() => labelNoise([item('a', 'b', 'c')], { classes: 2 }), /ratings use 3 distinct labels/);
  });

  test('ceilings: which gap is larger, as data and a sentence', () => {
    const modelGap = ceilings({ model: 0.8, humanCeiling: 0.95, humanSource: 'agreement' });
    assert.equal(modelGap.larger, 'model-vs-human');
    assertClose(modelGap.gaps, { modelVsHuman: 0.15, humanVsPerfect: 0.05 });
    assert.match(modelGap.sentence, /15\.0 points below the human ceiling, which is 5\.0 points below perfect; the larger gap is model vs human/);
    const labelGap = ceilings({ model: 0.88, oracle: 0.98, irreducibleError: 0.1 });
    assert.deepEqual([labelGap.human, labelGap.humanSource, labelGap.perfect, labelGap.larger], [0.9, 'irreducible-error', 0.98, 'human-vs-perfect']);
    const above = ceilings({ model: 0.93, humanCeiling: 0.9 });
    assert.match(above.sentence, /^The model is 3\.0 points above the human ceiling/);
    assert.equal(ceilings({ model: 0.7 }).larger, null);
    assert.throws(() => ceilings({ model: 1.2 }), RangeError);
  });

  test('alignById matches by id, in the labels order, and names the ids that do not match', () => {
    const labels = new Map([['r2', 'b'], ['r1', 'a']]);
    assert.deepEqual(alignById(labels, new Map([['r1', 'a'], ['r2', 'a']])), { ids: ['r2', 'r1'], labels: ['b', 'a'], predictions: ['a', 'a'] });
    const error = (() => {
      try {
        alignById(labels, new Map([['r1', 'a'], ['r9', 'a']]));
      } catch (e) {
        return e;
      }
      return null;
    })();
    assert.ok(error instanceof IdMismatchError);
    assert.deepEqual([error.notInLabels, error.notInPredictions], [['r9'], ['r2']]);
  });
});

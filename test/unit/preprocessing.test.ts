/**
 * The preprocessing check (core/data/preprocessing.ts): every rule fires on its case and stays quiet on sane inputs,
 * on real data — digits and breast_cancer as the real trainers' `inspect` mode reports them
 * (test/fixtures/preprocessing/generate.py) — and on small constructed tables.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, test } from 'node:test';
import { Inspection, PREPROCESSING_THRESHOLDS, inspectedSeparation, preprocessingCheck, rawStats, type RawStats } from '../../core/data/preprocessing.js';
import { seededRandom } from '../../core/random.js';

// ---- the fixture: real data sets and real inspections ----

interface DataSet {
  names: string[];
  labels: string[];
  train: number[];
  pixels?: string[];
  features?: number[][];
  inspections: Record<string, unknown>;
}
const FIXTURE = new URL('../../../test/fixtures/preprocessing/cases.json', import.meta.url);
const fixture = JSON.parse(readFileSync(FIXTURE, 'utf8')) as { digits: DataSet; breast_cancer: DataSet };
const BASE17 = '0123456789abcdefg';

/** The data set's rows as a table indexed by CSV row (rows outside the train split are left empty: never read). */
function table(data: DataSet, divideBy = 1): number[][] {
  const rows: number[][] = new Array<number[]>(data.labels.length).fill([]);
  data.train.forEach((row, i) => {
    rows[row] = data.pixels ? [...(data.pixels[i] as string)].map((c) => BASE17.indexOf(c) / divideBy) : (data.features?.[i] as number[]);
  });
  return rows;
}
/** The label column shifted down by one row, as the fixture's "shifted" CSV has it: label[i] = label[i - 1]. */
const shiftedDown = (labels: string[]) => [labels[labels.length - 1] as string, ...labels.slice(0, -1)];
const inspection = (data: DataSet, name: string) => Inspection.parse(data.inspections[name]);

const cache = new Map<string, RawStats>();
function raw(data: DataSet, which: 'stored' | 'shifted' = 'stored', divideBy = 1): RawStats {
  const key = `${data.names.length}/${which}/${divideBy}`;
  let stats = cache.get(key);
  if (!stats) {
    stats = rawStats({ features: table(data, divideBy), labels: which === 'shifted' ? shiftedDown(data.labels) : data.labels, rows: data.train, names: data.names });
    cache.set(key, stats);
  }
  return stats;
}
const rules = (result: { details: Record<string, unknown> }) => (result.details.findings as { rule: string }[]).map((f) => f.rule);

describe('preprocessingCheck on real data and real trainers', () => {
  const { digits, breast_cancer: cancer } = fixture;

  test('GIVEN digits ÷16 by the reference trainer THEN it passes, with the raw and input separations equal', () => {
    const result = preprocessingCheck(raw(digits), inspection(digits, 'normal'));
    assert.equal(result.verdict, 'pass', result.message);
    assert.equal(result.name, 'preprocessing');
    const separation = result.details.separation as { raw: number; inputs: number; chance: { mean: number } };
    assert.ok(Math.abs(separation.raw - separation.inputs) < 1e-4, `${separation.raw} vs ${separation.inputs}`);
    assert.ok(separation.raw > 0.25 && separation.raw > 30 * separation.chance.mean, JSON.stringify(separation));
    assert.match(result.message, /look sane: 1257 rows × 64 inputs/);
  });

  test('GIVEN breast_cancer standardized by a Learner THEN it passes (median std 1, raw 0.07)', () => {
    const result = preprocessingCheck(raw(cancer), inspection(cancer, 'normal'));
    assert.equal(result.verdict, 'pass', result.message);
  });

  test('GIVEN digits scaled ÷16 twice (a CSV already ÷16, or the trainer scaling again) THEN the scale rule fails', () => {
    for (const stats of [raw(digits), raw(digits, 'stored', 16)]) {
      const result = preprocessingCheck(stats, inspection(digits, 'double-scaled'));
      assert.equal(result.verdict, 'fail');
      assert.deepEqual(rules(result), ['scale']);
      assert.match(result.message, /median feature std is 0\.0171, .* below the raw data's .* and 58\.5× below unit scale.*normalization applied twice/);
    }
  });

  test('GIVEN breast_cancer ÷16 (a scale meant for digits) THEN the scale rule fails too', () => {
    const result = preprocessingCheck(raw(cancer), inspection(cancer, 'scale16'));
    assert.deepEqual([result.verdict, rules(result)], ['fail', ['scale']], result.message);
  });

  test('GIVEN a preprocessing that zeroes every input THEN it fails: inputs all zero while the raw features vary', () => {
    const result = preprocessingCheck(raw(digits), inspection(digits, 'all-zero'));
    assert.deepEqual([result.verdict, rules(result)], ['fail', ['constant']]);
    assert.match(result.message, /^The inputs are all zero while 60 of 64 raw features vary/);
  });

  test('GIVEN the digits CSV with its labels shifted by one row THEN it fails naming the shift, though the separation is 4× chance', () => {
    const stats = raw(digits, 'shifted');
    // sklearn's digits come in runs 0,1,…,9: a shifted label still names a consistent (wrong) class for 30 % of rows,
    // so the stored pairing is not at chance — only re-pairing with the next row's label shows what happened.
    assert.ok((stats.separation as number) > 3 * (stats.chance as { mean: number }).mean, JSON.stringify(stats.chance));
    const result = preprocessingCheck(stats, inspection(digits, 'shifted'));
    assert.deepEqual([result.verdict, rules(result)], ['fail', ['shifted-labels']], result.message);
    assert.match(result.message, /^Labels look shifted by 1 row against their inputs in the CSV: .* label 1 row further down gives class separation 0\.313, the stored pairing 0\.03/);
  });

  test('GIVEN the breast_cancer CSV with its labels shifted by one row THEN it fails the same way', () => {
    const result = preprocessingCheck(raw(cancer, 'shifted'), inspection(cancer, 'shifted'));
    assert.deepEqual([result.verdict, rules(result)], ['fail', ['shifted-labels']], result.message);
  });

  test('GIVEN the reference trainer shuffling labels within batches (a sound CSV) THEN labels do not line up with inputs', () => {
    const result = preprocessingCheck(raw(digits), inspection(digits, 'shuffle-labels'));
    assert.deepEqual([result.verdict, rules(result)], ['fail', ['labels-at-chance']], result.message);
    assert.match(result.message, /the raw split separates at 0\.313: the trainer pairs labels with other rows' inputs/);
  });

  test('GIVEN digits THEN the permutation chance level is about (classes - 1) / (rows - 1)', () => {
    const chance = raw(digits).chance as { mean: number; sd: number; permutations: number };
    const expected = 9 / (1257 - 1);
    assert.equal(chance.permutations, 20);
    assert.ok(Math.abs(chance.mean - expected) < 0.2 * expected, `${chance.mean} vs ${expected}`);
    // Deterministic: the same seed gives the same chance level.
    const again = rawStats({ features: table(digits), labels: digits.labels, rows: digits.train });
    assert.deepEqual(again.chance, raw(digits).chance);
  });
});

// ---- constructed cases ----

/** n rows of `width` features; class c (of `classes`) shifts every feature's mean by `gap` × c; scale per feature. */
function synthetic(n: number, width: number, classes: number, gap: number, seed = 3) {
  const random = seededRandom(seed);
  const normal = () => Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
  const labels: string[] = [];
  const features: number[][] = [];
  for (let i = 0; i < n; i++) {
    const c = Math.floor(random() * classes);
    labels.push(String(c));
    features.push(Array.from({ length: width }, (_, f) => (f + 1) * (3 + gap * c + normal())));
  }
  return { features, labels, rows: Array.from({ length: n }, (_, i) => i), names: Array.from({ length: width }, (_, f) => `f${f}`) };
}

/** What a trainer's inspect reports for `transform` of the rows (as gauntlet_trainer/inspection.py computes it). */
function inspect(features: number[][], labels: string[], rows: number[], transform: (x: number[], row: number) => number[], names?: string[]): Inspection {
  const inputs = rows.map((row) => transform(features[row] as number[], row));
  const width = inputs[0]?.length ?? 0;
  const stats = Array.from({ length: width }, (_, f) => {
    const column = inputs.map((x) => x[f] as number);
    const finite = column.filter(Number.isFinite);
    const mean = finite.length ? finite.reduce((a, b) => a + b, 0) / finite.length : null;
    const std = mean === null ? null : Math.sqrt(finite.reduce((a, b) => a + (b - mean) ** 2, 0) / finite.length);
    return {
      name: names?.[f] ?? `x${f}`, mean, std, min: finite.length ? Math.min(...finite) : null, max: finite.length ? Math.max(...finite) : null,
      nan: column.filter(Number.isNaN).length, inf: column.filter((v) => !Number.isNaN(v) && !Number.isFinite(v)).length,
    };
  });
  const counts: Record<string, number> = {};
  const classMeans: Record<string, (number | null)[]> = {};
  for (const label of [...new Set(rows.map((row) => labels[row] as string))].sort()) {
    const members = inputs.filter((_, i) => labels[rows[i] as number] === label);
    counts[label] = members.length;
    classMeans[label] = Array.from({ length: width }, (_, f) => {
      const finite = members.map((x) => x[f] as number).filter(Number.isFinite);
      return finite.length ? finite.reduce((a, b) => a + b, 0) / finite.length : null;
    });
  }
  const constant = stats.filter((s) => s.std === null || (s.max as number) <= (s.min as number)).length;
  return Inspection.parse({
    split: 'train', rows: rows.length, order: 'split', preprocessing: null, features: stats, constantShare: width ? constant / width : 0,
    labels: { counts, missing: 0 }, classMeans,
    sample: rows.slice(0, 2).map((row, i) => ({ row, label: Number(labels[row]), input: (inputs[i] as number[]).map((v) => (Number.isFinite(v) ? v : null)) })),
  });
}

describe('rawStats', () => {
  test('GIVEN a small table THEN per-feature stats, class counts and means are over the split rows and finite values', () => {
    const features = [[1, 10], [3, NaN], [5, 30], [7, Infinity], [100, 100]];
    const labels = ['a', 'b', 'a', '', 'b'];
    const stats = rawStats({ features, labels, rows: [0, 1, 2, 3], names: ['u', 'v'] }, { permutations: 0 });
    assert.equal(stats.rows, 4);
    assert.deepEqual(stats.features[0], { name: 'u', mean: 4, std: Math.sqrt(5), min: 1, max: 7, nan: 0, inf: 0 });
    assert.deepEqual(stats.features[1], { name: 'v', mean: 20, std: 10, min: 10, max: 30, nan: 1, inf: 1 });
    assert.deepEqual(stats.labels, { counts: { a: 2, b: 1 }, missing: 1 });
    assert.deepEqual(stats.classMeans, { a: [3, 20], b: [3, null] });
    assert.equal(stats.chance, null);
  });

  test('GIVEN classes whose means differ THEN separation is the mean between/total variance ratio, computed alike from an inspection', () => {
    // One feature, classes at 0,0 and 2,2: between = 1, total = 1 → η² = 1. The other feature: 0,2 and 0,2 → η² = 0.
    const features = [[0, 0], [0, 2], [2, 0], [2, 2]];
    const labels = ['0', '0', '1', '1'];
    const stats = rawStats({ features, labels, rows: [0, 1, 2, 3] }, { permutations: 0, maxShift: 1 });
    assert.equal(stats.separation, 0.5);
    assert.equal(inspectedSeparation(inspect(features, labels, [0, 1, 2, 3], (x) => x)), 0.5);
    // Each row paired with the next row's label: rows 0..2 get 0,1,1 → feature 0 (0,0,2) vs labels (0,1,1) etc.
    assert.deepEqual(stats.shifts.map((s) => s.offset), [1, -1]);
  });

  test('GIVEN the table by columns (a DataTable\'s Float64Arrays) THEN the statistics are the same as by rows', () => {
    const data = synthetic(120, 3, 3, 1);
    const columns = [0, 1, 2].map((f) => Float64Array.from(data.features, (x) => x[f] as number));
    assert.deepEqual(rawStats({ columns, labels: data.labels, rows: data.rows, names: data.names }), rawStats(data));
    assert.throws(() => rawStats({ ...data, rows: [0, 120] }), /row 120 is not a data row/);
  });

  test('GIVEN any per-feature affine preprocessing THEN the inputs keep the raw separation', () => {
    const data = synthetic(300, 4, 3, 1.5);
    const stats = rawStats(data);
    const standardized = inspect(data.features, data.labels, data.rows, (x) => x.map((v, f) => (v - 3 * (f + 1)) / (f + 1) / 7 - 2));
    assert.ok(Math.abs((inspectedSeparation(standardized) as number) - (stats.separation as number)) < 1e-9);
  });
});

describe('preprocessingCheck rules on constructed cases', () => {
  const data = synthetic(400, 6, 2, 1.2);
  const stats = rawStats(data);
  const check = (transform: (x: number[], row: number) => number[], labels = data.labels, raw = stats) =>
    preprocessingCheck(raw, inspect(data.features, labels, data.rows, transform, data.names));

  test('GIVEN standardization (or none) THEN it passes', () => {
    const means = stats.features.map((f) => f.mean as number), stds = stats.features.map((f) => f.std as number);
    for (const transform of [(x: number[]) => x.map((v, f) => (v - (means[f] as number)) / (stds[f] as number)), (x: number[]) => x]) {
      const result = check(transform);
      assert.equal(result.verdict, 'pass', result.message);
    }
  });

  test('GIVEN already standardized data standardized again THEN it passes (harmless)', () => {
    const means = stats.features.map((f) => f.mean as number), stds = stats.features.map((f) => f.std as number);
    const standardized = data.features.map((x) => x.map((v, f) => (v - (means[f] as number)) / (stds[f] as number)));
    const rawStandardized = rawStats({ ...data, features: standardized });
    const result = preprocessingCheck(rawStandardized, inspect(standardized, data.labels, data.rows, (x) => x.map((v) => v * 1.0000001)));
    assert.equal(result.verdict, 'pass', result.message);
  });

  test('GIVEN NaN and Inf among the inputs THEN it fails with the counts and the features', () => {
    const result = check((x, row) => x.map((v, f) => (f === 2 && row % 50 === 0 ? NaN : f === 4 && row === 7 ? Infinity : v)));
    assert.deepEqual([result.verdict, rules(result)], ['fail', ['non-finite']]);
    assert.match(result.message, /hold 8 NaN and 1 Inf values, in 2 of 6 features \(f2, f4\); the raw split has none, so the preprocessing makes them/);
  });

  test('GIVEN NaN already in the raw split THEN the message says so', () => {
    const features = data.features.map((x, row) => x.map((v, f) => (f === 1 && row === 3 ? NaN : v)));
    const result = preprocessingCheck(rawStats({ ...data, features }), inspect(features, data.labels, data.rows, (x) => x));
    assert.match(result.message, /1 NaN and 0 Inf .* the raw split already has 1/);
  });

  test('GIVEN one varying feature made constant THEN it warns; half or more THEN it fails', () => {
    const one = check((x) => x.map((v, f) => (f === 0 ? 0.5 : v)));
    assert.deepEqual([one.verdict, rules(one)], ['warn', ['constant']], one.message);
    assert.match(one.message, /1 of the 6 features that vary in the raw split are constant as inputs \(f0\)/);
    const half = check((x) => x.map((v, f) => (f < 3 ? 0 : v)));
    assert.equal(half.verdict, 'fail', half.message);
    const all = check((x) => x.map(() => 1));
    assert.match(all.message, /^Every input feature is constant while 6 of 6 raw features vary/);
  });

  test('GIVEN inputs blown up far above both the raw and unit scale THEN the scale rule fails', () => {
    const result = check((x) => x.map((v) => v * 100));
    assert.deepEqual([result.verdict, rules(result)], ['fail', ['scale']]);
    assert.match(result.message, /100× above the raw data's .* above unit scale/);
  });

  test('GIVEN a scale just inside the thresholds THEN it passes; just outside THEN it fails', () => {
    // Raw median std ≈ 3.5 here: ÷4 keeps the inputs near the raw scale's quarter, ÷200 is far below both.
    assert.equal(check((x) => x.map((v) => v / 4)).verdict, 'pass');
    assert.equal(check((x) => x.map((v) => v / 200)).verdict, 'fail');
  });

  test('GIVEN the trainer shrinking class differences below 20 % of the raw separation THEN the relative rule fails', () => {
    // Pull every input towards the overall mean: class means move closer, within-class spread stays (η² falls ~10×).
    const labelMeans = new Map<string, number[]>();
    for (const [label, means] of Object.entries(stats.classMeans)) labelMeans.set(label, means as number[]);
    const overall = stats.features.map((f) => f.mean as number);
    const result = check((x, row) => x.map((v, f) => v - 0.7 * ((labelMeans.get(data.labels[row] as string) as number[])[f] as number - (overall[f] as number))));
    assert.deepEqual([result.verdict, rules(result)], ['fail', ['pairing']], result.message);
    assert.match(result.message, /keep \d+(\.\d+)? % of the raw class separation/);
  });

  test('GIVEN labels unrelated to the inputs in the CSV itself THEN labels-at-chance fails and blames the CSV', () => {
    const random = seededRandom(11);
    const noise = data.labels.map(() => String(Math.floor(random() * 2)));
    const result = check((x) => x, noise, rawStats({ ...data, labels: noise }));
    assert.deepEqual([result.verdict, rules(result)], ['fail', ['labels-at-chance']], result.message);
    assert.match(result.message, /the CSV's own pairing is at chance too/);
  });

  test('GIVEN an inspection of another number of rows THEN it warns', () => {
    const result = preprocessingCheck(stats, inspect(data.features, data.labels, data.rows.slice(0, 300), (x) => x));
    assert.deepEqual([result.verdict, rules(result)], ['warn', ['rows']], result.message);
  });

  test('GIVEN thresholds overridden THEN the rules use them', () => {
    const result = preprocessingCheck(stats, inspect(data.features, data.labels, data.rows, (x) => x.map((v) => v / 4)), { rawFactor: 2, unitFactor: 0.5 });
    assert.equal(result.verdict, 'fail');
    assert.equal(PREPROCESSING_THRESHOLDS.keptShare, 0.2);
  });
});

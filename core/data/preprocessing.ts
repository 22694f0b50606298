/**
 * The preprocessing check: the tensors a model really sees (a job in contract mode `inspect`, see core/spec/job.ts)
 * against the raw CSV rows of the same split. It catches inputs that are all zero or constant while the data varies,
 * NaN/Inf made by the preprocessing, normalization applied twice (a scale far off both the raw data's and unit
 * scale), and labels that do not line up with their inputs — in the trainer (the pairing loses the class differences
 * the CSV has) or in the CSV itself (its label column shifted by a row or two).
 *
 * Pure: `rawStats` summarises the raw split once (a few passes over the rows, seeded permutations); the check itself
 * reads only the two summaries.
 *
 * Class separation, the statistic behind the label rules: for every feature that varies, η² = (variance of the
 * per-class means, weighted by class size) / (the feature's total variance), i.e. between-class over total variance,
 * in [0, 1]; the separation is its mean over the features. It is unchanged by any per-feature affine map (scaling,
 * standardization), so raw and preprocessed inputs give the same value when the pairing is right, and the inspected
 * side can compute it from its per-class means, class counts and per-feature std alone. Random labels give about
 * (classes - 1) / (rows - 1); `rawStats` measures that chance level by permuting the split's labels (seeded).
 */
import { z } from 'zod';
import { seededRandom, shuffled } from '../random.js';
import { type CheckResult, type Verdict, worstVerdict } from './check.js';

// ---- what a trainer's inspect job writes (<prefix>inspect.json, artifact `inspection`) ----

const Stat = z.number().nullable();
export const InspectedFeature = z.object({
  /** The CSV column the input came from, or `x<i>` when the preprocessing does not keep one input per column. */
  name: z.string(),
  /** Over the finite values; null when the column has none. `std` is the population std. */
  mean: Stat,
  std: Stat,
  min: Stat,
  max: Stat,
  nan: z.number().int().min(0),
  inf: z.number().int().min(0),
});
export type FeatureStats = z.infer<typeof InspectedFeature>;

export const Inspection = z.object({
  split: z.string(),
  rows: z.number().int().min(0),
  /** `training`: the order and label pairing of the trainer's first epoch; `split`: the manifest's order. */
  order: z.string().optional(),
  /** What the trainer did to the features, in words (e.g. `x / 16 (inputScale)`). */
  preprocessing: z.string().nullable().optional(),
  features: z.array(InspectedFeature),
  /** Share of input columns with a single finite value (or none). */
  constantShare: z.number(),
  labels: z.object({ counts: z.record(z.string(), z.number().int().min(0)), missing: z.number().int().min(0).default(0) }),
  /** Per class with rows: the per-column mean of the inputs paired with that label. */
  classMeans: z.record(z.string(), z.array(Stat)),
  sample: z.array(z.object({ row: z.number().int(), label: z.number().int().nullable(), input: z.array(Stat) })).max(16),
});
export type Inspection = z.infer<typeof Inspection>;

// ---- the raw side ----

export interface RawStats {
  rows: number;
  features: FeatureStats[];
  labels: { counts: Record<string, number>; missing: number };
  classMeans: Record<string, (number | null)[]>;
  /** Mean η² over the varying features with the CSV's own pairing; null without two classes or a varying feature. */
  separation: number | null;
  /** The separation random labels give: the split's labels permuted among its rows, `permutations` times. */
  chance: { mean: number; sd: number; permutations: number; seed: number } | null;
  /** The separation when each row's features are paired with the label stored `offset` rows further down the CSV. */
  shifts: { offset: number; separation: number | null }[];
}

/**
 * The raw table, by rows (`features[row][f]`) or by columns (`columns[f][row]`, e.g. a DataTable's `features`); either
 * way indexed by CSV data row, and only the rows listed in `rows` are read.
 */
export type RawInput = {
  /** Every data row's label cell as stored (index = CSV data row); '' is a missing label. */
  labels: readonly string[];
  /** The split's row indices. */
  rows: readonly number[];
  /** Feature column names (default `x<i>`). */
  names?: readonly string[];
} & ({ features: readonly (readonly number[])[]; columns?: undefined } | { columns: readonly ArrayLike<number>[]; features?: undefined });

export interface RawStatsOptions {
  /** Label permutations for the chance level. @default 20 */
  permutations?: number;
  /** @default 1 */
  seed?: number;
  /** Shifts of ±1..±maxShift rows are tried. @default 3 */
  maxShift?: number;
}

/** A feature varies when its std is more than rounding noise relative to its mean. */
function varies(feature: FeatureStats | undefined): boolean {
  return !!feature && feature.std !== null && feature.mean !== null && feature.std > 1e-7 * Math.abs(feature.mean) && feature.std > 0;
}

/** Summarise one split of the raw table: per-feature stats, per-class means, the separation, chance and shifts. */
export function rawStats(input: RawInput, options: RawStatsOptions = {}): RawStats {
  const { permutations = 20, seed = 1, maxShift = 3 } = options;
  const rows = [...input.rows];
  const { features: byRow, columns } = input;
  const width = columns ? columns.length : (byRow[rows[0] ?? 0]?.length ?? input.names?.length ?? 0);
  for (const row of rows) {
    if (!Number.isInteger(row) || row < 0 || row >= input.labels.length) throw new Error(`row ${row} is not a data row (${input.labels.length} label cells)`);
    const length = columns ? (columns.every((column) => row < column.length) ? width : 0) : byRow[row]?.length;
    if (length !== width) throw new Error(`row ${row}: expected ${width} features, got ${length ?? 'no row'}`);
  }
  const at = columns ? (row: number, f: number) => (columns[f] as ArrayLike<number>)[row] as number : (row: number, f: number) => (byRow[row] as readonly number[])[f] as number;
  const names = input.names && input.names.length === width ? [...input.names] : Array.from({ length: width }, (_, i) => `x${i}`);

  // Class ids over every stored label (a shifted pairing reads labels of rows outside the split).
  const classOf = new Map<string, number>();
  const classNames: string[] = [];
  const ids = input.labels.map((cell) => {
    const label = cell.trim();
    if (label === '') return -1;
    let id = classOf.get(label);
    if (id === undefined) {
      id = classNames.length;
      classOf.set(label, id);
      classNames.push(label);
    }
    return id;
  });

  const features: FeatureStats[] = [];
  for (let f = 0; f < width; f++) {
    let n = 0, sum = 0, nan = 0, inf = 0, min = Infinity, max = -Infinity;
    for (const row of rows) {
      const v = at(row, f);
      if (Number.isNaN(v)) nan++;
      else if (!Number.isFinite(v)) inf++;
      else {
        n++;
        sum += v;
        if (v < min) min = v;
        if (v > max) max = v;
      }
    }
    const mean = n ? sum / n : null;
    let squares = 0;
    if (mean !== null) for (const row of rows) {
      const v = at(row, f);
      if (Number.isFinite(v)) squares += (v - mean) ** 2;
    }
    features.push({ name: names[f] as string, mean, std: n ? Math.sqrt(squares / n) : null, min: n ? min : null, max: n ? max : null, nan, inf });
  }

  const counts: Record<string, number> = {};
  let missing = 0;
  const classMeans: Record<string, (number | null)[]> = {};
  const sums = new Map<number, { n: number[]; sum: number[] }>();
  for (const row of rows) {
    const id = ids[row] as number;
    if (id < 0) {
      missing++;
      continue;
    }
    let acc = sums.get(id);
    if (!acc) sums.set(id, (acc = { n: new Array<number>(width).fill(0), sum: new Array<number>(width).fill(0) }));
    for (let f = 0; f < width; f++) {
      const v = at(row, f);
      if (Number.isFinite(v)) {
        (acc.n[f] as number)++;
        acc.sum[f] = (acc.sum[f] as number) + v;
      }
    }
  }
  for (const id of [...sums.keys()].sort((a, b) => compareLabels(classNames[a] as string, classNames[b] as string))) {
    const acc = sums.get(id) as { n: number[]; sum: number[] };
    const name = classNames[id] as string;
    counts[name] = rows.filter((row) => ids[row] === id).length;
    classMeans[name] = acc.sum.map((s, f) => ((acc.n[f] as number) ? s / (acc.n[f] as number) : null));
  }

  // Dense finite-or-NaN matrix of the varying features, for the many separations below.
  const used = features.map((feature, f) => (varies(feature) ? f : -1)).filter((f) => f >= 0);
  const matrix: Matrix = { values: new Float64Array(rows.length * used.length), rows: rows.length, width: used.length };
  rows.forEach((row, i) => used.forEach((f, j) => {
    const v = at(row, f);
    matrix.values[j * rows.length + i] = Number.isFinite(v) ? v : NaN;
  }));
  const pairedIds = rows.map((row) => ids[row] as number);
  const separation = separationOf(matrix, pairedIds, classNames.length);

  let chance: RawStats['chance'] = null;
  if (separation !== null && permutations > 1) {
    const random = seededRandom(seed);
    const labelled = pairedIds.map((id, i) => (id >= 0 ? i : -1)).filter((i) => i >= 0);
    const values: number[] = [];
    for (let p = 0; p < permutations; p++) {
      const permuted = pairedIds.slice();
      const drawn = shuffled(labelled.map((i) => pairedIds[i] as number), random);
      labelled.forEach((i, k) => (permuted[i] = drawn[k] as number));
      const value = separationOf(matrix, permuted, classNames.length);
      if (value !== null) values.push(value);
    }
    const mean = values.reduce((a, b) => a + b, 0) / values.length;
    const sd = Math.sqrt(values.reduce((a, b) => a + (b - mean) ** 2, 0) / Math.max(1, values.length - 1));
    chance = { mean, sd, permutations: values.length, seed };
  }

  const shifts: RawStats['shifts'] = [];
  for (let k = 1; k <= maxShift; k++) {
    for (const offset of [k, -k]) {
      const shiftedIds = rows.map((row) => (row + offset >= 0 && row + offset < ids.length ? (ids[row + offset] as number) : -1));
      shifts.push({ offset, separation: separationOf(matrix, shiftedIds, classNames.length) });
    }
  }
  return { rows: rows.length, features, labels: { counts, missing }, classMeans, separation, chance, shifts };
}

/** Class labels in numeric order when they are numbers ("2" < "10"), else in string order. */
function compareLabels(a: string, b: string): number {
  const x = Number(a), y = Number(b);
  return Number.isFinite(x) && Number.isFinite(y) ? x - y : a < b ? -1 : a > b ? 1 : 0;
}

/** Column-major rows × width values (column f is values[f * rows ..]); NaN = not a value. */
interface Matrix {
  values: Float64Array;
  rows: number;
  width: number;
}

/** Mean η² over the columns of `matrix` with rows labelled `ids` (-1 = none). */
function separationOf(matrix: Matrix, ids: readonly number[], classes: number): number | null {
  const { values, width } = matrix;
  if (!width) return null;
  let total = 0, counted = 0;
  const n = new Float64Array(classes), sum = new Float64Array(classes);
  for (let f = 0; f < width; f++) {
    n.fill(0);
    sum.fill(0);
    let all = 0, allSum = 0, allSquares = 0;
    for (let i = 0; i < matrix.rows; i++) {
      const id = ids[i] as number;
      const v = values[f * matrix.rows + i] as number;
      if (id < 0 || Number.isNaN(v)) continue;
      n[id] = (n[id] as number) + 1;
      sum[id] = (sum[id] as number) + v;
      all++;
      allSum += v;
      allSquares += v * v;
    }
    if (all < 2) continue;
    const mean = allSum / all;
    const variance = allSquares / all - mean * mean;
    if (!(variance > 1e-14 * Math.max(1, mean * mean))) continue;
    let between = 0, present = 0;
    for (let k = 0; k < classes; k++) {
      const size = n[k] as number;
      if (!size) continue;
      present++;
      between += size * ((sum[k] as number) / size - mean) ** 2;
    }
    if (present < 2) continue;
    total += Math.min(1, between / all / variance);
    counted++;
  }
  return counted ? total / counted : null;
}

/** The separation of inspected inputs, from their class means, class counts and per-feature mean/std. */
export function inspectedSeparation(inspection: Pick<Inspection, 'features' | 'classMeans' | 'labels'>): number | null {
  const classes = Object.entries(inspection.classMeans).map(([name, means]) => ({ n: inspection.labels.counts[name] ?? 0, means })).filter((c) => c.n > 0);
  if (classes.length < 2) return null;
  let total = 0, counted = 0;
  inspection.features.forEach((feature, f) => {
    if (!varies(feature)) return;
    let all = 0, weighted = 0;
    for (const c of classes) {
      const m = c.means[f];
      if (m === null || m === undefined) continue;
      all += c.n;
      weighted += c.n * m;
    }
    if (!all) return;
    const mean = weighted / all;
    let between = 0;
    for (const c of classes) {
      const m = c.means[f];
      if (m !== null && m !== undefined) between += c.n * (m - mean) ** 2;
    }
    total += Math.min(1, between / all / (feature.std as number) ** 2);
    counted++;
  });
  return counted ? total / counted : null;
}

// ---- the check ----

/** Where each rule draws its line (see the rules in preprocessingCheck). */
export const PREPROCESSING_THRESHOLDS = {
  /** (a) fail when at least this share of the features that vary in the raw split are constant as inputs (any: warn). */
  collapsedShare: 0.5,
  /** (c) the inputs' median feature std is off when it is more than `unitFactor` × away from 1 ... */
  unitFactor: 20,
  /** ... and more than `rawFactor` × away from the raw data's median std, in the same direction. */
  rawFactor: 4,
  /** (d) separation within this many permutation SDs of the chance mean: indistinguishable from random labels. */
  chanceZ: 4,
  /** (d) the inputs keep less than this share of the raw separation: the pairing in the trainer is broken. */
  keptShare: 0.2,
  /** (d) a neighbouring row's labels separate the classes at least this many times better than the stored ones ... */
  shiftGain: 2,
  /** ... and this many times better than random labels (the best of six offsets is a maximum: noise needs a margin). */
  shiftOverChance: 10,
} as const;
export type PreprocessingThresholds = { [K in keyof typeof PREPROCESSING_THRESHOLDS]: number };

interface Finding {
  rule: 'non-finite' | 'constant' | 'scale' | 'shifted-labels' | 'labels-at-chance' | 'pairing' | 'rows';
  verdict: Verdict;
  message: string;
}

const fmt = (x: number | null | undefined): string => (x === null || x === undefined ? 'n/a' : Number(x.toPrecision(3)).toString());
const times = (x: number): string => `${fmt(x)}×`;
const capped = (names: readonly string[], max = 8): string => (names.length > max ? `${names.slice(0, max).join(', ')}, … (${names.length})` : names.join(', '));

function median(values: readonly number[]): number | null {
  if (!values.length) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? (sorted[mid] as number) : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}

/**
 * The rules, each with the numbers that tripped it in its message:
 *  (a) `constant`: features that vary in the raw split but are constant as inputs. fail when ≥ collapsedShare of them
 *      (or every input is constant, or all zero); warn for fewer.
 *  (b) `non-finite`: any NaN or Inf among the inputs: fail (saying whether the raw split already has them).
 *  (c) `scale`: normalization applied twice, or a scale meant for other data. The inputs' median feature std s is
 *      compared with unit scale and with the raw data's median std r: fail when s < 1/unitFactor and s < r/rawFactor
 *      (far below both: digits ÷16 twice gives s = 0.017 from r = 4.3; ÷16 once gives 0.27, standardization 1), or
 *      s > unitFactor and s > rawFactor·r (far above both). A raw split that is already standardized and gets
 *      standardized again (s = 1) passes; so does data left unscaled (s = r).
 *  (d) labels against inputs, by class separation (mean η², see the file comment) with chance = the permutation
 *      mean ± SD of the raw split:
 *      `shifted-labels`: pairing each row's features with the label ±1..±3 rows away in the CSV separates the classes
 *        ≥ shiftGain × better than the stored pairing and ≥ shiftOverChance × better than random labels (and z ≥
 *        chanceZ): the CSV's label column is shifted. (The margin over chance matters: the best of six re-pairings of
 *        random labels reaches 4× chance now and then.) Needed because a shifted CSV need not be at chance: sklearn's digits come in runs 0,1,…,9, so
 *        30 % of labels shifted by one row still name a consistent (wrong) class and the separation stays at 0.031,
 *        4× chance, while shifting it back restores 0.31.
 *      `labels-at-chance` (absolute): the inputs' separation is within chanceZ SDs of chance: per-class input means
 *        differ no more than with random labels (also when the raw split is at chance: then the CSV itself pairs
 *        labels with the wrong rows, or the label says nothing about any single feature).
 *      `pairing` (relative): the raw split separates clearly (z ≥ chanceZ) but the inputs keep < keptShare of its
 *        separation: the trainer pairs labels with other rows' inputs (a shuffle of x or y alone), or its
 *        preprocessing erases what tells the classes apart.
 *  `rows`: the inspected split has a different number of rows than the raw one: warn (the comparison is off).
 */
export function preprocessingCheck(raw: RawStats, inspected: Inspection, overrides: Partial<PreprocessingThresholds> = {}): CheckResult {
  const t: PreprocessingThresholds = { ...PREPROCESSING_THRESHOLDS, ...overrides };
  const findings: Finding[] = [];
  const inputs = inspected.features;
  const sameFeatures = inputs.length === raw.features.length;

  if (inspected.rows !== raw.rows) {
    findings.push({ rule: 'rows', verdict: 'warn', message: `the inspected split ${inspected.split} has ${inspected.rows} rows, the raw one ${raw.rows}: the statistics may not compare.` });
  }

  // (b) NaN / Inf
  const nan = inputs.reduce((a, f) => a + f.nan, 0), inf = inputs.reduce((a, f) => a + f.inf, 0);
  const rawNonFinite = raw.features.reduce((a, f) => a + f.nan + f.inf, 0);
  const nonFiniteNames = inputs.filter((f) => f.nan + f.inf > 0).map((f) => f.name);
  if (nan + inf > 0) {
    const cause = rawNonFinite > 0 ? `the raw split already has ${rawNonFinite}` : 'the raw split has none, so the preprocessing makes them (a division by a zero std?)';
    findings.push({ rule: 'non-finite', verdict: 'fail', message: `the model's inputs hold ${nan} NaN and ${inf} Inf values, in ${nonFiniteNames.length} of ${inputs.length} features (${capped(nonFiniteNames)}); ${cause}.` });
  }

  // (a) constant / all zero
  const rawVarying = raw.features.filter(varies).length;
  const isConstant = (f: FeatureStats) => f.std === null || f.min === null || f.max === null || f.max <= f.min;
  const allZero = inputs.length > 0 && inputs.every((f) => f.min === 0 && f.max === 0);
  const collapsed = sameFeatures ? inputs.filter((f, i) => varies(raw.features[i]) && isConstant(f)).map((f) => f.name) : [];
  const allConstant = inputs.length > 0 && inputs.every(isConstant);
  if (rawVarying > 0 && (allZero || allConstant)) {
    findings.push({ rule: 'constant', verdict: 'fail', message: `${allZero ? 'the inputs are all zero' : 'every input feature is constant'} while ${rawVarying} of ${raw.features.length} raw features vary: the preprocessing wipes out the data.` });
  } else if (collapsed.length > 0) {
    const share = collapsed.length / rawVarying;
    findings.push({
      rule: 'constant',
      verdict: share >= t.collapsedShare ? 'fail' : 'warn',
      message: `${collapsed.length} of the ${rawVarying} features that vary in the raw split are constant as inputs (${capped(collapsed)})${share >= t.collapsedShare ? `: ${fmt(share * 100)} % ≥ ${fmt(t.collapsedShare * 100)} %` : ''}.`,
    });
  }

  // (c) scale
  const pairs = sameFeatures
    ? inputs.map((f, i) => [f, raw.features[i] as FeatureStats] as const).filter(([f, r]) => varies(r) && varies(f))
    : null;
  const inputStd = median((pairs ? pairs.map(([f]) => f) : inputs.filter(varies)).map((f) => f.std as number));
  const rawStd = median((pairs ? pairs.map(([, r]) => r) : raw.features.filter(varies)).map((f) => f.std as number));
  if (inputStd !== null && rawStd !== null && !allConstant) {
    const below = inputStd < 1 / t.unitFactor && inputStd < rawStd / t.rawFactor;
    const above = inputStd > t.unitFactor && inputStd > rawStd * t.rawFactor;
    if (below || above) {
      const rule = below
        ? `< 1/${t.unitFactor} of unit scale and < 1/${t.rawFactor} of the raw std`
        : `> ${t.unitFactor}× unit scale and > ${t.rawFactor}× the raw std`;
      findings.push({
        rule: 'scale',
        verdict: 'fail',
        message: `the inputs' median feature std is ${fmt(inputStd)}, ${times(below ? rawStd / inputStd : inputStd / rawStd)} ${below ? 'below' : 'above'} the raw data's ${fmt(rawStd)} and ${times(below ? 1 / inputStd : inputStd)} ${below ? 'below' : 'above'} unit scale (${rule}): normalization applied twice, or a scale meant for other data${inspected.preprocessing ? ` (preprocessing: ${inspected.preprocessing})` : ''}.`,
      });
    }
  }

  // (d) labels against inputs
  const rawSep = raw.separation;
  const inSep = inspectedSeparation(inspected);
  const chance = raw.chance;
  const sd = chance ? Math.max(chance.sd, 1e-3 * chance.mean, 1e-12) : 1;
  const z = (value: number | null) => (value === null || !chance ? null : (value - chance.mean) / sd);
  const chanceText = chance ? `random labels give ${fmt(chance.mean)} ± ${fmt(chance.sd)}` : '';
  const bestShift = raw.shifts.reduce<RawStats['shifts'][number] | null>((best, s) => (s.separation !== null && (best === null || (s.separation > (best.separation as number))) ? s : best), null);
  const shifted = bestShift !== null && rawSep !== null && chance !== null && (bestShift.separation as number) >= Math.max(t.shiftGain * rawSep, t.shiftOverChance * chance.mean) && (z(bestShift.separation) as number) >= t.chanceZ;
  if (shifted && bestShift) {
    const n = Math.abs(bestShift.offset);
    findings.push({
      rule: 'shifted-labels',
      verdict: 'fail',
      message: `labels look shifted by ${n} row${n > 1 ? 's' : ''} against their inputs in the CSV: pairing each row's features with the label ${n} row${n > 1 ? 's' : ''} ${bestShift.offset > 0 ? 'further down' : 'further up'} gives class separation ${fmt(bestShift.separation)}, the stored pairing ${fmt(rawSep)} (${chanceText}).`,
    });
  }
  const zIn = z(inSep), zRaw = z(rawSep);
  if (inSep !== null && zIn !== null && zIn < t.chanceZ) {
    const where = zRaw !== null && zRaw < t.chanceZ
      ? `the CSV's own pairing is at chance too (${fmt(rawSep)}): its labels do not belong to the rows they sit on, or no single feature tells the classes apart`
      : `the raw split separates at ${fmt(rawSep)}: the trainer pairs labels with other rows' inputs`;
    findings.push({
      rule: 'labels-at-chance',
      verdict: 'fail',
      message: `labels do not line up with inputs: the per-class means of the model's inputs barely differ (class separation ${fmt(inSep)}; ${chanceText}); ${where}.`,
    });
  } else if (inSep !== null && rawSep !== null && zRaw !== null && zRaw >= t.chanceZ && inSep < t.keptShare * rawSep) {
    findings.push({
      rule: 'pairing',
      verdict: 'fail',
      message: `the model's inputs keep ${fmt((inSep / rawSep) * 100)} % of the raw class separation (${fmt(inSep)} vs ${fmt(rawSep)}, below ${fmt(t.keptShare * 100)} %; ${chanceText}): the trainer pairs labels with other rows' inputs, or its preprocessing erases what tells the classes apart.`,
    });
  }

  const verdict = worstVerdict(findings.map((f) => f.verdict));
  const order: Record<Verdict, number> = { fail: 0, warn: 1, pass: 2 };
  const shown = [...findings].sort((a, b) => order[a.verdict] - order[b.verdict]);
  const summary = `${inspected.rows} rows × ${inputs.length} inputs of split ${inspected.split}: median std ${fmt(inputStd)} (raw ${fmt(rawStd)}), ${nan + inf} NaN/Inf, class separation ${fmt(inSep)} (raw ${fmt(rawSep)}${chance ? `, random labels ${fmt(chance.mean)}` : ''}).`;
  const message = shown.length
    ? shown.slice(0, 3).map((f) => f.message.charAt(0).toUpperCase() + f.message.slice(1)).join(' ') + (shown.length > 3 ? ` (+${shown.length - 3} more)` : '')
    : `The model's inputs look sane: ${summary}`;
  return {
    name: 'preprocessing',
    verdict,
    message,
    details: {
      findings: shown,
      split: inspected.split,
      rows: { raw: raw.rows, inputs: inspected.rows },
      features: { raw: raw.features.length, inputs: inputs.length, rawVarying, collapsed: collapsed.slice(0, 20) },
      scale: { rawMedianStd: rawStd, inputMedianStd: inputStd },
      nonFinite: { nan, inf, rawNonFinite, features: nonFiniteNames.slice(0, 20) },
      separation: { raw: rawSep, inputs: inSep, chance, shifts: raw.shifts, thresholds: t },
      preprocessing: inspected.preprocessing ?? null,
    },
  };
}

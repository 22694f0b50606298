/**
 * The `splits` check: valid and test must look alike, or a model chosen on valid is judged on other data. Labels:
 * Pearson's chi-square on the 2 × classes table. Features: the two-sample Kolmogorov–Smirnov test per column, with
 * a Bonferroni correction over the columns (one in a hundred alike columns would pass 0.01 by chance otherwise).
 * A difference is a warning that gives the numbers, not a failure: a small or grouped data set can differ by chance.
 */
import type { CheckResult } from '../data/check.js';
import { chiSquareHomogeneity, type ChiSquareResult } from './chiSquare.js';
import { ksTwoSample } from './ks.js';

export type FeatureColumns = Readonly<Record<string, readonly number[]>>;

export interface FeatureComparison {
  column: string;
  /** The KS statistic D: the largest gap between the two empirical CDFs. */
  statistic: number;
  pValue: number;
  /** min(1, p × columns tested). */
  adjustedPValue: number;
}

/** How many differing or closest columns the details keep: enough to act on, small for a workflow history. */
const DETAIL_COLUMNS = 10;

/** 0.00042 → "0.00042", 3.1e-9 → "3.1e-9": two significant digits, never a bare 0. */
export function formatP(p: number): string {
  if (p === 0) return '0';
  if (p >= 0.001) return String(Number(p.toPrecision(2)));
  return p.toExponential(1);
}

const finite = (values: readonly number[]): number[] => values.filter((v) => Number.isFinite(v));

function labelTest(validLabels: readonly string[], testLabels: readonly string[]): ChiSquareResult & { classes: string[]; valid: number[]; test: number[] } {
  const classes = [...new Set([...validLabels, ...testLabels])].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  const count = (labels: readonly string[]): number[] => classes.map((label) => labels.filter((l) => l === label).length);
  const valid = count(validLabels);
  const test = count(testLabels);
  return { ...chiSquareHomogeneity(valid, test), classes, valid, test };
}

/**
 * Features: the columns in validFeatures that testFeatures also has, one value per row of that split (non-finite
 * values are left out; a column with no values on either side is not tested). alpha: the level for the labels and,
 * after Bonferroni, for each column.
 */
export function compareSplits(
  validLabels: readonly string[],
  testLabels: readonly string[],
  validFeatures: FeatureColumns,
  testFeatures: FeatureColumns,
  alpha: number,
): CheckResult {
  if (!(alpha > 0 && alpha < 1)) throw new RangeError(`compareSplits: alpha must be in (0, 1) (got ${alpha})`);
  if (validLabels.length === 0 || testLabels.length === 0) {
    return {
      name: 'splits',
      verdict: 'pass',
      message: `nothing to compare: valid has ${validLabels.length} rows, test ${testLabels.length}`,
      details: { alpha, validRows: validLabels.length, testRows: testLabels.length },
    };
  }
  const labels = labelTest(validLabels, testLabels);
  const tested: Array<Omit<FeatureComparison, 'adjustedPValue'>> = [];
  for (const [column, validValues] of Object.entries(validFeatures)) {
    const testValues = testFeatures[column];
    if (testValues === undefined) continue;
    const a = finite(validValues);
    const b = finite(testValues);
    if (a.length === 0 || b.length === 0) continue;
    tested.push({ column, ...ksTwoSample(a, b) });
  }
  const features: FeatureComparison[] = tested
    .map((f) => ({ ...f, adjustedPValue: Math.min(1, f.pValue * tested.length) }))
    .sort((x, y) => x.pValue - y.pValue || y.statistic - x.statistic);
  const differing = features.filter((f) => f.adjustedPValue < alpha);
  const labelsDiffer = labels.pValue < alpha;

  const labelText = `labels chi-square ${labels.statistic.toFixed(2)} (df ${labels.df}, p ${formatP(labels.pValue)})`;
  const columnText = (f: FeatureComparison): string => `${f.column} KS D ${f.statistic.toFixed(3)} (p ${formatP(f.pValue)}, ${formatP(f.adjustedPValue)} after Bonferroni)`;
  const sizes = `valid (${validLabels.length} rows) and test (${testLabels.length} rows)`;
  const details = {
    alpha,
    validRows: validLabels.length,
    testRows: testLabels.length,
    labels: { statistic: labels.statistic, df: labels.df, pValue: labels.pValue, classes: labels.classes, valid: labels.valid, test: labels.test },
    featuresTested: features.length,
    differingFeatures: differing.slice(0, DETAIL_COLUMNS).map((f) => f.column),
    differingFeatureCount: differing.length,
    features: features.slice(0, DETAIL_COLUMNS),
  };
  if (!labelsDiffer && differing.length === 0) {
    const closest = features[0];
    const featureText = closest ? `; the most different of ${features.length} columns: ${columnText(closest)}` : '';
    return { name: 'splits', verdict: 'pass', message: `${sizes} look alike at alpha ${alpha}: ${labelText}${featureText}`, details };
  }
  const problems: string[] = [];
  if (labelsDiffer) problems.push(labelText);
  if (differing.length > 0) {
    const shown = differing.slice(0, 3).map(columnText).join('; ');
    const more = differing.length > 3 ? `; and ${differing.length - 3} more` : '';
    problems.push(`${differing.length} of ${features.length} columns: ${shown}${more}`);
  }
  return { name: 'splits', verdict: 'warn', message: `${sizes} differ at alpha ${alpha}: ${problems.join('; ')}`, details };
}

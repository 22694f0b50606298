/**
 * Is the test split big enough to measure the metric as precisely as the spec asks? A test accuracy is a proportion;
 * its Wilson score interval at n rows, around the accuracy we expect, has a half-width that shrinks with n. The
 * minimum test size is the smallest n whose half-width is within `evaluate.precision.halfWidth` at
 * `evaluate.precision.confidence`.
 *
 * The expected metric is the caller's: the goal's minimum accuracy when there is one (the value the run must be
 * measured precisely around), else 0.5, the worst case (p(1 - p) is largest there, so the size covers any accuracy).
 */
import type { CheckResult } from '../data/check.js';
import { normalQuantile } from './normal.js';

export interface TestPrecision {
  /** Half the width of the confidence interval, in metric units (0.02: ±2 points of accuracy). */
  halfWidth: number;
  /** 0.95: a 95% interval. */
  confidence: number;
}

function checkInputs(expected: number, precision: TestPrecision): number {
  if (!(expected >= 0 && expected <= 1)) throw new RangeError(`expected metric must be in [0, 1] (got ${expected})`);
  if (!(precision.halfWidth > 0 && precision.halfWidth < 0.5)) throw new RangeError(`halfWidth must be in (0, 0.5) (got ${precision.halfWidth})`);
  if (!(precision.confidence > 0 && precision.confidence < 1)) throw new RangeError(`confidence must be in (0, 1) (got ${precision.confidence})`);
  return normalQuantile(1 - (1 - precision.confidence) / 2);
}

/** Half the width of the Wilson score interval for proportion p observed on n trials, z the normal quantile. */
export function wilsonHalfWidth(p: number, n: number, z: number): number {
  return (z / (1 + (z * z) / n)) * Math.sqrt((p * (1 - p)) / n + (z * z) / (4 * n * n));
}

/**
 * The smallest n with wilsonHalfWidth(expected, n) <= halfWidth. The half-width falls as n grows (its derivative's
 * sign is that of p(1-p)(z² - n) - z²/2 < 0), so: solve the quadratic h²(n + z²)² = z²(p(1-p)n + z²/4) for its
 * larger root, then step to the exact integer.
 */
export function minimumTestSize(expected: number, halfWidth: number, confidence: number): number {
  const z = checkInputs(expected, { halfWidth, confidence });
  const pq = expected * (1 - expected);
  const h2 = halfWidth * halfWidth;
  const z2 = z * z;
  // h²n² + (2h²z² - z²pq)n + h²z⁴ - z⁴/4 = 0
  const b = 2 * h2 * z2 - z2 * pq;
  const c = h2 * z2 * z2 - (z2 * z2) / 4;
  const root = (-b + Math.sqrt(b * b - 4 * h2 * c)) / (2 * h2);
  let n = Math.max(1, Math.ceil(root));
  while (n > 1 && wilsonHalfWidth(expected, n - 1, z) <= halfWidth) n--;
  while (wilsonHalfWidth(expected, n, z) > halfWidth) n++;
  return n;
}

const percent = (x: number): string => `${Number((x * 100).toFixed(2))}%`;

/** The `test-size` gate: fail when the test split has fewer rows than the precision needs, with both numbers. */
export function testSizeCheck(n: number, expected: number, precision: TestPrecision): CheckResult {
  const z = checkInputs(expected, precision);
  const minimum = minimumTestSize(expected, precision.halfWidth, precision.confidence);
  const achieved = n > 0 ? wilsonHalfWidth(expected, n, z) : null;
  const details = { rows: n, minimum, expected, halfWidth: precision.halfWidth, confidence: precision.confidence, halfWidthAtRows: achieved };
  const target = `±${precision.halfWidth} at ${percent(precision.confidence)} confidence around an expected ${expected}`;
  if (n < minimum) {
    const reach = achieved === null ? '' : ` (${n} rows give ±${achieved.toFixed(4)})`;
    return { name: 'test-size', verdict: 'fail', message: `the test split has ${n} rows; ${target} needs at least ${minimum}${reach}`, details };
  }
  return { name: 'test-size', verdict: 'pass', message: `the test split has ${n} rows, at least the ${minimum} that ${target} needs`, details };
}

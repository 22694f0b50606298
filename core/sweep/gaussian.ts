/**
 * The normal-distribution functions TPE's truncated Gaussian kernels need, in plain double arithmetic (JavaScript has
 * no erf). Log forms are used wherever a tail probability could underflow: a kernel far from a candidate must give a
 * very negative log density, not log(0).
 */

const SQRT_PI = Math.sqrt(Math.PI);
const LOG_SQRT_2PI = 0.5 * Math.log(2 * Math.PI);

/** erf(x) by its everywhere-positive series 2/√π·e^(−x²)·Σ 2ⁿx^(2n+1)/(1·3·…·(2n+1)); used for |x| < 2. */
function erfSeries(x: number): number {
  let term = x;
  let sum = x;
  for (let n = 1; n < 200; n++) {
    term *= (2 * x * x) / (2 * n + 1);
    sum += term;
    if (Math.abs(term) <= Math.abs(sum) * 1e-17) break;
  }
  return (2 / SQRT_PI) * Math.exp(-x * x) * sum;
}

/** log erfc(x) for x ≥ 2 by Laplace's continued fraction erfc(x) = e^(−x²)/√π · 1/(x + ½/(x + 1/(x + 3/2/(x + …)))). */
function logErfcContinuedFraction(x: number): number {
  // Modified Lentz evaluation of K = x + a1/(x + a2/(x + …)), a_n = n/2.
  const tiny = 1e-300;
  let f = x;
  let c = x;
  let d = 0;
  for (let n = 1; n < 500; n++) {
    const a = n / 2;
    d = x + a * d;
    d = Math.abs(d) < tiny ? 1 / tiny : 1 / d;
    c = x + a / c;
    if (Math.abs(c) < tiny) c = tiny;
    const delta = c * d;
    f *= delta;
    if (Math.abs(delta - 1) < 1e-16) break;
  }
  return -x * x - Math.log(SQRT_PI * f);
}

/** log erfc(x) for x ≥ 0, without underflow. */
function logErfcNonNegative(x: number): number {
  return x < 2 ? Math.log1p(-erfSeries(x)) : logErfcContinuedFraction(x);
}

export function erfc(x: number): number {
  if (Number.isNaN(x)) return NaN;
  if (x < 0) return 2 - erfc(-x);
  return x < 2 ? 1 - erfSeries(x) : Math.exp(logErfcContinuedFraction(x));
}

/** Φ(z), the standard normal CDF. */
export function normalCdf(z: number): number {
  return 0.5 * erfc(-z / Math.SQRT2);
}

/** log Φ(z), accurate far into the lower tail. */
export function logNormalCdf(z: number): number {
  if (z === -Infinity) return -Infinity;
  if (z === Infinity) return 0;
  const t = -z / Math.SQRT2;
  return t >= 0 ? Math.log(0.5) + logErfcNonNegative(t) : Math.log1p(-0.5 * erfc(-t));
}

/** log φ(z), the standard normal log density. */
export function logNormalPdf(z: number): number {
  return -0.5 * z * z - LOG_SQRT_2PI;
}

/**
 * log(Φ(b) − Φ(a)) for a < b: the log probability of [a, b] under a standard normal. Split by sign as Optuna's
 * `_log_gauss_mass` does, so both tails stay accurate.
 */
export function logGaussMass(a: number, b: number): number {
  if (!(a < b)) return -Infinity;
  if (b <= 0) {
    const logB = logNormalCdf(b);
    return logB + Math.log1p(-Math.exp(logNormalCdf(a) - logB));
  }
  if (a >= 0) return logGaussMass(-b, -a);
  return Math.log1p(-normalCdf(a) - normalCdf(-b));
}

// Acklam's rational approximation of the normal quantile (relative error < 1.2e-9), then one Halley step.
const A = [-3.969683028665376e1, 2.209460984245205e2, -2.759285104469687e2, 1.38357751867269e2, -3.066479806614716e1, 2.506628277459239];
const B = [-5.447609879822406e1, 1.615858368580409e2, -1.556989798598866e2, 6.680131188771972e1, -1.328068155288572e1];
const C = [-7.784894002430293e-3, -3.223964580411365e-1, -2.400758277161838, -2.549732539343734, 4.374664141464968, 2.938163982698783];
const D = [7.784695709041462e-3, 3.224671290700398e-1, 2.445134137142996, 3.754408661907416];

function poly(coefficients: readonly number[], x: number): number {
  return coefficients.reduce((sum, c) => sum * x + c, 0);
}

/** Φ⁻¹(p) for p in [0, 1]: −Infinity at 0, Infinity at 1. */
export function normalQuantile(p: number): number {
  if (Number.isNaN(p) || p < 0 || p > 1) return NaN;
  if (p === 0) return -Infinity;
  if (p === 1) return Infinity;
  const low = 0.02425;
  let x: number;
  if (p < low) {
    const q = Math.sqrt(-2 * Math.log(p));
    x = poly(C, q) / (poly(D, q) * q + 1);
  } else if (p <= 1 - low) {
    const q = p - 0.5;
    const r = q * q;
    x = (poly(A, r) * q) / (poly(B, r) * r + 1);
  } else {
    const q = Math.sqrt(-2 * Math.log1p(-p));
    x = -poly(C, q) / (poly(D, q) * q + 1);
  }
  // Halley refinement against the exact CDF brings the error to a few ulps.
  const e = normalCdf(x) - p;
  const u = e * Math.sqrt(2 * Math.PI) * Math.exp((x * x) / 2);
  return x - u / (1 + (x * u) / 2);
}

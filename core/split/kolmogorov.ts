/**
 * The survival function of D_n, the two-sided one-sample Kolmogorov–Smirnov statistic for n samples:
 * P(D_n > x). This is scipy.stats.kstwo.sf, which ks_2samp(method='asymp') evaluates at n = round(m·n/(m+n)) (see
 * ks.ts), so the same algorithms are used, chosen by Simard & L'Ecuyer's (2011) rules as scipy does:
 *   - Ruben–Gambino closed forms at the ends (x <= 1/n, x >= 1 - 1/n);
 *   - twice the one-sided Smirnov tail when x >= 0.5 (exact there) or the tail is small (n·x² large);
 *   - otherwise 1 - CDF, the CDF by the Durbin matrix (Marsaglia–Tsang–Wang), Pomeranz's recursion or, for large n,
 *     the Pelz–Good expansion.
 * Doubles throughout (scipy uses double-double in the Smirnov sum): agreement is to about 1e-12 relative.
 */

const E128 = 2 ** 128;
const EM128 = 2 ** -128;
const MIN_LOG = -708;
/** cephes MINLOG: exp() of anything below underflows. */
const CEPHES_MINLOG = -708.3964185322641;
const SMIRNOV_MAX_COMPUTE_N = 1_000_000;
const STIRLING = [
  -2.955065359477124183e-2, 6.4102564102564102564e-3, -1.9175269175269175269e-3, 8.4175084175084175084e-4,
  -5.952380952380952381e-4, 7.9365079365079365079e-4, -2.7777777777777777778e-3, 8.3333333333333333333e-2,
];

const clip = (p: number): number => Math.min(1, Math.max(0, p));

/** x · 2^e without overflowing in 2^e when x is tiny or huge. */
function ldexp(x: number, e: number): number {
  let out = x;
  let left = e;
  while (left > 1000) {
    out *= 2 ** 1000;
    left -= 1000;
  }
  while (left < -1000) {
    out *= 2 ** -1000;
    left += 1000;
  }
  return out * 2 ** left;
}

/** log(n! / n^n) by Stirling's series, without forming n·log(n). */
function logFactorialOverPower(n: number): number {
  const rn = 1 / n;
  let poly = 0;
  for (const c of STIRLING) poly = poly * (rn / n) + c;
  return Math.log(n) / 2 - n + Math.log(2 * Math.PI) / 2 + rn * poly;
}

/** floor(n·x) and the remainder, exactly (Dekker's two-product), so x = k/n is recognised as such. */
function floorProduct(n: number, x: number): { floor: number; alpha: number } {
  const product = n * x;
  const split = (a: number): [number, number] => {
    const c = 134217729 * a; // 2^27 + 1
    const high = c - (c - a);
    return [high, a - high];
  };
  const [nh, nl] = split(n);
  const [xh, xl] = split(x);
  const error = nh * xh - product + nh * xl + nl * xh + nl * xl;
  let floor = Math.floor(product);
  let alpha = product - floor + error;
  if (alpha < 0) {
    floor -= 1;
    alpha += 1;
  }
  if (alpha >= 1) {
    floor += 1;
    alpha = 0;
  }
  return { floor, alpha };
}

/**
 * P(D+_n > x), the one-sided Smirnov tail (scipy.special.smirnov), by the Birnbaum–Tingey sum
 *   x · Σ_{v=0}^{⌊n(1-x)⌋} C(n,v) (x + v/n)^(v-1) (1 - x - v/n)^(n-v)
 * in logarithms, whose terms are all positive.
 */
export function smirnovSf(n: number, x: number): number {
  if (!(n > 0 && x >= 0 && x <= 1)) return Number.NaN;
  if (n === 1) return 1 - x;
  if (x === 0) return 1;
  if (x === 1) return 0;
  const { floor: nxFloor, alpha } = floorProduct(n, x);
  if (nxFloor === 0 || (nxFloor === 1 && alpha === 0)) return clip(1 - x * (1 + x) ** (n - 1));
  if (-2 * n * x * x < CEPHES_MINLOG) return 0;
  if (nxFloor >= n - 1) return clip((1 - x) ** n);
  if (n > SMIRNOV_MAX_COMPUTE_N) return clip(Math.exp(-((6 * n * x + 1) ** 2) / 18 / n));
  // v = 0 … ⌊n(1-x)⌋, less the last term when n·x is whole (its base 1 - x - v/n is 0): n - ⌊nx⌋ terms either way.
  const count = n - nxFloor;
  let logBinomial = 0;
  let sum = 0;
  for (let v = 0; v < count; v++) {
    const logTerm = logBinomial + (n - v) * Math.log((n - v) / n - x) + (v - 1) * Math.log(x + v / n);
    const term = Math.exp(logTerm);
    sum += term;
    // The terms fall off fast past their peak: stop once the rest cannot move the sum.
    if (term > 0 && 4 * (count - v) * term < Number.EPSILON * sum && v !== count - 1) break;
    logBinomial += Math.log((n - v) / (v + 1));
  }
  return clip(x * sum);
}

/** P(D_n <= d) by the Durbin matrix, as Marsaglia, Tsang and Wang compute it; for small n·d. */
function durbinCdf(n: number, d: number): number {
  if (d >= 1) return 1;
  const nd = n * d;
  if (nd <= 0.5) return 0;
  const k = Math.ceil(nd);
  const h = k - nd;
  const m = 2 * k - 1;
  const v = new Float64Array(m);
  const w = new Float64Array(m);
  let factorial = 1;
  for (let j = 1; j <= m; j++) {
    w[j - 1] = factorial;
    factorial /= j;
    v[j - 1] = (1 - h ** j) * factorial;
  }
  v[m - 1] = (1 + (Math.max(2 * h - 1, 0) ** m - 2 * h ** m)) * factorial;
  let H: Float64Array = new Float64Array(m * m);
  for (let i = 1; i < m; i++) for (let r = i - 1; r < m; r++) H[r * m + i] = w[r - i + 1] as number;
  for (let r = 0; r < m; r++) H[r * m] = v[r] as number;
  for (let c = 0; c < m; c++) H[(m - 1) * m + c] = v[m - 1 - c] as number;

  const multiply = (a: Float64Array, b: Float64Array): Float64Array => {
    const out = new Float64Array(m * m);
    for (let i = 0; i < m; i++) {
      for (let l = 0; l < m; l++) {
        const ail = a[i * m + l] as number;
        if (ail === 0) continue;
        for (let j = 0; j < m; j++) out[i * m + j] = (out[i * m + j] as number) + ail * (b[l * m + j] as number);
      }
    }
    return out;
  };
  let power: Float64Array = new Float64Array(m * m);
  for (let i = 0; i < m; i++) power[i * m + i] = 1;
  let exponent = 0;
  let hExponent = 0;
  for (let left = n; left > 0; left = Math.floor(left / 2)) {
    if (left % 2 === 1) {
      power = multiply(power, H);
      exponent += hExponent;
    }
    H = multiply(H, H);
    hExponent *= 2;
    if (Math.abs(H[(k - 1) * m + (k - 1)] as number) > E128) {
      for (let i = 0; i < H.length; i++) H[i] = (H[i] as number) / E128;
      hExponent += 128;
    }
  }
  let p = power[(k - 1) * m + (k - 1)] as number;
  for (let i = 1; i <= n; i++) {
    p = (i * p) / n;
    if (Math.abs(p) < EM128) {
      p *= E128;
      exponent -= 128;
    }
  }
  return clip(exponent === 0 ? p : ldexp(p, exponent));
}

/** The band of row i of Pomeranz's recursion where the entries can be non-zero. */
function pomeranzBand(i: number, n: number, ll: number, ceilf: number, roundf: number): [number, number] {
  let j1: number;
  let j2: number;
  if (i === 0) {
    j1 = -ll - ceilf - 1;
    j2 = ll + ceilf - 1;
  } else {
    const half = Math.floor((i + 1) / 2);
    if ((i + 1) % 2 === 0) {
      if (half === n + 1) {
        j1 = n - ll - ceilf - 1;
        j2 = n + ll + ceilf - 1;
      } else {
        j1 = half - 1 - ll - roundf - 1;
        j2 = half + ll - 1 + ceilf - 1;
      }
    } else {
      j1 = half - 1 - ll - 1;
      j2 = half + ll + roundf - 1;
    }
  }
  return [Math.max(j1 + 2, 0), Math.min(j2, n)];
}

/** P(D_n <= x) by Pomeranz's recursion (1974): rows of Poisson-like convolutions, scaled against underflow. */
function pomeranzCdf(n: number, x: number): number {
  const t = n * x;
  const ll = Math.floor(t);
  const f = t - ll;
  const g = Math.min(f, 1 - f);
  const ceilf = f > 0 ? 1 : 0;
  const roundf = f > 0.5 ? 1 : 0;
  const size = 2 * (ll + 1);
  const gPower = new Float64Array(size);
  const twoGPower = new Float64Array(size);
  const oneMinusTwoGPower = new Float64Array(size);
  gPower[0] = twoGPower[0] = oneMinusTwoGPower[0] = 1;
  for (let m = 1; m < size; m++) {
    gPower[m] = ((gPower[m - 1] as number) * (g / n)) / m;
    twoGPower[m] = ((twoGPower[m - 1] as number) * ((2 * g) / n)) / m;
    oneMinusTwoGPower[m] = ((oneMinusTwoGPower[m - 1] as number) * ((1 - 2 * g) / n)) / m;
  }
  let v0 = new Float64Array(size);
  let v1 = new Float64Array(size);
  v1[0] = 1;
  let v0Start = 0;
  let v1Start = 0;
  let exponent = 0;
  let [j1, j2] = pomeranzBand(0, n, ll, ceilf, roundf);
  for (let i = 1; i < 2 * n + 2; i++) {
    const k1 = j1;
    [v0, v1] = [v1, v0];
    [v0Start, v1Start] = [v1Start, v0Start];
    v1.fill(0);
    [j1, j2] = pomeranzBand(i, n, ll, ceilf, roundf);
    const powers = i === 1 || i === 2 * n + 1 ? gPower : i % 2 === 1 ? twoGPower : oneMinusTwoGPower;
    const length = j2 - k1 + 1;
    if (length > 0) {
      const from = k1 - v0Start;
      const aLength = Math.min(length, size - from);
      const bLength = Math.min(length, size);
      const convStart = j1 - k1;
      const convLength = j2 - j1 + 1;
      let largest = 0;
      for (let out = 0; out < convLength; out++) {
        const at = convStart + out;
        let sum = 0;
        for (let a = Math.max(0, at - bLength + 1); a <= Math.min(at, aLength - 1); a++) sum += (v0[from + a] as number) * (powers[at - a] as number);
        v1[out] = sum;
        largest = Math.max(largest, sum);
      }
      if (largest > 0 && largest < EM128) {
        for (let out = 0; out < size; out++) v1[out] = (v1[out] as number) * E128;
        exponent -= 128;
      }
      v1Start = v0Start + j1 - k1;
    }
  }
  let answer = v1[n - v1Start] as number;
  for (let m = 1; m <= n; m++) {
    if (Math.abs(answer) > E128) {
      answer *= EM128;
      exponent += 128;
    }
    answer *= m;
  }
  return clip(exponent === 0 ? answer : ldexp(answer, exponent));
}

/** P(D_n <= x) by the Pelz–Good (1976) expansion of the Li-Chien–Korolyuk series; for large n. */
function pelzGoodCdf(n: number, x: number): number {
  if (x <= 0) return 0;
  if (x >= 1) return 1;
  const z = Math.sqrt(n) * x;
  const z2 = z ** 2;
  const z3 = z ** 3;
  const z4 = z ** 4;
  const z6 = z ** 6;
  const pi2 = Math.PI ** 2;
  const pi4 = Math.PI ** 4;
  const pi6 = Math.PI ** 6;
  const qLog = -pi2 / 8 / z2;
  if (qLog < MIN_LOG) return 0;
  let q = Math.exp(qLog);
  const k1a = -z2;
  const k1b = pi2 / 4;
  const k2a = 6 * z6 + 2 * z4;
  const k2b = ((2 * z4 - 5 * z2) * pi2) / 4;
  const k2c = (pi4 * (1 - 2 * z2)) / 16;
  const k3d = (pi6 * (5 - 30 * z2)) / 64;
  const k3c = (pi4 * (-60 * z2 + 212 * z4)) / 16;
  const k3b = (pi2 * (135 * z4 - 96 * z6)) / 4;
  const k3a = -30 * z6 - 90 * z ** 8;
  const K = [0, 0, 0, 0];
  const maxK = Math.ceil((16 * z) / Math.PI);
  for (let k = maxK; k > 0; k--) {
    const m = 2 * k - 1;
    const m2 = m ** 2;
    const m4 = m ** 4;
    const m6 = m ** 6;
    const qPower = q ** (8 * k);
    const coefficients = [1, k1a + k1b * m2, k2a + k2b * m2 + k2c * m4, k3a + k3b * m2 + k3c * m4 + k3d * m6];
    for (let i = 0; i < 4; i++) K[i] = (K[i] as number) * qPower + (coefficients[i] as number);
  }
  const divisors = [z, 6 * z4, 72 * z ** 7, 6480 * z ** 10];
  for (let i = 0; i < 4; i++) K[i] = ((K[i] as number) * q * Math.sqrt(2 * Math.PI)) / (divisors[i] as number);
  q = Math.exp(-pi2 / 2 / z2);
  let k2Extra = 0;
  let k3Extra = 0;
  const root3z = Math.sqrt(3) * z;
  for (let k = maxK; k > 0; k--) {
    const qk = q ** (k * k);
    k2Extra += k * k * qk;
    k3Extra += (root3z + Math.PI * k) * (root3z - Math.PI * k) * k * k * qk;
  }
  K[2] = (K[2] as number) + (k2Extra * pi2 * Math.sqrt(2 * Math.PI)) / (-36 * z3);
  K[3] = (K[3] as number) + (k3Extra * pi2 * Math.sqrt(2 * Math.PI)) / (216 * z6);
  let sum = 0;
  for (let i = 0; i < 4; i++) sum += (K[i] as number) / n ** (i / 2);
  return sum;
}

/** P(D_n > x) for the two-sided one-sample statistic with n samples (scipy.stats.kstwo(n).sf(x)). */
export function kolmogorovSf(n: number, x: number): number {
  if (!Number.isInteger(n) || n < 1) throw new RangeError(`kolmogorovSf: n must be a positive integer (got ${n})`);
  if (Number.isNaN(x)) return Number.NaN;
  if (x <= 0.5 / n) return 1;
  if (x >= 1) return 0;
  const t = n * x;
  if (t <= 1) {
    const base = 2 * t - 1;
    let cdf: number;
    if (n <= 140) {
      cdf = 1;
      for (let i = 1; i <= n; i++) cdf *= i * (1 / n) * base;
    } else {
      cdf = Math.exp(logFactorialOverPower(n) + n * Math.log(base));
    }
    return clip(1 - cdf);
  }
  if (t >= n - 1) return clip(2 * (1 - x) ** n);
  if (x >= 0.5) return clip(2 * smirnovSf(n, x));
  const nx2 = t * x;
  if (n <= 140) {
    if (nx2 <= 0.754693) return clip(1 - durbinCdf(n, x));
    if (nx2 <= 4) return clip(1 - pomeranzCdf(n, x));
    return clip(2 * smirnovSf(n, x));
  }
  if (nx2 >= 370) return 0;
  if (nx2 >= 2.2) return clip(2 * smirnovSf(n, x));
  // Below z = 0.16 (with Kolmogorov's 1/(6√n) shift) the CDF is under 1e-17, so the SF is 1 in doubles: skip the
  // Durbin matrix, which for n near 100 000 is a 100 × 100 matrix raised to the n-th power.
  if (Math.sqrt(n) * x + 1 / (6 * Math.sqrt(n)) < 0.16) return 1;
  const cdf = n <= 100_000 && n * x ** 1.5 <= 1.4 ? durbinCdf(n, x) : pelzGoodCdf(n, x);
  return clip(1 - cdf);
}

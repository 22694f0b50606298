/**
 * All pairs of points within an RMS distance of each other, without comparing every pair. The points are projected
 * on their first principal directions: a projection never lengthens a distance, so after sorting by the first
 * projection only a narrow window of neighbours can qualify, and the next two projections rule out most of those
 * before the full distance is summed (which itself stops as soon as it is too long). Pure and deterministic.
 */

/** Enough directions to prune well; more cost more than they save. */
const DIRECTIONS = 3;
/** Power iterations per direction: the directions need only be good, not exact (any unit vector gives a valid bound). */
const ITERATIONS = 20;
/** The directions are estimated on at most this many rows (evenly spaced): plenty for three directions. */
const SAMPLE = 2000;

/** Orthonormal directions of large variance of the rows of `points` (n × p, row-major, already centred). */
export function principalDirections(points: Float64Array, n: number, p: number, count: number): Float64Array[] {
  const directions: Float64Array[] = [];
  const scores = new Float64Array(n);
  for (let k = 0; k < Math.min(count, p); k++) {
    // A fixed, uneven start: the same directions on every run, and never orthogonal to all the data by symmetry.
    let v = new Float64Array(p).map((_, j) => 1 + ((j * 7919 + k * 104729) % 101) / 101);
    for (let it = 0; it < ITERATIONS; it++) {
      for (const d of directions) orthogonalize(v, d);
      if (!normalize(v)) break;
      for (let i = 0; i < n; i++) {
        let s = 0;
        const base = i * p;
        for (let j = 0; j < p; j++) s += (points[base + j] as number) * (v[j] as number);
        scores[i] = s;
      }
      const next = new Float64Array(p);
      for (let i = 0; i < n; i++) {
        const s = scores[i] as number;
        const base = i * p;
        for (let j = 0; j < p; j++) next[j] = (next[j] as number) + s * (points[base + j] as number);
      }
      v = next;
    }
    for (const d of directions) orthogonalize(v, d);
    if (!normalize(v)) {
      // The data has no variance left off the directions found so far: any unit vector orthogonal to them still bounds.
      v = new Float64Array(p);
      v[k] = 1;
      for (const d of directions) orthogonalize(v, d);
      if (!normalize(v)) break;
    }
    directions.push(v);
  }
  return directions;
}

function orthogonalize(v: Float64Array, d: Float64Array): void {
  let dot = 0;
  for (let j = 0; j < v.length; j++) dot += (v[j] as number) * (d[j] as number);
  for (let j = 0; j < v.length; j++) v[j] = (v[j] as number) - dot * (d[j] as number);
}

function normalize(v: Float64Array): boolean {
  let norm = 0;
  for (const x of v) norm += x * x;
  norm = Math.sqrt(norm);
  if (!(norm > 1e-12)) return false;
  for (let j = 0; j < v.length; j++) v[j] = (v[j] as number) / norm;
  return true;
}

/**
 * Calls `visit(a, b, rms)` with a < b for every pair of rows whose RMS distance (root of the mean squared coordinate
 * difference) is at most `threshold`. Pairs come in no particular order.
 */
export function nearPairs(points: Float64Array, n: number, p: number, threshold: number, visit: (a: number, b: number, rms: number) => void): void {
  if (n < 2 || p === 0) return;
  const limit = threshold * threshold * p; // on the sum of squares
  const radius = Math.sqrt(limit);
  // Rounding must not let the bounds rule out a pair the full sum would keep.
  const slack = 1e-9 * limit + 1e-12;
  const step = Math.max(1, Math.ceil(n / SAMPLE));
  const sample = step === 1 ? points : new Float64Array(Math.ceil(n / step) * p).map((_, k) => points[(Math.floor(k / p) * step) * p + (k % p)] as number);
  const directions = principalDirections(sample, sample.length / p, p, DIRECTIONS);
  const projections = directions.map((d) => {
    const out = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      let s = 0;
      const base = i * p;
      for (let j = 0; j < p; j++) s += (points[base + j] as number) * (d[j] as number);
      out[i] = s;
    }
    return out;
  });
  const first = projections[0] ?? new Float64Array(n);
  const rest = projections.slice(1);
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => (first[a] as number) - (first[b] as number) || a - b);
  for (let x = 0; x < n; x++) {
    const i = order[x] as number;
    const pi = first[i] as number;
    const baseI = i * p;
    for (let y = x + 1; y < n; y++) {
      const j = order[y] as number;
      const d0 = (first[j] as number) - pi;
      if (d0 > radius + slack) break; // sorted: every later row is farther along the first direction
      let bound = d0 * d0;
      for (const proj of rest) {
        const d = (proj[j] as number) - (proj[i] as number);
        bound += d * d;
      }
      if (bound > limit + slack) continue;
      let sum = 0;
      const baseJ = j * p;
      for (let c = 0; c < p && sum <= limit; c++) {
        const d = (points[baseI + c] as number) - (points[baseJ + c] as number);
        sum += d * d;
      }
      if (sum <= limit) visit(Math.min(i, j), Math.max(i, j), Math.sqrt(sum / p));
    }
  }
}

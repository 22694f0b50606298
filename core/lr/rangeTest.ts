/**
 * Reads an LR range test the way fastai's `Learner.lr_find` does, and says whether to trust it.
 *
 * Source matched: fastai 2.8.12 — fastai/learner.py (`AvgSmoothLoss`, `Recorder.after_batch`) and
 * fastai/callback/schedule.py (`LRFinder.after_batch`, `lr_find`, `valley`, `slide`, `minimum`, `steep`).
 *   1. Smooth: val = lerp(loss, val, beta); smoothed = val / (1 - beta^count)  (bias-corrected EMA).
 *   2. Record until the smoothed loss exceeds `divergeFactor` × the best so far; that point is still recorded,
 *      as fastai's Recorder runs before LRFinder stops the fit. Only the first `numIt` points are read.
 *   3. Trim as lr_find does: drop the first floor(numIt / 10) and the last `skipEnd` (5) recorded points.
 *   4. Cut at the first point whose smoothed loss is not finite (fastai cuts at the first NaN).
 *   5. Run the four suggestion functions on what is left.
 * Where this differs from fastai: a ±Infinity loss always ends the recording (fastai keeps going while its best is
 * infinite); the divergence test needs a positive best loss (fastai's `> 4 × best` fires at once on negative
 * losses); the whole computation is float64 (fastai's tensors are float32).
 */
import { z } from 'zod';

import { parseOptions } from '../schedule/oneCycle.js';

// ---------------------------------------------------------------------------------------------------------------
// fastai's four suggestions, ported line for line from fastai/callback/schedule.py. Each takes the trimmed lrs
// and smoothed losses that lr_find passes and returns the suggested lr, or null where fastai would raise.

/** Python's `xs[i]` with negative indices counting from the end. */
function at(xs: readonly number[], i: number): number {
  return xs[i < 0 ? xs.length + i : i] as number;
}

/** Index of the first smallest value (torch.argmin breaks ties by the first index). */
function argmin(xs: readonly number[]): number {
  let best = 0;
  for (let i = 1; i < xs.length; i++) if ((xs[i] as number) < (xs[best] as number)) best = i;
  return best;
}

/** `numpy.gradient` with unit spacing and first-order edges. */
export function gradient(f: readonly number[]): number[] {
  const n = f.length;
  if (n < 2) throw new RangeError('gradient needs at least 2 values');
  const out = new Array<number>(n);
  out[0] = (f[1] as number) - (f[0] as number);
  out[n - 1] = (f[n - 1] as number) - (f[n - 2] as number);
  for (let i = 1; i < n - 1; i++) out[i] = ((f[i + 1] as number) - (f[i - 1] as number)) / 2.0;
  return out;
}

/** The lr about 2/3 down the longest strictly decreasing run of losses (ESRI's "valley"; fastai's default). */
export function valley(lrs: readonly number[], losses: readonly number[]): number | null {
  const n = losses.length;
  if (n === 0) return null;
  let maxStart = 0;
  let maxEnd = 0;
  // Longest decreasing subsequence ending at each i, O(n²) exactly as fastai does it.
  const lds = new Array<number>(n).fill(1);
  for (let i = 1; i < n; i++) {
    for (let j = 0; j < i; j++) {
      if ((losses[i] as number) < (losses[j] as number) && (lds[i] as number) < (lds[j] as number) + 1) {
        lds[i] = (lds[j] as number) + 1;
      }
      if ((lds[maxEnd] as number) < (lds[i] as number)) {
        maxEnd = i;
        maxStart = maxEnd - (lds[maxEnd] as number);
      }
    }
  }
  const sections = (maxEnd - maxStart) / 3;
  // maxStart can be -1, and so can idx; Python then reads the last element, and so do we.
  const idx = maxStart + Math.trunc(sections) + Math.trunc(sections / 2);
  return at(lrs, idx);
}

/** Andrew Chang's interval slide rule: walk left until the loss gradient stops changing by more than `thresh`. */
export function slide(
  lrs: readonly number[],
  losses: readonly number[],
  lrDiff = 15,
  thresh = 0.005,
  adjustValue = 1,
): number | null {
  // fastai reads lrs[-1 - lrDiff] before the loop: fewer points raise IndexError there.
  if (losses.length < lrDiff + 1 || losses.length < 2) return null;
  const lossGrad = gradient(losses);
  let rIdx = -1;
  let lIdx = rIdx - lrDiff;
  let localMinLr = at(lrs, lIdx);
  while (lIdx >= -losses.length && Math.abs(at(lossGrad, rIdx) - at(lossGrad, lIdx)) > thresh) {
    localMinLr = at(lrs, lIdx);
    rIdx -= 1;
    lIdx -= 1;
  }
  return localMinLr * adjustValue;
}

/** One tenth of the lr with the smallest loss. */
export function minimum(lrs: readonly number[], losses: readonly number[]): number | null {
  if (losses.length === 0) return null;
  return at(lrs, argmin(losses)) / 10;
}

/** The lr at the start of the steepest descent, slope measured against log(lr). */
export function steep(lrs: readonly number[], losses: readonly number[]): number | null {
  if (losses.length < 2) return null;
  const grads: number[] = [];
  for (let i = 0; i + 1 < losses.length; i++) {
    grads.push(((losses[i + 1] as number) - (losses[i] as number)) / (Math.log(lrs[i + 1] as number) - Math.log(lrs[i] as number)));
  }
  return at(lrs, argmin(grads));
}

// ---------------------------------------------------------------------------------------------------------------
// The analysis.

/** One batch of the range test, as the trainer reports it. `loss` may be NaN or ±Infinity (a diverged batch). */
export interface LrPoint {
  lr: number;
  loss: number;
}

/** A point of the trimmed curve: the raw loss and the smoothed loss the suggestions read. */
export interface LrCurvePoint {
  lr: number;
  loss: number;
  smoothed: number;
}

/** Suggested learning rates; null where the curve is too short for that method. */
export interface LrSuggestions {
  valley: number | null;
  steep: number | null;
  minimum: number | null;
  slide: number | null;
}

export interface LrRangeTestAnalysis {
  suggestions: LrSuggestions;
  /** False when any check failed; `reasons` then says which, in plain English. */
  trustworthy: boolean;
  reasons: string[];
  /** The curve the suggestions were computed on (smoothed, cut at divergence, trimmed). */
  curve: LrCurvePoint[];
}

const int = (min: number) => z.number({ error: 'must be a whole number' }).int('must be a whole number').min(min, `must be at least ${min}`);

export const LrRangeTestOptions = z.strictObject({
  /** Smooth the losses with fastai's bias-corrected EMA; false when they are smoothed already. @default true */
  smooth: z.boolean({ error: 'must be true or false' }).default(true),
  /** EMA factor (fastai's Recorder `beta`). @default 0.98 */
  beta: z.number({ error: 'must be a number' }).min(0, 'must be in [0, 1)').lt(1, 'must be in [0, 1)').default(0.98),
  /** Stop at the first smoothed loss above this multiple of the best one. @default 4 */
  divergeFactor: z.number({ error: 'must be a number' }).gt(1, 'must be greater than 1').default(4),
  /** Iterations the test planned (fastai's `num_it`), which sets how many leading points are dropped.
   * @default the number of points */
  numIt: int(1).optional(),
  /** Recorded points dropped from the end, as lr_find drops 5. @default 5 */
  skipEnd: int(0).default(5),
  /** Fewest curve points a trustworthy test has. @default 20 */
  minPoints: int(2).default(20),
  /** Smallest relative fall from the first to the best smoothed loss a trustworthy test shows. @default 0.1 */
  minDrop: z.number({ error: 'must be a number' }).gt(0, 'must be in (0, 1)').lt(1, 'must be in (0, 1)').default(0.1),
  /** The fall must exceed this many standard deviations of batch-to-batch noise in the raw loss. @default 3 */
  noiseFactor: z.number({ error: 'must be a number' }).min(0, 'must not be negative').default(3),
  /** fastai `slide`'s `lr_diff`, `thresh` and `adjust_value`. @default 15, 0.005, 1 */
  slideLrDiff: int(1).default(15),
  slideThresh: z.number({ error: 'must be a number' }).min(0, 'must not be negative').default(0.005),
  slideAdjust: z.number({ error: 'must be a number' }).positive('must be positive').default(1),
});
export type LrRangeTestOptions = z.input<typeof LrRangeTestOptions>;

// zod's z.number() refuses NaN and ±Infinity, but a diverged batch legitimately reports them.
const anyNumber = z.custom<number>((v) => typeof v === 'number', { error: 'must be a number' });
const LrPoints = z
  .array(
    z.object({
      lr: z.number({ error: 'must be a finite number' }).positive('must be positive'),
      loss: anyNumber,
    }),
    { error: 'must be an array of {lr, loss}' },
  )
  .superRefine((points, ctx) => {
    for (let i = 1; i < points.length; i++) {
      const previous = (points[i - 1] as LrPoint).lr;
      const lr = (points[i] as LrPoint).lr;
      if (!(lr > previous)) {
        ctx.addIssue({ code: 'custom', path: [i, 'lr'], input: lr, message: `must increase (the previous lr is ${previous})` });
        return;
      }
    }
  });

/** torch.lerp, whose formula depends on the weight (this decides how an infinite loss propagates). */
function lerp(start: number, end: number, weight: number): number {
  return Math.abs(weight) < 0.5 ? start + weight * (end - start) : end - (end - start) * (1 - weight);
}

function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 === 1 ? (s[mid] as number) : ((s[mid - 1] as number) + (s[mid] as number)) / 2;
}

/** Standard deviation of batch-to-batch noise, from the median absolute second difference (a trend has none). */
export function noiseSigma(values: readonly number[]): number {
  if (values.length < 3) return 0;
  const d2: number[] = [];
  for (let i = 1; i + 1 < values.length; i++) {
    d2.push((values[i + 1] as number) - 2 * (values[i] as number) + (values[i - 1] as number));
  }
  const center = median(d2);
  // 1.4826 × MAD estimates σ for normal noise; a second difference of white noise has σ·√6.
  return (1.4826 * median(d2.map((d) => Math.abs(d - center)))) / Math.sqrt(6);
}

const fmt = (x: number): string => (Math.abs(x) >= 1e-3 && Math.abs(x) < 1e4 ? String(Number(x.toPrecision(3))) : x.toExponential(2));

/** Records the points as fastai's Recorder and LRFinder do: smoothed, and stopped at the first divergence. */
function record(points: readonly LrPoint[], o: z.output<typeof LrRangeTestOptions>, numIt: number): { recorded: LrCurvePoint[]; diverged: boolean } {
  const recorded: LrCurvePoint[] = [];
  let stoppedOnDivergence = false;
  let val = 0;
  let best = Number.POSITIVE_INFINITY;
  const n = Math.min(points.length, numIt);
  for (let i = 0; i < n; i++) {
    const { lr, loss } = points[i] as LrPoint;
    let smoothed = loss;
    if (o.smooth) {
      val = lerp(loss, val, o.beta);
      smoothed = val / (1 - o.beta ** (i + 1));
    }
    recorded.push({ lr, loss, smoothed });
    if (smoothed < best) best = smoothed;
    const diverged = best > 0 && smoothed > o.divergeFactor * best;
    if (diverged) stoppedOnDivergence = true;
    if (diverged || loss === Number.POSITIVE_INFINITY || loss === Number.NEGATIVE_INFINITY) break;
  }
  return { recorded, diverged: stoppedOnDivergence };
}

/**
 * Analyses an LR range test: fastai's smoothing, divergence cut, trimming and suggestions, and a verdict on
 * whether the curve is good enough to act on. Throws `OptionsError` for bad points or options.
 */
export function analyzeLrRangeTest(points: readonly LrPoint[], options: LrRangeTestOptions = {}): LrRangeTestAnalysis {
  const o = parseOptions(LrRangeTestOptions, options);
  const input = parseOptions(LrPoints, points, 'points') as LrPoint[];
  const numIt = o.numIt ?? input.length;

  const { recorded, diverged } = record(input, o, numIt);
  const trimmed = recorded.slice(Math.floor(numIt / 10), Math.max(0, recorded.length - o.skipEnd));
  const firstBad = trimmed.findIndex((p) => !Number.isFinite(p.smoothed));
  const curve = firstBad === -1 ? trimmed : trimmed.slice(0, firstBad);

  const lrs = curve.map((p) => p.lr);
  const losses = curve.map((p) => p.smoothed);
  const suggestions: LrSuggestions = {
    valley: valley(lrs, losses),
    steep: steep(lrs, losses),
    minimum: minimum(lrs, losses),
    slide: slide(lrs, losses, o.slideLrDiff, o.slideThresh, o.slideAdjust),
  };
  // The first NaN or infinite loss read, if any: the curve cannot go past it.
  const brokeAt = recorded.find((p) => !Number.isFinite(p.loss));
  const reasons = judge(curve, suggestions, o, input.length, brokeAt, diverged);
  return { suggestions, trustworthy: reasons.length === 0, reasons, curve };
}

/** The checks a careful engineer makes before believing a range test; one plain-English reason per failure. */
function judge(
  curve: readonly LrCurvePoint[],
  suggestions: LrSuggestions,
  o: z.output<typeof LrRangeTestOptions>,
  given: number,
  brokeAt: LrCurvePoint | undefined,
  /** The recording ended on fastai's divergence rule: the test did reach the lr where training breaks down. */
  diverged: boolean,
): string[] {
  const reasons: string[] = [];
  if (curve.length < o.minPoints) {
    reasons.push(
      `only ${curve.length} usable point(s) of ${given} after smoothing, trimming and the divergence cut ` +
        `(need at least ${o.minPoints}): run more iterations or start from a smaller lr`,
    );
  }
  const missing = Object.entries(suggestions).filter(([, v]) => v === null).map(([k]) => k);
  if (missing.length > 0 && curve.length >= o.minPoints) {
    reasons.push(`no ${missing.join(', ')} suggestion: the curve is too short for ${missing.length > 1 ? 'them' : 'it'}`);
  }
  if (curve.length === 0) return reasons;

  const start = (curve[0] as LrCurvePoint).smoothed;
  let bestIdx = 0;
  curve.forEach((p, i) => {
    if (p.smoothed < (curve[bestIdx] as LrCurvePoint).smoothed) bestIdx = i;
  });
  const best = (curve[bestIdx] as LrCurvePoint).smoothed;
  const fall = start - best;
  const drop = start !== 0 ? fall / Math.abs(start) : fall > 0 ? Number.POSITIVE_INFINITY : 0;
  if (drop < o.minDrop) {
    reasons.push(
      `no clear descent: the smoothed loss fell only ${(drop * 100).toFixed(1)}% below its first value ${fmt(start)} ` +
        `(need at least ${(o.minDrop * 100).toFixed(0)}%): widen the lr range or check that the model can learn`,
    );
  }
  const sigma = noiseSigma(curve.map((p) => p.loss));
  if (fall > 0 && fall < o.noiseFactor * sigma) {
    reasons.push(
      `mostly noise: the loss fell by ${fmt(fall)}, less than ${o.noiseFactor} × its batch-to-batch noise ` +
        `(σ ≈ ${fmt(sigma)}): use larger batches or more iterations`,
    );
  }
  if (curve.length >= 2 && bestIdx === curve.length - 1 && brokeAt !== undefined) {
    reasons.push(
      `the loss became ${brokeAt.loss} at lr ${fmt(brokeAt.lr)} while still falling, so the curve ends before its ` +
        'minimum: look for a numerical problem (e.g. loss scaling, log of zero) before trusting these suggestions',
    );
  } else if (curve.length >= 2 && bestIdx === curve.length - 1 && !diverged) {
    // When the test diverged, the rise is in the points lr_find trims (the last 5) or hidden by smoothing lag.
    reasons.push(
      `the loss was still falling at the largest lr kept (${fmt((curve[bestIdx] as LrCurvePoint).lr)}): ` +
        'the test never reached the lr where training breaks down; raise the end lr',
    );
  }
  return reasons;
}

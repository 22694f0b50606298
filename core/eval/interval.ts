/** An estimate with its interval: every test metric is reported this way. */
export const PROPORTION_METHODS = ['wilson', 'clopper-pearson'] as const;
export type ProportionMethod = (typeof PROPORTION_METHODS)[number];
export type IntervalMethod = ProportionMethod | 'bootstrap';

export interface Interval {
  estimate: number;
  low: number;
  high: number;
  method: IntervalMethod;
}

/** Confidence must be strictly between 0 and 1 (0.95 means a 95% interval). */
export function checkConfidence(confidence: number): void {
  if (!(confidence > 0 && confidence < 1)) throw new RangeError(`confidence must be between 0 and 1, exclusive (got ${confidence})`);
}

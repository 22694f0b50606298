/** What an early-stopping rule answers when a trial reports an epoch's metric. */
export interface StoppingDecision {
  action: 'continue' | 'stop';
  /** For people and the trial table, e.g. "rung at epoch 3: val_accuracy 0.91 below the cutoff 0.93 of 5 trials". */
  reason: string;
  epoch: number;
  value: number | null;
  /** ASHA: the rung's milestone this report was judged at. */
  milestone?: number;
  /** The value compared against (ASHA's cutoff, the median rule's median), in the metric's own units. */
  threshold?: number | null;
  /** How many values the threshold was computed from. */
  basis?: number;
  /** The trial stops because its budget is spent (ASHA's maxResource): it completed, it was not stopped early. */
  complete?: boolean;
}

/** A metric report from a running trial; `value` null (or NaN/±Infinity) means no usable value. */
export interface MetricReport {
  type: 'report';
  /** The sweep's trial number (0-based): states keep per-trial facts in arrays indexed by it. */
  trial: number;
  /** 1-based: the number of epochs completed. */
  epoch: number;
  value: number | null;
}

/** JSON has no NaN or Infinity: what a state stores for a value. */
export function storedValue(value: number | null): number | null {
  return value !== null && Number.isFinite(value) ? value : null;
}

/** 4 significant digits; a NaN/missing value is "NaN", a cutoff pulled down by NaN values "-inf". */
export function formatMetric(value: number | null | undefined): string {
  if (value === null || value === undefined || Number.isNaN(value)) return 'NaN';
  if (!Number.isFinite(value)) return value > 0 ? 'inf' : '-inf';
  return String(Number(value.toPrecision(4)));
}

/** A threshold as stored in a decision: JSON-safe (null when infinite). */
export function storedThreshold(value: number | undefined): number | null {
  return value !== undefined && Number.isFinite(value) ? value : null;
}

/**
 * Features on one scale for the near-duplicate distance: each column centred and divided by its standard deviation
 * (z-scores), constant columns left out. One guard: a column's scale is at least the median column's standard
 * deviation. Without it a nearly constant column (an image border inked in 1 row of 1800, std 0.02) turns a change of
 * one grey level into fifty standard deviations, and a copy with a few pixels nudged would no longer look like a copy.
 * Missing values sit at the column mean (the schema check reports them).
 */
import type { DataTable } from '../table.js';

export interface ScaledRows {
  /** rows.length × columns.length, row-major. */
  points: Float64Array;
  columns: string[];
  /** Compared columns left out because they never change. */
  constant: string[];
}

/** The floor on a column's scale, as a fraction of the median column's standard deviation. */
export const SCALE_FLOOR = 1;

function moments(values: Float64Array): { mean: number; std: number } {
  let n = 0;
  let sum = 0;
  for (const v of values) {
    if (Number.isNaN(v)) continue;
    n++;
    sum += v;
  }
  const mean = n > 0 ? sum / n : 0;
  let squares = 0;
  for (const v of values) if (!Number.isNaN(v)) squares += (v - mean) * (v - mean);
  return { mean, std: n > 0 ? Math.sqrt(squares / n) : 0 };
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? (sorted[mid] as number) : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}

/** The given rows of the compared feature columns (indexes into table.features), scaled; statistics over all rows. */
export function scaledRows(table: DataTable, compared: readonly number[], rows: readonly number[]): ScaledRows {
  const stats = compared.map((f) => ({ f, ...moments(table.features[f] as Float64Array) }));
  const varying = stats.filter((s) => s.std > 0);
  const constant = stats.filter((s) => !(s.std > 0)).map((s) => table.featureNames[s.f] as string);
  const floor = varying.length > 0 ? SCALE_FLOOR * median(varying.map((s) => s.std)) : 0;
  const p = varying.length;
  const points = new Float64Array(rows.length * p);
  varying.forEach(({ f, mean, std }, c) => {
    const values = table.features[f] as Float64Array;
    const scale = Math.max(std, floor);
    rows.forEach((row, r) => {
      const v = values[row] as number;
      points[r * p + c] = Number.isNaN(v) ? 0 : (v - mean) / scale;
    });
  });
  return { points, columns: varying.map((s) => table.featureNames[s.f] as string), constant };
}

/**
 * Id-like columns: a row number or record id (`unique`: whole numbers, one per row, packed like 0…n-1 or 1001…2000
 * in any order) or a column that only grows or only shrinks down the file (`monotonic`: a sorted id, a timestamp).
 * They say where a row came from, not what it is: the duplicate distance leaves them out, and the leakage check asks
 * whether they are related to the label (a file sorted by label turns its row number into the answer).
 */
import type { DataTable } from '../table.js';

export type IdLikeReason = 'unique' | 'monotonic';

export interface IdLikeColumn {
  column: string;
  reason: IdLikeReason;
}

/** Below this many rows every column looks unique by accident. */
const MIN_ROWS = 10;
/** Ids may have gaps (deleted records), but not many: income in dollars is unique too, and spread far wider. */
const MAX_SPAN_PER_ROW = 2;

function isUniqueId(values: Float64Array): boolean {
  let min = Infinity;
  let max = -Infinity;
  for (const v of values) {
    if (!Number.isInteger(v)) return false;
    if (v < min) min = v;
    if (v > max) max = v;
  }
  if (max - min + 1 > MAX_SPAN_PER_ROW * values.length) return false;
  return new Set(values).size === values.length;
}

/** Never decreasing or never increasing, with at least half the values distinct (so a mostly-constant column is not one). */
function isMonotonic(values: Float64Array): boolean {
  let up = true;
  let down = true;
  let distinct = 1;
  for (let i = 1; i < values.length; i++) {
    const a = values[i - 1] as number;
    const b = values[i] as number;
    if (Number.isNaN(a) || Number.isNaN(b)) return false;
    if (b < a) up = false;
    if (b > a) down = false;
    if (b !== a) distinct++;
    if (!up && !down) return false;
  }
  return distinct * 2 >= values.length;
}

export function idLikeColumns(table: DataTable): IdLikeColumn[] {
  if (table.rows < MIN_ROWS) return [];
  const out: IdLikeColumn[] = [];
  table.featureNames.forEach((column, f) => {
    const values = table.features[f] as Float64Array;
    if (isUniqueId(values)) out.push({ column, reason: 'unique' });
    else if (isMonotonic(values)) out.push({ column, reason: 'monotonic' });
  });
  return out;
}

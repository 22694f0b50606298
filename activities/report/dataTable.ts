/**
 * A data-set CSV as the report needs it: every row's label, and any row's feature values on demand (a report shows
 * a few hundred rows of what may be millions, so rows are parsed only when shown).
 */
import type { Sample } from '../../core/report/types.js';

export interface DataTable {
  header: string[];
  /** Feature columns: every column but the label and the ignored ones, in file order. */
  columns: string[];
  /** Class index of every row; null where the label is empty. */
  labels: Array<number | null>;
  values(column: string): string[] | null;
  sample(row: number): Sample | null;
}

export function readDataTable(text: string, labelColumn: string, ignoreColumns: readonly string[]): DataTable {
  const lines = text.split(/\r?\n/).filter((line) => line.trim() !== '');
  const header = (lines[0] ?? '').split(',').map((name) => name.trim());
  const labelIndex = header.indexOf(labelColumn);
  if (labelIndex < 0) throw new Error(`the data set has no label column ${JSON.stringify(labelColumn)} (columns: ${header.slice(0, 8).join(', ')}…)`);
  const hidden = new Set([labelColumn, ...ignoreColumns]);
  const featureIndexes = header.flatMap((name, index) => (hidden.has(name) ? [] : [index]));
  const rows = lines.slice(1);
  const cells = (row: number): string[] | null => {
    const line = rows[row];
    return line === undefined ? null : line.split(',');
  };
  const labels = rows.map((line) => {
    const value = (line.split(',')[labelIndex] ?? '').trim();
    if (value === '') return null;
    const label = Number(value);
    return Number.isInteger(label) && label >= 0 ? label : null;
  });
  return {
    header,
    columns: featureIndexes.map((index) => header[index] as string),
    labels,
    values(column) {
      const index = header.indexOf(column);
      return index < 0 ? null : rows.map((line) => (line.split(',')[index] ?? '').trim());
    },
    sample(row) {
      const values = cells(row);
      if (!values) return null;
      return { row, label: labels[row] ?? null, features: featureIndexes.map((index) => Number(values[index])) };
    },
  };
}

/** `count` rows spread evenly over `rows` (all of them when there are fewer). */
export function spread(rows: readonly number[], count: number): number[] {
  if (rows.length <= count) return [...rows];
  return Array.from({ length: count }, (_, i) => rows[Math.floor((i * rows.length) / count)] as number);
}

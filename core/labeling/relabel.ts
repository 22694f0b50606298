/**
 * Writes the adjudicated labels into the data set: labeled rows take their class index, rows left without a label
 * (unlabelable, a dropped dispute, never labeled) leave the data set. Pure, over the CSV text ingest stored.
 */
import { CsvError } from '../csv.js';

export interface Relabeled {
  csv: string;
  /** Row index in the new CSV → row index in the ingested one (item ids stay traceable). */
  sourceRows: number[];
  labels: string[];
}

/** `labels`: source row → class index (null: leave the row out). Rows not in it keep their own label, if they have one. */
export function relabelCsv(text: string, labelColumn: string, labels: ReadonlyMap<number, number | null>): Relabeled {
  const lines = text.split(/\r?\n/).filter((line) => line.trim() !== '');
  const header = (lines[0] ?? '').split(',').map((name) => name.trim());
  const column = header.indexOf(labelColumn);
  if (column < 0) throw new CsvError(`data.labelColumn: no column ${JSON.stringify(labelColumn)}`);
  const out = [lines[0]!];
  const sourceRows: number[] = [];
  const kept: string[] = [];
  for (let row = 0; row < lines.length - 1; row++) {
    const cells = lines[row + 1]!.split(',');
    const assigned = labels.get(row);
    const label = assigned === undefined ? (cells[column] ?? '').trim() : assigned === null ? '' : String(assigned);
    if (label === '') continue;
    cells[column] = label;
    out.push(cells.join(','));
    sourceRows.push(row);
    kept.push(label);
  }
  return { csv: `${out.join('\n')}\n`, sourceRows, labels: kept };
}

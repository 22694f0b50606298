/**
 * The hand-off column: what the downstream model reads as its upstream model's output, row by row, and the CSV with
 * that column appended (the data set the downstream model's jobs get). Pure: the caller reads predictions and data.
 */
import type { SplitManifest } from '../split.js';
import type { Handoff } from './spec.js';

export class HandoffError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'HandoffError';
  }
}

/** A predicted class index for a data-set row (`row` and `prediction` of a trainer's predictions.json). */
export interface RowPrediction {
  row: number;
  prediction: number;
}

export interface HandoffInputs {
  mode: Handoff;
  /** The upstream model's label column, one value per data-set row (as parsed from the CSV). */
  labels: readonly string[];
  split: SplitManifest;
  /** Out-of-fold predictions: exactly one per train row (cross-fitting, checked by verifyOutOfFold). */
  outOfFold: readonly RowPrediction[];
  /** The final upstream model's predictions: one per valid and test row. */
  final: readonly RowPrediction[];
}

export type HandoffSource = 'outOfFold' | 'final' | 'label';

export interface HandoffColumn {
  /** One value per data-set row. */
  values: string[];
  /** Where each row's value came from. */
  sources: HandoffSource[];
  counts: Record<HandoffSource, number>;
}

/**
 * oof: train rows get their out-of-fold prediction, valid and test rows the final model's. groundTruth: every row
 * gets the upstream label. both: train rows the label, valid and test rows the final model's prediction. Rows in no
 * split are never read by a model; they get the label so the column stays numeric (trainers parse every row).
 * Predictions the mode does not use may be empty.
 */
export function handoffColumn(inputs: HandoffInputs): HandoffColumn {
  const n = inputs.labels.length;
  const splitOf = splitByRow(inputs.split, n);
  const predictionsOf = (name: string, predictions: readonly RowPrediction[]): Map<number, number> => {
    const byRow = new Map<number, number>();
    for (const { row, prediction } of predictions) {
      if (!Number.isInteger(row) || row < 0 || row >= n) throw new HandoffError(`${name} predictions: row ${row} is not a row of the ${n}-row data set`);
      if (byRow.has(row)) throw new HandoffError(`${name} predictions: row ${row} is predicted twice`);
      if (!Number.isInteger(prediction) || prediction < 0) throw new HandoffError(`${name} predictions: row ${row} has prediction ${prediction}, not a class index`);
      byRow.set(row, prediction);
    }
    return byRow;
  };
  const outOfFold = inputs.mode === 'oof' ? predictionsOf('out-of-fold', inputs.outOfFold) : new Map<number, number>();
  const final = inputs.mode === 'groundTruth' ? new Map<number, number>() : predictionsOf('final', inputs.final);

  const values: string[] = [];
  const sources: HandoffSource[] = [];
  const counts: Record<HandoffSource, number> = { outOfFold: 0, final: 0, label: 0 };
  for (let row = 0; row < n; row++) {
    const split = splitOf[row];
    let source: HandoffSource = 'label';
    if (split === 'train' && inputs.mode === 'oof') source = 'outOfFold';
    else if ((split === 'valid' || split === 'test') && inputs.mode !== 'groundTruth') source = 'final';
    const value = source === 'label' ? inputs.labels[row] : (source === 'outOfFold' ? outOfFold : final).get(row);
    if (value === undefined) {
      throw new HandoffError(`row ${row} (${split}) has no ${source === 'outOfFold' ? 'out-of-fold' : 'final-model'} prediction`);
    }
    values.push(String(value));
    sources.push(source);
    counts[source] += 1;
  }
  return { values, sources, counts };
}

function splitByRow(split: SplitManifest, n: number): Array<keyof SplitManifest | undefined> {
  const out = new Array<keyof SplitManifest | undefined>(n).fill(undefined);
  for (const name of ['train', 'valid', 'test'] as const) {
    for (const row of split[name]) {
      if (!Number.isInteger(row) || row < 0 || row >= n) throw new HandoffError(`split ${name}: row ${row} is not a row of the ${n}-row data set`);
      if (out[row] !== undefined) throw new HandoffError(`split ${name}: row ${row} is also in ${out[row]}`);
      out[row] = name;
    }
  }
  return out;
}

/**
 * The CSV with column `name` appended, `values[i]` on data row i (rows counted as core/csv.ts counts them: blank lines
 * skipped, and dropped from the output). Line endings become "\n"; the result ends with one.
 */
export function appendCsvColumn(text: string, name: string, values: readonly string[]): string {
  const lines = text.split(/\r?\n/).filter((line) => line.trim() !== '');
  const header = lines[0];
  if (header === undefined) throw new HandoffError('the CSV is empty');
  if (header.split(',').map((column) => column.trim()).includes(name)) {
    throw new HandoffError(`the CSV already has a column ${JSON.stringify(name)}: pick a new name for the predictions`);
  }
  if (values.length !== lines.length - 1) throw new HandoffError(`${values.length} values for ${lines.length - 1} data rows`);
  const unsafe = [name, ...values].find((value) => /[,"\r\n]/.test(value) || value.trim() === '');
  if (unsafe !== undefined) throw new HandoffError(`cannot write ${JSON.stringify(unsafe)} into an unquoted CSV cell`);
  const out = [`${header},${name}`];
  for (let i = 1; i < lines.length; i++) out.push(`${lines[i]},${values[i - 1]}`);
  return `${out.join('\n')}\n`;
}

/**
 * The parts of a leased batch a person needs, read from the ingested data set: each item's feature values (every
 * column except the label and the ignored ones, in the file's order).
 */
import { splitCsvLine } from '../ratingsCsv.js';
import { CliError, ExitCode } from '../errors.js';
import type { Job } from '../../core/spec/job.js';

export function batchFeatures(csv: string, data: Job['data'], items: readonly number[]): Array<{ item: number; features: Record<string, number> }> {
  const lines = csv.split(/\r?\n/).filter((line) => line.trim() !== '');
  const header = splitCsvLine(lines[0] ?? '');
  const hidden = new Set([data.labelColumn, ...data.ignoreColumns]);
  const columns = header.flatMap((name, index) => (hidden.has(name) ? [] : [{ name, index }]));
  return items.map((item) => {
    const line = lines[item + 1];
    if (line === undefined) throw new CliError(`item ${item} is not a row of ${data.uri} (${lines.length - 1} rows)`, ExitCode.Failed);
    const cells = splitCsvLine(line);
    return { item, features: Object.fromEntries(columns.map(({ name, index }) => [name, Number(cells[index])])) };
  });
}

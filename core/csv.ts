/**
 * The data-set CSV Gauntlet ingests: a header row, then one row per sample, plain comma-separated values
 * (no quoting: numeric features and simple labels). Pure, so the column scans and their errors are unit-testable.
 */
export class CsvError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CsvError';
  }
}

export interface CsvColumns {
  header: string[];
  /** Values of each requested column, row by row. */
  values: Record<string, string[]>;
}

/** Reads the named columns; `fields` says which spec field named each column, for the error message. */
export function readCsvColumns(text: string, columns: Record<string, string>, options: { allowEmpty?: readonly string[] } = {}): CsvColumns {
  const lines = text.split(/\r?\n/).filter((line) => line.trim() !== '');
  const headerLine = lines[0];
  if (headerLine === undefined) throw new CsvError('the CSV is empty');
  if (headerLine.includes('"')) throw new CsvError('quoted CSV fields are not supported');
  const header = headerLine.split(',').map((name) => name.trim());
  const indexes: Record<string, number> = {};
  for (const [field, name] of Object.entries(columns)) {
    const index = header.indexOf(name);
    if (index < 0) {
      throw new CsvError(`${field}: no column ${JSON.stringify(name)} (columns: ${header.slice(0, 8).join(', ')}${header.length > 8 ? ', …' : ''})`);
    }
    indexes[name] = index;
  }
  const values: Record<string, string[]> = Object.fromEntries(Object.values(columns).map((name) => [name, [] as string[]]));
  for (let row = 1; row < lines.length; row++) {
    const cells = (lines[row] ?? '').split(',');
    if (cells.length !== header.length) throw new CsvError(`row ${row + 1}: ${cells.length} values, the header has ${header.length}`);
    for (const [name, index] of Object.entries(indexes)) {
      const value = (cells[index] ?? '').trim();
      if (value === '' && !options.allowEmpty?.includes(name)) throw new CsvError(`row ${row + 1}: empty value in column ${JSON.stringify(name)}`);
      values[name]?.push(value);
    }
  }
  if (lines.length < 2) throw new CsvError('the CSV has a header but no rows');
  return { header, values };
}

export interface CsvLabels {
  columns: string[];
  labels: string[];
}

export function readCsvLabels(text: string, labelColumn: string): CsvLabels {
  const { header, values } = readCsvColumns(text, { 'data.labelColumn': labelColumn });
  return { columns: header, labels: values[labelColumn] ?? [] };
}

/** Class labels must be the integers 0…K-1 the trainer's loss expects; returns K. */
export function classCount(labels: readonly string[]): number {
  let max = -1;
  for (const label of labels) {
    if (!/^\d+$/.test(label)) throw new CsvError(`data.labelColumn: labels must be integers 0…K-1 (got ${JSON.stringify(label)})`);
    max = Math.max(max, Number(label));
  }
  if (max < 1) throw new CsvError('data.labelColumn: at least two classes are needed');
  return max + 1;
}

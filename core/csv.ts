/**
 * The data-set CSV Gauntlet ingests: a header row, then one row per sample, plain comma-separated values
 * (no quoting: numeric features and simple labels). Pure, so the label scan and its errors are unit-testable.
 */
export interface CsvLabels {
  columns: string[];
  labels: string[];
}

export class CsvError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CsvError';
  }
}

export function readCsvLabels(text: string, labelColumn: string): CsvLabels {
  const lines = text.split(/\r?\n/).filter((line) => line.trim() !== '');
  const header = lines[0];
  if (header === undefined) throw new CsvError('the CSV is empty');
  if (header.includes('"')) throw new CsvError('quoted CSV fields are not supported');
  const columns = header.split(',').map((name) => name.trim());
  const labelIndex = columns.indexOf(labelColumn);
  if (labelIndex < 0) {
    throw new CsvError(`data.labelColumn: no column ${JSON.stringify(labelColumn)} (columns: ${columns.slice(0, 8).join(', ')}${columns.length > 8 ? ', …' : ''})`);
  }
  const labels: string[] = [];
  for (let row = 1; row < lines.length; row++) {
    const cells = (lines[row] ?? '').split(',');
    if (cells.length !== columns.length) {
      throw new CsvError(`row ${row + 1}: ${cells.length} values, the header has ${columns.length}`);
    }
    const label = (cells[labelIndex] ?? '').trim();
    if (label === '') throw new CsvError(`row ${row + 1}: empty label in column ${JSON.stringify(labelColumn)}`);
    labels.push(label);
  }
  if (labels.length === 0) throw new CsvError('the CSV has a header but no rows');
  return { columns, labels };
}

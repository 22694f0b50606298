/**
 * A data set as the data checks see it: numeric feature columns, the label column as strings, an optional group
 * column. Parsed from plain CSV (header row, no quoting). A feature cell that is empty or not a number does not stop
 * the parse: it becomes NaN and is counted for the schema check, which says which column and which rows. Only a file
 * whose shape is broken (no label column, a row with the wrong number of values) throws, naming the line.
 */

export class DataTableError extends Error {
  constructor(
    message: string,
    /** The option that named a missing column (`label`, `group`, `ignore`), when that is the problem. */
    readonly field?: 'label' | 'group' | 'ignore',
    /** The file line (the header is line 1), when one line is the problem. */
    readonly line?: number,
  ) {
    super(message);
    this.name = 'DataTableError';
  }
}

/** A cell that did not parse as a finite number; `row` is the 0-based data row, `line` the file line. */
export interface BadCell {
  row: number;
  line: number;
  value: string;
}

export interface ColumnProblems {
  missing: number;
  nonNumeric: number;
  /** The first few bad cells, in file order. */
  examples: BadCell[];
}

export interface DataTable {
  header: string[];
  rows: number;
  /** The file line of each data row (blank lines are skipped, so this is not always row + 2). */
  lines: number[];
  featureNames: string[];
  /** One column per feature, in featureNames order; NaN where a cell was empty or not a number. */
  features: Float64Array[];
  labelName: string;
  labels: string[];
  groupName: string | null;
  groups: string[] | null;
  /** Columns left out of the features on request. */
  ignored: string[];
  /** Feature columns with empty or non-numeric cells, by name. */
  problems: Record<string, ColumnProblems>;
}

export interface TableColumns {
  label: string;
  group?: string;
  ignore?: readonly string[];
}

const MAX_EXAMPLES = 5;
/** Plain decimal numbers only: Number() would also take "", "0x1f" and "Infinity". */
const NUMBER = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;

function listColumns(header: readonly string[]): string {
  return `${header.slice(0, 8).join(', ')}${header.length > 8 ? ', …' : ''}`;
}

export function parseDataTable(text: string, columns: TableColumns): DataTable {
  const numbered = text
    .replace(/^\uFEFF/, '')
    .split(/\r?\n/)
    .map((line, i) => ({ line: i + 1, text: line }))
    .filter(({ text: line }) => line.trim() !== '');
  const head = numbered[0];
  if (head === undefined) throw new DataTableError('the CSV is empty');
  const quoted = numbered.find(({ text: line }) => line.includes('"'));
  if (quoted) throw new DataTableError(`line ${quoted.line}: quoted CSV fields are not supported`, undefined, quoted.line);
  const header = head.text.split(',').map((name) => name.trim());
  header.forEach((name, i) => {
    if (name === '') throw new DataTableError(`line ${head.line}: column ${i + 1} has no name`, undefined, head.line);
    if (header.indexOf(name) !== i) throw new DataTableError(`line ${head.line}: the column ${JSON.stringify(name)} appears twice`, undefined, head.line);
  });
  const indexOf = (field: 'label' | 'group' | 'ignore', name: string): number => {
    const index = header.indexOf(name);
    if (index < 0) throw new DataTableError(`no column ${JSON.stringify(name)} (columns: ${listColumns(header)})`, field);
    return index;
  };
  const labelIndex = indexOf('label', columns.label);
  const groupIndex = columns.group === undefined ? -1 : indexOf('group', columns.group);
  if (groupIndex === labelIndex) throw new DataTableError(`the group column cannot be the label column (${JSON.stringify(columns.label)})`, 'group');
  const ignored = [...new Set(columns.ignore ?? [])];
  const skip = new Set([labelIndex, groupIndex, ...ignored.map((name) => indexOf('ignore', name))]);
  const featureIndexes = header.map((_, i) => i).filter((i) => !skip.has(i));

  const body = numbered.slice(1);
  if (body.length === 0) throw new DataTableError('the CSV has a header but no rows');
  const features = featureIndexes.map(() => new Float64Array(body.length));
  const labels: string[] = [];
  const groups: string[] | null = groupIndex < 0 ? null : [];
  const problems: Record<string, ColumnProblems> = {};
  body.forEach(({ line, text: rowText }, row) => {
    const cells = rowText.split(',');
    if (cells.length !== header.length) {
      throw new DataTableError(`line ${line}: ${cells.length} values, the header has ${header.length}`, undefined, line);
    }
    labels.push((cells[labelIndex] ?? '').trim());
    groups?.push((cells[groupIndex] ?? '').trim());
    featureIndexes.forEach((cellIndex, f) => {
      const value = (cells[cellIndex] ?? '').trim();
      const column = features[f] as Float64Array;
      if (NUMBER.test(value)) {
        column[row] = Number(value);
        return;
      }
      column[row] = Number.NaN;
      const name = header[cellIndex] as string;
      const entry = (problems[name] ??= { missing: 0, nonNumeric: 0, examples: [] });
      if (value === '') entry.missing++;
      else entry.nonNumeric++;
      if (entry.examples.length < MAX_EXAMPLES) entry.examples.push({ row, line, value });
    });
  });
  return {
    header,
    rows: body.length,
    lines: body.map(({ line }) => line),
    featureNames: featureIndexes.map((i) => header[i] as string),
    features,
    labelName: columns.label,
    labels,
    groupName: columns.group ?? null,
    groups,
    ignored,
    problems,
  };
}

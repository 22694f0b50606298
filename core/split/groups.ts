/** Rows gathered into groups (a patient, a session, a source image), each with its class counts. */

export class SplitError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SplitError';
  }
}

export interface Group {
  key: string;
  /** Row indices, ascending. */
  rows: number[];
  /** Rows per class, indexed like GroupedRows.classes. */
  counts: number[];
  /** The classes present, as [class index, rows] pairs: most groups hold few classes, so costs loop over these. */
  present: Array<[number, number]>;
}

export interface GroupedRows {
  /** The distinct labels, sorted. */
  classes: string[];
  /** Sorted by key (when groups are given), so reordering the file's rows does not change which groups go where. */
  groups: Group[];
  /** Rows per class over the whole data set. */
  totals: number[];
}

/** `groups` null: every row is its own group (a plain stratified split). */
export function groupRows(labels: readonly string[], groups: readonly string[] | null): GroupedRows {
  if (groups !== null && groups.length !== labels.length) {
    throw new SplitError(`${groups.length} group values for ${labels.length} labels: need one per row`);
  }
  const classes = [...new Set(labels)].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  const classIndex = new Map(classes.map((label, index) => [label, index]));
  const byKey = new Map<string, number[]>();
  labels.forEach((_, row) => {
    const key = groups === null ? String(row) : (groups[row] as string);
    const rows = byKey.get(key);
    if (rows) rows.push(row);
    else byKey.set(key, [row]);
  });
  const keys = [...byKey.keys()];
  if (groups !== null) keys.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  const totals = classes.map(() => 0);
  const grouped = keys.map((key): Group => {
    const rows = byKey.get(key) ?? [];
    const counts = classes.map(() => 0);
    for (const row of rows) {
      const c = classIndex.get(labels[row] as string) as number;
      counts[c] = (counts[c] as number) + 1;
      totals[c] = (totals[c] as number) + 1;
    }
    const present = counts.flatMap((count, c): Array<[number, number]> => (count > 0 ? [[c, count]] : []));
    return { key, rows, counts, present };
  });
  return { classes, groups: grouped, totals };
}

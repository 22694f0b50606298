/** Per-split sizes, group counts and class counts: what a person checks first about a split. */

export interface PartSummary {
  name: string;
  rows: number;
  groups: number;
  /** Rows per class, indexed like the summary's classes. */
  counts: number[];
}

export interface SplitSummary {
  /** The distinct labels, sorted. */
  classes: string[];
  /** The whole data set, then each part. */
  all: PartSummary;
  parts: PartSummary[];
}

export function summarizeSplit(
  labels: readonly string[],
  groups: readonly string[] | null,
  parts: ReadonlyArray<{ name: string; rows: readonly number[] }>,
): SplitSummary {
  const classes = [...new Set(labels)].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  const classIndex = new Map(classes.map((label, index) => [label, index]));
  const summarize = (name: string, rows: readonly number[]): PartSummary => {
    const counts = classes.map(() => 0);
    for (const row of rows) {
      const c = classIndex.get(labels[row] as string) as number;
      counts[c] = (counts[c] as number) + 1;
    }
    const groupCount = groups === null ? rows.length : new Set(rows.map((row) => groups[row])).size;
    return { name, rows: rows.length, groups: groupCount, counts };
  };
  return {
    classes,
    all: summarize('all', labels.map((_, row) => row)),
    parts: parts.map((part) => summarize(part.name, part.rows)),
  };
}

/**
 * Which file of a snapshot folder a run reads. Pure: the activity lists the folder, this picks. Names compare
 * numerically where they hold numbers, so `2026-11-30.csv`, `day-9.csv` < `day-10.csv` all order as people mean.
 */
export class SnapshotError extends Error {}

export function pickSnapshot(source: string, names: readonly string[], snapshot: string): string {
  const csvs = names.filter((name) => name.toLowerCase().endsWith('.csv')).sort((a, b) => a.localeCompare(b, 'en', { numeric: true }));
  if (csvs.length === 0) throw new SnapshotError(`data.source: no .csv file in ${source}${names.length ? ` (it holds ${preview(names)})` : ' (it is empty)'}`);
  if (snapshot === 'latest') return csvs[csvs.length - 1]!;
  if (!csvs.includes(snapshot)) throw new SnapshotError(`data.snapshot: ${JSON.stringify(snapshot)} is not in ${source} (it holds ${preview(csvs)})`);
  return snapshot;
}

function preview(names: readonly string[]): string {
  const shown = names.slice(-5).join(', ');
  return names.length > 5 ? `… ${shown} (${names.length} files)` : shown;
}

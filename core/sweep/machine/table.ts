/** The paged trial table in the store: the changed records go a page at a time; finished ones then leave memory. */
import type { SweepDecision } from './events.js';
import type { SweepState } from './state.js';

/** The table in the store follows the sweep at most this often (each write is an activity in the history). */
export const TABLE_WRITE_INTERVAL_MS = 10_000;
/** Records per table write: keeps each activity input far below Temporal's 2 MB payload limit. */
export const TABLE_WRITE_BATCH = 100;

export function tableDue(state: SweepState, now: number): SweepDecision[] {
  return now - state.lastTableWrite >= TABLE_WRITE_INTERVAL_MS ? [{ kind: 'writeTable' }] : [];
}

export function startTableWrite(state: SweepState, now: number): SweepDecision[] {
  state.lastTableWrite = now;
  state.table = { changed: [...state.dirty].sort((a, b) => a - b), offset: 0 };
  state.dirty.clear();
  return nextPage(state);
}

export function tableWritten(state: SweepState, uri: string): SweepDecision[] {
  state.tableUri = uri;
  return nextPage(state);
}

/** The next page (the first one even when nothing changed, so the table exists), or the end of the write. */
function nextPage(state: SweepState): SweepDecision[] {
  const { table } = state;
  if (!table) return [];
  const { changed, offset } = table;
  if (offset < changed.length || state.tableUri === null) {
    table.offset += TABLE_WRITE_BATCH;
    const records = changed.slice(offset, offset + TABLE_WRITE_BATCH).flatMap((trial) => state.open.get(trial) ?? []);
    return [{ kind: 'writePage', records, total: state.summaries.length }];
  }
  state.table = null;
  for (const trial of changed) {
    const record = state.open.get(trial);
    if (record && record.status !== 'running' && !state.dirty.has(trial)) state.open.delete(trial);
  }
  return [];
}

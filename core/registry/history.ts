/**
 * Reading the registry's history (oldest first): which champions were in force, and where a rollback goes.
 * Promotions stack up; a rollback goes back down the stack to its target (or, for a former champion that was
 * rolled past, puts it back on top), so rolling back twice undoes the last two promotions.
 */
import type { ChampionRecord, HistoryEntry } from './schemas.js';

/** The champions in force, oldest first; the last is the current one. */
export function championStack(history: readonly HistoryEntry[]): ChampionRecord[] {
  const stack: ChampionRecord[] = [];
  for (const entry of history) {
    if (entry.event === 'promoted') stack.push(entry.champion);
    if (entry.event === 'rolled-back') {
      const at = stack.map((record) => record.runId).lastIndexOf(entry.runId);
      if (at >= 0) stack.splice(at + 1);
      else stack.push(entry.champion);
    }
  }
  return stack;
}

/** Every run that has been a champion, with its latest record. */
export function formerChampions(history: readonly HistoryEntry[]): Map<string, ChampionRecord> {
  const runs = new Map<string, ChampionRecord>();
  for (const entry of history) if (entry.event !== 'not-promoted') runs.set(entry.runId, entry.champion);
  return runs;
}

export type RollbackTarget = { ok: true; target: ChampionRecord } | { ok: false; reason: string };

/** Where `models rollback` goes from `current`: the champion before it, or `to`, which must have been a champion. */
export function rollbackTarget(history: readonly HistoryEntry[], current: ChampionRecord, to?: string): RollbackTarget {
  if (to !== undefined) {
    if (to === current.runId) return { ok: false, reason: `${to} is already the champion of ${current.pipeline}` };
    const target = formerChampions(history).get(to);
    if (!target) {
      const known = [...formerChampions(history).keys()].filter((run) => run !== current.runId);
      return { ok: false, reason: `${to} has never been a champion of ${current.pipeline}${known.length ? ` (former champions: ${known.join(', ')})` : ''}` };
    }
    return { ok: true, target };
  }
  const stack = championStack(history);
  // The stack's top is the current champion unless champion.json and the history disagree (a write cut short).
  const at = stack.map((record) => record.runId).lastIndexOf(current.runId);
  const below = (at >= 0 ? stack.slice(0, at) : stack).filter((record) => record.runId !== current.runId);
  const target = below.at(-1);
  if (!target) return { ok: false, reason: `${current.pipeline} has no earlier champion to roll back to (${current.runId} is the first)` };
  return { ok: true, target };
}

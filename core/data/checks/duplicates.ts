/**
 * The duplicates check: exact duplicates (the same feature values) and near duplicates (RMS distance of scaled
 * features at most `nearThreshold`, see scaling.ts), within a split and across splits. A pair across splits is
 * leakage: the model is tested on what it trained on. Id-like columns are left out (two copies of a sample under two
 * ids are still copies), and constant columns from the distance. With a group column, two rows of one group in one
 * split are expected (a group-aware split keeps them together) and only counted; rows of different groups are
 * reported like any others. The pairs are listed, capped, with the total counts.
 */
import type { z } from 'zod';

import type { CheckResult, Verdict } from '../check.js';
import { worstVerdict } from '../check.js';
import { rowSplits, type SplitAssignment, type SplitName } from '../membership.js';
import type { DuplicatesCheckSpec } from '../../spec/checks.js';
import type { DataTable } from '../table.js';
import { copyGroups, countPairs, eachPair, type CopyGroup, type Place } from './copyGroups.js';
import { idLikeColumns } from './idLike.js';
import { nearPairs } from './nearPairs.js';
import { scaledRows } from './scaling.js';

export type DuplicatesOptions = z.output<typeof DuplicatesCheckSpec>;

type Kind = 'exact' | 'near';
/** The places that are findings (sameGroup is only counted). */
type Reported = Exclude<Place, 'sameGroup'>;

export interface DuplicatePair {
  kind: Kind;
  place: Reported;
  /** 0-based data rows (the indices a split assignment uses), lower first. */
  rows: [number, number];
  /** The file lines of those rows. */
  lines: [number, number];
  splits: [SplitName, SplitName];
  /** Only with a group column: the group of each row. */
  groups?: [string, string];
  /** RMS distance of the scaled features (4 decimals); 0 for exact duplicates. */
  distance: number;
}

const MAX_LISTED = 50;
/** Pairs kept per kind and place before the closest are listed; the counts are always complete. */
const MAX_COLLECTED = 500;

const plural = (n: number, word: string): string => `${n} ${word}${n === 1 ? '' : 's'}`;

export function duplicatesCheck(table: DataTable, split: SplitAssignment | null, options: DuplicatesOptions): CheckResult {
  const splits = rowSplits(table.rows, split);
  const idLike = idLikeColumns(table).map((c) => c.column);
  const compared = table.featureNames.map((_, f) => f).filter((f) => !idLike.includes(table.featureNames[f] as string));
  const excluded = { idLike, ...(table.groupName ? { group: table.groupName } : {}) };
  if (compared.length === 0) {
    const why = table.featureNames.length === 0 ? 'the data has none' : 'every one is id-like';
    return { name: 'duplicates', verdict: 'pass', message: `No feature columns to compare (${why}).`, details: { excluded } };
  }

  const groups = copyGroups(table, compared, splits);
  const counts: Record<Kind, Record<Place, number>> = {
    exact: { across: 0, within: 0, sameGroup: 0 },
    near: { across: 0, within: 0, sameGroup: 0 },
  };
  const collected: DuplicatePair[] = [];
  const kept = new Map<string, number>();
  const collect = (kind: Kind, place: Reported, i: number, j: number, distance: number): boolean => {
    const bucket = `${kind}/${place}`;
    const n = kept.get(bucket) ?? 0;
    if (n >= MAX_COLLECTED) return false;
    kept.set(bucket, n + 1);
    const [a, b] = i < j ? [i, j] : [j, i];
    collected.push({
      kind,
      place,
      rows: [a, b],
      lines: [table.lines[a] ?? a + 2, table.lines[b] ?? b + 2],
      splits: [splits[a] ?? 'all', splits[b] ?? 'all'],
      ...(table.groups ? { groups: [table.groups[a] ?? '', table.groups[b] ?? ''] as [string, string] } : {}),
      distance: Math.round(distance * 1e4) / 1e4,
    });
    return true;
  };
  const record = (kind: Kind, a: CopyGroup, b: CopyGroup, distance: number): void => {
    const n = countPairs(a, b);
    for (const place of ['across', 'within', 'sameGroup'] as const) {
      counts[kind][place] += n[place];
      if (place !== 'sameGroup' && n[place] > 0) eachPair(a, b, place, (i, j) => collect(kind, place, i, j, distance));
    }
  };
  for (const copies of groups) if (copies.size > 1) record('exact', copies, copies, 0);

  // The near search runs on one row per copy group: copies of a row are at distance 0 and already counted as exact.
  const scaled = options.nearThreshold > 0 ? scaledRows(table, compared, groups.map((g) => g.first)) : null;
  if (scaled) {
    nearPairs(scaled.points, groups.length, scaled.columns.length, options.nearThreshold, (a, b, rms) => {
      record('near', groups[a] as CopyGroup, groups[b] as CopyGroup, rms);
    });
  }

  const severity: Record<Reported, 'ignore' | 'warn' | 'fail'> = { across: options.acrossSplits, within: options.withinSplit };
  const rank = (place: Reported): number => ({ fail: 0, warn: 1, ignore: 2 })[severity[place]];
  collected.sort(
    (x, y) =>
      rank(x.place) - rank(y.place) ||
      (x.place === y.place ? 0 : x.place === 'across' ? -1 : 1) ||
      (x.kind === y.kind ? 0 : x.kind === 'exact' ? -1 : 1) ||
      x.distance - y.distance ||
      x.rows[0] - y.rows[0] ||
      x.rows[1] - y.rows[1],
  );
  const pairs = collected.slice(0, MAX_LISTED);
  const total = (place: Place): number => counts.exact[place] + counts.near[place];
  const found = (['across', 'within'] as const).filter((place) => total(place) > 0);
  const verdict = worstVerdict(found.filter((place) => severity[place] !== 'ignore').map((place) => severity[place] as Verdict));

  const describe = (place: Reported): string => {
    const first = pairs.find((p) => p.place === place);
    const example = first ? `; e.g. lines ${first.lines[0]} and ${first.lines[1]}${split ? ` (${first.splits[0]}, ${first.splits[1]})` : ''}` : '';
    const where = place === 'across' ? 'across splits' : split === null ? 'within the data set' : 'within a split';
    return `${plural(total(place), 'duplicate pair')} ${where} (${counts.exact[place]} exact, ${counts.near[place]} near${example})${severity[place] === 'ignore' ? ', ignored by the spec' : ''}`;
  };
  const scope = scaled ? `exact, or RMS distance ≤ ${options.nearThreshold} over ${scaled.columns.length} scaled columns` : 'exact only';
  const sameGroup = total('sameGroup') > 0 ? ` Not counted: ${plural(total('sameGroup'), 'pair')} within one group and split (a group's rows may repeat).` : '';
  const message =
    found.length === 0
      ? `No duplicates among ${table.rows} rows (${scope}).${sameGroup}`
      : `${found.map(describe).join('. ')}.${sameGroup}`.replace(/^./, (c) => c.toUpperCase());
  return {
    name: 'duplicates',
    verdict,
    message,
    details: {
      nearThreshold: options.nearThreshold,
      compared: compared.length,
      distanceColumns: scaled?.columns.length ?? 0,
      excluded: { ...excluded, constant: scaled?.constant ?? [] },
      counts,
      total: total('across') + total('within'),
      pairs,
    },
  };
}

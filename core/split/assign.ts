/**
 * The assignment behind every group-aware split: whole groups into bins (train/valid/test, or k folds) with target
 * fractions, keeping each bin's class mix as close to the data set's as the groups allow. In the style of
 * scikit-learn's StratifiedGroupKFold:
 *
 * 1. Order. Permute the groups with the seed (whole groups: a group's class counts travel with it; scikit-learn's
 *    issue #32478 was a release that shuffled the groups apart from their counts), then stable-sort them by the
 *    standard deviation of their class counts, largest first. Big one-class groups are the hardest to place, so
 *    they go first while every bin still has room; the seeded order breaks the ties among alike groups, which is
 *    what makes the seed matter (with few, unlike groups it changes little: 175 of the test's 200 layouts split
 *    differently under the next seed). Unstratified, the sort is by size, largest first.
 * 2. Greedy placement. Each group goes to the bin where it leaves the smallest cost
 *        Σ_b [ Σ_c (n_bc − f_b·t_c)² / (f_b·t_c)  +  (N_b − f_b·N)² / (f_b·N) ]
 *    n_bc: rows of class c in bin b, t_c: rows of class c in all, f_b: the bin's fraction, N_b and N: rows. That is
 *    Pearson's chi-square of the bins' class counts against the counts a perfect stratification gives (left out when
 *    not stratifying), plus the same for the bin sizes. Adding group g to bin b changes the cost by
 *        (1/f_b)·[ Σ_c g_c·(2(n_bc − f_b·t_c) + g_c) / t_c  +  |g|·(2(N_b − f_b·N) + |g|) / N ],
 *    so a group goes where its classes are most wanted. With equal fractions (k folds) the squared deviation from
 *    the final target differs from the variance across folds by a term that is the same for every candidate fold, so
 *    this picks the fold that minimises the spread of each class across folds, StratifiedGroupKFold's criterion.
 *    Unlike it: squared deviations are weighted by 1/t_c (Pearson), not 1/t_c² (a class's share of itself), and
 *    the sizes count. With shares, a row of a 3-row class outweighs a row of a 450-row one 22 500 to one (Pearson:
 *    150). Over the random layouts of test/unit/groupSplit.test.ts, shares let holdout sizes drift from their targets
 *    by up to 1.6 largest groups (these weights: 0.62) and the worst class share by 0.68 of a largest group over the
 *    split size (0.52), for the same average.
 *    Near ties go to the bin that is least full for its fraction, then the first.
 * 3. No empty bin. Once the groups left are only as many as the empty bins, each goes to an empty bin.
 * A group is placed once, whole: groups never straddle two bins.
 */
import { seededRandom, shuffled } from '../random.js';
import type { Group, GroupedRows } from './groups.js';

export interface AssignOptions {
  seed: number;
  stratify: boolean;
}

function classCountStd(group: Group): number {
  const k = group.counts.length;
  const mean = group.rows.length / k;
  let sum = 0;
  for (const count of group.counts) sum += (count - mean) ** 2;
  return Math.sqrt(sum / k);
}

/** The bin of each group (indexed like grouped.groups). Fractions are the bins' targets; a 0 bin gets nothing. */
export function assignGroups(grouped: GroupedRows, fractions: readonly number[], options: AssignOptions): number[] {
  const { groups, totals } = grouped;
  const rowCount = totals.reduce((sum, t) => sum + t, 0);
  const counts = fractions.map(() => totals.map(() => 0));
  const sizes = fractions.map(() => 0);
  const open = fractions.flatMap((f, b) => (f > 0 ? [b] : []));
  const key = options.stratify ? classCountStd : (group: Group) => group.rows.length;
  const order = shuffled(
    groups.map((_, index) => index),
    seededRandom(options.seed),
  )
    .map((index) => ({ index, key: key(groups[index] as Group) }))
    .sort((a, b) => b.key - a.key); // Array.prototype.sort is stable: equal keys keep the seeded order
  const bin = new Array<number>(groups.length).fill(-1);
  let emptyBins = open.length;
  order.forEach(({ index }, placed) => {
    const group = groups[index] as Group;
    const size = group.rows.length;
    const mustFillEmpty = groups.length - placed <= emptyBins;
    let best = -1;
    let bestCost = Infinity;
    let bestFill = Infinity;
    for (const b of open) {
      const f = fractions[b] as number;
      const binSize = sizes[b] as number;
      if (mustFillEmpty && binSize > 0) continue;
      let cost = (size * (2 * (binSize - f * rowCount) + size)) / rowCount;
      if (options.stratify) {
        const binCounts = counts[b] as number[];
        for (const [c, g] of group.present) {
          const t = totals[c] as number;
          cost += (g * (2 * ((binCounts[c] as number) - f * t) + g)) / t;
        }
      }
      cost /= f;
      const fill = binSize / f;
      const tie = best >= 0 && Math.abs(cost - bestCost) <= 1e-12 * Math.max(1, Math.abs(bestCost));
      if (best < 0 || (!tie && cost < bestCost) || (tie && fill < bestFill)) {
        best = b;
        bestCost = cost;
        bestFill = fill;
      }
    }
    if ((sizes[best] as number) === 0) emptyBins--;
    bin[index] = best;
    sizes[best] = (sizes[best] as number) + size;
    const binCounts = counts[best] as number[];
    for (const [c, g] of group.present) binCounts[c] = (binCounts[c] as number) + g;
  });
  return bin;
}

/**
 * Rows with identical values in the compared columns ("copy groups"), each split into buckets of one split and one
 * group, so that duplicate pairs can be counted without listing them: a thousand copies of one row are half a million
 * pairs, counted here by multiplying bucket sizes. A pair is `across` splits, `within` one split, or, with a group
 * column, `sameGroup`: two rows of one group in one split, which a group-aware split keeps together on purpose
 * (augmented copies of one image, visits of one patient) and which are therefore no finding.
 */
import type { SplitName } from '../membership.js';
import type { DataTable } from '../table.js';

export type Place = 'across' | 'within' | 'sameGroup';

export interface Bucket {
  split: SplitName;
  group: string | null;
  rows: number[];
}

export interface CopyGroup {
  /** The first row, which stands for the group in the near-duplicate search. */
  first: number;
  size: number;
  buckets: Map<string, Bucket>;
}

const cell = new Float64Array(1);
const cellWords = new Uint32Array(cell.buffer);

/** FNV-1a over the bits of the row's values: a cheap key; equal rows always collide, and collisions are verified. */
function rowHash(table: DataTable, compared: readonly number[], row: number): number {
  let h = 0x811c9dc5;
  for (const f of compared) {
    const v = (table.features[f] as Float64Array)[row] as number;
    cell[0] = Number.isNaN(v) ? Infinity : v === 0 ? 0 : v; // one bit pattern for NaN and for ±0; Infinity never parses
    h = Math.imul(h ^ (cellWords[0] as number), 0x01000193);
    h = Math.imul(h ^ (cellWords[1] as number), 0x01000193);
  }
  return h >>> 0;
}

function sameValues(table: DataTable, compared: readonly number[], a: number, b: number): boolean {
  for (const f of compared) {
    const column = table.features[f] as Float64Array;
    const x = column[a] as number;
    const y = column[b] as number;
    if (x !== y && !(Number.isNaN(x) && Number.isNaN(y))) return false;
  }
  return true;
}

/** The copy groups of the rows that are in a split, in order of their first row. */
export function copyGroups(table: DataTable, compared: readonly number[], splits: readonly (SplitName | null)[]): CopyGroup[] {
  const byHash = new Map<number, CopyGroup[]>();
  const groups: CopyGroup[] = [];
  for (let row = 0; row < table.rows; row++) {
    const split = splits[row];
    if (split === null || split === undefined) continue;
    const hash = rowHash(table, compared, row);
    const candidates = byHash.get(hash) ?? [];
    let copies = candidates.find((g) => sameValues(table, compared, g.first, row));
    if (!copies) {
      copies = { first: row, size: 0, buckets: new Map() };
      candidates.push(copies);
      byHash.set(hash, candidates);
      groups.push(copies);
    }
    copies.size++;
    const group = table.groups?.[row] ?? null;
    const key = `${split}\u0000${group ?? ''}`;
    const bucket = copies.buckets.get(key);
    if (bucket) bucket.rows.push(row);
    else copies.buckets.set(key, { split, group, rows: [row] });
  }
  return groups;
}

function placeOf(a: Bucket, b: Bucket): Place {
  if (a.split !== b.split) return 'across';
  return a.group !== null && a.group === b.group ? 'sameGroup' : 'within';
}

/** Each pair of buckets once (a bucket with itself when a is b), with how many row pairs it holds. */
function bucketPairs(a: CopyGroup, b: CopyGroup): { x: Bucket; y: Bucket; pairs: number }[] {
  const xs = [...a.buckets.values()];
  const ys = [...b.buckets.values()];
  const out: { x: Bucket; y: Bucket; pairs: number }[] = [];
  xs.forEach((x, i) => {
    ys.forEach((y, j) => {
      if (a === b && j < i) return;
      const pairs = a === b && i === j ? (x.rows.length * (x.rows.length - 1)) / 2 : x.rows.length * y.rows.length;
      if (pairs > 0) out.push({ x, y, pairs });
    });
  });
  return out;
}

/** How many row pairs between two copy groups (or within one, when b is a) are in each place. */
export function countPairs(a: CopyGroup, b: CopyGroup): Record<Place, number> {
  const counts: Record<Place, number> = { across: 0, within: 0, sameGroup: 0 };
  for (const { x, y, pairs } of bucketPairs(a, b)) counts[placeOf(x, y)] += pairs;
  return counts;
}

/** Calls visit for the row pairs between two copy groups in one place, until visit returns false. */
export function eachPair(a: CopyGroup, b: CopyGroup, place: Place, visit: (i: number, j: number) => boolean): void {
  for (const { x, y } of bucketPairs(a, b)) {
    if (placeOf(x, y) !== place) continue;
    for (let i = 0; i < x.rows.length; i++) {
      for (let j = x === y ? i + 1 : 0; j < y.rows.length; j++) {
        if (!visit(x.rows[i] as number, y.rows[j] as number)) return;
      }
    }
  }
}

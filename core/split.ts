/**
 * Seeded, optionally stratified train/valid/test split over row indices.
 * Stratified: each class is split in the same proportions, so a rare class is present in every split.
 */
import { seededRandom, shuffled } from './random.js';

export interface SplitOptions {
  valid: number;
  test: number;
  seed: number;
  stratify: boolean;
}

export interface SplitManifest {
  train: number[];
  valid: number[];
  test: number[];
}

export function splitRows(labels: readonly string[], options: SplitOptions): SplitManifest {
  const random = seededRandom(options.seed);
  const groups = new Map<string, number[]>();
  labels.forEach((label, index) => {
    const key = options.stratify ? label : '*';
    const group = groups.get(key);
    if (group) group.push(index);
    else groups.set(key, [index]);
  });
  const manifest: SplitManifest = { train: [], valid: [], test: [] };
  // Sorted keys: the result must not depend on the order classes first appear in.
  for (const key of [...groups.keys()].sort()) {
    const rows = shuffled(groups.get(key) ?? [], random);
    const testCount = Math.round(rows.length * options.test);
    const validCount = Math.round(rows.length * options.valid);
    manifest.test.push(...rows.slice(0, testCount));
    manifest.valid.push(...rows.slice(testCount, testCount + validCount));
    manifest.train.push(...rows.slice(testCount + validCount));
  }
  const ascending = (a: number, b: number) => a - b;
  return { train: manifest.train.sort(ascending), valid: manifest.valid.sort(ascending), test: manifest.test.sort(ascending) };
}

/**
 * Seed derivation and a seeded permutation, so that every random draw of a sweep is addressed by *what* it is for
 * (seed, trial slot, attempt, parameter) instead of by how many draws came before it: a replayed or resumed sweep
 * draws the same numbers whatever happened in between.
 */

/** murmur3's 32-bit finalizer: every input bit affects every output bit. */
function fmix32(value: number): number {
  let h = value >>> 0;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

function absorb(h: number, word: number): number {
  return fmix32((Math.imul(h, 0x01000193) ^ fmix32(word + 0x9e3779b9)) >>> 0);
}

/**
 * A 32-bit seed derived from a tuple of parts, e.g. `mixSeed(seed, 'random', slot, attempt, 'lr')`.
 * Numbers and strings are tagged, so `1` and `"1"` differ; integers up to 2^53 keep all their bits.
 */
export function mixSeed(...parts: ReadonlyArray<number | string>): number {
  let h = 0x811c9dc5;
  for (const part of parts) {
    if (typeof part === 'number' && Number.isSafeInteger(part)) {
      h = absorb(h, 1);
      h = absorb(h, part >>> 0);
      h = absorb(h, Math.floor(part / 4294967296) >>> 0);
    } else {
      const text = String(part);
      h = absorb(h, 2);
      h = absorb(h, text.length);
      for (let i = 0; i < text.length; i++) h = absorb(h, text.charCodeAt(i));
    }
  }
  return h;
}

/**
 * A seeded bijection of [0, size): a 4-round Feistel network on the smallest even number of bits that covers `size`,
 * with cycle walking (values ≥ size are permuted again). O(1) expected per index and no table, so a grid of a
 * million points costs nothing to shuffle and trial k's grid point is computed on its own.
 */
export function permuteIndex(index: number, size: number, seed: number): number {
  if (!Number.isSafeInteger(size) || size < 1) throw new RangeError(`permutation size must be a positive integer (got ${size})`);
  if (!Number.isInteger(index) || index < 0 || index >= size) throw new RangeError(`index ${index} outside [0, ${size})`);
  if (size === 1) return 0;
  let bits = Math.max(2, Math.ceil(Math.log2(size)));
  if (bits % 2 === 1) bits += 1;
  const half = bits / 2;
  if (half > 26) throw new RangeError(`permutation size ${size} is too large (at most 2^52)`);
  const base = 2 ** half;
  const mask = base - 1;
  let x = index;
  do {
    let left = Math.floor(x / base);
    let right = x % base;
    for (let round = 0; round < 4; round++) {
      const next = (left ^ (mixSeed(seed, round, right) & mask)) >>> 0;
      left = right;
      right = next;
    }
    x = left * base + right;
  } while (x >= size);
  return x;
}

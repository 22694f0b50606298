/** Flattening and diffing configurations for `gauntlet runs compare`. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { differences, flatten } from '../../core/flatten.js';

test('flatten turns nesting into dotted paths and keeps scalar arrays whole', () => {
  assert.deepEqual(flatten({ train: { epochs: 3, schedule: { kind: 'one_cycle' } }, tags: ['a', 'b'], x: null }), {
    'train.epochs': 3,
    'train.schedule.kind': 'one_cycle',
    tags: '["a","b"]',
    x: null,
  });
  assert.deepEqual(flatten({ list: [{ a: 1 }, { a: 2 }] }), { 'list[0].a': 1, 'list[1].a': 2 });
});

test('differences lists changed, added and removed keys in order, and nothing that is equal', () => {
  assert.deepEqual(differences({ a: 1, b: 2, c: 3 }, { a: 1, b: 5, d: 4 }), [
    { key: 'b', a: 2, b: 5 },
    { key: 'c', a: 3, b: undefined },
    { key: 'd', a: undefined, b: 4 },
  ]);
  assert.deepEqual(differences({ a: 1 }, { a: 1 }), []);
});

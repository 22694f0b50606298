/** The range-test verdict when the test stopped on divergence: the rise is trimmed away, not missing. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { analyzeLrRangeTest } from '../../core/lr/rangeTest.js';

const lrAt = (i: number, n: number) => 1e-6 * (10 / 1e-6) ** (i / (n - 1));

test('GIVEN a test that falls steadily then blows up in its last steps THEN the verdict does not say "raise the end lr"', () => {
  const n = 100;
  const points = [];
  for (let i = 0; i < 80; i++) points.push({ lr: lrAt(i, n), loss: 2.3 * Math.exp(-i / 25) });
  // Divergence: within three steps the loss jumps far above 4× the best smoothed loss, and the test stops.
  points.push({ lr: lrAt(80, n), loss: 20 }, { lr: lrAt(81, n), loss: 200 }, { lr: lrAt(82, n), loss: 2000 });
  const analysis = analyzeLrRangeTest(points, { numIt: n });
  assert.ok(!analysis.reasons.some((reason) => /still falling/.test(reason)), analysis.reasons.join('; '));
  assert.equal(analysis.trustworthy, true, analysis.reasons.join('; '));
});

test('GIVEN a test that is still falling when it runs out of steps THEN the verdict says to raise the end lr', () => {
  const n = 100;
  const points = Array.from({ length: n }, (_, i) => ({ lr: lrAt(i, n), loss: 2.3 * Math.exp(-i / 25) }));
  const analysis = analyzeLrRangeTest(points, { numIt: n });
  assert.equal(analysis.trustworthy, false);
  assert.ok(analysis.reasons.some((reason) => /still falling .* raise the end lr/.test(reason)), analysis.reasons.join('; '));
});

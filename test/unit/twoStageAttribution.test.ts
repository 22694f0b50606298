/** Attribution of end-to-end errors to stage 1 or stage 2: counts, the Wilson interval, the table, properties. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { proportionInterval } from '../../core/eval/proportion.js';
import { seededRandom } from '../../core/random.js';
import { attributeErrors, attributionTable, type AttributionItem } from '../../core/twostage/attribution.js';

/** A simulated two-stage test set: stage 1 right with p1, stage 2 right (given a right stage 1) with p2. */
function simulate(n: number, p1: number, p2: number, seed: number): AttributionItem[] {
  const random = seededRandom(seed);
  const pick = (k: number): number => Math.floor(random() * k);
  return Array.from({ length: n }, () => {
    const cell = pick(9);
    const digit = pick(10);
    const stage1Prediction = random() < p1 ? cell : (cell + 1 + pick(8)) % 9;
    // A wrong cell is a crop of noise: stage 2 then guesses (1 time in 10 right by luck).
    const right = stage1Prediction === cell ? random() < p2 : pick(10) === 0;
    return { stage1Truth: cell, stage1Prediction, stage2Truth: String(digit), stage2Prediction: right ? String(digit) : String((digit + 1 + pick(9)) % 10) };
  });
}

describe('two-stage error attribution', () => {
  test('GIVEN a few items WHEN attributed THEN stage 1 wrong blames stage 1, else stage 2, a lucky right is correct', () => {
    const items: AttributionItem[] = [
      { stage1Truth: 0, stage1Prediction: 0, stage2Truth: 3, stage2Prediction: 3 },
      { stage1Truth: 0, stage1Prediction: 4, stage2Truth: 3, stage2Prediction: 5 },
      { stage1Truth: '2', stage1Prediction: 2, stage2Truth: '7', stage2Prediction: 1 },
      { stage1Truth: 2, stage1Prediction: 5, stage2Truth: 7, stage2Prediction: '7' }, // wrong cell, right digit by luck
    ];
    const attribution = attributeErrors(items);
    assert.deepEqual(attribution.counts, { correct: 2, stage1: 1, stage2: 1 });
    assert.deepEqual(attribution.accuracy, proportionInterval(2, 4, { method: 'wilson', confidence: 0.95 }));
    assert.equal(attribution.blame, null);
    assert.throws(() => attributeErrors([]), /at least one test item/);
  });

  test('GIVEN random cases WHEN attributed THEN the counts sum to n and stage1 + stage2 is the end-to-end error count', () => {
    for (let seed = 0; seed < 200; seed++) {
      const random = seededRandom(1000 + seed);
      const n = 1 + Math.floor(random() * 300);
      const items = simulate(n, random(), random(), seed);
      const { counts, accuracy } = attributeErrors(items, { confidence: 0.9 });
      const errors = items.filter((item) => String(item.stage2Prediction) !== String(item.stage2Truth)).length;
      assert.equal(counts.correct + counts.stage1 + counts.stage2, n, `seed ${seed}`);
      assert.equal(counts.stage1 + counts.stage2, errors, `seed ${seed}`);
      // Wilson's ends can miss the estimate by a rounding error at 0 or n correct (statsmodels' numbers exactly).
      assert.ok(accuracy.low <= accuracy.estimate + 1e-12 && accuracy.estimate <= accuracy.high + 1e-12);
      assert.equal(accuracy.estimate, counts.correct / n);
    }
  });

  test('GIVEN a weak stage 1 and a strong stage 2 (or the reverse) WHEN attributed THEN the blame goes to the weak one', () => {
    for (let seed = 0; seed < 20; seed++) {
      assert.equal(attributeErrors(simulate(400, 0.7, 0.97, seed)).blame, 'stage1', `seed ${seed}`);
      assert.equal(attributeErrors(simulate(400, 0.98, 0.75, seed)).blame, 'stage2', `seed ${seed}`);
    }
  });

  test('GIVEN an attribution WHEN tabled THEN the accuracy line and one aligned row per outcome', () => {
    const items = simulate(415, 0.98, 0.97, 3);
    const attribution = attributeErrors(items);
    const table = attributionTable(attribution, { stage1: 'locator', stage2: 'reader' });
    const { low, high } = attribution.accuracy;
    assert.deepEqual(attribution.counts, { correct: 399, stage1: 9, stage2: 7 });
    assert.equal(
      table,
      [
        `end-to-end accuracy 0.961 [${low.toFixed(3)}, ${high.toFixed(3)}] (95% Wilson, n=415)`,
        'outcome        items   share',
        'correct          399   96.1%',
        'locator wrong      9    2.2%',
        'reader wrong       7    1.7%',
      ].join('\n'),
    );
  });
});

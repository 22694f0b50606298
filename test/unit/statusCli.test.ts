/**
 * `gauntlet status RUN` for a chain of models: the hand-off tables it prints from the progress query's attribution
 * (the command itself needs Temporal; its rendering is pure and tested here).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { attributionTable, attributionTables, type HandoffAttribution } from '../../cli/attributionTable.js';

const handoff: HandoffAttribution = { upstream: 'locator', downstream: 'reader', n: 405, correct: 369, stage1: 27, stage2: 9, accuracy: { estimate: 369 / 405, low: 0.8797, high: 0.9351 } };

/** The table's cells, row by row, borders dropped. */
const cells = (text: string): string[][] =>
  text
    .split('\n')
    .filter((line) => line.includes('│'))
    .map((line) => line.split('│').map((cell) => cell.trim()).filter(Boolean));

describe('gauntlet status: attribution per hand-off', () => {
  it('prints the end-to-end accuracy with its interval, then correct / upstream wrong / downstream wrong with counts and shares', () => {
    const text = attributionTable(handoff);
    const lines = text.split('\n');
    assert.equal(lines[0], '  locator → reader: end-to-end accuracy 91.1% [88.0%, 93.5%] on 405 test items');
    assert.deepEqual(cells(text), [
      ['outcome', 'items', 'share'],
      ['correct', '369', '91.1%'],
      ['locator wrong', '27', '6.7%'],
      ['reader wrong', '9', '2.2%'],
    ]);
    assert.equal(lines.at(-1), '  improve locator first: 27 of the 36 errors are its own');
    assert.ok(!/\u001b\[/.test(text), 'no colour codes outside a terminal');
  });

  it('names the downstream model when it has more errors, and says so for a tie or none', () => {
    assert.match(attributionTable({ ...handoff, stage1: 4, stage2: 32 }), /improve reader first: 32 of the 36 errors are its own$/);
    assert.match(attributionTable({ ...handoff, stage1: 18, stage2: 18 }), /the stages share the errors evenly \(18 each\)$/);
    assert.match(attributionTable({ ...handoff, correct: 405, stage1: 0, stage2: 0, accuracy: { estimate: 1, low: 0.99, high: 1 } }), /no end-to-end errors$/);
  });

  it('prints one table per hand-off in chain order, none for a run of one model', () => {
    assert.deepEqual(attributionTables(undefined), []);
    const chain = attributionTables([handoff, { ...handoff, upstream: 'reader', downstream: 'speller' }]);
    assert.equal(chain.length, 2);
    assert.match(chain[1]!, /^ {2}reader → speller:/);
  });
});

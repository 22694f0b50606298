/** The oracle upper bound and final-output scoring, by hand-checked small cases. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { classCount, readCsvColumns } from '../../core/csv.js';
import { finalAccuracy, oracleVerdict, toOutput } from '../../core/oracle.js';

describe('oracle', () => {
  const labels = ['0', '1', '2', '3'];
  const parity = ['even', 'odd', 'even', 'odd'];

  test('identity conversion of true labels scores 1', () => {
    assert.deepEqual(finalAccuracy(labels, labels, [0, 1, 2, 3], undefined), { accuracy: 1, n: 4, errors: 0 });
  });
  test('a lossless map reaches 1; a lossy one shows exactly the rows it gets wrong', () => {
    const exact = { map: { '0': 'even', '1': 'odd', '2': 'even', '3': 'odd' } };
    assert.equal(finalAccuracy(labels, parity, [0, 1, 2, 3], exact).accuracy, 1);
    const lossy = { map: { '0': 'even', '1': 'even', '2': 'odd', '3': 'odd' } };
    assert.deepEqual(finalAccuracy(labels, parity, [0, 1, 2, 3], lossy), { accuracy: 0.5, n: 4, errors: 2 });
  });
  test('only the given rows count', () => {
    const lossy = { map: { '0': 'even', '1': 'even' } };
    assert.equal(finalAccuracy(labels, parity, [0, 2], lossy).accuracy, 0.5); // row 2: '2' passes through unchanged, ≠ 'even'
    assert.equal(toOutput('7', lossy), '7');
  });
  test('empty or out-of-range rows are errors, not a silent 0 or 1', () => {
    assert.throws(() => finalAccuracy(labels, parity, [], undefined), /no rows/);
    assert.throws(() => finalAccuracy(labels, parity, [9], undefined), /row 9/);
  });
  test('verdict: reachable at the goal, unreachable below it, with the reason', () => {
    assert.equal(oracleVerdict({ accuracy: 0.9, n: 10, errors: 1 }, 0.9, 'test').reachable, true);
    const below = oracleVerdict({ accuracy: 0.5, n: 4, errors: 2 }, 0.9, 'test');
    assert.equal(below.reachable, false);
    assert.match(below.explanation, /0\.5000 is below the goal accuracy ≥ 0\.9.*2 of 4 rows wrong/);
    assert.equal(oracleVerdict({ accuracy: 0.1, n: 4, errors: 3 }, undefined, 'test').reachable, true);
  });
});

describe('csv columns and classes', () => {
  test('reads several named columns and names the field of a missing one', () => {
    const { values } = readCsvColumns('a,label,t\n1,0,x\n2,1,y\n', { 'data.labelColumn': 'label', 'evaluate.output.targetColumn': 't' });
    assert.deepEqual(values, { label: ['0', '1'], t: ['x', 'y'] });
    assert.throws(() => readCsvColumns('a,label\n1,0\n', { 'evaluate.output.targetColumn': 't' }), /^CsvError: evaluate\.output\.targetColumn: no column "t"/);
  });
  test('classes are 0…K-1 integers', () => {
    assert.equal(classCount(['0', '2', '1']), 3);
    assert.equal(classCount(['0', '2']), 3); // a class absent from the data still counts
    assert.throws(() => classCount(['0', 'cat']), /labels must be integers 0…K-1 \(got "cat"\)/);
    assert.throws(() => classCount(['0', '0']), /two classes/);
  });
});

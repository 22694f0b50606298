/** The hand-off column per mode, its errors, and the CSV with the column appended. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { readCsvColumns } from '../../core/csv.js';
import { appendCsvColumn, handoffColumn, type HandoffInputs } from '../../core/twostage/handoff.js';

// Rows 0-3 train, 4 valid, 5 test, 6 in no split. Stage-1 labels are the cells; predictions are off by one.
const CSV = 'p0,p1,cell,digit\n0,1,0,7\n1,0,1,3\n\n2,2,2,5\n3,3,3,1\r\n4,4,4,0\n5,5,5,2\n6,6,6,9\n';
const LABELS = readCsvColumns(CSV, { cell: 'cell' }).values.cell as string[];
const BASE: HandoffInputs = {
  mode: 'oof',
  labels: LABELS,
  split: { train: [0, 1, 2, 3], valid: [4], test: [5] },
  outOfFold: [0, 1, 2, 3].map((row) => ({ row, prediction: row + 1 })),
  final: [4, 5].map((row) => ({ row, prediction: (row + 1) % 9 })),
};

describe('two-stage hand-off', () => {
  test('GIVEN mode oof WHEN the column is made THEN train rows read out-of-fold predictions, valid/test the final model', () => {
    const column = handoffColumn(BASE);
    assert.deepEqual(column.values, ['1', '2', '3', '4', '5', '6', '6']);
    assert.deepEqual(column.sources, ['outOfFold', 'outOfFold', 'outOfFold', 'outOfFold', 'final', 'final', 'label']);
    assert.deepEqual(column.counts, { outOfFold: 4, final: 2, label: 1 });
  });

  test('GIVEN mode groundTruth WHEN the column is made THEN every row reads the stage-1 label, predictions unused', () => {
    const column = handoffColumn({ ...BASE, mode: 'groundTruth', outOfFold: [], final: [] });
    assert.deepEqual(column.values, LABELS);
    assert.deepEqual(column.counts, { outOfFold: 0, final: 0, label: 7 });
  });

  test('GIVEN mode both WHEN the column is made THEN train rows read the label, valid/test the final predictions', () => {
    const column = handoffColumn({ ...BASE, mode: 'both', outOfFold: [] });
    assert.deepEqual(column.values, ['0', '1', '2', '3', '5', '6', '6']);
    assert.deepEqual(column.counts, { outOfFold: 0, final: 2, label: 5 });
  });

  test('GIVEN missing, doubled or foreign predictions WHEN the column is made THEN the error names the row', () => {
    assert.throws(() => handoffColumn({ ...BASE, outOfFold: BASE.outOfFold.slice(1) }), /row 0 \(train\) has no out-of-fold prediction/);
    assert.throws(() => handoffColumn({ ...BASE, final: BASE.final.slice(0, 1) }), /row 5 \(test\) has no final-model prediction/);
    assert.throws(() => handoffColumn({ ...BASE, final: [...BASE.final, { row: 4, prediction: 1 }] }), /final predictions: row 4 is predicted twice/);
    assert.throws(() => handoffColumn({ ...BASE, outOfFold: [...BASE.outOfFold, { row: 70, prediction: 1 }] }), /row 70 is not a row of the 7-row data set/);
    assert.throws(() => handoffColumn({ ...BASE, final: [{ row: 4, prediction: 0.5 }, { row: 5, prediction: 1 }] }), /prediction 0.5, not a class index/);
    assert.throws(() => handoffColumn({ ...BASE, split: { train: [0, 1, 2, 3], valid: [4, 3], test: [5] } }), /split valid: row 3 is also in train/);
  });

  test('GIVEN the column WHEN appended to the CSV THEN the CSV reads back with it, row for row', () => {
    const column = handoffColumn(BASE);
    const out = appendCsvColumn(CSV, 'cell_pred', column.values);
    assert.equal(out.split('\n')[0], 'p0,p1,cell,digit,cell_pred');
    assert.ok(out.endsWith('6,6,6,9,6\n') && !out.includes('\r') && !out.includes('\n\n'));
    const back = readCsvColumns(out, { cell: 'cell', pred: 'cell_pred' }).values;
    assert.deepEqual(back.cell, LABELS);
    assert.deepEqual(back.cell_pred, column.values);
  });

  test('GIVEN a name that exists, too few values or an unsafe value WHEN appended THEN a clear error', () => {
    assert.throws(() => appendCsvColumn(CSV, 'cell', LABELS), /already has a column "cell"/);
    assert.throws(() => appendCsvColumn(CSV, 'cell_pred', LABELS.slice(1)), /6 values for 7 data rows/);
    assert.throws(() => appendCsvColumn(CSV, 'cell_pred', [...LABELS.slice(1), '1,2']), /cannot write "1,2"/);
    assert.throws(() => appendCsvColumn('', 'cell_pred', []), /the CSV is empty/);
  });
});

/** Cross-validation arithmetic: mean ± sample sd over folds, every fold's value, the best fold. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { foldSummary } from '../../core/kfold.js';

describe('k-fold summary', () => {
  test('GIVEN folds with val_accuracy WHEN summarised THEN mean, sample sd, each fold, and the best fold by accuracy', () => {
    const summary = foldSummary([
      { val_accuracy: 0.9, val_loss: 0.3 },
      { val_accuracy: 0.96, val_loss: 0.2 },
      { val_accuracy: 0.93, val_loss: null },
    ]);
    assert.ok(Math.abs(summary.metrics.cv_val_accuracy_mean! - 0.93) < 1e-12);
    assert.ok(Math.abs(summary.metrics.cv_val_accuracy_sd! - 0.03) < 1e-12);
    assert.equal(summary.metrics.cv_val_accuracy_fold2, 0.96);
    assert.equal(summary.metrics.cv_val_loss_fold3, null);
    assert.ok(Math.abs(summary.metrics.cv_val_loss_mean! - 0.25) < 1e-12, 'a missing value is left out of the mean');
    assert.equal(summary.bestFold, 1);
    assert.equal(summary.describe, 'val_accuracy 0.930 ± 0.030 over 3 folds (0.900, 0.960, 0.930)');
  });

  test('GIVEN folds with only a loss WHEN summarised THEN the best fold has the lowest loss and one fold has no sd', () => {
    assert.equal(foldSummary([{ val_loss: 0.5 }, { val_loss: 0.2 }]).bestFold, 1);
    assert.equal(foldSummary([{ val_loss: 0.5 }]).metrics.cv_val_loss_sd, null);
  });
});

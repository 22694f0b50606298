/** Which way a metric points: accuracy, F1 and AUC are better higher; losses and errors lower. */
const LOWER_IS_BETTER = /loss|error|brier|perplexity|(^|_)(mse|rmse|mae|ece)($|_)/i;

/** Tells from the metric's name (`test_accuracy`, `test_loss`, `logLoss`); anything not named as a loss or error is higher-is-better. */
export function higherIsBetter(metric: string): boolean {
  return !LOWER_IS_BETTER.test(metric);
}

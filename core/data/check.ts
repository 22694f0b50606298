/** The result every data check gives: pure data, shown by the CLI, the run's gates and the report. */
export type Verdict = 'pass' | 'warn' | 'fail';

export interface CheckResult {
  /** `schema`, `duplicates`, `leakage`, `preprocessing`, `splits`, `test-size`, … */
  name: string;
  verdict: Verdict;
  /** One or two plain sentences that give the numbers, e.g. "column leak_id predicts the label with validation accuracy 0.99 (class prior 0.10)". */
  message: string;
  /** The evidence, small enough for a workflow history: pairs, scores, column names (capped lists). */
  details: Record<string, unknown>;
}

/** The worst verdict of several: fail > warn > pass. */
export function worstVerdict(verdicts: readonly Verdict[]): Verdict {
  return verdicts.includes('fail') ? 'fail' : verdicts.includes('warn') ? 'warn' : 'pass';
}

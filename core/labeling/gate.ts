/**
 * The agreement gate: labels that people do not agree on cannot teach a model, and bound what it can be shown to
 * reach. The verdict gives the numbers it was decided on.
 */
import type { GateVerdict } from '../progress.js';
import type { AgreementMetric } from '../spec/labeling.js';
import type { LabelingSummary } from './summary.js';

export interface AgreementGate {
  metric: AgreementMetric;
  min: number;
  maxUnlabeledFraction: number;
  onFail: 'stop' | 'warn';
}

const format = (value: number | null): string => (value === null ? 'undefined' : value.toFixed(3));

/** The mean over annotator pairs, weighted by the items each pair shares. */
function metricValue(summary: LabelingSummary, metric: AgreementMetric): number | null {
  const report = summary.agreement;
  if (!report) return null;
  if (metric !== 'cohenKappa') return report[metric];
  const pairs = report.cohenKappa.filter((pair) => pair.kappa !== null);
  const n = pairs.reduce((sum, pair) => sum + pair.n, 0);
  return n > 0 ? pairs.reduce((sum, pair) => sum + pair.kappa! * pair.n, 0) / n : null;
}

export function agreementVerdict(summary: LabelingSummary, gate: AgreementGate): GateVerdict {
  const value = metricValue(summary, gate.metric);
  const unlabeledShare = summary.items > 0 ? summary.unlabeled / summary.items : 0;
  const report = summary.agreement;
  const evidence = [
    `${summary.doubleLabeled} double-labeled items`,
    `percent agreement ${format(report?.percentAgreement ?? null)}`,
    `Krippendorff's alpha ${format(report?.krippendorffAlpha ?? null)}`,
    ...(report?.cohenKappa ?? []).map((pair) => `kappa ${pair.a}/${pair.b} ${format(pair.kappa)} (n=${pair.n})`),
    `human ceiling ${format(summary.humanCeiling.accuracy)}`,
    `unlabeled ${summary.unlabeled} of ${summary.items} (${(unlabeledShare * 100).toFixed(1)}%)`,
  ].join(' · ');
  const failures: string[] = [];
  if (value === null) failures.push(`${gate.metric} is undefined (too few double-labeled items, or a single class)`);
  else if (value < gate.min) failures.push(`${gate.metric} ${format(value)} < ${gate.min}`);
  if (unlabeledShare > gate.maxUnlabeledFraction) {
    failures.push(`${(unlabeledShare * 100).toFixed(1)}% of items unlabeled > label.gate.maxUnlabeledFraction ${(gate.maxUnlabeledFraction * 100).toFixed(1)}%`);
  }
  const passed = failures.length === 0;
  const head = passed ? `labels agree: ${gate.metric} ${format(value)} ≥ ${gate.min}` : `labels not reliable enough: ${failures.join('; ')}`;
  return { gate: 'agreement', passed, explanation: `${head} (${evidence})`, ...(value !== null ? { value } : {}) };
}

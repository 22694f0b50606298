/**
 * The promotion rule: does a challenger replace the champion? Pure, so the pipeline's promote stage (a workflow) and
 * the tests call the same function. Every verdict comes with reasons that carry the numbers it was decided on.
 *
 * - No champion yet: the challenger becomes the first one (`no-champion-promoted`), unless the rule is `manual`.
 * - Models are compared only on the same test set (equal `testSetHash`) and the same headline metric; otherwise
 *   `not-comparable` and no promotion, unless the rule is `always`.
 * - `always`: promote. `manual`: `waiting-for-approval` (a person runs `gauntlet models promote RUN`).
 * - `lowerBound`: the challenger's whole interval clears the champion's estimate by `minImprovement`
 *   (higher is better: low > champion + minImprovement; lower is better: high < champion − minImprovement).
 * - `mcnemar`: on the paired test rows, p < alpha, the challenger wins more discordant rows than it loses (b > c),
 *   and its headline improves on the champion's by at least `minImprovement`.
 */
import type { ChampionRecord, Headline, PromotionRule, PromotionVerdict } from './schemas.js';

/**
 * McNemar's test of the challenger against the champion on the same test rows.
 * `b`: rows the challenger gets right and the champion wrong; `c`: rows the champion gets right and the challenger wrong.
 */
export interface McNemarResult {
  b: number;
  c: number;
  pValue: number;
}

export interface Challenger {
  runId: string;
  headline: Headline;
  testSetHash: string;
  /** Present when both models' per-row test predictions were available. */
  mcnemar?: McNemarResult | null;
}

export interface PromotionDecision {
  promote: boolean;
  verdict: PromotionVerdict;
  reasons: string[];
}

export interface PromotionInput {
  rule: Pick<PromotionRule, 'when' | 'alpha' | 'minImprovement'>;
  challenger: Challenger;
  champion: ChampionRecord | null;
}

const num = (x: number): string => String(Number(x.toPrecision(6)));
const short = (hash: string): string => `${hash.slice(0, 12)}…`;

/** Why the two models' numbers cannot be compared; empty when they can. */
function incomparability(challenger: Challenger, champion: ChampionRecord): string[] {
  const reasons: string[] = [];
  if (challenger.testSetHash !== champion.testSetSha256) {
    reasons.push(`not comparable: the test sets differ (challenger ${short(challenger.testSetHash)}, champion ${champion.runId} ${short(champion.testSetSha256)})`);
  }
  if (challenger.headline.name !== champion.headline.name || challenger.headline.higherIsBetter !== champion.headline.higherIsBetter) {
    reasons.push(`not comparable: the headline metrics differ (challenger ${challenger.headline.name}, champion ${champion.headline.name})`);
  }
  return reasons;
}

/** How much better the challenger is, in the metric's units: positive is better, whichever way the metric points. */
function improvement(headline: Headline, champion: ChampionRecord): number {
  const delta = headline.estimate - champion.headline.estimate;
  return headline.higherIsBetter ? delta : -delta;
}

function comparison(challenger: Challenger, champion: ChampionRecord): string {
  const { headline } = challenger;
  const interval = headline.low !== null && headline.high !== null ? ` [${num(headline.low)}, ${num(headline.high)}]` : '';
  const direction = headline.higherIsBetter ? 'higher' : 'lower';
  return `${headline.name}: challenger ${num(headline.estimate)}${interval} vs champion ${champion.runId} ${num(champion.headline.estimate)} (${direction} is better; improvement ${num(improvement(headline, champion))})`;
}

function lowerBound(input: PromotionInput, champion: ChampionRecord): PromotionDecision {
  const { headline } = input.challenger;
  const { minImprovement } = input.rule;
  const reasons = [comparison(input.challenger, champion)];
  const bound = headline.higherIsBetter ? headline.low : headline.high;
  if (bound === null) {
    reasons.push(`lowerBound needs the challenger's interval for ${headline.name}, and the run measured none`);
    return { promote: false, verdict: 'kept', reasons };
  }
  const needed = headline.higherIsBetter ? champion.headline.estimate + minImprovement : champion.headline.estimate - minImprovement;
  const clears = headline.higherIsBetter ? bound > needed : bound < needed;
  const [side, op, sign] = headline.higherIsBetter ? ['lower', '>', '+'] : ['upper', '<', '−'];
  const threshold = `champion ${num(champion.headline.estimate)} ${sign} minImprovement ${num(minImprovement)} = ${num(needed)}`;
  reasons.push(clears ? `interval ${side} bound ${num(bound)} ${op} ${threshold}` : `interval ${side} bound ${num(bound)} is not ${op} ${threshold}`);
  return { promote: clears, verdict: clears ? 'promoted' : 'kept', reasons };
}

function mcnemar(input: PromotionInput, champion: ChampionRecord): PromotionDecision {
  const { challenger, rule } = input;
  const reasons = [comparison(challenger, champion)];
  const test = challenger.mcnemar;
  if (!test) {
    reasons.push('the mcnemar rule needs a McNemar test on both models\' per-row test predictions, and there is none');
    return { promote: false, verdict: 'kept', reasons };
  }
  const significant = test.pValue < rule.alpha;
  const wins = test.b > test.c;
  const gain = improvement(challenger.headline, champion);
  const enough = gain >= rule.minImprovement;
  reasons.push(`McNemar p = ${num(test.pValue)} ${significant ? '<' : '≥'} alpha ${num(rule.alpha)}`);
  reasons.push(`discordant rows: b = ${test.b} only the challenger gets right, c = ${test.c} only the champion gets right (${wins ? 'b > c' : 'b ≤ c'})`);
  reasons.push(`improvement ${num(gain)} ${enough ? '≥' : '<'} minImprovement ${num(rule.minImprovement)}`);
  const promote = significant && wins && enough;
  return { promote, verdict: promote ? 'promoted' : 'kept', reasons };
}

/** How the challenger compares with the champion, in one or two lines (for a person promoting by hand). */
export function compareWithChampion(challenger: Challenger, champion: ChampionRecord): string[] {
  const apart = incomparability(challenger, champion);
  return apart.length ? apart : [comparison(challenger, champion)];
}

export function decidePromotion(input: PromotionInput): PromotionDecision {
  const { rule, challenger, champion } = input;
  const approve = `waiting for a person: \`gauntlet models promote ${challenger.runId}\``;
  if (!Number.isFinite(challenger.headline.estimate)) {
    return { promote: false, verdict: 'kept', reasons: [`the challenger's ${challenger.headline.name} is not a number (${challenger.headline.estimate})`] };
  }
  if (!champion) {
    if (rule.when === 'manual') return { promote: false, verdict: 'waiting-for-approval', reasons: ['no champion yet; promote: manual', approve] };
    return {
      promote: true,
      verdict: 'no-champion-promoted',
      reasons: [`no champion yet: ${challenger.runId} becomes the first (${challenger.headline.name} ${num(challenger.headline.estimate)})`],
    };
  }
  if (champion.runId === challenger.runId) return { promote: false, verdict: 'kept', reasons: [`${challenger.runId} is already the champion`] };
  const apart = incomparability(challenger, champion);
  const described = compareWithChampion(challenger, champion);
  switch (rule.when) {
    case 'always':
      return { promote: true, verdict: 'promoted', reasons: ['promote: always', ...described] };
    case 'manual':
      return { promote: false, verdict: 'waiting-for-approval', reasons: ['promote: manual', ...described, approve] };
    case 'lowerBound':
      return apart.length ? { promote: false, verdict: 'not-comparable', reasons: apart } : lowerBound(input, champion);
    case 'mcnemar':
      return apart.length ? { promote: false, verdict: 'not-comparable', reasons: apart } : mcnemar(input, champion);
  }
}

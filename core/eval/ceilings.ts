/**
 * Ceilings side by side, on the headline's accuracy-like scale (higher is better, 1 is perfect): the oracle bound
 * (what a perfect model reaches after the label → output conversion), the human ceiling (from labeling agreement or
 * declared in the spec) and the irreducible error (label noise, see noise.ts). "Perfect" is the oracle bound when
 * there is one, else 1. Where no human ceiling is given but the irreducible error is, 1 − error stands in for it
 * (under noise.ts's model that is one annotator's accuracy). The larger gap says where effort pays: model vs human
 * is avoidable error (a better model, more data, longer training); human vs perfect is label and task quality
 * (clearer guidelines, adjudication, a better label → output map).
 */
export interface CeilingsInput {
  /** The model's headline value. */
  model: number;
  oracle?: number | undefined;
  humanCeiling?: number | undefined;
  /** Where humanCeiling came from, for the sentence. */
  humanSource?: 'agreement' | 'spec' | undefined;
  irreducibleError?: number | undefined;
}

export type LargerGap = 'model-vs-human' | 'human-vs-perfect' | 'equal';

export interface Ceilings {
  model: number;
  oracle: number | null;
  human: number | null;
  humanSource: 'agreement' | 'spec' | 'irreducible-error' | null;
  irreducibleError: number | null;
  perfect: number;
  /** human − model (negative when the model beats the humans) and perfect − human; null without a human level. */
  gaps: { modelVsHuman: number | null; humanVsPerfect: number | null };
  larger: LargerGap | null;
  sentence: string;
}

/** Gaps closer than this are reported as equal (rounding in the inputs, not a difference). */
const EQUAL_WITHIN = 1e-9;

const pct = (x: number): string => `${(100 * x).toFixed(1)} points`;

export function ceilings(input: CeilingsInput): Ceilings {
  for (const [name, value] of Object.entries(input)) {
    if (typeof value === 'number' && !(Number.isFinite(value) && value >= 0 && value <= 1)) throw new RangeError(`ceilings: ${name} must be in [0, 1] (got ${value})`);
  }
  const oracle = input.oracle ?? null;
  const irreducibleError = input.irreducibleError ?? null;
  const perfect = oracle ?? 1;
  const fromNoise = irreducibleError === null ? null : 1 - irreducibleError;
  const human = input.humanCeiling ?? fromNoise;
  const humanSource = input.humanCeiling !== undefined ? (input.humanSource ?? 'spec') : fromNoise !== null ? 'irreducible-error' : null;
  const base = { model: input.model, oracle, human, humanSource, irreducibleError, perfect } as const;
  if (human === null) {
    return {
      ...base,
      gaps: { modelVsHuman: null, humanVsPerfect: null },
      larger: null,
      sentence: `No human ceiling to compare with; the model is ${pct(perfect - input.model)} below perfect (${perfect === 1 ? '1' : `the oracle bound ${perfect.toFixed(4)}`}).`,
    };
  }
  const modelVsHuman = human - input.model;
  const humanVsPerfect = perfect - human;
  const larger: LargerGap = Math.abs(modelVsHuman - humanVsPerfect) <= EQUAL_WITHIN ? 'equal' : modelVsHuman > humanVsPerfect ? 'model-vs-human' : 'human-vs-perfect';
  const where =
    modelVsHuman < 0 ? `The model is ${pct(-modelVsHuman)} above the human ceiling` : `The model is ${pct(modelVsHuman)} below the human ceiling`;
  const verdict =
    larger === 'model-vs-human'
      ? 'the larger gap is model vs human: work on the model (capacity, data, training) before the labels.'
      : larger === 'human-vs-perfect'
        ? 'the larger gap is human vs perfect: the labels and the task limit this, more than the model does.'
        : 'the two gaps are equal.';
  return {
    ...base,
    gaps: { modelVsHuman, humanVsPerfect },
    larger,
    sentence: `${where}, which is ${pct(humanVsPerfect)} below perfect; ${verdict}`,
  };
}

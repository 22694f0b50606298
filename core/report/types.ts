/**
 * What the run report shows, as plain data: the collector (activities/report/) fills it from the store, the renderer
 * (./page.ts) turns it into one HTML page. Every section is optional and present only when its stage ran, so a
 * report is never padded with empty plots. Numbers stay raw here; formatting is the renderer's job.
 */

/** Features drawn as a grayscale image: row-major pixels, 0 is paper and `maxValue` is full ink. */
export interface ImageView {
  width: number;
  height: number;
  maxValue: number;
  /** Which features are the pixels, in row-major order, when not all are (the rest are written under the image). */
  pixels?: number[];
}

/** One row of a data set as it really is: its feature values in column order, and its class index. */
export interface Sample {
  /** Row index in the data set the section is about (0-based, header excluded). */
  row: number;
  /** Class index 0…K-1; null when the row has no label. */
  label: number | null;
  features: number[];
}

/** How to show samples: their columns, and the image view when the features are pixels. */
export interface SampleView {
  columns: string[];
  image: ImageView | null;
}

/** The result of a data check (the shape of core/data/check.ts CheckResult), with the rows its evidence names. */
export interface ReportCheck {
  name: string;
  verdict: 'pass' | 'warn' | 'fail';
  message: string;
  /** Shown generically; `pairs: [{a, b, distance?}]` and `suspects: [{column, score}]` get their own rendering. */
  details: Record<string, unknown>;
  /** The rows that `details.pairs` names, so a pair is shown side by side as data. */
  samples?: Sample[];
}

export interface RunInfo {
  runId: string;
  pipeline: string;
  description?: string;
  /** `succeeded`, `incomplete`, … */
  status: string;
  startedAt?: string;
  finishedAt?: string;
  specFile?: string | null;
  /** Short lines that summarise the spec: [what, how], e.g. ["train", "20 epochs · batch 64 · one-cycle"]. */
  spec: Array<[string, string]>;
  code?: { gauntlet: string; gitCommit: string | null; gitDirty: boolean | null };
  metrics: Record<string, number | null>;
  goal?: { metric: string; min?: number; max?: number; met: boolean | null; value: number | null };
  manifestUri?: string;
}

export interface DataSection {
  source: string;
  uri?: string;
  sha256?: string;
  rows: number;
  /** Names of classes 0…K-1. */
  classes: string[];
  view: SampleView;
  /** Rows per class index. */
  classCounts: number[];
  /** A spread of rows across the data set, each joined with its label. */
  samples: Sample[];
  /** A few rows of each class. */
  examples: Array<{ label: number; samples: Sample[] }>;
  checks?: ReportCheck[];
  /** The dated file a folder source resolved to (`data.snapshot: latest` or a name), when the source is a folder. */
  snapshot?: { name: string; location: string };
}

export interface DisputedLabel {
  /** Row of the data set as ingested, before labeling. */
  item: number;
  sample: Sample | null;
  /** The label training used; null when the item was left out. */
  label: string | null;
  settlement: string;
  ratings: Array<{ annotator: string; label: string; batch: number; role: string }>;
}

export interface LabelingSection {
  classes: string[];
  items: number;
  labeled: number;
  unlabeled: number;
  doubleLabeled: number;
  settlements: Record<string, number>;
  agreement: {
    items: number;
    percentAgreement: number | null;
    krippendorffAlpha: number | null;
    fleissKappa: number | null;
    cohenKappa: Array<{ a: string; b: string; n: number; kappa: number | null }>;
  } | null;
  humanCeiling: { accuracy: number | null; annotators: Array<{ annotator: string; n: number; correct: number; accuracy: number | null }> };
  gate?: GateResult;
  view: SampleView;
  /** Items whose copies disagreed (settled by a third annotator or a majority, or dropped), most contested first. */
  disputed: DisputedLabel[];
  disputedTotal: number;
}

export type SplitName = 'train' | 'valid' | 'test';

export interface SplitsSection {
  classes: string[];
  seed?: number;
  stratify?: boolean;
  splits: Array<{ name: SplitName; size: number; classCounts: number[]; groups?: number }>;
  /** The column that groups rows (e.g. one patient), when the spec names one. */
  groupColumn?: string;
  /** Groups whose rows sit in more than one split (should be 0). */
  straddlingGroups?: number;
  /** Checks about the split: valid against test, test size. */
  checks?: ReportCheck[];
}

export interface GateResult {
  gate: string;
  passed: boolean;
  explanation: string;
  value?: number;
  evidenceUri?: string;
}

export interface GatesSection {
  verdicts: GateResult[];
  /** Data checks that were also gates, with the check's own verdict (a `warn` policy lets a failing check pass the gate): one line here, their evidence under Data and Splits. */
  dataChecks?: Array<{ name: string; verdict: string }>;
  oracle?: { bound: number; split: string; goalMin?: number };
  overfit?: { curve: Array<number | null>; lossThreshold: number; batchSize: number; maxSteps: number; passed: boolean };
}

export interface LrSuggestionsData {
  valley: number | null;
  steep: number | null;
  minimum: number | null;
  slide: number | null;
}

export interface LrFindSection {
  /** The raw points the job recorded (loss null where it was not finite). */
  points: Array<{ lr: number; loss: number | null }>;
  /** The smoothed, trimmed curve the suggestions were read from. */
  curve: Array<{ lr: number; loss: number; smoothed: number }>;
  suggestions: LrSuggestionsData;
  policy: string;
  /** One-cycle's max LR as chosen: the policy's suggestion, or the declared fallback. */
  chosen: number;
  source: 'range_test' | 'fallback';
  trustworthy: boolean;
  reasons: string[];
}

export interface ScheduleSection {
  maxLr: number;
  epochs: number;
  stepsPerEpoch: number;
  totalSteps: number;
  /** The one-cycle options in force (PyTorch's names in camelCase). */
  options: Record<string, number | string | boolean>;
  /** Per step (at most a few thousand, evenly thinned when longer); momentum null when it is not cycled. */
  points: Array<{ step: number; lr: number; momentum: number | null }>;
  /** Whose schedule this is, e.g. "the train job" or "trial 3, the best". */
  of: string;
}

export interface EpochMetrics {
  epoch: number;
  metrics: Record<string, number | null>;
}

export interface CurvesSection {
  /** Every metric per epoch of the trained model (the best trial's for a sweep). */
  main?: { name: string; epochs: EpochMetrics[] };
  /** A sweep: each trial's objective per epoch. */
  trials?: Array<{ trial: number; status: string; curve: Array<number | null>; best: boolean }>;
  objective?: { metric: string; direction: 'maximize' | 'minimize' };
}

export interface SweepTrial {
  trial: number;
  status: string;
  config: Record<string, number | string | boolean>;
  maxLr: number | null;
  epochs: number;
  /** Epochs it trained (its curve's length). */
  epochsRun: number;
  batchSize: number;
  objective: number | null;
  stopReason?: string;
  error?: string;
  decisions: Array<{ epoch: number; action: string; reason: string; value: number | null; milestone?: number; threshold?: number | null; complete?: boolean }>;
  gpuSeconds: number;
  launches: number;
}

export interface SweepSection {
  objective: { metric: string; direction: 'maximize' | 'minimize' };
  strategy: string;
  earlyStopping: string;
  counts: { trials: number; completed: number; stopped: number; failed: number };
  stoppedBecause: string;
  endReason: string;
  bestTrial: number | null;
  /** The searched parameters and how to draw them: log scale for log-uniform ranges. */
  parameters: Array<{ name: string; scale: 'linear' | 'log' | 'categorical' }>;
  trials: SweepTrial[];
}

export interface Misclassified {
  sample: Sample;
  predicted: number;
  /** The model's probability for its (wrong) prediction, when the trainer wrote probabilities. */
  confidence: number | null;
  /** Its probability for the true class. */
  trueProbability: number | null;
}

export interface EvaluationSection {
  split: string;
  metrics: Record<string, number | null>;
  classes: string[];
  /** rows = true class, columns = predicted class. */
  confusion: number[][] | null;
  view: SampleView;
  /** The most confident mistakes first. */
  misclassified: Misclassified[];
  misclassifiedTotal: number;
  /** Annotators' accuracy against the adjudicated labels, when labeling ran: a model cannot be shown to beat it. */
  humanCeiling?: number | null;
}

/** One model of a chain: what it learns, what it reads, and its scores. */
export interface ChainModel {
  name: string;
  labelColumn: string | null;
  /** The model whose predicted class it reads, and the column that holds it; null for a model that reads only the data. */
  input: { from: string; as: string } | null;
  /** Test accuracy (end to end for a model that reads another's predictions). */
  testAccuracy: number | null;
  /** Pooled accuracy of the cross-fitted fold models on the rows they did not train on. */
  outOfFoldAccuracy: number | null;
  /** Test accuracy when fed the true upstream labels instead of predictions: the chain's upper bound. */
  oracleAccuracy: number | null;
  /** Where its input column came from, row by row (`outOfFold`, `final`, `label`), and how many out-of-fold rows were checked. */
  handoff: { counts: Record<string, number>; outOfFoldChecked: number } | null;
}

/** Each end-to-end test item of one hand-off, counted once: right, wrong because of the upstream model, or the downstream one. */
export interface ChainAttribution {
  upstream: string;
  downstream: string;
  n: number;
  correct: number;
  /** Wrong end to end with the upstream model wrong. */
  stage1: number;
  /** Wrong end to end with the upstream model right. */
  stage2: number;
  accuracy: { estimate: number; low: number; high: number };
  /** The downstream model on true upstream labels: what a perfect upstream model would give. */
  upperBound: number | null;
}

export interface ModelsSection {
  /** `oof`, `groundTruth` or `both`: what a downstream model trains on. */
  handoff: string;
  /** Of the accuracy intervals (the spec's evaluate.confidence). */
  confidence: number;
  /** In training order. */
  models: ChainModel[];
  attribution: ChainAttribution[];
}

export interface ReportData {
  run: RunInfo;
  data?: DataSection;
  labeling?: LabelingSection;
  splits?: SplitsSection;
  gates?: GatesSection;
  lrFind?: LrFindSection;
  schedule?: ScheduleSection;
  curves?: CurvesSection;
  sweep?: SweepSection;
  /** A chain of models (`models:` in the spec). */
  models?: ModelsSection;
  evaluation?: EvaluationSection;
  /** What could not be collected (a missing artifact, an unreadable file): said at the top, never a broken page. */
  notes?: string[];
  /** When the page was made (ISO 8601). */
  generatedAt?: string;
}

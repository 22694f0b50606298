/**
 * Plain-function activities for workflow tests: a pipeline whose every stage succeeds, with overrides per test.
 */
import type { Activities } from '../../activities/index.js';
import type { IngestResult, JobOutcome, JobRequest } from '../../activities/types.js';
import type { JobResult } from '../../core/spec/job.js';
import { memorySweepTable } from './sweepTableFake.js';

/** A spec line that turns every data check off, for tests whose activities do not fake them (the checks have their own tests). */
export const NO_DATA_CHECKS =
  'checks: { schema: { enabled: false }, duplicates: { enabled: false }, leakage: { enabled: false }, preprocessing: { enabled: false }, splits: { enabled: false } }';

export const SUGGESTIONS = { valley: 0.031, steep: 0.012, minimum: 0.08, slide: 0.05 };

export const INGEST: IngestResult = {
  data: { uri: 's3://gauntlet/datasets/x.csv', sha256: 'a'.repeat(64), format: 'csv', labelColumn: 'label', splitUri: 's3://gauntlet/datasets/x/splits/y.json', numClasses: 10, ignoreColumns: [] },
  rows: 100,
  classes: ['0', '1'],
  counts: { train: 70, valid: 15, test: 15 },
  splitSha256: 'b'.repeat(64),
};

export function outcome(request: JobRequest, metrics: Record<string, number>, artifacts: Record<string, string> = {}): JobOutcome {
  const result: JobResult = {
    contract: 'gauntlet.job/v1',
    jobId: `job-${request.stage}`,
    mode: request.mode,
    status: 'succeeded',
    metrics,
    artifacts,
    details: {},
    device: 'cpu',
    startedAt: '2026-01-01T00:00:00Z',
    finishedAt: '2026-01-01T00:00:02Z',
    trainer: { name: 'fake', version: '0' },
    resumedFromEpoch: null,
  };
  return { jobId: result.jobId, resultUri: `s3://gauntlet/runs/r/${request.stage}/result.json`, result, launches: 1, adopted: false, trainerSeconds: 2, epochs: [] };
}

export function fakeActivities(overrides: Partial<Activities> = {}, log: JobRequest[] = [], sweepId = 'r-sweep'): Activities {
  return {
    ingestDataset: async () => INGEST,
    runJob: async (request) => {
      log.push(request);
      if (request.mode === 'overfit_check') {
        const result = outcome(request, { final_loss: 0.01, steps: 40 });
        return { ...result, result: { ...result.result, details: { passed: true } } };
      }
      if (request.mode === 'lr_range_test') return outcome(request, { steps: 90 }, { curve: 's3://gauntlet/runs/r/lr-find/lr_curve.json' });
      if (request.mode === 'inspect') return outcome(request, { rows: 70 }, { inspection: 's3://gauntlet/runs/r/inspect/inspect.json' });
      if (request.mode === 'label') return outcome(request, { items: 1 }, { labels: `s3://gauntlet/runs/r-label/${request.stage}/labels.json` });
      if (request.mode === 'train') return outcome(request, { val_accuracy: 0.95 }, { checkpoint: 's3://gauntlet/runs/r/train/checkpoints/epoch-0003.pt' });
      return outcome(request, { accuracy: 0.93, loss: 0.2, n: 15 }, { predictions: `s3://gauntlet/runs/r/${request.stage}/predictions.json` });
    },
    writeRunManifest: async () => 's3://gauntlet/runs/r/manifest.json',
    writeRunReport: async ({ runId }) => `s3://gauntlet/runs/${runId}/report.html`,
    computeOracleBound: async () => ({ accuracy: 1, n: 15, errors: 0 }),
    analyzeRangeTest: async () => ({
      suggestions: SUGGESTIONS, trustworthy: true, reasons: [], points: 90,
      analysisUri: 's3://gauntlet/runs/r/lr-find/lr_analysis.json', plotUri: 's3://gauntlet/runs/r/lr-find/lr_curve.svg',
    }),
    scoreFinalOutputs: async () => ({ accuracy: 0.93, n: 15, errors: 1 }),
    publishLabelBatches: async ({ batches }) => Object.fromEntries(batches.map((batch) => [batch.id, `s3://gauntlet/runs/r-label/labeling/batches/${batch.id}.json`])),
    readJobLabels: async ({ items }) => items.map((item) => ({ item, label: '0' })),
    applyLabels: async ({ settled }) => ({
      ingest: { ...INGEST, rows: settled.filter((item) => item.label !== null).length },
      provenanceUri: 's3://gauntlet/runs/r-label/labeling/provenance.json',
    }),
    runDataChecks: async ({ checks, precision }) => ({
      results: [
        ...(['schema', 'duplicates', 'leakage', 'splits'] as const).filter((name) => checks[name].enabled).map((name) => ({ name, verdict: 'pass' as const, message: `${name}: fine`, details: {} })),
        ...(precision ? [{ name: 'test-size', verdict: 'pass' as const, message: 'big enough', details: {} }] : []),
      ],
      uri: 's3://gauntlet/runs/r/checks/data.json',
    }),
    checkPreprocessing: async () => ({ results: [{ name: 'preprocessing', verdict: 'pass', message: 'inputs look like the data', details: {} }], uri: 's3://gauntlet/runs/r/checks/preprocessing.json' }),
    ...memorySweepTable(sweepId).activities,
    // The model registry: no champion yet, every promotion lands (test/integration/registry.test.ts has the real one).
    assessModel: async ({ headline, confidence }) => {
      const interval = (estimate: number) => ({ estimate, low: estimate - 0.03, high: Math.min(1, estimate + 0.03), method: 'wilson' as const });
      const metrics = { accuracy: interval(0.93), macroF1: interval(0.92), balancedAccuracy: interval(0.92), logLoss: null, auc: null };
      const report = { n: 15, classes: ['0', '1'], confidence, headline: { metric: headline, ...interval(0.93) }, metrics, perClass: [], confusion: [[7, 1], [0, 7]], bootstrap: { resamples: 1000, seed: 0, aucUndefinedResamples: 0 } };
      return { report, comparison: null, uri: 's3://gauntlet/runs/r/evaluation.json' } as unknown as Awaited<ReturnType<Activities['assessModel']>>;
    },
    readChampion: async () => null,
    promoteModel: async ({ candidate, by, reasons, at }) => {
      const champion = { ...candidate, promotedAt: at ?? '2026-01-01T00:00:03.000Z', promotedBy: by, reason: reasons.join('; ') };
      return { outcome: 'promoted', champion, championUri: `s3://gauntlet/models/${candidate.pipeline}/champion.json`, historyUri: `s3://gauntlet/models/${candidate.pipeline}/history/x.json` };
    },
    recordPromotionVerdict: async ({ pipeline }) => `s3://gauntlet/models/${pipeline}/history/x.json`,
    testSetHashOf: async () => 'c'.repeat(64),
    findUnchangedRun: async () => null,
    // A chain of models (test/integration/twoStage.test.ts has the real ones).
    prepareModelData: async ({ data, labelColumn, ignoreColumns }) => ({ ...data, labelColumn, ignoreColumns }),
    planCrossFit: async ({ runId, folds }) => ({
      assignmentUri: `s3://gauntlet/runs/${runId}/crossfit/assignment.json`,
      folds: Array.from({ length: folds }, (_, k) => ({ splitUri: `s3://gauntlet/datasets/x/splits/fold-${k}.json`, trainRows: 40, predictRows: 10 })),
    }),
    buildHandoff: async ({ data }) => {
      const as = (name: string) => ({ ...data, uri: `s3://gauntlet/datasets/${name}.csv`, sha256: name.padEnd(64, '0') });
      return { train: as('ab'), evaluate: as('ab'), oracle: as('cd'), counts: { outOfFold: 70, final: 30, label: 0 }, outOfFoldChecked: 70 };
    },
    attributeTwoStage: async ({ runId, names }) => ({
      n: 15, counts: { correct: 12, stage1: 2, stage2: 1 }, accuracy: { estimate: 0.8, low: 0.55, high: 0.93, method: 'wilson' }, confidence: 0.95, blame: 'stage1',
      table: `end-to-end accuracy 0.800 · ${names.stage1} wrong 2 · ${names.stage2} wrong 1`, uri: `s3://gauntlet/runs/${runId}/attribution.json`,
    }),
    ...overrides,
  };
}


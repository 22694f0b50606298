/**
 * A finished two-stage run in a store, as workflows/modelsPipeline.ts and activities/manifest.ts write it: a small
 * digits-canvas data set (a digit in one cell of a 3×3 canvas; `cell` is the locator's label, `digit` the reader's),
 * its group split, and the manifest with `models` (metrics, hand-off, attribution) and `data.snapshot`. The numbers
 * agree with each other: 18 test items, 14 right end to end, 3 lost at the locator and 1 at the reader.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { proportionInterval } from '../../core/eval/proportion.js';
import { loadPipelineYaml } from '../../core/spec/parse.js';
import type { ArtifactStore } from '../../activities/store.js';
import { repoRoot } from './paths.js';
import { fixtureSample } from './reportFixture.js';

export const TWO_STAGE_RUN = 'two-stage-digits-20261130T020000Z';
const ROWS = 120;
const GROUPS = 40;
const SIDE = 24;

/** Row r: digit r % 5 (the report fixture's hand-drawn digits) in cell 7r % 9, from source image r % 40. */
export function canvasCsv(): string {
  const header = [...Array.from({ length: SIDE * SIDE }, (_, i) => `p${i}`), 'cell', 'digit', 'image'];
  const lines = [header.join(',')];
  for (let row = 0; row < ROWS; row++) {
    const cell = (7 * row) % 9;
    const digit = fixtureSample(row);
    const canvas = new Array<number>(SIDE * SIDE).fill(0);
    const top = 8 * Math.floor(cell / 3);
    const left = 8 * (cell % 3);
    digit.features.forEach((value, i) => (canvas[(top + Math.floor(i / 8)) * SIDE + left + (i % 8)] = value));
    lines.push([...canvas, cell, digit.label, row % GROUPS].join(','));
  }
  return `${lines.join('\n')}\n`;
}

/** Whole source images per split: 6 images (18 rows) each for test and valid, the rest train. */
export function canvasSplit(): { train: number[]; valid: number[]; test: number[] } {
  const rows = Array.from({ length: ROWS }, (_, row) => row);
  return { train: rows.filter((row) => row % GROUPS >= 12), valid: rows.filter((row) => row % GROUPS >= 6 && row % GROUPS < 12), test: rows.filter((row) => row % GROUPS < 6) };
}

export interface TwoStageOptions {
  /** Replaces the manifest's `models`; `undefined` leaves it out (a run of one model, every run before chains). */
  models?: unknown;
  snapshot?: unknown;
}

/** The manifest's `models` as the workflow records it. */
export function twoStageModels(): Record<string, unknown> {
  const test = 18;
  const accuracy = proportionInterval(14, test, { method: 'wilson', confidence: 0.95 });
  return {
    handoff: 'oof',
    results: {
      locator: {
        metrics: { val_accuracy: 0.8889, test_accuracy: 15 / test, test_loss: 0.41, test_n: test, valid_accuracy: 0.8889, oof_accuracy: 73 / 84 },
        checkpoint: `s3://gauntlet/runs/${TWO_STAGE_RUN}-locator/train/checkpoint.pt`,
        lr: { source: 'fixed', maxLr: 0.1 },
        outOfFold: { assignmentUri: `s3://gauntlet/runs/${TWO_STAGE_RUN}-locator/crossfit/assignment.json`, predictionsUris: [1, 2, 3].map((k) => `s3://gauntlet/runs/${TWO_STAGE_RUN}-locator/fold-${k}-predict/predictions.json`), accuracy: 73 / 84 },
        handoff: null,
      },
      reader: {
        // test_*: end to end (fed the locator's predictions); oracle_*: fed the true cell.
        metrics: { val_accuracy: 0.8333, test_accuracy: 14 / test, test_loss: 0.62, test_n: test, oracle_accuracy: 16 / test, oracle_loss: 0.33, oracle_n: test },
        checkpoint: `s3://gauntlet/runs/${TWO_STAGE_RUN}-reader/train/checkpoint.pt`,
        lr: { source: 'fixed', maxLr: 0.1 },
        outOfFold: null,
        handoff: { counts: { outOfFold: 84, final: 36, label: 0 }, outOfFoldChecked: 84 },
      },
    },
    attribution: [
      { correct: 14, stage1: 3, stage2: 1, upstream: 'locator', downstream: 'reader', n: test, accuracy, table: 'end-to-end accuracy 0.778 …' },
    ],
  };
}

/** Writes the data set, the split and the manifest; returns the manifest's URI. */
export async function writeTwoStageRun(store: ArtifactStore, options: TwoStageOptions = { models: twoStageModels(), snapshot: { name: '2026-11-30.csv', location: 'file:/data/incoming/2026-11-30.csv' } }): Promise<string> {
  const spec = loadPipelineYaml(readFileSync(join(repoRoot, 'examples/two-stage/pipeline.yaml'), 'utf8'));
  const csv = canvasCsv();
  const data = await store.putBytes('datasets/canvas.csv', csv, 'text/csv');
  const split = await store.putJson('splits/canvas.json', canvasSplit());
  const accuracy = proportionInterval(14, 18, { method: 'wilson', confidence: 0.95 });
  const jobs = Object.fromEntries(
    ['locator.overfit', 'locator.fold-1', 'locator.fold-1-predict', 'locator.train', 'locator.evaluate-test', 'locator.evaluate-valid', 'reader.overfit', 'reader.train', 'reader.evaluate-test', 'reader.evaluate-oracle'].map((job) => [
      job,
      { jobId: `${TWO_STAGE_RUN}-${job.replace('.', '-')}`, mode: job.split('.')[1]!.startsWith('evaluate') ? 'evaluate' : 'train', metrics: {}, launches: job === 'locator.overfit' ? 0 : 1 },
    ]),
  );
  const manifest = {
    manifest: 'gauntlet.run-manifest/v1',
    runId: TWO_STAGE_RUN,
    temporalRunId: '4a1c',
    pipeline: spec.name,
    specFile: 'examples/two-stage/pipeline.yaml',
    spec: { ...spec, data: { ...spec.data, source: 'file:/data/incoming/' } },
    data: { source: 'file:/data/incoming/', ...(options.snapshot !== undefined ? { snapshot: options.snapshot } : {}), sha256: 'c'.repeat(64), splitSha256: 'd'.repeat(64), rows: ROWS, classes: ['0', '1', '2', '3', '4'], counts: {} },
    code: { gauntlet: '0.1.0', gitCommit: '1307f9e1a5078974357f9a50e6b24df98ffd4d47', gitDirty: false },
    metrics: { locator_test_accuracy: 15 / 18, locator_oof_accuracy: 73 / 84, reader_test_accuracy: 14 / 18, reader_oracle_accuracy: 16 / 18, test_accuracy: accuracy.estimate, test_accuracy_low: accuracy.low, test_accuracy_high: accuracy.high },
    goal: spec.goal ?? null,
    goalMet: false,
    gates: [
      { gate: 'locator:overfit', passed: true, explanation: 'overfit gate passed: loss 0.0312 < 0.05 after 41 steps on one batch of 32', value: 0.0312 },
      { gate: 'reader:overfit', passed: true, explanation: 'overfit gate passed: loss 0.0433 < 0.05 after 87 steps on one batch of 32', value: 0.0433 },
    ],
    lrFinder: null,
    sweep: null,
    checks: [],
    promotion: null,
    ...(options.models !== undefined ? { models: options.models } : {}),
    labeling: null,
    jobs,
    artifacts: { data, split, 'locator.train.checkpoint': `s3://gauntlet/runs/${TWO_STAGE_RUN}-locator/train/checkpoint.pt` },
    startedAt: '2026-11-30T02:00:00Z',
    finishedAt: '2026-11-30T02:09:12Z',
  };
  return store.putJson(`runs/${TWO_STAGE_RUN}/manifest.json`, manifest);
}

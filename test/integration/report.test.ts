/**
 * The run report on the real stack: digits runs (a plain pipeline, a sweep, a labeled run) go through the CLI against
 * Temporal, MinIO, the worker and the reference trainer; `gauntlet report RUN` then builds each page from MinIO
 * alone, and a real Chromium opens it. Screenshots: test-output/screenshots/report-{digits,sweep,labeled}.png.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { z } from 'zod';
import { createReportActivities, reportKey } from '../../activities/report/index.js';
import { ArtifactStore } from '../../activities/store.js';
import { REPORT_SECTIONS } from '../../core/report/page.js';
import { startTestStack, type TestStack } from '../../deploy/dev/testStack.js';
import { detectPython } from '../../deploy/dev/worker.js';
import { createMinioClient } from '../../worker/sideEffects.js';
import { renderPage, type PageReport } from '../support/browser.js';
import { runCli } from '../support/cli.js';
import { repoRoot } from '../support/paths.js';
import { startWorkerProcess, type WorkerProcess } from '../support/workerProcess.js';

const RunJson = z.object({ runId: z.string(), status: z.string() });

const HEAD = `apiVersion: gauntlet.dev/v1
kind: Pipeline
trainer: { timeout: 10m, heartbeatTimeout: 30s }
`;

const DIGITS = `${HEAD}name: report-digits
description: the digits MLP, a short run for the report
data: { source: "sklearn:digits" }
train:
  epochs: 6
  hyperparameters: { hidden: 64 }
  schedule: { kind: one_cycle }
  lrFind: { startLr: 1.0e-6, endLr: 10, numSteps: 100, policy: steep }
goal: { metric: accuracy, min: 0.9 }
`;

const SWEEP = `${HEAD}name: report-sweep
description: a four-trial random sweep with ASHA
data: { source: "sklearn:digits" }
train:
  epochs: 3
  schedule: { kind: one_cycle }
  lrFind: { startLr: 1.0e-6, endLr: 10, numSteps: 100, policy: steep }
sweep:
  space: { lrFactor: { loguniform: [0.01, 3] }, hidden: { choice: [16, 64] } }
  strategy: { kind: random, seed: 1 }
  earlyStopping: { kind: asha, gracePeriod: 1, reductionFactor: 3 }
  budget: { maxTrials: 4, gpuBudget: 2, gpusPerTrial: 1 }
goal: { metric: accuracy, min: 0.8 }
`;

const LABELED = (csv: string) => `${HEAD}name: report-labeled
description: 60 digits relabeled by simulated annotators
data: { source: "file:${csv}", ignoreColumns: [true_label] }
label:
  items: all
  batchSize: 10
  annotators:
    - { name: careful, kind: job, hyperparameters: { accuracy: 0.95, confusions: "1:7,3:8,4:9", truthColumn: true_label } }
    - { name: sloppy, kind: job, hyperparameters: { accuracy: 0.6, confusions: "1:7,3:8,4:9", truthColumn: true_label } }
    - { name: tiebreak, kind: job, hyperparameters: { accuracy: 0.9, truthColumn: true_label } }
  overlap: { fraction: 0.5 }
  gate: { metric: krippendorffAlpha, min: 0.3, onFail: warn }
  view: { kind: image, width: 8, height: 8, maxValue: 16 }
gates: { overfit: { enabled: false } }
train: { epochs: 3, batchSize: 8, schedule: { kind: one_cycle, maxLr: 0.1 } }
`;

const TITLES = new Map<string, string>(REPORT_SECTIONS);

/** A present section's title is a line twice (its heading and its entry in the contents); an absent one not at all. */
function assertSections(page: PageReport, present: string[]): void {
  const lines = page.text.split('\n').map((line) => line.trim());
  for (const [id, title] of REPORT_SECTIONS) {
    const seen = lines.filter((line) => line === title).length;
    assert.equal(seen, present.includes(id) ? 2 : 0, `${title} ${present.includes(id) ? 'missing' : 'shown for a stage that did not run'}`);
  }
}

function assertClean(page: PageReport): void {
  assert.deepEqual(page.consoleErrors, [], 'console errors');
  assert.deepEqual(page.pageErrors, [], 'page errors');
  assert.deepEqual(page.failedRequests, [], 'failed requests');
  assert.ok(page.images.length > 0, 'the digits are drawn');
  for (const image of page.images) assert.ok(image.naturalWidth === 8 && image.src.startsWith('data:image/png;base64,'), `an image did not load: ${image.src.slice(0, 40)}`);
  // A value the page failed to format ("NaN", "undefined"), not words in a check's message such as "0 NaN/Inf".
  assert.ok(!/(^|[\s(:])(NaN|undefined)(?=[\s),.%]|$)/m.test(page.text), 'no unformatted values');
}

describe('the run report on the real stack', () => {
  let stack: TestStack;
  let worker: WorkerProcess;
  let store: ArtifactStore;
  const dir = mkdtempSync(join(tmpdir(), 'gauntlet-report-'));

  before(async () => {
    stack = await startTestStack({ worker: false, python: await detectPython() });
    worker = await startWorkerProcess(stack.env);
    store = new ArtifactStore(createMinioClient(stack.config), stack.bucket);
  });
  after(async () => {
    await worker?.kill('SIGTERM');
    await stack?.stop();
  });

  const run = async (name: string, spec: string): Promise<string> => {
    const file = join(dir, `${name}.yaml`);
    writeFileSync(file, spec);
    const result = await runCli(['run', file, '--json'], stack.env, 900_000);
    assert.equal(result.code, 0, result.stderr + result.stdout);
    const parsed = RunJson.parse(JSON.parse(result.stdout));
    assert.equal(parsed.status, 'succeeded');
    return parsed.runId;
  };

  /** `gauntlet report RUN --rebuild --out …` with an environment that has no xdg-open, then Chromium. */
  const report = async (runId: string, screenshot: `${string}.png`, present: string[]) => {
    const out = join(dir, `${runId}.html`);
    const result = await runCli(['report', runId, '--rebuild', '--out', out, '--open'], { ...stack.env, PATH: '/nonexistent' });
    assert.equal(result.code, 0, result.stderr + result.stdout);
    assert.ok(result.stdout.includes(`sections: ${present.map((id) => TITLES.get(id)).join(', ')}`), result.stdout);
    assert.ok(!result.stdout.includes('left out:'), `every artifact was readable: ${result.stdout}`);
    assert.match(result.stdout, /no xdg-open on PATH: open \S+ in a browser/, '--open does not fail without a desktop');
    const page = await renderPage(out, { screenshot, viewport: { width: 1280, height: 900 } });
    assertClean(page);
    assertSections(page, present);
    return { page, out };
  };

  test('GIVEN a digits pipeline run through the CLI WHEN its report is built from MinIO THEN there is a section per stage that ran, the data drawn as digits, and no error in Chromium', async () => {
    const runId = await run('digits', DIGITS);
    const { page } = await report(runId, 'report-digits.png', ['data', 'splits', 'gates', 'lr-find', 'schedule', 'curves', 'evaluation']);
    for (const text of ['goal met', 'Examples of each class', 'Overfit one batch', 'chosen max LR', '6 epochs × 20 batches', 'train_loss', 'Confusion matrix', 'Misclassified examples']) {
      assert.ok(page.text.includes(text), `missing: ${text}`);
    }
    assert.match(page.text, /true \d → \d \d+%/, 'a mistake shown with its true and predicted class and the confidence');
  });

  test('GIVEN the report activity has stored a page WHEN `gauntlet report RUN` runs without --rebuild THEN it downloads that page; an unknown run is one clear line', async () => {
    const runId = await run('digits-stored', DIGITS.replace('name: report-digits', 'name: report-stored'));
    const uri = await createReportActivities({ store }).writeRunReport({ runId });
    assert.equal(uri, store.uri(reportKey(runId)));
    const out = join(dir, 'stored.html');
    const result = await runCli(['report', runId, '--out', out], stack.env);
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, new RegExp(`from ${uri.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`));
    assert.equal(readFileSync(out, 'utf8'), (await store.getBytes(uri)).toString('utf8'));

    const missing = await runCli(['report', 'nope-20260101T000000Z', '--out', join(dir, 'nope.html')], stack.env);
    assert.equal(missing.code, 2, missing.stderr);
    assert.match(missing.stderr, /^error: run nope-20260101T000000Z has no manifest at s3:\/\/\S+\/runs\/nope-20260101T000000Z\/manifest\.json: the run id is wrong, or the run has not reached its record stage/);
  });

  test('GIVEN a sweep with ASHA WHEN its report is built THEN it ranks the trials, plots the objective against each hyperparameter and lists early stopping\'s decisions', async () => {
    const runId = await run('sweep', SWEEP);
    const { page } = await report(runId, 'report-sweep.png', ['data', 'splits', 'gates', 'lr-find', 'schedule', 'curves', 'sweep', 'evaluation']);
    for (const text of ['Trials, best first', 'val_accuracy against each hyperparameter', 'Early-stopping decisions', "Every trial's val_accuracy", ', the best']) {
      assert.ok(page.text.includes(text), `missing: ${text}`);
    }
    assert.match(page.text, /\d+ decisions: \d+ stopped a trial/);
    assert.match(page.text, /lrFactor \(log scale\)/);
  });

  test('GIVEN digits relabeled by simulated annotators WHEN the report is built THEN it shows agreement, the human ceiling and the disputed items as digits with every rating', async () => {
    const runId = await run('labeled', LABELED(join(repoRoot, 'test/fixtures/labeling/digits-60.csv')));
    const { page } = await report(runId, 'report-labeled.png', ['data', 'labeling', 'splits', 'gates', 'schedule', 'curves', 'evaluation']);
    for (const text of ["Krippendorff's alpha", 'The human ceiling', 'Disputed labels', 'careful', 'sloppy']) assert.ok(page.text.includes(text), `missing: ${text}`);
    assert.match(page.text, /item \d+\n(careful|sloppy|tiebreak) \d/, 'a disputed item with its ratings');
  });
});

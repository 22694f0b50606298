/**
 * Two models in a chain on the real stack (Temporal dev server, MinIO, the worker process, the reference trainer for
 * the locator and the user's crop_reader.py for the reader), through `gauntlet run`:
 * - the worker is SIGKILLed while the locator is being cross-fitted: no fold is lost, none is launched twice, and
 *   the recorded fold assignment shows no out-of-fold prediction came from a model that saw its row;
 * - the attribution adds up to the end-to-end error, and the reader on true cells bounds the pipeline;
 * - with a deliberately weak locator, the attribution points to stage 1, and so does the run report's Models section.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { z } from 'zod';
import { collectReportData } from '../../activities/report/index.js';
import { ArtifactStore } from '../../activities/store.js';
import { presentSections } from '../../core/report/page.js';
import { improveFirst } from '../../core/report/sections/models.js';
import { verifyOutOfFold } from '../../core/twostage/crossFit.js';
import { startTestStack, type TestStack } from '../../deploy/dev/testStack.js';
import { detectPython } from '../../deploy/dev/worker.js';
import { createMinioClient } from '../../worker/sideEffects.js';
import { until } from '../support/chaos.js';
import { runCli } from '../support/cli.js';
import { repoRoot } from '../support/paths.js';
import { trainerPids } from '../support/trainerProcesses.js';
import { startWorkerProcess, type WorkerProcess } from '../support/workerProcess.js';

const FOLDS = 3;
const RunJson = z.looseObject({
  runId: z.string(),
  status: z.string(),
  metrics: z.record(z.string(), z.number().nullable()),
  attribution: z.object({ correct: z.number(), stage1: z.number(), stage2: z.number() }),
});
const Manifest = z.looseObject({
  jobs: z.record(z.string(), z.looseObject({ launches: z.number(), metrics: z.record(z.string(), z.number().nullable()) })),
  artifacts: z.record(z.string(), z.string()),
  models: z.looseObject({
    results: z.record(z.string(), z.looseObject({ outOfFold: z.looseObject({ assignmentUri: z.string(), predictionsUris: z.array(z.string()), accuracy: z.number() }).nullable(), handoff: z.looseObject({ outOfFoldChecked: z.number() }).nullable() })),
    attribution: z.array(z.looseObject({ n: z.number(), correct: z.number(), stage1: z.number(), stage2: z.number() })),
  }),
});
const Assignment = z.object({ folds: z.number(), seed: z.number(), rows: z.array(z.number()), fold: z.array(z.number()) });
const Predictions = z.array(z.looseObject({ row: z.number(), prediction: z.number() }));

const pipeline = (name: string, locator: string, handoff: string) => `
apiVersion: gauntlet.dev/v1
kind: Pipeline
name: ${name}
data: { source: "demo:digits-canvas", labelColumn: digit, split: { groupColumn: image, seed: 0 } }
checks: { preprocessing: { enabled: false } }
gates: { overfit: { enabled: false } }
trainer: { heartbeatTimeout: 5s }
train: { epochs: 8, batchSize: 64, hyperparameters: { hidden: 128 }, schedule: { kind: one_cycle, maxLr: 0.1 }, kfold: { concurrency: 2 } }
models:
  locator:
    labelColumn: cell
${locator}
  reader:
    labelColumn: digit
    inputs: { from: locator, as: cell_pred }
    trainer: { kind: command, command: ["{python}", "${join(repoRoot, 'examples/two-stage/crop_reader.py')}"] }
    train: { hyperparameters: { cellColumn: cell_pred, hidden: 64 } }
handoff: ${handoff}
crossFit: { folds: ${FOLDS} }
`;

describe('two models in a chain on the real stack', () => {
  let stack: TestStack;
  let worker: WorkerProcess;
  let store: ArtifactStore;
  const dir = mkdtempSync(join(tmpdir(), 'gauntlet-two-stage-'));
  const file = (name: string, text: string) => {
    const path = join(dir, `${name}.yaml`);
    writeFileSync(path, text);
    return path;
  };
  const manifestOf = async (runId: string) => Manifest.parse(JSON.parse((await store.getBytes(store.uri(`runs/${runId}/manifest.json`))).toString('utf8')));
  const jobDirs = () => (existsSync(join(stack.stateDir, 'jobs')) ? readdirSync(join(stack.stateDir, 'jobs')) : []);

  before(async () => {
    stack = await startTestStack({ worker: false, python: await detectPython() });
    worker = await startWorkerProcess(stack.env);
    store = new ArtifactStore(createMinioClient(stack.config), stack.bucket);
  });
  after(async () => {
    await worker?.kill('SIGTERM');
    await stack?.stop();
  });

  test('GIVEN the worker SIGKILLed during cross-fitting THEN no fold is lost or launched twice, predictions are out-of-fold, and the attribution adds up', async () => {
    const release = join(dir, 'release');
    // The first locator job to finish an epoch holds until the test releases it: the kill lands mid-fold, whatever the machine's speed.
    const spec = file('chain', pipeline('chain', `    train: { hyperparameters: { holdFile: "${release}" } }`, 'oof'));
    const run = runCli(['run', spec, '--json'], stack.env, 1_500_000);
    await until('a fold model holds mid-training and another trains', () => existsSync(`${release}.claim`) && trainerPids(stack.stateDir).length >= 2);
    const before = jobDirs();
    assert.ok(before.some((name) => /-locator-fold-\d+-[0-9a-f]{8}$/.test(name)), `a fold job started: ${before.join(' ')}`);
    await worker.kill('SIGKILL');
    worker = await startWorkerProcess(stack.env);
    writeFileSync(release, 'go');

    const result = await run;
    assert.equal(result.code, 0, `${result.stderr}${result.stdout}\n${worker.output().slice(-3000)}`);
    const parsed = RunJson.parse(JSON.parse(result.stdout));
    assert.equal(parsed.status, 'succeeded');
    const manifest = await manifestOf(parsed.runId);
    for (let k = 1; k <= FOLDS; k++) {
      assert.equal(manifest.jobs[`locator.fold-${k}`]?.launches, 1, `fold ${k} launched once`);
      assert.equal(manifest.jobs[`locator.fold-${k}-predict`]?.launches, 1, `fold ${k} predicted once`);
    }
    const foldJobs = jobDirs().filter((name) => name.startsWith(parsed.runId.toLowerCase()) && /-fold-\d+-[0-9a-f]{8}$/.test(name));
    const predictJobs = jobDirs().filter((name) => name.startsWith(parsed.runId.toLowerCase()) && /-fold-\d+-predict-[0-9a-f]{8}$/.test(name));
    assert.equal(foldJobs.length, FOLDS, `one train job per fold: ${foldJobs.join(' ')}`);
    assert.equal(predictJobs.length, FOLDS, `one predict job per fold: ${predictJobs.join(' ')}`);

    // Out-of-fold, from the recorded assignment: each fold model predicted exactly its own fold, which it never trained on.
    const locator = manifest.models.results.locator!;
    assert.ok(locator.outOfFold);
    const assignment = Assignment.parse(JSON.parse((await store.getBytes(locator.outOfFold.assignmentUri)).toString('utf8')));
    assert.equal(assignment.folds, FOLDS);
    const byFold = await Promise.all(locator.outOfFold.predictionsUris.map(async (uri) => Predictions.parse(JSON.parse((await store.getBytes(uri)).toString('utf8')))));
    assert.deepEqual(verifyOutOfFold(assignment, byFold.flatMap((rows, fold) => rows.map(({ row }) => ({ row, fold })))), []);
    assert.equal(manifest.models.results.reader?.handoff?.outOfFoldChecked, assignment.rows.length, 'every train row got a checked out-of-fold prediction');

    // Attribution: each test item once; the two stages' errors are the end-to-end errors.
    const { correct, stage1, stage2 } = parsed.attribution;
    const n = manifest.models.attribution[0]!.n;
    assert.equal(correct + stage1 + stage2, n);
    const accuracy = parsed.metrics.test_accuracy ?? -1;
    assert.ok(Math.abs(accuracy - correct / n) < 1e-9, `end-to-end accuracy ${accuracy} = ${correct}/${n}`);
    assert.ok(accuracy >= 0.8, `end-to-end accuracy ${accuracy}`);
    const oracle = parsed.metrics.reader_oracle_accuracy ?? -1;
    assert.ok(oracle >= accuracy - 0.02, `the reader on true cells (${oracle}) bounds the pipeline (${accuracy})`);
  });

  test('GIVEN a deliberately weak locator THEN the attribution points to stage 1', async () => {
    const weak = '    train: { epochs: 1, hyperparameters: { hidden: 4 }, schedule: { kind: constant, lr: 0.0003 } }';
    const result = await runCli(['run', file('weak', pipeline('weak-chain', weak, 'both')), '--json'], stack.env, 900_000);
    assert.equal(result.code, 0, result.stderr + result.stdout);
    const parsed = RunJson.parse(JSON.parse(result.stdout));
    const { stage1, stage2 } = parsed.attribution;
    assert.ok(stage1 > 2 * stage2, `stage 1 errors ${stage1} dominate stage 2's ${stage2}`);
    assert.ok((parsed.metrics.locator_test_accuracy ?? 1) < 0.6, `the locator is weak: ${parsed.metrics.locator_test_accuracy}`);

    // The run report shows the chain from the manifest alone, and says the same: improve the locator first.
    const report = await collectReportData(store, parsed.runId);
    assert.ok(presentSections(report).includes('models'), `sections: ${presentSections(report).join(', ')}`);
    assert.deepEqual((report.notes ?? []).filter((note) => note.startsWith('models')), []);
    const [attribution] = report.models!.attribution;
    assert.deepEqual([attribution!.stage1, attribution!.stage2], [stage1, stage2]);
    assert.match(improveFirst(attribution!, report.models!.models), /^Improve locator first/);
  });
});

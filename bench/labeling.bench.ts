/**
 * Labeling benchmark (issue 10), printed, never asserted. Real CLI, Temporal, MinIO, worker process and the reference
 * trainer's simulated annotators (trainer/gauntlet_reference/annotate.py: no torch, so a label job is one short
 * Python process).
 *
 * Part 1, throughput of the simulated path: sklearn:digits (1,797 items, `items: all`) relabeled by annotator jobs
 * that never fail (crash/malformed probability 0, secondsPerItem 0), no overlap, at every --sizes batch size and
 * every --lanes annotator layout ("3x2" = 3 annotators × concurrency 2 = 6 lanes); gates off, 1 training epoch.
 * Per run:
 *   stage wall        the pipeline's `label` stage, startedAt → finishedAt (progress query): child workflow start,
 *                     publishing the batch files, every attempt, settling, writing the relabeled data set
 *   items/s           items / stage wall
 *   head · tail       stage start → first attempt's start · last attempt's end → stage finish (fixed costs)
 *   attempt           mean attempt duration as the workflow records it (startedAt → endedAt: runJob scheduled, the
 *                     Python process, the labels read back and checked), split into
 *     process         spawn → exit code written (local executor's job folder): Python start-up + labeling
 *     labeling        what the job itself reports (result.json startedAt → finishedAt)
 *   lane idle/batch   (busy lanes × (last end − first start) − Σ attempt durations) / batches: time a lane sat
 *                     without a batch between attempts (the workflow's reaction to a completion)
 *   overhead/batch    (busy lanes × stage wall − Σ labeling time the jobs report) / batches, busy lanes =
 *                     min(lanes, batches): every lane-second that was not annotating, per batch (Python start-up,
 *                     activity and executor round trips, fixed costs amortized)
 * and then a least-squares fit per layout, stage wall = a + b · batches: a estimates the fixed cost of a stage (it
 * moves with the load; head + tail measure it directly), b the marginal stage time of one more batch at that
 * concurrency (b × lanes: what one batch costs a lane).
 *
 * Part 2, the demo: examples/digits/labeling.yaml (3 simulated annotators incl. a flaky one, 20% overlap, a third
 * annotator settles disputes, alpha gate 0.8) through `gauntlet run --json`: alpha, percent agreement, pairwise
 * Cohen's kappas (`gauntlet label status --json`), the human ceiling, failed attempts by kind, label stage wall and
 * test accuracy; then examples/digits/labeling-noisy.yaml, which must stop at the agreement gate, with its alpha.
 *
 * Which annotator gets which batch depends on timing (whoever is free first), and the flaky annotator's retries
 * too, so the adjudicated labels, and everything trained on them, differ from run to run: the demo runs
 * --demo-runs times, one column each. A run that fails after labeling (e.g. at the LR range test) still has its
 * labeling figures; its failure is printed under the table.
 *
 *   node dist/bench/labeling.bench.js [--sizes 25,100,400] [--lanes 2x1,3x2] [--demo-runs 3] [--skip-throughput] [--skip-demo]
 */
import { existsSync, mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { z } from 'zod';
import { ArtifactStore } from '../activities/store.js';
import { jobPaths } from '../activities/executor/local.js';
import { PidRecord } from '../activities/executor/processes.js';
import { jobIdFor } from '../activities/runJob.js';
import { newTable } from '../cli/table.js';
import { labelingWorkflowId, type LabelingStatus } from '../contracts/labeling.js';
import type { GateVerdict, RunProgress, StageProgress } from '../core/progress.js';
import { startTestStack } from '../deploy/dev/testStack.js';
import { detectPython } from '../deploy/dev/worker.js';
import { runCli } from '../test/support/cli.js';
import { repoRoot } from '../test/support/paths.js';
import { startWorkerProcess } from '../test/support/workerProcess.js';
import { createMinioClient } from '../worker/sideEffects.js';

const { values } = parseArgs({
  options: {
    sizes: { type: 'string', default: '25,100,400' },
    lanes: { type: 'string', default: '2x1,3x2' },
    'skip-throughput': { type: 'boolean', default: false },
    'skip-demo': { type: 'boolean', default: false },
    'demo-runs': { type: 'string', default: '3' },
  },
});
const SIZES = values.sizes.split(',').map(Number);
const LAYOUTS = values.lanes.split(',').map((text) => {
  const [annotators, concurrency] = text.split('x').map(Number);
  if (!annotators || !concurrency) throw new Error(`--lanes: "${text}" is not ANNOTATORSxCONCURRENCY`);
  return { annotators, concurrency, lanes: annotators * concurrency, name: `${annotators}x${concurrency}` };
});

const DEMO_RUNS = Number(values['demo-runs']);
const RunOutput = z.object({ runId: z.string(), status: z.string(), metrics: z.record(z.string(), z.number().nullable()), error: z.string().optional() });
const Timing = z.object({ startedAt: z.string(), finishedAt: z.string() });

const stack = await startTestStack({ worker: false, python: await detectPython() });
const worker = await startWorkerProcess(stack.env);
const store = new ArtifactStore(createMinioClient(stack.config), stack.bucket);
const specDir = mkdtempSync(join(tmpdir(), 'gauntlet-labeling-bench-'));
const cli = (args: string[], timeoutMs = 120_000) => runCli(args, stack.env, timeoutMs);
const seconds = (ms: number) => ms / 1000;
const mean = (xs: number[]) => (xs.length ? xs.reduce((sum, x) => sum + x, 0) / xs.length : NaN);
const sum = (xs: number[]) => xs.reduce((total, x) => total + x, 0);
const f = (x: number | null | undefined, digits = 2) => (x === null || x === undefined || Number.isNaN(x) ? '—' : x.toFixed(digits));
const log = (text: string) => process.stderr.write(`${text}\n`);

/**
 * A read-only CLI call, tried again for up to a minute: others may be rebuilding dist/ while this runs, and a CLI
 * started mid-build can fail to import a half-written module.
 */
async function readCli(args: string[]): Promise<Awaited<ReturnType<typeof cli>>> {
  let result = await cli(args);
  for (let tries = 1; result.code !== 0 && tries < 12; tries++) {
    log(`  gauntlet ${args.join(' ')} failed (exit ${result.code}); again in 5 s: ${result.stderr.trim().split('\n').slice(-3).join(' | ').slice(0, 300)}`);
    await new Promise((resolve) => setTimeout(resolve, 5000));
    result = await cli(args);
  }
  return result;
}

/** `gauntlet run FILE --json`, started again when the CLI could not even load (dist/ half rebuilt by someone else). */
async function runSpec(file: string, timeoutMs: number): Promise<Awaited<ReturnType<typeof cli>>> {
  let result = await cli(['run', file, '--json'], timeoutMs);
  for (let tries = 1; result.stdout.trim() === '' && /SyntaxError|ERR_MODULE_NOT_FOUND|Cannot find module/.test(result.stderr) && tries < 12; tries++) {
    log(`  gauntlet run did not load; again in 5 s: ${result.stderr.trim().split('\n').slice(-3).join(' | ').slice(0, 300)}`);
    await new Promise((resolve) => setTimeout(resolve, 5000));
    result = await cli(['run', file, '--json'], timeoutMs);
  }
  return result;
}

async function runStatus(runId: string): Promise<RunProgress> {
  const result = await readCli(['status', runId, '--json']);
  if (result.code !== 0) throw new Error(`gauntlet status ${runId}: ${result.stderr}`);
  const view = JSON.parse(result.stdout) as { progress: RunProgress | null };
  if (!view.progress) throw new Error(`gauntlet status ${runId}: no worker answered the progress query`);
  return view.progress;
}

async function labelStatus(runId: string): Promise<LabelingStatus> {
  const result = await readCli(['label', 'status', runId, '--json']);
  if (result.code !== 0) throw new Error(`gauntlet label status ${runId}: ${result.stderr}`);
  return JSON.parse(result.stdout) as LabelingStatus;
}

function stageWindow(progress: RunProgress, name: string): { start: number; end: number } {
  const stage = progress.stages.find((s: StageProgress) => s.stage === name);
  if (!stage?.startedAt || !stage.finishedAt) throw new Error(`stage ${name} has no startedAt/finishedAt: ${JSON.stringify(stage)}`);
  return { start: Date.parse(stage.startedAt), end: Date.parse(stage.finishedAt) };
}

/** One labeled attempt's job: process wall (spawn → exit code file) and the labeling time the job reports. */
async function jobTimes(runId: string, batch: number, attempt: number): Promise<{ process: number; labeling: number } | null> {
  const workflowId = labelingWorkflowId(runId);
  const stage = `b${batch}-a${attempt}`;
  const paths = jobPaths(join(stack.stateDir, 'jobs'), jobIdFor(workflowId, stage));
  if (!existsSync(paths.pid) || !existsSync(paths.exitCode)) return null;
  const spawned = Date.parse(PidRecord.parse(JSON.parse(readFileSync(paths.pid, 'utf8'))).launchedAt);
  const result = Timing.parse(JSON.parse((await store.getBytes(`s3://${stack.bucket}/runs/${workflowId}/${stage}/result.json`)).toString()));
  return { process: statSync(paths.exitCode).mtimeMs - spawned, labeling: Date.parse(result.finishedAt) - Date.parse(result.startedAt) };
}

function throughputSpec(name: string, batchSize: number, layout: (typeof LAYOUTS)[number]): string {
  const annotators = Array.from(
    { length: layout.annotators },
    (_, i) => `    - { name: a${i + 1}, kind: job, concurrency: ${layout.concurrency}, hyperparameters: { accuracy: 0.95, crashProbability: 0, malformedProbability: 0, secondsPerItem: 0 } }`,
  ).join('\n');
  const path = join(specDir, `${name}.yaml`);
  writeFileSync(path, `apiVersion: gauntlet.dev/v1
kind: Pipeline
name: ${name}
data: { source: "sklearn:digits" }
label:
  items: all
  batchSize: ${batchSize}
  annotators:
${annotators}
gates: { overfit: { enabled: false }, oracle: { enabled: false } }
train: { epochs: 1, schedule: { kind: one_cycle, maxLr: 0.1 } }
`);
  return path;
}

interface ThroughputRow {
  layout: string;
  lanes: number;
  batchSize: number;
  batches: number;
  items: number;
  stageS: number;
  headS: number;
  tailS: number;
  attemptS: number;
  processS: number;
  labelingS: number;
  laneIdlePerBatchS: number;
  overheadPerBatchS: number;
  runS: number;
}

async function throughputRun(batchSize: number, layout: (typeof LAYOUTS)[number]): Promise<ThroughputRow> {
  const file = throughputSpec(`label-bench-b${batchSize}-${layout.name}`, batchSize, layout);
  const began = Date.now();
  const run = await runSpec(file, 600_000);
  const runS = seconds(Date.now() - began);
  if (run.code !== 0) throw new Error(`run of batch ${batchSize}, ${layout.name} failed (${run.code}): ${run.stderr.slice(-800)}`);
  const { runId } = RunOutput.parse(JSON.parse(run.stdout));
  const stage = stageWindow(await runStatus(runId), 'label');
  const status = await labelStatus(runId);
  const attempts = status.batches.flatMap((batch) => batch.attempts.map((attempt) => ({ batch: batch.id, ...attempt })));
  const labeled = attempts.filter((attempt) => attempt.outcome === 'labeled' && attempt.endedAt !== null);
  if (labeled.length !== attempts.length) log(`  note: ${attempts.length - labeled.length} attempts did not label (${attempts.map((a) => a.outcome).join(',')})`);
  const durations = labeled.map((attempt) => attempt.endedAt! - attempt.startedAt);
  const jobs = (await Promise.all(labeled.map((attempt) => jobTimes(runId, attempt.batch, attempt.attempt)))).filter((job) => job !== null);
  const firstStart = Math.min(...labeled.map((attempt) => attempt.startedAt));
  const lastEnd = Math.max(...labeled.map((attempt) => attempt.endedAt!));
  const batches = status.batches.length;
  const stageMs = stage.end - stage.start;
  return {
    layout: layout.name,
    lanes: layout.lanes,
    batchSize,
    batches,
    items: status.items,
    stageS: seconds(stageMs),
    headS: seconds(firstStart - stage.start),
    tailS: seconds(stage.end - lastEnd),
    attemptS: seconds(mean(durations)),
    processS: seconds(mean(jobs.map((job) => job.process))),
    labelingS: seconds(mean(jobs.map((job) => job.labeling))),
    laneIdlePerBatchS: seconds((Math.min(layout.lanes, batches) * (lastEnd - firstStart) - sum(durations)) / batches),
    overheadPerBatchS: seconds((Math.min(layout.lanes, batches) * stageMs - sum(jobs.map((job) => job.labeling))) / batches),
    runS,
  };
}

/** Least squares y = a + b·x. */
function fit(points: Array<[number, number]>): { a: number; b: number } | null {
  if (points.length < 2) return null;
  const mx = mean(points.map(([x]) => x));
  const my = mean(points.map(([, y]) => y));
  const sxx = sum(points.map(([x]) => (x - mx) ** 2));
  if (sxx === 0) return null;
  const b = sum(points.map(([x, y]) => (x - mx) * (y - my))) / sxx;
  return { a: my - b * mx, b };
}

function failureKind(reason: string | undefined): 'malformed' | 'crash' | 'other' {
  if (!reason) return 'other';
  if (/malformed|not a labels file|without a labels artifact/i.test(reason)) return 'malformed';
  if (/exited with|was killed|SimulatedCrash/i.test(reason)) return 'crash';
  return 'other';
}

interface DemoRun {
  runId: string;
  status: string;
  exitCode: number | null;
  error: string | null;
  runS: number;
  metrics: Record<string, number | null>;
  items: number;
  labelS: number | null;
  batches: number;
  attempts: number;
  failed: { total: number; crash: number; malformed: number; other: number };
  agreement: LabelingStatus['agreement'];
  gate: GateVerdict | undefined;
  /** Stages after `label` that started (none when the agreement gate stopped the run). */
  laterStages: string[];
}

/** An example spec through `gauntlet run --json`; its figures from `gauntlet status --json` and `gauntlet label status --json`. */
async function exampleRun(file: string): Promise<DemoRun> {
  const began = Date.now();
  const run = await runSpec(join(repoRoot, file), 900_000);
  const runS = seconds(Date.now() - began);
  let output: z.infer<typeof RunOutput>;
  try {
    output = RunOutput.parse(JSON.parse(run.stdout));
  } catch {
    throw new Error(`${file}: no JSON from gauntlet run (exit ${run.code}): ${run.stderr.slice(-800)}`);
  }
  const progress = await runStatus(output.runId);
  const label = await labelStatus(output.runId);
  const stage = progress.stages.find((s) => s.stage === 'label');
  const labelS = stage?.startedAt && stage.finishedAt ? seconds(Date.parse(stage.finishedAt) - Date.parse(stage.startedAt)) : null;
  const attempts = label.batches.flatMap((batch) => batch.attempts);
  const failedAttempts = attempts.filter((attempt) => attempt.outcome === 'failed');
  const failed = { total: failedAttempts.length, crash: 0, malformed: 0, other: 0 };
  for (const attempt of failedAttempts) failed[failureKind(attempt.reason)]++;
  const labelIndex = progress.stages.findIndex((s) => s.stage === 'label');
  return {
    runId: output.runId,
    status: progress.status,
    exitCode: run.code,
    error: output.error ?? progress.error ?? null,
    runS,
    metrics: { ...progress.metrics, ...output.metrics },
    items: label.items,
    labelS,
    batches: label.batches.length,
    attempts: attempts.length,
    failed,
    agreement: label.agreement,
    gate: progress.gates.find((gate) => gate.gate === 'agreement'),
    laterStages: progress.stages.slice(labelIndex + 1).filter((s) => s.status !== 'pending' && s.status !== 'skipped').map((s) => s.stage),
  };
}

const started = Date.now();
const load = loadavg();
console.log(`labeling bench · ${cpus().length} cores · load ${load.map((x) => x.toFixed(2)).join(' ')} · ${new Date().toISOString()}`);
try {
  // ---------------------------------------------------------------- part 1: throughput of the simulated path
  const rows: ThroughputRow[] = [];
  if (!values['skip-throughput']) {
    for (const layout of LAYOUTS) {
      for (const size of SIZES) {
        log(`throughput: batch ${size}, ${layout.name} …`);
        const row = await throughputRun(size, layout);
        log(`  stage ${row.stageS.toFixed(1)} s, ${row.batches} batches, run ${row.runS.toFixed(1)} s`);
        rows.push(row);
      }
    }
    console.log('\n1. Simulated annotators, digits relabeled (1,797 items, no overlap, jobs never fail, secondsPerItem 0)');
    const table = newTable({
      head: ['annotators×conc', 'batch', 'batches', 'stage wall', 'items/s', 'head · tail', 'attempt', 'process', 'labeling', 'lane idle/batch', 'overhead/batch'],
    });
    for (const row of rows) {
      table.push([
        `${row.layout} (${row.lanes} lanes)`,
        row.batchSize,
        row.batches,
        `${f(row.stageS, 1)} s`,
        f(row.items / row.stageS, 1),
        `${f(row.headS)} · ${f(row.tailS)} s`,
        `${f(row.attemptS)} s`,
        `${f(row.processS)} s`,
        `${f(row.labelingS, 3)} s`,
        `${f(row.laneIdlePerBatchS)} s`,
        `${f(row.overheadPerBatchS)} s`,
      ]);
    }
    console.log(table.toString());
    console.log('  stage wall: label stage startedAt → finishedAt (progress query); items/s = items / stage wall');
    console.log('  head · tail: stage start → first attempt · last attempt → stage end (child workflow start, batch files; settling, relabeled data set)');
    console.log('  attempt: mean startedAt → endedAt of an attempt (runJob + Python process + labels read back); process: spawn → exit; labeling: what the job reports');
    console.log('  lane idle/batch: (busy lanes × attempt span − Σ attempt durations) / batches; overhead/batch: (busy lanes × stage wall − Σ labeling) / batches, busy lanes = min(lanes, batches)');
    console.log('  fit per layout, stage wall = a + b · batches (least squares over the batch sizes; a moves with the machine\'s load, head + tail measure the fixed cost directly):');
    for (const layout of LAYOUTS) {
      const line = fit(rows.filter((row) => row.layout === layout.name).map((row) => [row.batches, row.stageS]));
      if (line) {
        console.log(
          `    ${layout.name} (${layout.lanes} lanes): a = ${f(line.a)} s fixed per stage · b = ${f(line.b, 3)} s per extra batch ` +
            `(${f(line.b * layout.lanes)} lane-seconds per batch) · ${f(1 / line.b, 2)} batches/s at the margin`,
        );
      }
    }
  }

  // ---------------------------------------------------------------- part 2: the demo and the noisy example
  const demos: DemoRun[] = [];
  let noisy: DemoRun | null = null;
  if (!values['skip-demo']) {
    for (let i = 0; i < DEMO_RUNS; i++) {
      log(`demo ${i + 1}/${DEMO_RUNS}: examples/digits/labeling.yaml …`);
      demos.push(await exampleRun('examples/digits/labeling.yaml'));
      log(`  ${demos.at(-1)!.status} in ${demos.at(-1)!.runS.toFixed(1)} s`);
    }
    log('noisy: examples/digits/labeling-noisy.yaml …');
    noisy = await exampleRun('examples/digits/labeling-noisy.yaml');

    console.log(
      '\n2. examples/digits/labeling.yaml (careful 0.98, sloppy 0.9, flaky 0.95 with crash 0.2 / malformed 0.15; 20% overlap, min 100;' +
        ' third annotator settles disputes; gate alpha ≥ 0.8), one column per run',
    );
    const demoTable = newTable({ head: ['figure', ...demos.map((_, i) => `run ${i + 1}`)] });
    const row = (name: string, cell: (run: DemoRun) => string) => demoTable.push([name, ...demos.map(cell)]);
    row('run status (run wall, CLI)', (run) => `${run.status} (${f(run.runS, 1)} s)`);
    row('double-labeled items · ratings', (run) => (run.agreement ? `${run.agreement.items} · ${run.agreement.ratings}` : '—'));
    row("Krippendorff's alpha (nominal)", (run) => f(run.metrics.label_krippendorff_alpha, 4));
    row('percent agreement', (run) => f(run.metrics.label_percent_agreement, 4));
    const pairs = [...new Set(demos.flatMap((run) => (run.agreement?.cohenKappa ?? []).map((pair) => `${pair.a} × ${pair.b}`)))].sort();
    for (const pair of pairs) {
      row(`Cohen's kappa ${pair} (n)`, (run) => {
        const found = run.agreement?.cohenKappa.find((p) => `${p.a} × ${p.b}` === pair);
        return found ? `${f(found.kappa, 4)} (${found.n})` : '—';
      });
    }
    row('human ceiling', (run) => f(run.metrics.human_ceiling_accuracy, 4));
    row('batches · attempts', (run) => `${run.batches} · ${run.attempts}`);
    row('failed attempts: crash · malformed · other', (run) => `${run.failed.total}: ${run.failed.crash} · ${run.failed.malformed} · ${run.failed.other}`);
    row('items unlabeled', (run) => String(run.metrics.label_unlabeled ?? '—'));
    row('label stage wall (items/s)', (run) => (run.labelS === null ? '—' : `${f(run.labelS, 1)} s (${f(run.items / run.labelS, 0)})`));
    row('test accuracy (adjudicated labels)', (run) => f(run.metrics.test_accuracy, 4));
    console.log(demoTable.toString());
    for (const [i, run] of demos.entries()) {
      if (run.error) console.log(`  run ${i + 1} (${run.runId}) did not succeed: ${run.error.split('\n')[0]}`);
    }

    console.log('\n   examples/digits/labeling-noisy.yaml (accuracy 0.6 / 0.55 / 0.6, same gate)');
    const noisyTable = newTable({ head: ['figure', 'value'] });
    noisyTable.push(
      ['run status (run wall, CLI exit code)', `${noisy.status} (${f(noisy.runS, 1)} s, exit ${noisy.exitCode})`],
      ['agreement gate', noisy.gate ? `${noisy.gate.passed ? 'passed' : 'FAILED'}: ${noisy.gate.explanation}` : 'no verdict'],
      ["Krippendorff's alpha", f(noisy.gate?.value ?? noisy.metrics.label_krippendorff_alpha, 4)],
      ['human ceiling', f(noisy.metrics.human_ceiling_accuracy, 4)],
      ['stages after label that ran', noisy.laterStages.length ? noisy.laterStages.join(', ') : 'none'],
    );
    console.log(noisyTable.toString());
  }

  // ---------------------------------------------------------------- summary
  const summary: string[] = [];
  if (rows.length) {
    const rate = (row: ThroughputRow) => row.items / row.stageS;
    const best = rows.reduce((top, row) => (rate(row) > rate(top) ? row : top));
    const worst = rows.reduce((low, row) => (rate(row) < rate(low) ? row : low));
    const range = (pick: (row: ThroughputRow) => number, digits = 2) => `${f(Math.min(...rows.map(pick)), digits)}–${f(Math.max(...rows.map(pick)), digits)}`;
    summary.push(
      `On ${cpus().length} cores the simulated path relabels digits at ${f(rate(worst), 0)}–${f(rate(best), 0)} items/s ` +
        `(slowest: batches of ${worst.batchSize} on ${worst.lanes} lanes; fastest: batches of ${best.batchSize} on ${best.lanes} lanes). ` +
        `An attempt takes ${range((row) => row.attemptS)} s, of which the Python process is ${range((row) => row.processS)} s and the labeling it reports ` +
        `${range((row) => row.labelingS * 1000, 0)} ms, so the cost is per batch, not per item: larger batches and more lanes help until there are fewer batches than lanes ` +
        `(or the cores run out); a stage has about ${range((row) => row.headS + row.tailS)} s of fixed cost around its attempts.`,
    );
  }
  const succeeded = demos.filter((run) => run.status === 'succeeded');
  if (demos.length) {
    const range = (pick: (run: DemoRun) => number | null | undefined, digits: number, runs = demos) => {
      const xs = runs.map(pick).filter((x): x is number => typeof x === 'number');
      return xs.length === 0 ? '—' : Math.min(...xs) === Math.max(...xs) ? f(xs[0], digits) : `${f(Math.min(...xs), digits)}–${f(Math.max(...xs), digits)}`;
    };
    summary.push(
      `Over ${demos.length} demo run(s) the annotators agree with alpha ${range((run) => run.metrics.label_krippendorff_alpha, 3)} ` +
        `(percent agreement ${range((run) => run.metrics.label_percent_agreement, 3)}), the human ceiling is ${range((run) => run.metrics.human_ceiling_accuracy, 3)}, ` +
        `${range((run) => run.failed.crash, 0)} crashed and ${range((run) => run.failed.malformed, 0)} malformed attempts per run were retried with ` +
        `${range((run) => run.metrics.label_unlabeled, 0)} items lost, and ${succeeded.length} of ${demos.length} runs trained to the end` +
        (succeeded.length ? ` (test accuracy ${range((run) => run.metrics.test_accuracy, 3, succeeded)} on the adjudicated labels)` : '') +
        (succeeded.length < demos.length ? `; the others stopped after labeling: ${[...new Set(demos.filter((run) => run.error).map((run) => run.error!.split(' (')[0]!.split('\n')[0]))].join('; ')}` : '') +
        '.',
    );
  }
  if (noisy) {
    summary.push(
      `The noisy annotators reach alpha ${f(noisy.gate?.value ?? noisy.metrics.label_krippendorff_alpha, 3)} and the run ` +
        `${noisy.status === 'stopped_by_gate' ? 'stopped at the agreement gate' : `ended ${noisy.status}`}${noisy.laterStages.length ? '' : ' before anything trained'}.`,
    );
  }
  if (summary.length) console.log(`\nSummary: ${summary.join(' ')}`);
  console.log(`\ntotal ${f(seconds(Date.now() - started), 0)} s · load at the end ${loadavg().map((x) => x.toFixed(2)).join(' ')}`);
} finally {
  await worker.kill('SIGTERM');
  await stack.stop();
}

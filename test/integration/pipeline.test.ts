/**
 * The digits pipeline end to end on the real stack — Temporal dev server, MinIO, the worker process and the
 * reference trainer — driven through the CLI as a user would.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { startTestStack, type TestStack } from '../../deploy/dev/testStack.js';
import { detectPython } from '../../deploy/dev/worker.js';
import { runCli } from '../support/cli.js';
import { repoRoot } from '../support/paths.js';
import { pinnedNodeMajor } from '../support/pinnedNode.js';
import { trainerPids } from '../support/trainerProcesses.js';
import { startWorkerProcess, type WorkerProcess } from '../support/workerProcess.js';
import { ArtifactStore } from '../../activities/store.js';
import { createMinioClient } from '../../worker/sideEffects.js';
import { z } from 'zod';

const slowPipeline = (name: string, epochs: number, slowdownSeconds: number) => `
apiVersion: gauntlet.dev/v1
kind: Pipeline
name: ${name}
data: { source: "sklearn:digits" }
checks: { preprocessing: { enabled: false } }   # its inspect job would change the job counts asserted here
trainer: { heartbeatTimeout: 5s, retry: { maximumAttempts: 3, initialInterval: 500ms } }
gates: { overfit: { enabled: false } }
train:
  epochs: ${epochs}
  hyperparameters: { hidden: 64, slowdownSeconds: ${slowdownSeconds} }
  schedule: { kind: one_cycle, maxLr: 0.1 }
`;

const RunJson = z.object({
  runId: z.string(),
  status: z.string(),
  metrics: z.record(z.string(), z.number().nullable()),
  uiUrl: z.string(),
  manifestUri: z.string().optional(),
});

describe('digits pipeline on the real stack', () => {
  let stack: TestStack;
  let worker: WorkerProcess;
  let store: ArtifactStore;
  const specDir = mkdtempSync(join(tmpdir(), 'gauntlet-specs-'));

  before(async () => {
    stack = await startTestStack({ worker: false, python: await detectPython() });
    worker = await startWorkerProcess(stack.env);
    store = new ArtifactStore(createMinioClient(stack.config), stack.bucket);
  });
  after(async () => {
    await worker?.kill('SIGTERM');
    await stack?.stop();
  });

  test('GIVEN the worker process THEN it runs on the pinned Node.js major, as its banner says', () => {
    assert.match(worker.output(), new RegExp(`gauntlet worker started · .* · node v${pinnedNodeMajor}\\.\\d+\\.\\d+ · pid ${worker.child.pid}`));
  });

  test('GIVEN the example pipeline WHEN run through the CLI THEN it reaches test accuracy ≥ 0.90 and records a manifest', async () => {
    const run = await runCli(['run', join(repoRoot, 'examples/digits/pipeline.yaml'), '--json'], stack.env);
    assert.equal(run.code, 0, run.stderr);
    const result = RunJson.parse(JSON.parse(run.stdout));
    assert.equal(result.status, 'succeeded');
    assert.ok((result.metrics.test_accuracy ?? 0) >= 0.9, `test accuracy ${result.metrics.test_accuracy}`);
    assert.match(result.runId, /^digits-\d{8}T\d{6}Z$/);
    assert.equal(result.uiUrl, `${stack.uiUrl}/namespaces/default/workflows/${result.runId}`);

    const manifest = z
      .object({
        runId: z.string(),
        data: z.object({ sha256: z.string().regex(/^[0-9a-f]{64}$/), counts: z.object({ train: z.number(), valid: z.number(), test: z.number() }) }),
        code: z.object({ gauntlet: z.string() }),
        metrics: z.record(z.string(), z.number().nullable()),
        artifacts: z.record(z.string(), z.string()),
        goalMet: z.boolean(),
        gates: z.array(z.object({ gate: z.string(), passed: z.boolean() })),
        lrFinder: z.object({
          source: z.string(),
          maxLr: z.number(),
          trustworthy: z.boolean(),
          suggestions: z.object({ steep: z.number() }),
          policy: z.literal('steep'),
          curveUri: z.string(),
          plotUri: z.string(),
        }),
      })
      .parse(JSON.parse((await store.getBytes(result.manifestUri ?? '')).toString()));
    assert.equal(manifest.runId, result.runId);
    // The gates ran and passed, and the range test's valley became one-cycle's max LR.
    assert.deepEqual(manifest.gates.filter((gate) => gate.gate === 'oracle' || gate.gate === 'overfit').map((gate) => [gate.gate, gate.passed]), [['oracle', true], ['overfit', true]]);
    assert.ok(manifest.gates.every((gate) => gate.passed), 'every data check passed too');
    assert.equal(manifest.lrFinder.source, 'range_test');
    assert.equal(manifest.lrFinder.trustworthy, true);
    assert.equal(manifest.lrFinder.maxLr, manifest.lrFinder.suggestions.steep);
    assert.ok(await store.exists(manifest.lrFinder.curveUri));
    assert.match((await store.getBytes(manifest.lrFinder.plotUri)).toString(), /^<svg/);
    assert.equal(manifest.metrics.oracle_final_accuracy, 1);
    assert.equal(manifest.data.counts.train + manifest.data.counts.valid + manifest.data.counts.test, 1797);
    assert.equal(manifest.goalMet, true);
    assert.ok(await store.exists(manifest.artifacts['train.checkpoint'] ?? 'missing'));

    const status = await runCli(['status', result.runId, '--json'], stack.env);
    assert.equal(status.code, 0, status.stderr);
    const view = JSON.parse(status.stdout) as { execution: string; progress: { status: string; lr: { maxLr: number } }; memo: { lrFinder?: { maxLr: number } } };
    assert.equal(view.execution, 'COMPLETED');
    assert.equal(view.progress.status, 'succeeded');
    assert.equal(view.progress.lr.maxLr, manifest.lrFinder.maxLr);
    assert.equal(view.memo.lrFinder?.maxLr, manifest.lrFinder.maxLr, 'the chosen LR is on the workflow memo, visible in the Temporal UI');
    const human = await runCli(['status', result.runId], stack.env);
    assert.match(human.stdout, /max lr .* \(range_test, steep\)/);

    const list = await runCli(['runs', 'list', '--json'], stack.env);
    assert.equal(list.code, 0, list.stderr);
    const runs = JSON.parse(list.stdout) as { runId: string; status: string; bestMetric: number }[];
    const listed = runs.find((entry) => entry.runId === result.runId);
    assert.equal(listed?.status, 'succeeded');
    assert.equal(listed?.bestMetric, result.metrics.test_accuracy);
  });

  test('GIVEN a running training job WHEN the worker is killed -9 and a new one starts THEN the run completes with one trainer process and one launch', async () => {
    const file = join(specDir, 'crash.yaml');
    writeFileSync(file, slowPipeline('crash', 12, 1));
    const run = runCli(['run', file, '--json'], stack.env);
    let maxTrainers = 0;
    const sampler = setInterval(() => {
      maxTrainers = Math.max(maxTrainers, trainerPids(stack.stateDir).length);
    }, 100);
    try {
      // Wait until the trainer is really training, then kill the worker without warning.
      await waitFor(() => trainerPids(stack.stateDir).length === 1, 60_000, 'trainer process to start');
      await new Promise((resolve) => setTimeout(resolve, 3000));
      await worker.kill('SIGKILL');
      assert.equal(trainerPids(stack.stateDir).length, 1, 'the trainer outlives the worker');
      worker = await startWorkerProcess(stack.env);
      const finished = await run;
      assert.equal(finished.code, 0, finished.stderr);
      const result = RunJson.parse(JSON.parse(finished.stdout));
      assert.equal(result.status, 'succeeded');
      const manifest = z
        .object({ jobs: z.object({ train: z.object({ launches: z.number(), resumedFromEpoch: z.number().nullable() }) }) })
        .parse(JSON.parse((await store.getBytes(result.manifestUri ?? '')).toString()));
      assert.equal(manifest.jobs.train.launches, 1, 'the new worker adopted the running job instead of launching another');
    } finally {
      clearInterval(sampler);
    }
    assert.equal(maxTrainers, 1, 'never more than one trainer process for the job');
  });

  test('GIVEN a running training job WHEN the worker gets SIGTERM THEN the job keeps running and the next worker adopts it', async () => {
    const file = join(specDir, 'shutdown.yaml');
    writeFileSync(file, slowPipeline('shutdown', 10, 1));
    const run = runCli(['run', file, '--json'], stack.env);
    await waitFor(() => trainerPids(stack.stateDir).length === 1, 60_000, 'trainer process to start');
    const [trainer] = trainerPids(stack.stateDir);
    await worker.kill('SIGTERM');
    assert.deepEqual(trainerPids(stack.stateDir), [trainer], 'a worker shutdown is not a cancellation');
    worker = await startWorkerProcess(stack.env);
    const finished = await run;
    assert.equal(finished.code, 0, finished.stderr);
    const result = RunJson.parse(JSON.parse(finished.stdout));
    const manifest = z
      .object({ jobs: z.object({ train: z.object({ launches: z.number() }) }) })
      .parse(JSON.parse((await store.getBytes(result.manifestUri ?? '')).toString()));
    assert.equal(manifest.jobs.train.launches, 1);
  });

  test('GIVEN a trainer process that dies mid-run WHEN the job is retried THEN it resumes from its last checkpoint', async () => {
    const file = join(specDir, 'resume.yaml');
    writeFileSync(file, slowPipeline('resume', 8, 1));
    const run = runCli(['run', file, '--json'], stack.env);
    await waitFor(() => trainerPids(stack.stateDir).length === 1, 60_000, 'trainer process to start');
    // Wait for a checkpoint, then kill the trainer itself (an OOM kill or a lost node looks like this).
    await waitFor(() => checkpointWritten(stack.stateDir, 'resume-'), 120_000, 'a first checkpoint');
    for (const pid of trainerPids(stack.stateDir)) process.kill(pid, 'SIGKILL');
    const finished = await run;
    assert.equal(finished.code, 0, finished.stderr);
    const result = RunJson.parse(JSON.parse(finished.stdout));
    const manifest = z
      .object({ jobs: z.object({ train: z.object({ launches: z.number(), resumedFromEpoch: z.number().nullable() }) }) })
      .parse(JSON.parse((await store.getBytes(result.manifestUri ?? '')).toString()));
    assert.equal(manifest.jobs.train.launches, 2);
    assert.ok((manifest.jobs.train.resumedFromEpoch ?? 0) >= 1, `resumed from epoch ${manifest.jobs.train.resumedFromEpoch}`);
    assert.ok((result.metrics.test_accuracy ?? 0) >= 0.9);
  });

  test('GIVEN a running pipeline WHEN it is cancelled through the CLI THEN its trainer process is stopped and the run is cancelled', async () => {
    const file = join(specDir, 'cancel.yaml');
    writeFileSync(file, slowPipeline('cancel', 30, 1));
    const run = runCli(['run', file, '--json'], stack.env);
    await waitFor(() => trainerPids(stack.stateDir).length === 1, 60_000, 'trainer process to start');
    const list = JSON.parse((await runCli(['runs', 'list', '--json', '--pipeline', 'cancel'], stack.env)).stdout) as { runId: string }[];
    const runId = list[0]?.runId ?? '';
    const cancel = await runCli(['cancel', runId], stack.env);
    assert.equal(cancel.code, 0, cancel.stderr);
    const finished = await run;
    assert.notEqual(finished.code, 0);
    await waitFor(() => trainerPids(stack.stateDir).length === 0, 30_000, 'trainer process to stop');
    const status = JSON.parse((await runCli(['status', runId, '--json'], stack.env)).stdout) as { execution: string };
    assert.equal(status.execution, 'CANCELLED');
  });

  test('GIVEN a frozen model WHEN the pipeline runs THEN the overfit gate stops it with the curve and a plain reason, before training', async () => {
    const file = join(specDir, 'frozen.yaml');
    writeFileSync(file, `
apiVersion: gauntlet.dev/v1
kind: Pipeline
name: frozen
data: { source: "sklearn:digits" }
train: { epochs: 3, hyperparameters: { freeze: true }, schedule: { kind: one_cycle } }
gates: { overfit: { maxSteps: 100 } }
`);
    const run = await runCli(['run', file, '--json'], stack.env);
    assert.equal(run.code, 1);
    const result = z.object({ runId: z.string(), status: z.string(), error: z.string() }).parse(JSON.parse(run.stdout));
    assert.match(result.error, /overfit gate failed: after 100 steps on one fixed batch of 32 .* labels line up with inputs/);
    const status = JSON.parse((await runCli(['status', result.runId, '--json'], stack.env)).stdout) as {
      progress: { status: string; stages: { stage: string; status: string }[]; gates: { gate: string; passed: boolean; evidenceUri: string }[] };
    };
    assert.equal(status.progress.status, 'stopped_by_gate');
    const stages = Object.fromEntries(status.progress.stages.map((stage) => [stage.stage, stage.status]));
    assert.deepEqual([stages.overfit, stages['lr-find'], stages.train], ['failed', 'skipped', 'skipped']);
    const overfit = status.progress.gates.find((gate) => gate.gate === 'overfit');
    assert.equal(overfit?.passed, false);
    const evidence = z.object({ details: z.object({ passed: z.boolean(), curve: z.array(z.number().nullable()) }) });
    const curve = evidence.parse(JSON.parse((await store.getBytes(overfit?.evidenceUri ?? '')).toString())).details.curve;
    assert.equal(curve.length, 100, 'the loss curve is kept as evidence');
  });

  test('GIVEN a label → output conversion that loses information WHEN the oracle bound is below the goal THEN the run stops before any trainer starts', async () => {
    // 200 rows; the final output is the parity of an id column, which the label (id mod 4 < 2) cannot tell apart.
    const rows = ['f0,f1,label,parity'];
    for (let i = 0; i < 200; i++) rows.push(`${i % 7},${i % 5},${i % 4 < 2 ? 0 : 1},${i % 2 ? 'odd' : 'even'}`);
    writeFileSync(join(specDir, 'lossy.csv'), `${rows.join('\n')}\n`);
    const file = join(specDir, 'lossy.yaml');
    writeFileSync(file, `
apiVersion: gauntlet.dev/v1
kind: Pipeline
name: lossy
data: { source: "file:lossy.csv" }
# 200 rows built from i mod 7 and i mod 5 repeat themselves: the duplicate check would stop this run first.
checks: { duplicates: { enabled: false }, preprocessing: { enabled: false } }
train: { epochs: 3, schedule: { kind: one_cycle } }
evaluate: { output: { map: { "0": even, "1": odd }, targetColumn: parity } }
goal: { metric: accuracy, min: 0.9 }
`);
    const jobsBefore = existsSync(join(stack.stateDir, 'jobs')) ? readdirSync(join(stack.stateDir, 'jobs')).length : 0;
    const run = await runCli(['run', file, '--json'], stack.env);
    assert.equal(run.code, 1);
    const result = z.object({ error: z.string() }).parse(JSON.parse(run.stdout));
    assert.match(result.error, /oracle upper bound 0\.[0-8]\d{3} is below the goal accuracy ≥ 0\.9/);
    const jobsAfter = existsSync(join(stack.stateDir, 'jobs')) ? readdirSync(join(stack.stateDir, 'jobs')).length : 0;
    assert.equal(jobsAfter, jobsBefore, 'no job was launched');
  });

  test('GIVEN no services WHEN a command needs Temporal THEN it prints one line naming `gauntlet dev up` and exits non-zero', async () => {
    const run = await runCli(['runs', 'list'], { GAUNTLET_TEMPORAL_ADDRESS: '127.0.0.1:1' });
    assert.equal(run.code, 3);
    assert.equal(run.stderr.trim().split('\n').length, 1);
    assert.match(run.stderr, /gauntlet dev up/);
    assert.doesNotMatch(run.stderr, /\bat \S+:\d+:\d+/); // no stack trace
  });
});

/** Whether a train job of the run whose id starts with `runPrefix` has reported a checkpoint (its stdout log). */
function checkpointWritten(stateDir: string, runPrefix: string): boolean {
  const jobs = join(stateDir, 'jobs');
  if (!existsSync(jobs)) return false;
  return readdirSync(jobs)
    .filter((name) => name.startsWith(runPrefix) && name.includes('-train-'))
    .some((name) => {
      const log = join(jobs, name, 'stdout.log');
      return existsSync(log) && readFileSync(log, 'utf8').includes('"event":"checkpoint"');
    });
}

async function waitFor(condition: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

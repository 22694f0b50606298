/**
 * The digits pipeline end to end on the real stack — Temporal dev server, MinIO, the worker process and the
 * reference trainer — driven through the CLI as a user would.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { startTestStack, type TestStack } from '../../deploy/dev/testStack.js';
import { detectPython } from '../../deploy/dev/worker.js';
import { runCli } from '../support/cli.js';
import { repoRoot } from '../support/paths.js';
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
trainer: { heartbeatTimeout: 5s, retry: { maximumAttempts: 3, initialInterval: 500ms } }
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
      })
      .parse(JSON.parse((await store.getBytes(result.manifestUri ?? '')).toString()));
    assert.equal(manifest.runId, result.runId);
    assert.equal(manifest.data.counts.train + manifest.data.counts.valid + manifest.data.counts.test, 1797);
    assert.equal(manifest.goalMet, true);
    assert.ok(await store.exists(manifest.artifacts['train.checkpoint'] ?? 'missing'));

    const status = await runCli(['status', result.runId, '--json'], stack.env);
    assert.equal(status.code, 0, status.stderr);
    const view = JSON.parse(status.stdout) as { execution: string; progress: { status: string; stages: { status: string }[] } };
    assert.equal(view.execution, 'COMPLETED');
    assert.equal(view.progress.status, 'succeeded');

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
    // Let it write a few epoch checkpoints, then kill the trainer itself (an OOM kill or a lost node looks like this).
    await new Promise((resolve) => setTimeout(resolve, 5000));
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

  test('GIVEN no services WHEN a command needs Temporal THEN it prints one line naming `gauntlet dev up` and exits non-zero', async () => {
    const run = await runCli(['runs', 'list'], { GAUNTLET_TEMPORAL_ADDRESS: '127.0.0.1:1' });
    assert.equal(run.code, 3);
    assert.equal(run.stderr.trim().split('\n').length, 1);
    assert.match(run.stderr, /gauntlet dev up/);
    assert.doesNotMatch(run.stderr, /\bat \S+:\d+:\d+/); // no stack trace
  });
});

async function waitFor(condition: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

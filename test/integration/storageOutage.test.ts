/**
 * Storage going away in the middle of a stage, on the real stack: the worker reaches MinIO through a proxy that
 * cuts it off for 12 s the moment the record stage writes the run manifest. The run waits the outage out and
 * succeeds; nothing is counted against the trainer, nothing is lost.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { z } from 'zod';
import { ArtifactStore } from '../../activities/store.js';
import { startTestStack, type TestStack } from '../../deploy/dev/testStack.js';
import { detectPython } from '../../deploy/dev/worker.js';
import { createMinioClient } from '../../worker/sideEffects.js';
import { runCli } from '../support/cli.js';
import { startFaultyProxy, type FaultyProxy } from '../support/faultyProxy.js';
import { startWorkerProcess, type WorkerProcess } from '../support/workerProcess.js';

const RunJson = z.object({ runId: z.string(), status: z.string(), manifestUri: z.string() });

describe('a storage outage during a stage', () => {
  let stack: TestStack;
  let worker: WorkerProcess;
  let proxy: FaultyProxy;
  const specDir = mkdtempSync(join(tmpdir(), 'gauntlet-outage-'));

  before(async () => {
    stack = await startTestStack({ worker: false, python: await detectPython() });
    const minio = new URL(stack.storage.endpoint);
    proxy = await startFaultyProxy({ host: minio.hostname, port: Number(minio.port) }, /^PUT \S*\/runs\/[^/]+\/manifest\.json/, 12_000);
    worker = await startWorkerProcess({ ...stack.env, GAUNTLET_STORAGE_ENDPOINT: proxy.url });
  });
  after(async () => {
    await worker?.kill('SIGTERM');
    await proxy?.close();
    await stack?.stop();
  });

  test('GIVEN MinIO unreachable for 12 s from the moment the record stage writes WHEN the pipeline runs THEN it completes once MinIO is back, with its manifest stored', async () => {
    const path = join(specDir, 'outage.yaml');
    writeFileSync(path, `
apiVersion: gauntlet.dev/v1
kind: Pipeline
name: record-outage
data: { source: "sklearn:digits" }
gates: { overfit: { enabled: false }, oracle: { enabled: false } }
trainer: { retry: { maximumAttempts: 1 } }
train: { epochs: 2, schedule: { kind: one_cycle, maxLr: 0.3 } }
`);
    const run = await runCli(['run', path, '--json'], stack.env, 600_000);
    assert.equal(run.code, 0, run.stderr + run.stdout + worker.output().slice(-3000));
    const result = RunJson.parse(JSON.parse(run.stdout));
    assert.equal(result.status, 'succeeded');
    assert.equal(proxy.triggered.length, 1, 'the outage began when the manifest was written');
    assert.ok(proxy.refused >= 1, 'the record stage retried while storage was away');
    const store = new ArtifactStore(createMinioClient(stack.config), stack.bucket);
    assert.ok(await store.exists(result.manifestUri), 'the manifest is in the store');

    const status = await runCli(['status', result.runId, '--json'], stack.env);
    assert.equal(status.code, 0, status.stderr);
    const record = (JSON.parse(status.stdout) as { progress: { stages: { stage: string; status: string }[] } }).progress.stages.find((stage) => stage.stage === 'record');
    assert.equal(record?.status, 'succeeded');
  });
});

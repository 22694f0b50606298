/**
 * Nightly retraining end to end on the real stack (Temporal dev server, MinIO, the worker process, the reference
 * trainer), through the CLI: a schedule reads the latest dated snapshot of a folder; triggered twice on the same data
 * the second run ends `unchanged` without a job; a new snapshot trains again and the promote rule decides; the
 * champion pointer, its history and a rollback are checked; a manual run on the same inputs reuses the stages
 * (`cached from RUN`) and `--no-cache` runs them again.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { Client, Connection } from '@temporalio/client';
import { z } from 'zod';
import { ArtifactStore } from '../../activities/store.js';
import { rootCauseMessage } from '../../core/errors.js';
import { ChampionRecord, HistoryEntry } from '../../core/registry/schemas.js';
import type { PipelineResult } from '../../contracts/pipeline.js';
import { startTestStack, type TestStack } from '../../deploy/dev/testStack.js';
import { detectPython } from '../../deploy/dev/worker.js';
import { createMinioClient } from '../../worker/sideEffects.js';
import { runCli } from '../support/cli.js';
import { repoRoot } from '../support/paths.js';
import { startWorkerProcess, type WorkerProcess } from '../support/workerProcess.js';

const PIPELINE = 'nightly-digits';
const Show = z.object({ champion: ChampionRecord.nullable(), history: z.array(HistoryEntry) });
const Manifest = z.looseObject({
  data: z.looseObject({ snapshot: z.object({ name: z.string(), location: z.string() }).nullable(), sha256: z.string() }),
  jobs: z.record(z.string(), z.looseObject({ launches: z.number() })),
  promotion: z.object({ verdict: z.string(), promoted: z.boolean(), reasons: z.array(z.string()) }).nullable(),
});
const Status = z.looseObject({ progress: z.looseObject({ stages: z.array(z.looseObject({ stage: z.string(), status: z.string(), detail: z.string().optional() })) }) });
const RunJson = z.looseObject({ runId: z.string(), status: z.string() });

describe('nightly retraining on snapshots, with stage caching (real stack)', () => {
  let stack: TestStack;
  let worker: WorkerProcess;
  let store: ArtifactStore;
  let connection: Connection;
  let client: Client;
  const dir = mkdtempSync(join(tmpdir(), 'gauntlet-nightly-'));
  const snapshots = join(dir, 'snapshots');
  const specFile = join(dir, 'pipeline.yaml');
  let digits: string[] = [];
  const runs: string[] = [];

  const cli = (args: string[]) => runCli(args, stack.env, 300_000);
  const ok = async (args: string[]) => {
    const result = await cli(args);
    assert.equal(result.code, 0, `gauntlet ${args.join(' ')}: ${result.stderr}${result.stdout}`);
    return result.stdout;
  };
  const manifestOf = async (runId: string) => Manifest.parse(JSON.parse((await store.getBytes(store.uri(`runs/${runId}/manifest.json`))).toString('utf8')));
  const registry = async () => Show.parse(JSON.parse(await ok(['models', 'show', PIPELINE, '--json'])));
  const stagesOf = async (runId: string) => Status.parse(JSON.parse(await ok(['status', runId, '--json']))).progress.stages;
  /** Writes a dated snapshot: the header and the first `rows` digits. */
  const snapshot = (name: string, rows: number) => writeFileSync(join(snapshots, name), `${[digits[0], ...digits.slice(1, rows + 1)].join('\n')}\n`);
  /** `schedule trigger`, then the run's end as its workflow result. */
  const trigger = async (): Promise<PipelineResult> => {
    const runId = /started (\S+)/.exec(await ok(['schedule', 'trigger', 'nightly']))?.[1];
    assert.ok(runId, 'trigger names the run it started');
    runs.push(runId);
    return (await client.workflow.getHandle(runId).result().catch((error: unknown) => assert.fail(`${runId}: ${rootCauseMessage(error)}`))) as PipelineResult;
  };

  before(async () => {
    const python = await detectPython();
    stack = await startTestStack({ worker: false, python });
    worker = await startWorkerProcess(stack.env);
    store = new ArtifactStore(createMinioClient(stack.config), stack.bucket);
    connection = await Connection.connect({ address: stack.temporalAddress });
    client = new Client({ connection, namespace: stack.namespace });
    digits = execFileSync(python, ['-m', 'gauntlet_trainer.export_dataset', 'digits'], { cwd: repoRoot, env: { ...process.env, PYTHONPATH: join(repoRoot, 'trainer') }, maxBuffer: 64 << 20 })
      .toString('utf8')
      .trim()
      .split('\n');
    mkdirSync(snapshots);
    snapshot('2026-11-28.csv', 1000);
    writeFileSync(
      specFile,
      `apiVersion: gauntlet.dev/v1
kind: Pipeline
name: ${PIPELINE}
data: { source: "file:snapshots/", snapshot: latest }
checks: { preprocessing: { enabled: false } }
gates: { overfit: { enabled: false } }
train: { epochs: 3, hyperparameters: { hidden: 64 }, schedule: { kind: one_cycle, maxLr: 0.1 } }
promote: { when: mcnemar, alpha: 0.05 }
`,
    );
  });
  after(async () => {
    await connection?.close();
    await worker?.kill('SIGTERM');
    await stack?.stop();
  });

  test('GIVEN a paused nightly schedule on a snapshot folder WHEN triggered THEN the run reads the latest snapshot, trains and becomes the first champion', async () => {
    await ok(['schedule', 'create', 'nightly', '--pipeline', specFile, '--cron', '0 2 * * *', '--paused']);
    const result = await trigger();
    assert.equal(result.status, 'succeeded');
    const manifest = await manifestOf(result.runId);
    assert.equal(manifest.data.snapshot?.name, '2026-11-28.csv');
    assert.equal(manifest.data.snapshot?.location, `file:${join(snapshots, '2026-11-28.csv')}`);
    assert.equal(manifest.jobs.train?.launches, 1);
    assert.equal(manifest.promotion?.verdict, 'no-champion-promoted');
    assert.equal(manifest.promotion?.promoted, true);
    const { champion } = await registry();
    assert.equal(champion?.runId, result.runId);
    const ingest = (await stagesOf(result.runId)).find((stage) => stage.stage === 'ingest');
    assert.match(ingest?.detail ?? '', /^snapshot 2026-11-28\.csv · 1000 rows/);
  });

  test('GIVEN the same snapshot WHEN triggered again THEN the run ends unchanged without a job and the champion stays', async () => {
    const result = await trigger();
    assert.equal(result.status, 'unchanged');
    assert.equal(result.unchangedSince, runs[0]);
    assert.ok(!(await store.exists(store.uri(`runs/${result.runId}/train/result.json`))), 'no train job ran');
    const stages = await stagesOf(result.runId);
    assert.equal(stages.find((stage) => stage.stage === 'train')?.status, 'skipped');
    assert.match(stages.find((stage) => stage.stage === 'train')?.detail ?? '', new RegExp(`^unchanged since ${runs[0]}: same spec, data \\(sha256 [0-9a-f]{12}, snapshot 2026-11-28\\.csv\\) and code$`));
    assert.equal((await registry()).champion?.runId, runs[0]);
    const listed = z.array(z.looseObject({ runId: z.string() })).parse(JSON.parse(await ok(['runs', 'list', '--pipeline', PIPELINE, '--status', 'unchanged', '--json'])));
    assert.ok(listed.some((run) => run.runId === result.runId), 'runs list --status unchanged finds it');
  });

  test('GIVEN a new snapshot WHEN triggered THEN it trains on it and the promote rule decides (another test set: not comparable, champion kept); promote by hand and roll back', async () => {
    snapshot('2026-11-29.csv', 1500);
    const result = await trigger();
    assert.equal(result.status, 'succeeded');
    const manifest = await manifestOf(result.runId);
    assert.equal(manifest.data.snapshot?.name, '2026-11-29.csv');
    assert.equal(manifest.jobs.train?.launches, 1);
    assert.equal(manifest.promotion?.promoted, false);
    assert.match(manifest.promotion?.reasons.join(' ') ?? '', /not comparable: the test sets differ/);
    let shown = await registry();
    assert.equal(shown.champion?.runId, runs[0], 'the rule kept the champion');
    assert.deepEqual(shown.history.map((entry) => [entry.event, entry.runId]), [['not-promoted', result.runId], ['promoted', runs[0]]], 'newest first');

    await ok(['models', 'promote', result.runId, '--reason', 'more data']);
    assert.equal((await registry()).champion?.runId, result.runId);
    await ok(['models', 'rollback', PIPELINE]);
    shown = await registry();
    assert.equal(shown.champion?.runId, runs[0], 'rollback restores the previous champion');
    assert.deepEqual(shown.history.map((entry) => [entry.event, entry.runId]).slice(0, 2), [['rolled-back', runs[0]], ['promoted', result.runId]], 'newest first');
  });

  test('GIVEN a manual run on the inputs of the last run THEN its stages come from the cache; with --no-cache they run again', async () => {
    const cached = RunJson.parse(JSON.parse(await ok(['run', specFile, '--json'])));
    assert.equal(cached.status, 'succeeded');
    const stages = await stagesOf(cached.runId);
    for (const name of ['train', 'evaluate']) assert.match(stages.find((stage) => stage.stage === name)?.detail ?? '', new RegExp(`cached from ${runs[2]}$`), name);
    const manifest = await manifestOf(cached.runId);
    assert.equal(manifest.jobs.train?.launches, 0);
    assert.ok(!(await store.exists(store.uri(`runs/${cached.runId}/train/result.json`))), 'no train job ran');

    const fresh = RunJson.parse(JSON.parse(await ok(['run', specFile, '--json', '--no-cache'])));
    const freshStages = await stagesOf(fresh.runId);
    assert.doesNotMatch(freshStages.find((stage) => stage.stage === 'train')?.detail ?? '', /cached/);
    assert.equal((await manifestOf(fresh.runId)).jobs.train?.launches, 1);
  });
});

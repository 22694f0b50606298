/**
 * Stage caching and the nightly `unchanged` ending (real dev server, fake activities): a job the cache answers
 * marks its stage `cached from RUN`; `--no-cache` reaches every job request; a scheduled run whose spec, data and
 * code are the last trained run's ends `unchanged` before any job, while a manual run on the same inputs trains.
 */
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker } from '@temporalio/worker';
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Activities } from '../../activities/index.js';
import type { JobRequest } from '../../activities/types.js';
import { loadPipelineYaml } from '../../core/spec/parse.js';
import { progressQuery, type PipelineInput, type PipelineResult } from '../../contracts/pipeline.js';
import { pipelineWorkflow } from '../../workflows/index.js';
import { fakeActivities, NO_DATA_CHECKS } from '../support/fakeActivities.js';
import { workflowsPath } from '../support/paths.js';
import { createLocalTemporal } from '../support/temporalEnv.js';

const spec = (name: string) =>
  loadPipelineYaml(`
apiVersion: gauntlet.dev/v1
kind: Pipeline
name: ${name}
data: { source: "sklearn:digits" }
${NO_DATA_CHECKS}
gates: { oracle: { enabled: false } }
train: { epochs: 2, schedule: { kind: one_cycle, maxLr: 0.1 } }`);

const EARLIER = 'earlier-20261129T020000Z';

describe('stage caching and unchanged scheduled runs (real dev server, fake activities)', () => {
  let env: TestWorkflowEnvironment;
  before(async () => {
    env = await createLocalTemporal();
  });
  after(async () => {
    await env?.teardown();
  });

  async function run(id: string, input: Omit<PipelineInput, 'spec'>, overrides: Partial<Activities>) {
    const jobs: JobRequest[] = [];
    const worker = await Worker.create({ connection: env.nativeConnection, taskQueue: id, workflowsPath, activities: fakeActivities(overrides, jobs) });
    return worker.runUntil(async () => {
      const handle = await env.client.workflow.start(pipelineWorkflow, { taskQueue: id, workflowId: id, args: [{ spec: spec(id), ...input }] });
      const result: PipelineResult = await handle.result();
      return { result, jobs, progress: await handle.query(progressQuery) };
    });
  }

  test('GIVEN the cache answers the train job WHEN the run goes on THEN stage train says whose outputs it reused, the others ran', async () => {
    const base = fakeActivities();
    const { result, progress, jobs } = await run('cache-train', {}, {
      runJob: async (request) => {
        const outcome = await base.runJob(request);
        return request.mode === 'train' ? { ...outcome, launches: 0, cachedFrom: { run: EARLIER, stage: 'train' } } : outcome;
      },
    });
    assert.equal(result.status, 'succeeded');
    const detail = (name: string) => progress.stages.find((stage) => stage.stage === name);
    assert.match(detail('train')?.detail ?? '', new RegExp(` · cached from ${EARLIER}$`));
    assert.equal(detail('train')?.cachedFrom, EARLIER);
    assert.doesNotMatch(detail('overfit')?.detail ?? '', /cached/);
    assert.doesNotMatch(detail('evaluate')?.detail ?? '', /cached/);
    assert.ok(jobs.every((request) => request.cache === undefined), 'a run without --no-cache leaves the cache on');
  });

  test('GIVEN --no-cache WHEN the run starts jobs THEN every request says cache false', async () => {
    const { jobs } = await run('cache-off', { cache: false }, {});
    assert.deepEqual([...new Set(jobs.map((request) => request.mode))].sort(), ['evaluate', 'overfit_check', 'train']);
    assert.ok(jobs.every((request) => request.cache === false));
  });

  test('GIVEN a scheduled run on the last trained run’s spec, data and code THEN it ends unchanged before any job, every later stage saying since when', async () => {
    const asked: Array<Parameters<Activities['findUnchangedRun']>[0]> = [];
    const { result, jobs, progress } = await run('nightly-same', { trigger: { kind: 'schedule', schedule: 'nightly' } }, {
      findUnchangedRun: async (request) => {
        asked.push(request);
        return { runId: EARLIER, manifestUri: `s3://gauntlet/runs/${EARLIER}/manifest.json`, snapshot: null };
      },
    });
    assert.equal(result.status, 'unchanged');
    assert.equal(result.unchangedSince, EARLIER);
    assert.equal(result.manifestUri, `s3://gauntlet/runs/${EARLIER}/manifest.json`);
    assert.equal(jobs.length, 0, 'nothing trained');
    assert.equal(asked.length, 1);
    assert.equal(asked[0]!.sourceSha256, 'a'.repeat(64));
    assert.equal(progress.status, 'unchanged');
    assert.equal(progress.stages.find((stage) => stage.stage === 'ingest')?.status, 'succeeded');
    for (const stage of progress.stages.filter((entry) => entry.stage !== 'ingest')) {
      assert.equal(stage.status, 'skipped', stage.stage);
      assert.match(stage.detail ?? '', new RegExp(`^unchanged since ${EARLIER}: same spec, data \\(sha256 aaaaaaaaaaaa\\) and code$`));
    }
  });

  test('GIVEN new data for a scheduled run THEN it trains; a manual run never asks whether anything changed', async () => {
    const nightly = await run('nightly-new', { trigger: { kind: 'schedule', schedule: 'nightly' } }, { findUnchangedRun: async () => null });
    assert.equal(nightly.result.status, 'succeeded');
    assert.ok(nightly.jobs.some((request) => request.mode === 'train'));
    let asked = 0;
    const manual = await run('manual-same', {}, {
      findUnchangedRun: async () => {
        asked++;
        return { runId: EARLIER, manifestUri: 'x', snapshot: null };
      },
    });
    assert.equal(manual.result.status, 'succeeded');
    assert.equal(asked, 0);
  });
});

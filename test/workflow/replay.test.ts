/**
 * Replay: histories recorded from earlier runs (test/replay/histories, made by test/replay/record.ts) must replay
 * against the current workflow code without a non-determinism error, or runs in flight when a worker is upgraded
 * would break. A deliberately incompatible change is caught. No server needed.
 */
import proto from '@temporalio/proto';

const { temporal } = proto;
import { DeterminismViolationError } from '@temporalio/workflow';
import { Worker } from '@temporalio/worker';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, test } from 'node:test';
import { repoRoot, workflowsPath } from '../support/paths.js';

const folder = join(repoRoot, 'test', 'replay', 'histories');
const files = readdirSync(folder).filter((name) => name.endsWith('.history')).sort();
const history = (name: string) => temporal.api.history.v1.History.decode(Buffer.from(readFileSync(join(folder, name), 'utf8').trim(), 'base64'));

describe('replay of recorded histories', () => {
  test('GIVEN the recorded histories WHEN listed THEN every scenario is there: pipeline, gate stop, faults, cancelled, sweep with a hand-over, a sweep driven through every control path (TPE, ASHA, OOM fallback, budget change, stop --now, two hand-overs), labeling', () => {
    for (const scenario of ['pipeline', 'gate-stop', 'faults', 'cancelled', 'sweep', 'sweep.sweep.run-1', 'sweep.sweep.run-2', 'sweep-control.run-1', 'sweep-control.run-2', 'sweep-control.run-3', 'labeling', 'labeling.label'].map((name) => `${name}.history`)) {
      assert.ok(files.includes(scenario), `${scenario} in ${folder} (${files.join(', ')})`);
    }
  });

  for (const file of files) {
    test(`GIVEN ${file} WHEN replayed against the current workflow code THEN it is deterministic`, async () => {
      await Worker.runReplayHistory({ workflowsPath }, history(file), file.replace(/\.history$/, ''));
    });
  }

  test('GIVEN an incompatible change (a timer before the first stage) WHEN the pipeline history is replayed THEN replay fails with a determinism violation', async () => {
    const incompatible = resolve(repoRoot, 'dist', 'test', 'replay', 'incompatibleWorkflows.js');
    await assert.rejects(Worker.runReplayHistory({ workflowsPath: incompatible }, history('pipeline.history'), 'pipeline'), DeterminismViolationError);
  });
});

/**
 * What decides a cache hit: the job cache key (activities/jobCache.ts) and the run fingerprint
 * (activities/runFingerprint.ts) change with every input that changes a job's output, and with nothing else.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { isCacheable, jobCacheKey } from '../../activities/jobCache.js';
import { runFingerprint } from '../../activities/runFingerprint.js';
import type { JobRequest } from '../../activities/types.js';
import { canonicalJson } from '../../core/canonicalJson.js';
import { loadPipelineYaml } from '../../core/spec/parse.js';

const spec = loadPipelineYaml(`
apiVersion: gauntlet.dev/v1
kind: Pipeline
name: cached
data: { source: "sklearn:digits" }
train: { epochs: 2, schedule: { kind: one_cycle, maxLr: 0.1 } }`);

const request: JobRequest = {
  stage: 'train',
  pipeline: 'cached',
  executor: 'local',
  mode: 'train',
  trainer: spec.trainer,
  data: { uri: 's3://b/datasets/a.csv', sha256: 'a'.repeat(64), format: 'csv', labelColumn: 'label', splitUri: 's3://b/datasets/a/splits/s.json', numClasses: 10, ignoreColumns: [] },
  seed: 0,
  epochs: 2,
  batchSize: 64,
  hyperparameters: { hidden: 64 },
  schedule: { kind: 'one_cycle', maxLr: 0.1, pctStart: 0.25, divFactor: 25, finalDivFactor: 1e4 } as JobRequest['schedule'],
};
const code = { gauntlet: '0.1.0', trainerSha256: 't'.repeat(64) };
const key = (changed: Partial<JobRequest>, codeVersion = code) => jobCacheKey({ ...request, ...changed }, { codeVersion });

describe('job cache key', () => {
  test('canonical JSON ignores key order and undefined members', () => {
    assert.equal(canonicalJson({ b: 1, a: { d: [1, { y: 2, x: 1 }], c: undefined } }), canonicalJson({ a: { d: [1, { x: 1, y: 2 }] }, b: 1 }));
    assert.notEqual(canonicalJson([1, 2]), canonicalJson([2, 1]));
  });

  test('GIVEN the same inputs THEN the same key, whatever the stage name, timeouts or retry policy', async () => {
    const base = await key({});
    assert.match(base, /^[0-9a-f]{64}$/);
    assert.equal(await key({ stage: 'fold-1' }), base);
    assert.equal(await key({ trainer: { ...spec.trainer, timeout: '9h', retry: { ...spec.trainer.retry, maximumAttempts: 9 } } }), base);
    assert.equal(await key({ progress: { live: false, epochs: [1] }, cache: false }), base);
  });

  test('GIVEN any input that changes the output THEN another key', async () => {
    const base = await key({});
    const changed = await Promise.all([
      key({ data: { ...request.data, sha256: 'b'.repeat(64) } }),
      key({ data: { ...request.data, splitUri: 's3://b/datasets/a/splits/other.json' } }),
      key({ hyperparameters: { hidden: 128 } }),
      key({ epochs: 3 }),
      key({ seed: 1 }),
      key({ mode: 'evaluate', checkpoint: 's3://b/runs/r/train/model.pt' }),
      key({ pipeline: 'other' }),
      key({ trainer: { ...spec.trainer, device: 'cuda' } }),
      key({}, { ...code, trainerSha256: 'u'.repeat(64) }),
      key({}, { ...code, gauntlet: '0.2.0' }),
    ]);
    for (const [index, other] of changed.entries()) assert.notEqual(other, base, `change ${index}`);
    assert.equal(new Set(changed).size, changed.length);
  });

  test('GIVEN a command trainer THEN editing its script changes the key', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'gauntlet-cache-'));
    const script = join(dir, 'model.py');
    writeFileSync(script, 'print(1)\n');
    const trainer = { ...spec.trainer, kind: 'command' as const, command: ['{python}', script] };
    const before = await key({ trainer });
    assert.equal(await key({ trainer }), before);
    writeFileSync(script, 'print(2)\n');
    assert.notEqual(await key({ trainer }), before);
  });

  test('sweep trials, labeling batches and --no-cache are never answered from the cache', () => {
    assert.equal(isCacheable(request), true);
    assert.equal(isCacheable({ ...request, mode: 'evaluate' }), true);
    assert.equal(isCacheable({ ...request, stage: 'trial-3' }), false);
    assert.equal(isCacheable({ ...request, mode: 'label' }), false);
    assert.equal(isCacheable({ ...request, cache: false }), false);
  });
});

describe('run fingerprint', () => {
  const full = { gauntlet: '0.1.0', gitCommit: 'c0ffee', trainerSha256: 't'.repeat(64) };
  test('GIVEN the same spec, source data and code THEN the same fingerprint; any of them changed THEN another', () => {
    const base = runFingerprint(spec, 'a'.repeat(64), full);
    assert.equal(runFingerprint(structuredClone(spec), 'a'.repeat(64), { ...full }), base);
    assert.notEqual(runFingerprint(spec, 'b'.repeat(64), full), base);
    assert.notEqual(runFingerprint({ ...spec, train: { ...spec.train, epochs: 3 } }, 'a'.repeat(64), full), base);
    assert.notEqual(runFingerprint(spec, 'a'.repeat(64), { ...full, gitCommit: 'beef' }), base);
    assert.notEqual(runFingerprint(spec, 'a'.repeat(64), { ...full, trainerSha256: 'u'.repeat(64) }), base);
  });
});

/**
 * Ingest on a real MinIO: a built-in data set is exported by the trainer's Python once per trainer version, then read
 * from the store (issue 16: every run used to pay ~1 s of Python start and export); a new trainer version exports again.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { MockActivityEnvironment } from '@temporalio/testing';
import { createIngest } from '../../activities/ingest.js';
import { ArtifactStore } from '../../activities/store.js';
import type { IngestResult } from '../../activities/types.js';
import { startTestStack, type TestStack } from '../../deploy/dev/testStack.js';
import { createMinioClient } from '../../worker/sideEffects.js';

const CSV = 'x,label\n1,0\n2,1\n3,0\n4,1\n5,0\n6,1\n7,0\n8,1\n9,0\n10,1\n11,0\n12,1\n13,0\n14,1\n15,0\n16,1\n17,0\n18,1\n19,0\n20,1\n';

describe('ingest of a built-in data set on a real MinIO', () => {
  let stack: TestStack;
  let store: ArtifactStore;
  before(async () => {
    stack = await startTestStack({ worker: false });
    store = new ArtifactStore(createMinioClient(stack.config), stack.bucket);
  });
  after(async () => {
    await stack?.stop();
  });

  test('GIVEN the same trainer version THEN the second ingest reads the stored export; another version exports again', async () => {
    const exported: string[] = [];
    const ingestWith = (trainerSha256: string) =>
      createIngest({
        store,
        codeVersion: { trainerSha256 },
        exportBuiltinDataset: async (name) => {
          exported.push(name);
          return Buffer.from(CSV);
        },
      });
    const request = { source: 'sklearn:digits', labelColumn: 'label', split: { kind: 'holdout' as const, valid: 0.2, test: 0.2, folds: 5, seed: 0, stratify: true } };
    const env = new MockActivityEnvironment();
    const first: IngestResult = await env.run(ingestWith('a'.repeat(64)), request);
    const second: IngestResult = await env.run(ingestWith('a'.repeat(64)), request);
    assert.deepEqual(exported, ['digits'], 'exported once');
    assert.equal(second.data.sha256, first.data.sha256);
    assert.deepEqual(second.counts, first.counts);
    assert.ok(await store.exists(store.uri(`datasets/builtin/digits-${'a'.repeat(16)}.csv`)));
    await env.run(ingestWith('b'.repeat(64)), request);
    assert.deepEqual(exported, ['digits', 'digits'], 'a new trainer version exports again');
  });
});

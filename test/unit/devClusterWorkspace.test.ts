/**
 * The pieces of `gauntlet dev cluster up` that need no cluster: the pod runner playing the trainer image from this
 * checkout (localImages.ts), and the dev worker's environment following the worker kubeconfig's presence (worker.ts).
 * The whole path runs in test/integration/kubernetesNewcomer.test.ts.
 */
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { imageRepository, playImage, trainerLocalImage } from '../../deploy/dev/cluster/localImages.js';
import { clusterPaths } from '../../deploy/dev/cluster/paths.js';
import { workerKubeconfigPath } from '../../deploy/dev/cluster/workspace.js';
import { resolveOptions } from '../../deploy/dev/options.js';
import { workerEnv } from '../../deploy/dev/worker.js';
import { repoRoot } from '../support/paths.js';

describe('the pod runner plays the gauntlet-trainer image', () => {
  const images = { 'gauntlet-trainer': trainerLocalImage(repoRoot, '/usr/bin/python3') };

  it('names an image by its repository: registry, path, tag and digest aside', () => {
    assert.equal(imageRepository('gauntlet-trainer:0.1.0'), 'gauntlet-trainer');
    assert.equal(imageRepository('registry.example:5000/ml/gauntlet-trainer:0.1.0-cuda@sha256:abc'), 'gauntlet-trainer');
    assert.equal(imageRepository('python'), 'python');
  });

  it('GIVEN the image CMD THEN python3 is the Python with torch and /app/ is this checkout, with the image PYTHONPATH', () => {
    const played = playImage(images, 'gauntlet-trainer:0.1.0', ['python3', '/app/trainer/reference_trainer.py']);
    assert.deepEqual(played.argv, ['/usr/bin/python3', join(repoRoot, 'trainer', 'reference_trainer.py')]);
    assert.equal(played.env.PYTHONPATH, join(repoRoot, 'trainer'));
  });

  it('GIVEN a path the checkout lacks, or another image THEN the command runs as given', () => {
    assert.deepEqual(playImage(images, 'gauntlet-trainer:1', ['sh', '/app/nope.sh']).argv, ['sh', '/app/nope.sh']);
    assert.deepEqual(playImage(images, 'busybox:1.36.1', ['python3', '/app/trainer/reference_trainer.py']), {
      argv: ['python3', '/app/trainer/reference_trainer.py'],
      env: {},
    });
  });
});

describe('the dev worker follows the worker kubeconfig', () => {
  it('GIVEN no worker kubeconfig THEN no GAUNTLET_KUBECONFIG; GIVEN one THEN it points at it', () => {
    const stateDir = mkdtempSync(join(tmpdir(), 'gauntlet-attach-'));
    try {
      const o = resolveOptions({ stateDir, log: () => undefined });
      assert.equal(workerEnv(o, 'python3').GAUNTLET_KUBECONFIG, undefined);
      const file = workerKubeconfigPath(clusterPaths(stateDir));
      mkdirSync(clusterPaths(stateDir).dir, { recursive: true });
      writeFileSync(file, 'apiVersion: v1\n');
      assert.equal(workerEnv(o, 'python3').GAUNTLET_KUBECONFIG, file);
    } finally {
      rmSync(stateDir, { recursive: true, force: true });
    }
  });
});

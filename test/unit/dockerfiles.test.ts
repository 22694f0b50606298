/**
 * deploy/docker/*.Dockerfile read statically (no image builder runs in CI): bases pinned to exact versions, a non-root
 * user, COPY sources and the started file present in the repository, no secrets baked in, and a .dockerignore that
 * keeps outputs and state out of the build context. Each check is also shown to catch a bad Dockerfile.
 */
import assert from 'node:assert/strict';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { checkCopySources, checkEntrypoint, checkNoSecrets, checkNonRoot, checkPinnedBases, parseDockerfile } from '../support/dockerfile.js';
import { repoRoot } from '../support/paths.js';

const dockerDir = join(repoRoot, 'deploy', 'docker');
const dockerfiles = readdirSync(dockerDir).filter((name) => name.endsWith('.Dockerfile')).sort();

describe('Dockerfiles (deploy/docker)', () => {
  it('has the worker, the CPU trainer and the CUDA trainer images', () => {
    assert.deepEqual(dockerfiles, ['trainer-cuda.Dockerfile', 'trainer.Dockerfile', 'worker.Dockerfile']);
  });

  for (const name of dockerfiles) {
    describe(name, () => {
      const stages = parseDockerfile(readFileSync(join(dockerDir, name), 'utf8'));
      it('every base is pinned to an exact version', () => assert.deepEqual(checkPinnedBases(stages), []));
      it('runs as a non-root user', () => assert.deepEqual(checkNonRoot(stages), []));
      it('every COPY source exists in the repository', () => assert.deepEqual(checkCopySources(stages, repoRoot), []));
      it('the CMD/ENTRYPOINT file comes from the repository', () => assert.deepEqual(checkEntrypoint(stages, repoRoot), []));
      it('bakes in no secret', () => assert.deepEqual(checkNoSecrets(stages), []));
    });
  }

  it('the bases: Node 24 LTS slim for the worker, a Python slim and a CUDA runtime for the trainers', () => {
    const from = (name: string) => parseDockerfile(readFileSync(join(dockerDir, name), 'utf8')).map((s) => s.from);
    assert.ok(from('worker.Dockerfile').every((image) => /^node:24\.\d+\.\d+-\w+-slim$/.test(image)), from('worker.Dockerfile').join(', '));
    assert.match(from('trainer.Dockerfile')[0] ?? '', /^python:3\.\d+\.\d+-slim/);
    assert.match(from('trainer-cuda.Dockerfile')[0] ?? '', /^nvidia\/cuda:\d+\.\d+\.\d+-.*runtime/);
  });

  it('the worker image can ingest sklearn:digits: Python with scikit-learn and the trainer library', () => {
    const text = readFileSync(join(dockerDir, 'worker.Dockerfile'), 'utf8');
    assert.match(text, /python3-sklearn/);
    assert.match(text, /COPY trainer\/ \.\/trainer\//);
    assert.match(text, /GAUNTLET_PYTHON=\/usr\/bin\/python3/);
  });

  it('.dockerignore keeps outputs, state, caches and key files out of the build context', () => {
    const file = join(repoRoot, '.dockerignore');
    assert.ok(existsSync(file));
    const patterns = new Set(readFileSync(file, 'utf8').split('\n').map((l) => l.trim()).filter((l) => l && !l.startsWith('#')));
    for (const needed of ['.git', 'node_modules', 'dist', '.gauntlet', '.cache', '**/*.key', '**/*.pem']) assert.ok(patterns.has(needed), `${needed} is ignored`);
  });

  describe('the checks catch a bad Dockerfile', () => {
    const bad = parseDockerfile(
      [
        'FROM node:24 AS build',
        'FROM python:latest',
        'FROM ubuntu',
        'ENV API_TOKEN=abc123 PLAIN=1',
        'ARG DB_PASSWORD="hunter2"',
        'ARG EMPTY_SECRET',
        'COPY missing-dir/ /app/',
        'COPY --from=build /x /y',
        'CMD ["node", "dist/nope/main.js"]',
      ].join('\n'),
    );
    it('unpinned bases', () =>
      assert.deepEqual(checkPinnedBases(bad), [
        'FROM node:24: tag "24" is not an exact version (major.minor.patch)',
        'FROM python:latest: "latest" is not a version',
        'FROM ubuntu: no tag (means latest)',
      ]));
    it('no USER, or USER root', () => {
      assert.deepEqual(checkNonRoot(bad), ['the final stage has no USER: it would run as root']);
      assert.deepEqual(checkNonRoot(parseDockerfile('FROM a:1.2.3\nUSER 0:0')), ['USER 0 is root']);
    });
    it('a missing COPY source and entrypoint', () => {
      assert.deepEqual(checkCopySources(bad, repoRoot), ['line 7: COPY source missing-dir/ is not in the repository']);
      assert.deepEqual(checkEntrypoint(bad, repoRoot), ['dist/nope/main.js: compiled from nope/main.ts, which is not in the repository']);
      assert.deepEqual(checkEntrypoint(parseDockerfile('FROM a:1.2.3\nWORKDIR /app\nCOPY trainer/ /app/trainer/\nCMD python3 /app/trainer/gone.py'), repoRoot), [
        `/app/trainer/gone.py: ${join(repoRoot, 'trainer', 'gone.py')} is not in the repository`,
      ]);
    });
    it('secrets in ENV and ARG', () =>
      assert.deepEqual(checkNoSecrets(bad), [
        'line 4: ENV API_TOKEN sets a secret-looking value in the image',
        'line 5: ARG DB_PASSWORD sets a secret-looking value in the image',
      ]));
  });
});

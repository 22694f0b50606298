/**
 * `node dist/deploy/dev/prebuild.js [temporal|minio ...]` — fill the binary cache (for CI images and first-time
 * setup), the same code path `gauntlet dev up` uses. Ignores binaries on PATH so the cache itself gets filled.
 * Prints the path of each binary on stdout.
 */
import { ensureBinary, type BinaryName, BINARIES } from './binaries.js';
import { DevError } from './errors.js';

const names = (process.argv.slice(2).length ? process.argv.slice(2) : Object.keys(BINARIES)) as BinaryName[];
try {
  for (const name of names) {
    if (!(name in BINARIES)) throw new DevError(`unknown binary "${name}": expected one of ${Object.keys(BINARIES).join(', ')}`);
    process.stdout.write(`${await ensureBinary(name, { preferPath: false })}\n`);
  }
} catch (error) {
  process.stderr.write(`prebuild: ${error instanceof DevError ? error.message : String(error)}\n`);
  process.exitCode = 1;
}

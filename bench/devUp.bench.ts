/**
 * `gauntlet dev up` timings, in seconds (figures, not a pass/fail test):
 *   warm up      — binaries cached, fresh state folder (new Temporal DB, new MinIO drive), worker off
 *   restart up   — `down` then `up` on the same state folder (existing DB and data)
 *   no-op up     — `up` while everything runs healthy
 * With --cold (or GAUNTLET_BENCH_COLD=1) it first builds both binaries into an empty cache: the first-run cost,
 * including `go install` (minutes). --cold-go also empties Go's build cache (GOCACHE) for a true from-source compile;
 * downloaded modules (GOMODCACHE) are kept. --worker includes the worker (needs `npm run build` and Python with torch).
 *
 *   node dist/bench/devUp.bench.js [--cold] [--cold-go] [--worker] [--runs N]
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type BinaryName, ensureBinary } from '../deploy/dev/binaries.js';
import { freePorts } from '../deploy/dev/net.js';
import { devDown, devUp } from '../deploy/dev/stack.js';

const args = process.argv.slice(2);
const coldGo = args.includes('--cold-go');
const cold = coldGo || args.includes('--cold') || process.env.GAUNTLET_BENCH_COLD === '1';
const worker = args.includes('--worker');
const runsArg = args.indexOf('--runs');
const runs = runsArg >= 0 ? Number(args[runsArg + 1]) : 3;
const quiet = { log: () => undefined };
const seconds = (ms: number) => Number((ms / 1000).toFixed(2));
const figures: Record<string, number | number[]> = {};

function report(name: string, value: number | number[]): void {
  figures[name] = value;
  process.stdout.write(`${name.padEnd(28)} ${Array.isArray(value) ? value.map((v) => v.toFixed(2)).join('  ') : value.toFixed(2)} s\n`);
}

async function timed<T>(fn: () => Promise<T>): Promise<[T, number]> {
  const start = performance.now();
  const result = await fn();
  return [result, performance.now() - start];
}

async function ports() {
  const [temporalPort, uiPort, minioPort, minioConsolePort] = (await freePorts(4)) as [number, number, number, number];
  return { temporalPort, uiPort, minioPort, minioConsolePort };
}

const scratch: string[] = [];
const temp = (prefix: string) => {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  scratch.push(dir);
  return dir;
};

try {
  process.stdout.write(`dev up benchmark (worker ${worker ? 'on' : 'off'}, ${runs} runs each)\n`);
  let cacheDir: string | undefined;
  if (cold) {
    cacheDir = temp('gauntlet-bench-cache-');
    const env = coldGo ? { ...process.env, GOCACHE: temp('gauntlet-bench-gocache-') } : process.env;
    let total = 0;
    for (const name of ['temporal', 'minio'] as BinaryName[]) {
      const [, ms] = await timed(() => ensureBinary(name, { cacheDir, preferPath: false, env, log: (l) => process.stderr.write(`${l}\n`) }));
      report(`build ${name}${coldGo ? ' (cold GOCACHE)' : ''}`, seconds(ms));
      total += ms;
    }
    const stateDir = temp('gauntlet-bench-state-');
    const coldOptions = { stateDir, cacheDir, worker, ...(await ports()), ...quiet };
    const [, ms] = await timed(() => devUp(coldOptions));
    report('cold up (build + start)', seconds(total + ms));
    await devDown({ stateDir, ...quiet });
  }

  const warm: number[] = [];
  const restart: number[] = [];
  const noop: number[] = [];
  for (let i = 0; i < runs; i++) {
    const stateDir = temp('gauntlet-bench-state-');
    const options = { stateDir, cacheDir, worker, ...(await ports()), ...quiet };
    warm.push(seconds((await timed(() => devUp(options)))[1]));
    noop.push(seconds((await timed(() => devUp(options)))[1]));
    await devDown(options);
    restart.push(seconds((await timed(() => devUp(options)))[1]));
    await devDown(options);
  }
  report('warm up (fresh state)', warm);
  report('restart up (existing state)', restart);
  report('no-op up (already running)', noop);
  process.stdout.write(`${JSON.stringify({ bench: 'devUp', cold, coldGo, worker, seconds: figures })}\n`);
} finally {
  for (const dir of scratch) rmSync(dir, { recursive: true, force: true });
}

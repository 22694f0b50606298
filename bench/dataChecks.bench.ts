/**
 * Data checks benchmark, printed, never asserted: each check's time (best of 3, wall and CPU) on real digits
 * (1797 × 64) and on 10,000 × 64 tables: digits resampled with Gaussian pixel noise (σ 1.5 grey levels, no
 * duplicates), the same with 2,000 rows being copies with 3 pixels nudged (2,000+ near pairs to find), and
 * standard normal features (no structure for the pruning to use). Single-threaded, like the activity that runs them.
 *   npx tsc -p tsconfig.json && node dist/bench/dataChecks.bench.js
 */
import { readFileSync } from 'node:fs';

import type { CheckResult } from '../core/data/check.js';
import { duplicatesCheck } from '../core/data/checks/duplicates.js';
import { leakageCheck } from '../core/data/checks/leakage.js';
import { schemaCheck } from '../core/data/checks/schema.js';
import { parseDataTable, type DataTable } from '../core/data/table.js';
import { seededRandom } from '../core/random.js';
import { ChecksSpec } from '../core/spec/checks.js';

const digits = readFileSync(new URL('../../test/fixtures/data/digits.csv', import.meta.url), 'utf8')
  .trim()
  .split('\n')
  .slice(1)
  .map((line) => line.split(',').map(Number));
const random = seededRandom(0);
const gauss = (): number => Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
const pick = <T>(xs: readonly T[]): T => xs[Math.floor(random() * xs.length)] as T;
const csv = (header: string[], rows: number[][]): string => `${[header.join(','), ...rows.map((r) => r.join(','))].join('\n')}\n`;
const PIXELS = [...Array.from({ length: 64 }, (_, i) => `p${i}`), 'label'];

const noisy = Array.from({ length: 10_000 }, () => {
  const row = pick(digits);
  return [...row.slice(0, 64).map((v) => Math.min(16, Math.max(0, Math.round(v + 1.5 * gauss())))), row[64] as number];
});
const withCopies = noisy.map((row, i) => {
  if (i < 8000) return row;
  const copy = (noisy[i - 8000] as number[]).slice();
  for (let k = 0; k < 3; k++) {
    const p = Math.floor(random() * 64);
    copy[p] = (copy[p] as number) === 0 ? 1 : (copy[p] as number) - 1;
  }
  return copy;
});
const normal = Array.from({ length: 10_000 }, (_, i) => [...Array.from({ length: 64 }, () => Number(gauss().toFixed(5))), i % 10]);

const cases: [string, string][] = [
  ['digits 1797×64', csv(PIXELS, digits)],
  ['noisy digits 10k×64', csv(PIXELS, noisy)],
  ['noisy digits 10k×64, 2k near copies', csv(PIXELS, withCopies)],
  ['normal 10k×64', csv(PIXELS, normal)],
];
const spec = ChecksSpec.parse({});
const checks: [string, (t: DataTable) => CheckResult][] = [
  ['schema', (t) => schemaCheck(t, null, spec.schema)],
  ['duplicates', (t) => duplicatesCheck(t, null, spec.duplicates)],
  ['leakage', (t) => leakageCheck(t, null, spec.leakage)],
];

function best(run: () => CheckResult): { wall: number; cpu: number; result: CheckResult } {
  let wall = Infinity;
  let cpu = Infinity;
  let result: CheckResult | undefined;
  for (let i = 0; i < 3; i++) {
    const t0 = performance.now();
    const c0 = process.cpuUsage();
    result = run();
    const c = process.cpuUsage(c0);
    wall = Math.min(wall, performance.now() - t0);
    cpu = Math.min(cpu, (c.user + c.system) / 1000);
  }
  return { wall, cpu, result: result as CheckResult };
}

for (const [name, text] of cases) {
  const t0 = performance.now();
  const table = parseDataTable(text, { label: 'label' });
  console.log(`${name}: parse ${(performance.now() - t0).toFixed(0)} ms`);
  for (const [check, run] of checks) {
    const { wall, cpu, result } = best(() => run(table));
    const total = result.details.total === undefined ? '' : ` (${String(result.details.total)} pairs)`;
    console.log(`  ${check.padEnd(10)} ${wall.toFixed(0).padStart(6)} ms wall ${cpu.toFixed(0).padStart(6)} ms cpu  ${result.verdict}${total}`);
  }
}

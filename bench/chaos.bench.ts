/**
 * Chaos benchmark (issue 9), printed, never asserted: an undisturbed run of a random sweep, then --runs runs of the
 * same spec, each hit by faults at seeded random times: the worker killed -9 (and restarted 1 s later), the Temporal
 * dev server killed -9 (back after 3 s, same database), MinIO killed -9 (back after --minio-down-ms). Real CLI,
 * Temporal, MinIO, worker process and reference trainer.
 *
 * Per run it prints the faults injected and when, then:
 *   trials lost          planned trials that are not in the trial table
 *   failed by infra      trials recorded failed (the spec's trainer never fails by itself, so every one is ours)
 *   duplicate launches   launches beyond one per trial (trial records) and job folders beyond one per trial
 *   extra wall time      this run's wall time − the undisturbed run's, next to the total time services were down
 *   same result          the same configurations in the same order and the same best trial as the undisturbed run
 *
 *   node dist/bench/chaos.bench.js [--runs 3] [--trials 12] [--seed 1] [--minio-down-ms 10000]
 */
import { existsSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { configKey } from '../core/sweep/config.js';
import { seededRandom } from '../core/random.js';
import { startTestStack } from '../deploy/dev/testStack.js';
import { detectPython } from '../deploy/dev/worker.js';
import { killService, restartServices } from '../test/support/chaos.js';
import { runCli } from '../test/support/cli.js';
import { startWorkerProcess, type WorkerProcess } from '../test/support/workerProcess.js';
import type { TrialRecord } from '../contracts/sweep.js';

const { values } = parseArgs({
  options: {
    runs: { type: 'string', default: '3' },
    trials: { type: 'string', default: '12' },
    seed: { type: 'string', default: '1' },
    'minio-down-ms': { type: 'string', default: '10000' },
  },
});
const RUNS = Number(values.runs);
const TRIALS = Number(values.trials);
const MINIO_DOWN_MS = Number(values['minio-down-ms']);
const random = seededRandom(Number(values.seed));

const stack = await startTestStack({ worker: false, python: await detectPython() });
let worker: WorkerProcess = await startWorkerProcess(stack.env);
const specDir = mkdtempSync(join(tmpdir(), 'gauntlet-chaos-bench-'));
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const jobDirs = () => (existsSync(join(stack.stateDir, 'jobs')) ? readdirSync(join(stack.stateDir, 'jobs')) : []);

function spec(name: string): string {
  const path = join(specDir, `${name}.yaml`);
  writeFileSync(path, `
apiVersion: gauntlet.dev/v1
kind: Pipeline
name: ${name}
data: { source: "sklearn:digits" }
gates: { overfit: { enabled: false }, oracle: { enabled: false } }
trainer: { heartbeatTimeout: 5s, retry: { maximumAttempts: 1 } }
train: { epochs: 4, hyperparameters: { slowdownSeconds: 1 }, schedule: { kind: one_cycle, maxLr: 0.3 } }
sweep:
  space: { hidden: { choice: [16, 32, 64, 128] }, dropout: { uniform: [0, 0.3] } }
  strategy: { kind: random, seed: 3 }
  budget: { maxTrials: ${TRIALS}, maxFailedTrials: ${TRIALS}, gpuBudget: 2 }
`);
  return path;
}

async function runSweep(name: string, faults: (done: () => boolean) => Promise<string[]>) {
  const before = new Set(jobDirs());
  const started = Date.now();
  let finished = false;
  const run = runCli(['run', spec(name), '--json'], stack.env, 3_600_000).finally(() => (finished = true));
  const injected = await faults(() => finished);
  const result = await run;
  const seconds = (Date.now() - started) / 1000;
  if (result.code !== 0) return { seconds, injected, error: result.stderr.slice(-500), trials: [] as TrialRecord[], jobs: 0 };
  const runId = (JSON.parse(result.stdout) as { runId: string }).runId;
  const table = await runCli(['sweep', 'status', runId, '--json'], stack.env);
  const trials = JSON.parse(table.stdout) as TrialRecord[];
  // Job folders of this run, less the evaluation job.
  const jobs = jobDirs().filter((dir) => !before.has(dir)).length - 1;
  return { seconds, injected, error: null, trials, jobs };
}

console.log(`chaos bench: ${RUNS} runs × ${TRIALS} trials (4 epochs, ~6 s each, 2 at once), seed ${values.seed}, MinIO down ${MINIO_DOWN_MS / 1000} s`);
const calm = await runSweep('chaos-calm', async () => []);
console.log(`undisturbed: ${calm.seconds.toFixed(1)} s, ${calm.trials.length} trials`);

const totals = { faults: 0, lost: 0, failed: 0, duplicates: 0, extra: 0, down: 0 };
for (let index = 0; index < RUNS; index++) {
  let downMs = 0;
  const outcome = await runSweep(`chaos-${index}`, async (done) => {
    const injected: string[] = [];
    const began = Date.now();
    // Three or four faults in a random order, each after a random 4–15 s, while the sweep still runs.
    const kinds = (['worker', 'temporal', 'minio', 'worker'] as const).slice().sort(() => random() - 0.5).slice(0, 3 + Math.round(random()));
    for (const kind of kinds) {
      await sleep(4000 + random() * 11_000);
      if (done()) break;
      const at = ((Date.now() - began) / 1000).toFixed(1);
      if (kind === 'worker') {
        await worker.kill('SIGKILL');
        await sleep(1000);
        worker = await startWorkerProcess(stack.env);
        downMs += 1000;
      } else {
        const down = kind === 'temporal' ? 3000 : MINIO_DOWN_MS;
        await killService(stack.stateDir, kind);
        await sleep(down);
        await restartServices(stack.stateDir);
        downMs += down;
      }
      injected.push(`${kind}@${at}s`);
    }
    return injected;
  });
  const lost = TRIALS - outcome.trials.length;
  const failed = outcome.trials.filter((trial) => trial.status === 'failed').length;
  const duplicates = Math.max(outcome.trials.reduce((sum, trial) => sum + trial.launches - 1, 0), outcome.jobs - outcome.trials.length);
  const same =
    outcome.trials.map((trial) => configKey(trial.config)).join('|') === calm.trials.map((trial) => configKey(trial.config)).join('|') &&
    bestTrial(outcome.trials) === bestTrial(calm.trials);
  const extra = outcome.seconds - calm.seconds;
  totals.faults += outcome.injected.length;
  totals.lost += lost;
  totals.failed += failed;
  totals.duplicates += duplicates;
  totals.extra += extra;
  totals.down += downMs / 1000;
  console.log(
    `run ${index + 1}: faults ${outcome.injected.join(', ') || 'none'} · ${outcome.error ? `RUN FAILED: ${outcome.error}` : 'succeeded'} · trials lost ${lost} · failed by infra ${failed} · ` +
      `duplicate launches ${duplicates} · wall ${outcome.seconds.toFixed(1)} s (+${extra.toFixed(1)} s; services down ${(downMs / 1000).toFixed(1)} s) · same result ${same ? 'yes' : 'NO'}`,
  );
}
console.log(
  `total: ${totals.faults} faults · ${totals.lost} trials lost · ${totals.failed} failed by infrastructure · ${totals.duplicates} duplicate launches · ` +
    `extra wall time ${totals.extra.toFixed(1)} s for ${totals.down.toFixed(1)} s of outages`,
);
await worker.kill('SIGTERM');
await stack.stop();

function bestTrial(trials: TrialRecord[]): number | null {
  const completed = trials.filter((trial) => trial.objective !== null);
  if (completed.length === 0) return null;
  return completed.reduce((top, trial) => ((trial.objective ?? 0) > (top.objective ?? 0) ? trial : top)).trial;
}

/**
 * Sweep efficiency on real training (digits, CPU, the reference trainer), printed, never asserted: the compute, in
 * trial-epochs, that random search, TPE and TPE + ASHA need to find a configuration within 0.5% (absolute val
 * accuracy, 0.005) of the best one found, with the same objective run through Optuna (TPE + successive halving) as
 * the outside reference, side by side in one run.
 *
 * Gauntlet side: one throw-away stack + one worker process; per method and seed a pipeline file with the space of
 * examples/digits/sweep.yaml (lrFactor × the range test's steep suggestion, hidden, dropout, weightDecay), --epochs
 * per trial, one-cycle, gates off, budget --trials trials at most 2 at once (gpuBudget 2); run with
 * `gauntlet run FILE --json`, then the sweep's `leaderboard` query (workflow `<run>-sweep`) gives every trial.
 * Every trial trains with train.seed 0, so the objective is a deterministic function of the configuration and the
 * method's seed (--seeds: 0, 1, …) only changes the search: strategy.seed for Gauntlet, TPESampler(seed) for Optuna.
 *
 * Optuna side (bench/optuna_digits.py under /usr/bin/python3 with Debian's python3-optuna): the exact CSV and split
 * manifest this run's ingest stored (read from MinIO), the reference trainer's own modules for model, batches,
 * schedule and validation, the same space, max LR basis (the range test suggestion from the run manifest) and the
 * one-cycle options of a Gauntlet trial's job document; TPESampler(seed, n_startup_trials = Gauntlet's nStartupTrials)
 * + SuccessiveHalvingPruner(min_resource 1, reduction_factor 3), trials one after another in one process. A parity
 * check retrains one Gauntlet trial's configuration through the Python objective and prints the largest gap.
 *
 * Figures per method × seed:
 *   best          best val accuracy of a completed trial
 *   trial-epochs  Σ epochs trained per trial, as the sweep counts them: a completed trial's epochs, a stopped (or
 *                 failed) trial's curve length (the last epoch the sweep recorded for it — reports keep coming until
 *                 the cancellation reaches the process; an epoch whose progress signal the sweep dropped is a null
 *                 inside the curve and still counts)
 *   at stop decision  Gauntlet: Σ epochs had each early-stopping decision taken effect at once (a trial's first
 *                 non-final stop decision; the decision, not the cancellation, is what ASHA controls)
 *   executed      Gauntlet: epochs the trainer processes actually ran, from their stdout (a stopped trial keeps
 *                 training until the cancellation reaches its process); Optuna: equal to trial-epochs (in-process)
 *   to ±0.5%      cumulative trial-epochs, trials in start order, up to and including the first *completed* trial
 *                 whose final val accuracy is ≥ POOLED best − 0.005 (a stopped trial's last value never counts).
 *                 POOLED best = the best val accuracy found by any method (Optuna included) and any seed in this
 *                 run. "—" = not reached; medians count it as infinite. Digits' validation split has 269 rows, so one
 *                 image is 0.0037: "within 0.005" means at most one validation image worse than the pooled best.
 *   wall s        Gauntlet: the whole `gauntlet run` (CLI start, ingest, range test, sweep, evaluation, manifest);
 *                 Optuna: study.optimize only (data load and imports excluded)
 *   sweep s       Gauntlet: first trial start → last trial end (from the leaderboard)
 *
 *   node dist/bench/sweepEfficiency.bench.js [--trials 24] [--seeds 2] [--epochs 9] [--optuna-python /usr/bin/python3]
 *                                            [--dump DIR]   (DIR: every leaderboard + trainer curves, Optuna's trials)
 */
import { Client, Connection } from '@temporalio/client';
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { z } from 'zod';
import { ArtifactStore } from '../activities/store.js';
import { repoRoot } from '../deploy/dev/paths.js';
import { startTestStack } from '../deploy/dev/testStack.js';
import { detectPython } from '../deploy/dev/worker.js';
import { runCli } from '../test/support/cli.js';
import { startWorkerProcess } from '../test/support/workerProcess.js';
import { leaderboardQuery, sweepWorkflowId, type TrialRecord } from '../contracts/sweep.js';
import { readTrialTable } from '../activities/sweepTable.js';
import { createMinioClient } from '../worker/sideEffects.js';

function option(name: string, fallback: string): string {
  const i = process.argv.indexOf(name);
  return i >= 0 ? (process.argv[i + 1] ?? fallback) : fallback;
}
function intOption(name: string, fallback: number): number {
  const value = Number(option(name, String(fallback)));
  if (!Number.isInteger(value) || value < 1) throw new Error(`${name} must be a positive whole number`);
  return value;
}
const trials = intOption('--trials', 24);
const seedCount = intOption('--seeds', 2);
const epochs = intOption('--epochs', 9);
const optunaPython = option('--optuna-python', '/usr/bin/python3');
/** Optional folder for the raw evidence: every leaderboard, the trainers' own val_accuracy per trial, Optuna's trials. */
const dumpDir = process.argv.includes('--dump') ? option('--dump', '') : '';
const seeds = Array.from({ length: seedCount }, (_, i) => i);
const WITHIN = 0.005;
const GPU_BUDGET = 2;
const BATCH_SIZE = 64;
const TRAIN_SEED = 0;
const N_STARTUP = Math.min(6, trials - 1); // examples/digits/sweep.yaml; TPE needs nStartupTrials < maxTrials
const SPACE = {
  lrFactor: { loguniform: [0.1, 3] },
  hidden: { choice: [32, 64, 128, 256] },
  dropout: { uniform: [0, 0.3] },
  weightDecay: { loguniform: [1.0e-6, 1.0e-3] },
};

interface Method {
  label: string;
  slug: string;
  strategy: (seed: number) => Record<string, unknown>;
  earlyStopping: Record<string, unknown>;
}
const METHODS: Method[] = [
  { label: 'random', slug: 'random', strategy: (seed) => ({ kind: 'random', seed }), earlyStopping: { kind: 'none' } },
  { label: 'tpe', slug: 'tpe', strategy: (seed) => ({ kind: 'tpe', seed, nStartupTrials: N_STARTUP }), earlyStopping: { kind: 'none' } },
  {
    label: 'tpe+asha',
    slug: 'tpe-asha',
    strategy: (seed) => ({ kind: 'tpe', seed, nStartupTrials: N_STARTUP }),
    earlyStopping: { kind: 'asha', gracePeriod: 1, reductionFactor: 3 },
  },
];

/** A pipeline file (YAML is a superset of JSON). */
function pipeline(method: Method, seed: number): string {
  return JSON.stringify(
    {
      apiVersion: 'gauntlet.dev/v1',
      kind: 'Pipeline',
      name: `eff-${method.slug}-s${seed}`,
      description: `sweep efficiency bench: ${method.label}, seed ${seed}`,
      data: { source: 'sklearn:digits', split: { valid: 0.15, test: 0.15, seed: 0, stratify: true } },
      trainer: { timeout: '30m', heartbeatTimeout: '30s', retry: { maximumAttempts: 3 } },
      gates: { overfit: { enabled: false }, oracle: { enabled: false } },
      train: {
        seed: TRAIN_SEED,
        epochs,
        batchSize: BATCH_SIZE,
        schedule: { kind: 'one_cycle' },
        lrFind: { startLr: 1.0e-6, endLr: 10, numSteps: 100, policy: 'steep' },
      },
      sweep: {
        space: SPACE,
        strategy: method.strategy(seed),
        earlyStopping: method.earlyStopping,
        budget: { maxTrials: trials, gpuBudget: GPU_BUDGET, gpusPerTrial: 1, maxFailedTrials: 2 },
        objective: { metric: 'val_accuracy' },
      },
    },
    null,
    2,
  );
}

/** What both sides reduce to: trials in start order. */
interface TrialFigure {
  status: string;
  objective: number | null;
  /** Epochs as the sweep counts them. */
  epochs: number;
  /** Epochs the trainer actually ran (Gauntlet: from the process's stdout). */
  executed: number;
  /** Epochs had every early-stopping decision taken effect at once: the epoch of its first stop decision, else `epochs`. */
  atDecision: number;
}
interface MethodRun {
  method: string;
  seed: number;
  trials: TrialFigure[];
  wallSeconds: number;
  sweepSeconds: number | null;
  note: string;
}

const RunJson = z.object({ runId: z.string(), status: z.string(), manifestUri: z.string(), lr: z.object({ maxLr: z.number() }).nullable() });
const Manifest = z.object({
  data: z.object({ sha256: z.string(), classes: z.array(z.string()) }),
  spec: z.object({ data: z.object({ labelColumn: z.string() }) }),
  lrFinder: z.object({ maxLr: z.number() }).nullable(),
  artifacts: z.record(z.string(), z.string()),
});
const JobDocument = z.object({
  output: z.object({ prefix: z.string() }),
  schedule: z.record(z.string(), z.unknown()).nullable().optional(),
  hyperparameters: z.record(z.string(), z.unknown()),
});
const Event = z.object({ event: z.string(), name: z.string().optional(), value: z.number().nullable().optional(), epoch: z.number().optional() });

/** Per trial output prefix: the trainer's own record of the epochs it ran (stdout.log spans every launch). */
interface TrainerRecord {
  prefix: string;
  schedule: Record<string, unknown> | null;
  valAccuracy: Array<{ epoch: number; value: number | null }>;
}
function trainerRecords(jobsDir: string): Map<string, TrainerRecord> {
  const records = new Map<string, TrainerRecord>();
  if (!existsSync(jobsDir)) return records;
  for (const id of readdirSync(jobsDir)) {
    const documentPath = join(jobsDir, id, 'job.json');
    if (!existsSync(documentPath)) continue;
    const document = JobDocument.parse(JSON.parse(readFileSync(documentPath, 'utf8')));
    const valAccuracy: TrainerRecord['valAccuracy'] = [];
    const stdoutPath = join(jobsDir, id, 'stdout.log');
    const text = existsSync(stdoutPath) ? readFileSync(stdoutPath, 'utf8') : '';
    for (const line of text.split('\n')) {
      if (!line.startsWith('{')) continue;
      const event = Event.safeParse(JSON.parse(line));
      if (event.success && event.data.event === 'metric' && event.data.name === 'val_accuracy' && event.data.epoch !== undefined) {
        valAccuracy.push({ epoch: event.data.epoch, value: event.data.value ?? null });
      }
    }
    records.set(document.output.prefix, { prefix: document.output.prefix, schedule: document.schedule ?? null, valAccuracy });
  }
  return records;
}

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? (sorted[mid] as number) : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
};

function reach(trialsInOrder: TrialFigure[], target: number, by: 'epochs' | 'executed'): number {
  let spent = 0;
  for (const trial of trialsInOrder) {
    spent += trial[by];
    if (trial.status === 'completed' && trial.objective !== null && trial.objective >= target) return spent;
  }
  return Number.POSITIVE_INFINITY;
}

function runPython(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(optunaPython, args, { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
      process.stderr.write(chunk);
    });
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

const OptunaLine = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('setup'), seconds: z.number(), optuna: z.string(), torch: z.string() }),
  z.object({ kind: z.literal('parity'), compared: z.number(), maxAbsGap: z.number().nullable(), curve: z.array(z.number()) }),
  z.object({
    kind: z.literal('study'),
    seed: z.number(),
    seconds: z.number(),
    trials: z.array(z.object({ state: z.string(), objective: z.number().nullable(), epochs: z.number(), diverged: z.boolean().optional() })),
  }),
]);

const root = repoRoot();
const started = Date.now();
const loadAtStart = loadavg().map((l) => l.toFixed(2)).join(' ');
const stack = await startTestStack({ worker: false, python: await detectPython() });
const worker = await startWorkerProcess(stack.env);
const store = new ArtifactStore(createMinioClient(stack.config), stack.bucket);
const connection = await Connection.connect({ address: stack.temporalAddress });
const client = new Client({ connection });
if (dumpDir) mkdirSync(dumpDir, { recursive: true });
const work = mkdtempSync(join(tmpdir(), 'gauntlet-sweep-bench-'));

try {
  const runs: MethodRun[] = [];
  const notes: string[] = [];
  let base: { maxLr: number; manifest: z.infer<typeof Manifest> } | null = null;
  let parityTrial: { config: TrialRecord['config']; curve: number[]; schedule: Record<string, unknown> | null } | null = null;
  let lateEpochs = 0;
  let stoppedTrials = 0;
  const stopLag: number[] = [];
  let curveEpochs = 0;
  let curveHoles = 0;
  let ignoredStops = 0;
  let lateRungs = 0;
  let rungDecisions = 0;

  for (const seed of seeds) {
    for (const method of METHODS) {
      const file = join(work, `${method.slug}-s${seed}.yaml`);
      writeFileSync(file, pipeline(method, seed));
      const t0 = Date.now();
      const run = await runCli(['run', file, '--json'], stack.env, 3_600_000);
      const wallSeconds = (Date.now() - t0) / 1000;
      if (run.code !== 0) throw new Error(`${method.label} seed ${seed}: gauntlet run exited ${run.code}\n${run.stdout}\n${run.stderr}`);
      const result = RunJson.parse(JSON.parse(run.stdout));
      const manifest = Manifest.parse(JSON.parse((await store.getBytes(result.manifestUri)).toString()));
      const maxLr = manifest.lrFinder?.maxLr ?? Number.NaN;
      if (!base) base = { maxLr, manifest };
      else if (maxLr !== base.maxLr) notes.push(`${method.label} seed ${seed}: range test suggested ${maxLr}, the first run ${base.maxLr}`);
      const sweepId = sweepWorkflowId(result.runId);
      const board = await client.workflow.getHandle(sweepId).query(leaderboardQuery);
      const table = board.tableUri ? await readTrialTable(store, board.tableUri) : board.trials;
      const trainers = trainerRecords(join(stack.stateDir, 'jobs'));
      const figures: TrialFigure[] = [];
      let holes = 0;
      for (const trial of [...table].sort((a, b) => a.trial - b.trial)) {
        // A hole (null) in a completed trial's curve is an epoch the job ran but the sweep never recorded (a stopped
        // trial's curve holds only the rung epochs early stopping judged).
        const missing = trial.status === 'completed' ? trial.curve.filter((v) => v === null || v === undefined).length : 0;
        holes += missing;
        if (trial.status === 'completed') curveEpochs += trial.curve.length;
        curveHoles += missing;
        const counted = trial.status === 'completed' ? trial.epochs : trial.curve.length;
        const trainer = trainers.get(store.uri(`runs/${sweepId}/trial-${trial.trial}/`));
        const executed = trainer ? trainer.valAccuracy.length : Number.NaN;
        if (trial.status === 'stopped') {
          stoppedTrials += 1;
          lateEpochs += executed - counted;
          stopLag.push(executed - counted);
        }
        const firstStop = trial.decisions.find((d) => d.action === 'stop' && !d.complete);
        if (firstStop && trial.status === 'completed') ignoredStops += 1;
        lateRungs += trial.decisions.filter((d) => d.milestone !== undefined && d.epoch !== d.milestone).length;
        rungDecisions += trial.decisions.filter((d) => d.milestone !== undefined).length;
        figures.push({
          status: trial.status,
          objective: trial.status === 'completed' ? trial.objective : null,
          epochs: counted,
          executed,
          atDecision: firstStop ? Math.min(firstStop.epoch, counted) : counted,
        });
        if (!parityTrial && trial.status === 'completed' && trainer && trainer.valAccuracy.length === trial.epochs) {
          parityTrial = { config: trial.config, curve: trainer.valAccuracy.map((p) => p.value ?? Number.NaN), schedule: trainer.schedule };
        }
      }
      if (dumpDir) {
        const trainerCurves = Object.fromEntries(table.map((t) => [t.trial, trainers.get(store.uri(`runs/${sweepId}/trial-${t.trial}/`))?.valAccuracy ?? null]));
        writeFileSync(join(dumpDir, `${method.slug}-s${seed}.json`), JSON.stringify({ runId: result.runId, board, trainerCurves }, null, 1));
      }
      const startTimes = table.map((t) => Date.parse(t.startedAt));
      const endTimes = table.map((t) => Date.parse(t.finishedAt ?? ''));
      const sweepSeconds = (Math.max(...endTimes) - Math.min(...startTimes)) / 1000;
      const counts = ['completed', 'stopped', 'failed'].map((s) => table.filter((t) => t.status === s).length);
      const note = `${counts[0]}/${counts[1]}/${counts[2]}`;
      runs.push({ method: method.label, seed, trials: figures, wallSeconds, sweepSeconds, note });
      process.stderr.write(`${method.label} seed ${seed}: ${result.runId} · ${table.length} trials (completed/stopped/failed ${note}) · ${holes} epoch(s) missing from the curves · ${wallSeconds.toFixed(1)} s\n`);
    }
  }
  if (!base) throw new Error('no Gauntlet run');

  // Optuna on the same bytes: the CSV and split manifest this run's ingest stored.
  const csvPath = join(work, 'digits.csv');
  const splitPath = join(work, 'split.json');
  const dataUri = base.manifest.artifacts.data;
  const splitUri = base.manifest.artifacts.split;
  if (!dataUri || !splitUri) throw new Error('the run manifest names no data/split artifacts');
  writeFileSync(csvPath, await store.getBytes(dataUri));
  writeFileSync(splitPath, await store.getBytes(splitUri));
  const schedule = parityTrial?.schedule ?? null;
  const optunaArgs = [
    join(root, 'bench', 'optuna_digits.py'),
    '--csv', csvPath,
    '--split', splitPath,
    '--sha256', base.manifest.data.sha256,
    '--label-column', base.manifest.spec.data.labelColumn,
    '--num-classes', String(base.manifest.data.classes.length),
    '--max-lr', String(base.maxLr),
    '--space', JSON.stringify(SPACE),
    '--trials', String(trials),
    '--seeds', seeds.join(','),
    '--epochs', String(epochs),
    '--batch-size', String(BATCH_SIZE),
    '--n-startup', String(N_STARTUP),
    '--train-seed', String(TRAIN_SEED),
    ...(schedule ? ['--schedule', JSON.stringify(schedule)] : []),
    ...(parityTrial ? ['--parity', JSON.stringify({ config: parityTrial.config, curve: parityTrial.curve })] : []),
    '--json',
  ];
  const optuna = await runPython(optunaArgs);
  if (dumpDir) writeFileSync(join(dumpDir, 'optuna.jsonl'), optuna.stdout);
  if (optuna.code !== 0) throw new Error(`optuna_digits.py exited ${optuna.code}:\n${optuna.stderr}`);
  let versions = '';
  let parity = 'not run (no completed Gauntlet trial with its full curve)';
  for (const line of optuna.stdout.split('\n')) {
    if (!line.trim()) continue;
    const parsed = OptunaLine.parse(JSON.parse(line));
    if (parsed.kind === 'setup') versions = `optuna ${parsed.optuna}, torch ${parsed.torch}`;
    if (parsed.kind === 'parity') parity = `${parsed.compared} epochs of one Gauntlet trial retrained by the Python objective: max |Δ val acc| = ${parsed.maxAbsGap}`;
    if (parsed.kind === 'study') {
      const figures = parsed.trials.map((t) => ({ status: t.state, objective: t.objective, epochs: t.epochs, executed: t.epochs, atDecision: t.epochs }));
      const completed = parsed.trials.filter((t) => t.state === 'completed').length;
      const pruned = parsed.trials.filter((t) => t.state === 'pruned').length;
      const diverged = parsed.trials.filter((t) => t.diverged).length;
      runs.push({ method: 'optuna tpe+sha', seed: parsed.seed, trials: figures, wallSeconds: parsed.seconds, sweepSeconds: null, note: `${completed}/${pruned}/0${diverged ? ` · ${diverged} diverged` : ''}` });
    }
  }

  // The figure.
  const bestOf = (run: MethodRun) => Math.max(...run.trials.map((t) => (t.status === 'completed' && t.objective !== null ? t.objective : Number.NEGATIVE_INFINITY)));
  const pooled = Math.max(...runs.map(bestOf));
  const target = pooled - WITHIN;
  const fmt = (value: number, digits = 0) => (Number.isFinite(value) ? value.toFixed(digits) : '—');
  const header = ['method', 'seed', 'done/stop/fail', 'best val acc', 'trial-epochs', 'at stop decision', 'executed', 'to ±0.5%', 'executed to ±0.5%', 'wall s', 'sweep s'];
  const rows: string[][] = [];
  const labels = [...new Set(runs.map((r) => r.method))];
  for (const label of labels) {
    const mine = runs.filter((r) => r.method === label);
    for (const run of mine) {
      rows.push([
        label,
        String(run.seed),
        run.note,
        bestOf(run).toFixed(4),
        String(run.trials.reduce((s, t) => s + t.epochs, 0)),
        String(run.trials.reduce((s, t) => s + t.atDecision, 0)),
        fmt(run.trials.reduce((s, t) => s + t.executed, 0)),
        fmt(reach(run.trials, target, 'epochs')),
        fmt(reach(run.trials, target, 'executed')),
        run.wallSeconds.toFixed(1),
        run.sweepSeconds === null ? '—' : run.sweepSeconds.toFixed(1),
      ]);
    }
    rows.push([
      label,
      'median',
      '',
      median(mine.map(bestOf)).toFixed(4),
      fmt(median(mine.map((r) => r.trials.reduce((s, t) => s + t.epochs, 0))), 1),
      fmt(median(mine.map((r) => r.trials.reduce((s, t) => s + t.atDecision, 0))), 1),
      fmt(median(mine.map((r) => r.trials.reduce((s, t) => s + t.executed, 0))), 1),
      fmt(median(mine.map((r) => reach(r.trials, target, 'epochs'))), 1),
      fmt(median(mine.map((r) => reach(r.trials, target, 'executed'))), 1),
      median(mine.map((r) => r.wallSeconds)).toFixed(1),
      mine.every((r) => r.sweepSeconds !== null) ? median(mine.map((r) => r.sweepSeconds as number)).toFixed(1) : '—',
    ]);
  }
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) => `| ${cells.map((c, i) => c.padEnd(widths[i] ?? 0)).join(' | ')} |\n`;
  const out = process.stdout;
  out.write(`digits, CPU, reference MLP; ${trials} trials × ≤ ${epochs} epochs per method and seed, ≤ ${GPU_BUDGET} Gauntlet trials at once, `);
  out.write(`TPE nStartupTrials ${N_STARTUP}, ASHA/SHA grace 1 η 3; seeds ${seeds.join(', ')}; training seed ${TRAIN_SEED} for every trial\n`);
  out.write(`max LR basis (range test, steep): ${base.maxLr.toPrecision(4)}; ${versions}\n`);
  out.write(`parity: ${parity}\n`);
  out.write(`POOLED best val acc (every method and seed, Optuna included): ${pooled.toFixed(4)} → target ≥ ${target.toFixed(4)}\n\n`);
  out.write(line(header));
  out.write(line(widths.map((w) => '-'.repeat(w))));
  for (const row of rows) out.write(line(row));
  out.write('\n');
  out.write(`Gauntlet stopped trials: ${stoppedTrials}; epochs their trainers ran after the last epoch the sweep counted: ${lateEpochs}`);
  out.write(stopLag.length ? ` (median ${median(stopLag)}, max ${Math.max(...stopLag)} per trial)\n` : '\n');
  out.write(`Gauntlet stop decisions that did not take effect (the trial completed first): ${ignoredStops}\n`);
  out.write(`Gauntlet ASHA rung decisions taken on a later epoch than the rung's milestone: ${lateRungs} of ${rungDecisions}\n`);
  out.write(`Gauntlet completed trials' curves: ${curveHoles} of ${curveEpochs} epoch entries are null (the trainer reported them; the sweep never recorded them)\n`);
  for (const note of notes) out.write(`note: ${note}\n`);
  out.write(`load average at start ${loadAtStart}, at end ${loadavg().map((l) => l.toFixed(2)).join(' ')}; total ${((Date.now() - started) / 1000).toFixed(0)} s\n`);
} finally {
  await connection.close();
  await worker.kill('SIGTERM');
  await stack.stop();
}

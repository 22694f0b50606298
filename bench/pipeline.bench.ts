/**
 * Pipeline orchestration figures on the real stack (printed, never asserted):
 *   run → trainer spawn   time from starting `gauntlet run` (a new CLI process) to the run's first trainer process
 *                         being spawned (the overfit gate's job, after ingest and the oracle bound)
 *   run → trainer ready   … to that trainer reporting its start (after Python and torch imports)
 *   overhead per job      activity wall time (scheduled → completed, from the workflow history) minus the trainer
 *                         process's wall time (spawn → exit code written); medians over all jobs
 *   trainer start-up      process wall time minus the time the trainer says it ran (Python + torch imports)
 *   worker RSS            resident memory of the worker process, idle and the peak during the runs
 *
 *   node dist/bench/pipeline.bench.js [--runs 20]
 */
import { Client, Connection } from '@temporalio/client';
import { readFileSync, statSync, writeFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { z } from 'zod';
import { ArtifactStore } from '../activities/store.js';
import { jobPaths } from '../activities/executor/local.js';
import { startTestStack } from '../deploy/dev/testStack.js';
import { detectPython } from '../deploy/dev/worker.js';
import { runCli } from '../test/support/cli.js';
import { startWorkerProcess } from '../test/support/workerProcess.js';
import { createMinioClient } from '../worker/sideEffects.js';
import { PidRecord } from '../activities/executor/processes.js';
import { jobIdFor } from '../activities/runJob.js';

const runsArg = process.argv.indexOf('--runs');
const runs = runsArg >= 0 ? Number(process.argv[runsArg + 1]) : 20;
/** One JSON object with the figures under named keys, to compare across commits (issue 16). */
const asJson = process.argv.includes('--json');

const PIPELINE = `
apiVersion: gauntlet.dev/v1
kind: Pipeline
name: bench
data: { source: "sklearn:digits" }
train: { epochs: 1, hyperparameters: { hidden: 32 }, schedule: { kind: constant, lr: 0.05 } }
`;

const Manifest = z.object({ runId: z.string() });
const Result = z.object({ startedAt: z.string(), finishedAt: z.string() });

function rssMiB(pid: number): number {
  const match = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return Number(match?.[1] ?? 0) / 1024;
}

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? (sorted[mid] ?? 0) : ((sorted[mid - 1] ?? 0) + (sorted[mid] ?? 0)) / 2;
};

const stack = await startTestStack({ worker: false, python: await detectPython() });
const worker = await startWorkerProcess(stack.env);
const pid = worker.child.pid ?? 0;
const store = new ArtifactStore(createMinioClient(stack.config), stack.bucket);
const connection = await Connection.connect({ address: stack.temporalAddress });
const client = new Client({ connection });
const spec = join(mkdtempSync(join(tmpdir(), 'gauntlet-bench-')), 'bench.yaml');
writeFileSync(spec, PIPELINE);

try {
  await new Promise((resolve) => setTimeout(resolve, 3000));
  const idleRss = rssMiB(pid);
  let peakRss = idleRss;
  const sampler = setInterval(() => (peakRss = Math.max(peakRss, rssMiB(pid))), 100);
  const toSpawn: number[] = [];
  const toReady: number[] = [];
  const overheads: number[] = [];
  const startups: number[] = [];
  const walls: number[] = [];
  for (let i = 0; i < runs; i++) {
    const started = Date.now();
    // --no-cache: every run must really launch its jobs (the same spec would otherwise be answered from the cache).
    const run = await runCli(['run', spec, '--json', '--no-cache'], stack.env);
    if (run.code !== 0) throw new Error(`run ${i} failed: ${run.stderr}`);
    walls.push((Date.now() - started) / 1000);
    const { manifestUri } = z.object({ manifestUri: z.string() }).parse(JSON.parse(run.stdout));
    const manifest = Manifest.parse(JSON.parse((await store.getBytes(manifestUri)).toString()));
    const handle = client.workflow.getHandle(manifest.runId);
    const history = await handle.fetchHistory();
    const scheduled = new Map<string, { at: number; jobId: string; stage: string }>();
    const spawns: number[] = [];
    for (const event of history.events ?? []) {
      const at = Number(event.eventTime?.seconds ?? 0) * 1000 + Math.floor((event.eventTime?.nanos ?? 0) / 1e6);
      const attributes = event.activityTaskScheduledEventAttributes;
      if (attributes?.activityType?.name === 'runJob') {
        // The job id is derived from the workflow and the stage, exactly as the activity does it.
        const payload = attributes.input?.payloads?.[0]?.data;
        const { stage } = z.object({ stage: z.string() }).parse(JSON.parse(Buffer.from(payload ?? new Uint8Array()).toString()));
        const jobId = jobIdFor(manifest.runId, stage);
        scheduled.set(String(event.eventId), { at, jobId, stage });
      }
      const completed = event.activityTaskCompletedEventAttributes;
      const job = completed ? scheduled.get(String(completed.scheduledEventId)) : undefined;
      if (job) {
        const paths = jobPaths(join(stack.stateDir, 'jobs'), job.jobId);
        const spawned = Date.parse(PidRecord.parse(JSON.parse(readFileSync(paths.pid, 'utf8'))).launchedAt);
        spawns.push(spawned);
        const processWall = (statSync(paths.exitCode).mtimeMs - spawned) / 1000;
        const result = Result.parse(JSON.parse((await store.getBytes(`s3://${stack.bucket}/runs/${manifest.runId}/${job.stage}/result.json`)).toString()));
        overheads.push((at - job.at) / 1000 - processWall);
        startups.push(processWall - (Date.parse(result.finishedAt) - Date.parse(result.startedAt)) / 1000);
        if (spawns.length === 1) toReady.push((Date.parse(result.startedAt) - started) / 1000);
      }
    }
    toSpawn.push((Math.min(...spawns) - started) / 1000);
    process.stderr.write(`run ${i + 1}/${runs}: ${walls.at(-1)?.toFixed(2)} s\n`);
  }
  clearInterval(sampler);
  if (asJson) {
    const ms = (seconds: number) => Math.round(seconds * 1000);
    process.stdout.write(
      `${JSON.stringify({
        bench: 'pipeline',
        runs,
        runWallMsMedian: ms(median(walls)),
        runToFirstTrainerMs: ms(median(toSpawn)),
        runToTrainerReadyMs: ms(median(toReady)),
        overheadPerJobMsMedian: ms(median(overheads)),
        jobs: overheads.length,
        trainerStartupMsMedian: ms(median(startups)),
        rssMiBIdle: Math.round(idleRss),
        rssMiBPeak: Math.round(peakRss),
        load: readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).map(Number),
      })}\n`,
    );
  }
  const line = (name: string, value: string) => (asJson ? process.stderr : process.stdout).write(`${name.padEnd(34)} ${value}\n`);
  line('runs', String(runs));
  line('run wall time (median)', `${median(walls).toFixed(2)} s`);
  line('run → trainer spawn (median)', `${median(toSpawn).toFixed(2)} s`);
  line('run → trainer ready (median)', `${median(toReady).toFixed(2)} s`);
  line('orchestration overhead/job (median)', `${median(overheads).toFixed(2)} s (${overheads.length} jobs)`);
  line('trainer start-up/job (median)', `${median(startups).toFixed(2)} s`);
  line('worker RSS idle', `${idleRss.toFixed(0)} MiB`);
  line('worker RSS peak during runs', `${peakRss.toFixed(0)} MiB`);
} finally {
  await connection.close();
  await worker.kill('SIGTERM');
  await stack.stop();
}
